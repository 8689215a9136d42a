"""Synthetic genomes whose 3D structure is caused by their sequence: a known-truth benchmark.

Each chromosome is uniform random DNA with a CTCF-like motif planted at
domain boundaries, each copy oriented. Boundaries are ``domain_bins`` apart
and carry a divergent motif pair (reverse, then forward) or, at random, only
one of the two. The contact map comes from a 1D loop-extrusion model:

- loop extruders (LEFs) load at random free sites, every ``separation`` bins
  on average, and extrude both ways one bin per step until they unload
  (probability ``1 / lifetime`` per step) or meet another LEF's leg;
- a leg moving left stops at a forward motif, a leg moving right at a reverse
  motif, each with probability ``capture`` on arrival, so loops form between
  convergent motifs and domains lie between boundaries;
- the expected contact of bins ``i <= j`` is ``(j - i + 1) ** -decay`` times
  ``1 + loop_gain * E``, where ``E`` is the mean number of LEFs whose loop
  encloses both bins, plus ``anchor_gain`` times the mean number of LEFs with
  legs exactly at ``i`` and ``j`` (corner dots and stripes);
- observed counts are Poisson around the expected map, scaled to
  ``contacts_per_bin`` per row.

The loops the model knows (:func:`known_loops`) are convergent motif pairs
(forward at the left anchor, reverse at the right) where a LEF's legs sit
exactly on both anchors in at least ``min_occupancy`` of the snapshots.

:func:`write_genome` writes the FASTA, the observed and the noise-free
(``truth``) maps as balanced ``.cool`` files, the planted motifs, two
bigWig tracks: CTCF-like (a peak at each motif) and accessibility (peaks at
motifs and at random other sites), the known loops as BEDPE and a CAGE-like
expression track per bin whose causal rule is :func:`expression`: the random
accessible sites are promoters, and a bin's expression is its promoters'
strength times the accessibility its contacts reach.
"""

import logging
from pathlib import Path

import cooler
import numpy as np
import pandas as pd

from ..files import atomic_output, write_bigwig

log = logging.getLogger(__name__)

MOTIF = "TGGCCACCAGGGGGCGCTA"  # CTCF consensus (JASPAR MA0139.1), forward orientation
_COMPLEMENT = str.maketrans("ACGT", "TGCA")
TRACK_STEP = 50


def reverse_complement(sequence):
    return sequence.translate(_COMPLEMENT)[::-1]


def plant_sites(nbins, binsize, rng, domain_bins=(6, 16), both=0.6):
    """Boundary motifs of one chromosome.

    Parameters
    ----------
    nbins, binsize : int
        Chromosome length in bins, bin size in bp.
    rng : numpy.random.Generator
    domain_bins : (int, int)
        Range of distances between consecutive boundaries, in bins.
    both : float
        Probability that a boundary has both motifs; otherwise one, either way.

    Returns
    -------
    DataFrame
        ``bin``, ``start`` (bp, motif start), ``orientation`` (``+`` forward,
        ``-`` reverse), sorted by position.
    """
    rows, b = [], int(rng.integers(*domain_bins))
    while b < nbins - 2:
        kinds = ["-", "+"] if rng.random() < both else [str(rng.choice(["-", "+"]))]
        for kind in kinds:  # reverse motif in the bin's first half, forward in its second half
            lo = b * binsize + (0 if kind == "-" else binsize // 2)
            rows.append((b, lo + int(rng.integers(0, binsize // 2 - len(MOTIF))), kind))
        b += int(rng.integers(*domain_bins))
    return pd.DataFrame(rows, columns=["bin", "start", "orientation"])


def chromosome_sequence(sites, length, rng):
    """Uniform random DNA of ``length`` bp with each site's motif in its orientation."""
    codes = rng.integers(0, 4, length)
    sequence = bytearray(np.frombuffer(b"ACGT", dtype=np.uint8)[codes].tobytes())
    for site in sites.itertuples():
        motif = MOTIF if site.orientation == "+" else reverse_complement(MOTIF)
        sequence[site.start : site.start + len(motif)] = motif.encode()
    return sequence.decode()


def extrude(sites, nbins, rng, separation=10, lifetime=12, capture=0.9, burn_in=200, snapshots=400, every=4):
    """Simulate loop extrusion on a chromosome's bins.

    Parameters
    ----------
    sites : DataFrame
        ``bin`` and ``orientation`` of the barriers (:func:`plant_sites`).
    nbins : int
    rng : numpy.random.Generator
    separation : float
        Bins per LEF.
    lifetime : float
        Mean steps before a LEF unloads.
    capture : float
        Probability that a barrier stops a leg arriving at it from the blocked side.
    burn_in, snapshots, every : int
        Steps before recording, snapshots recorded, steps between them.

    Returns
    -------
    left, right : ndarray of int, shape (snapshots, LEFs)
        Leg positions (bins) of each LEF in each snapshot.
    """
    stops_left = np.zeros(nbins, bool)
    stops_right = np.zeros(nbins, bool)
    stops_left[sites.loc[sites["orientation"] == "+", "bin"]] = True
    stops_right[sites.loc[sites["orientation"] == "-", "bin"]] = True
    n = max(1, int(nbins / separation))
    occupied = np.zeros(nbins, bool)
    left, right = np.empty(n, int), np.empty(n, int)
    stalled_left, stalled_right = np.zeros(n, bool), np.zeros(n, bool)

    def load(i):
        while True:
            p = int(rng.integers(0, nbins - 1))
            if not occupied[p] and not occupied[p + 1]:
                break
        left[i], right[i] = p, p + 1
        occupied[p] = occupied[p + 1] = True
        stalled_left[i] = stops_left[p] and rng.random() < capture
        stalled_right[i] = stops_right[p + 1] and rng.random() < capture

    for i in range(n):
        load(i)
    record_left, record_right = [], []
    for step in range(burn_in + snapshots * every):
        for i in np.flatnonzero(rng.random(n) < 1 / lifetime):
            occupied[left[i]] = occupied[right[i]] = False
            load(i)
        # left legs move first, then right legs: within a pass no two legs target the same bin
        move = ~stalled_left & (left > 0)
        move[move] &= ~occupied[left[move] - 1]
        occupied[left[move]] = False
        left[move] -= 1
        occupied[left[move]] = True
        stalled_left[move] = stops_left[left[move]] & (rng.random(move.sum()) < capture)
        move = ~stalled_right & (right < nbins - 1)
        move[move] &= ~occupied[right[move] + 1]
        occupied[right[move]] = False
        right[move] += 1
        occupied[right[move]] = True
        stalled_right[move] = stops_right[right[move]] & (rng.random(move.sum()) < capture)
        if step >= burn_in and (step - burn_in) % every == 0:
            record_left.append(left.copy())
            record_right.append(right.copy())
    return np.array(record_left), np.array(record_right)


def expected_contacts(left, right, nbins, decay=1.0, loop_gain=2.0, anchor_gain=0.5):
    """Expected contact map of a chromosome from LEF snapshots (see the module docstring).

    Returns
    -------
    ndarray, shape (nbins, nbins)
        Symmetric, on an arbitrary scale.
    """
    snapshots = len(left)
    left, right = left.ravel(), right.ravel()
    enclosed = np.zeros((nbins + 1, nbins + 1))
    for rows, cols, sign in ((left, left, 1), (left, right + 1, -1), (right + 1, left, -1), (right + 1, right + 1, 1)):
        np.add.at(enclosed, (rows, cols), sign)
    enclosed = enclosed.cumsum(0).cumsum(1)[:nbins, :nbins] / snapshots
    anchors = np.zeros((nbins, nbins))
    np.add.at(anchors, (left, right), 1.0 / snapshots)
    distance = np.abs(np.subtract.outer(np.arange(nbins), np.arange(nbins)))
    return (distance + 1.0) ** -decay * (1 + loop_gain * enclosed) + anchor_gain * (anchors + anchors.T)


def known_loops(sites, left, right, min_occupancy=0.05):
    """Convergent motif pairs held by a LEF in at least ``min_occupancy`` of the snapshots.

    Parameters
    ----------
    sites : DataFrame
        ``bin`` and ``orientation`` (:func:`plant_sites`).
    left, right : ndarray, shape (snapshots, LEFs)
        Leg positions (:func:`extrude`).
    min_occupancy : float
        Mean number of LEFs per snapshot with legs exactly at the two anchors.

    Returns
    -------
    DataFrame
        ``bin1`` (forward motif), ``bin2`` (reverse motif, ``bin2 > bin1``),
        ``occupancy``, sorted.
    """
    legs = pd.Series(1.0 / len(left), index=pd.MultiIndex.from_arrays([left.ravel(), right.ravel()]))
    occupancy = legs.groupby(level=[0, 1]).sum()
    forward = np.unique(sites.loc[sites["orientation"] == "+", "bin"])
    reverse = np.unique(sites.loc[sites["orientation"] == "-", "bin"])
    pairs = [(i, j) for i in forward for j in reverse if j > i]
    held = pd.DataFrame(pairs, columns=["bin1", "bin2"], dtype=int)
    held["occupancy"] = occupancy.reindex(pd.MultiIndex.from_frame(held[["bin1", "bin2"]]), fill_value=0.0).to_numpy()
    return held[held["occupancy"] >= min_occupancy].reset_index(drop=True)


def contact_rate(expected, contacts_per_bin):
    """``expected`` scaled to ``contacts_per_bin`` per row on average: the mean of the observed counts."""
    return expected * contacts_per_bin / expected.sum(axis=1).mean()


def observe(expected, contacts_per_bin, rng):
    """Poisson counts around :func:`contact_rate` (symmetric, integer)."""
    upper = np.triu(rng.poisson(contact_rate(expected, contacts_per_bin)))
    return upper + np.triu(upper, 1).T


def make_chromosome(nbins, binsize, rng, domain_bins=(6, 16), both=0.6, extrusion=None, contacts=None,
                    contacts_per_bin=20_000, sites=None):
    """One synthetic chromosome.

    Parameters
    ----------
    nbins, binsize : int
    rng : numpy.random.Generator
    domain_bins, both
        Passed to :func:`plant_sites`.
    extrusion, contacts : dict, optional
        Keyword arguments of :func:`extrude` and :func:`expected_contacts`.
    contacts_per_bin : float
        Sequencing depth of the observed map.
    sites : DataFrame, optional
        Use these motifs instead of planting new ones (e.g. one deleted).

    Returns
    -------
    dict
        ``sequence``, ``sites``, ``expected`` (noise-free map), ``observed``
        (counts), ``loops`` (:func:`known_loops`; no random draws, so the
        other values are those of a genome made without it).
    """
    if sites is None:
        sites = plant_sites(nbins, binsize, rng, domain_bins, both)
    sequence = chromosome_sequence(sites, nbins * binsize, rng)
    left, right = extrude(sites, nbins, rng, **(extrusion or {}))
    expected = expected_contacts(left, right, nbins, **(contacts or {}))
    return {"sequence": sequence, "sites": sites, "expected": expected,
            "observed": observe(expected, contacts_per_bin, rng), "loops": known_loops(sites, left, right)}


def make_genome(n_chroms=6, nbins=400, binsize=128, seed=0, **kwargs):
    """``chr1`` ... ``chrN`` from :func:`make_chromosome` (same keyword arguments), one seed for all.

    Parameters
    ----------
    n_chroms : int
        Number of chromosomes; ignored when ``nbins`` is a list.
    nbins : int or list of int
        Bins of every chromosome, or of each chromosome in turn (chromosomes of
        different lengths, e.g. some shorter than a model's window).
    binsize, seed
        Bases per bin; the seed of every draw.
    """
    rng = np.random.default_rng(seed)
    lengths = [nbins] * n_chroms if np.isscalar(nbins) else list(nbins)
    return {f"chr{i + 1}": make_chromosome(int(n), binsize, rng, **kwargs) for i, n in enumerate(lengths)}


def write_cool(path, maps, binsize, dtype):
    """Chromosome maps (dict chrom -> dense matrix) as a cooler, ICE-balanced (cis only) in place."""
    chromsizes = pd.Series({c: m.shape[0] * binsize for c, m in maps.items()})
    bins = cooler.binnify(chromsizes, binsize)
    offsets = np.concatenate([[0], np.cumsum([m.shape[0] for m in maps.values()])])

    def pixels():
        for offset, matrix in zip(offsets, maps.values()):
            i, j = np.triu_indices(matrix.shape[0])
            keep = matrix[i, j] > 0
            yield pd.DataFrame({"bin1_id": i[keep] + offset, "bin2_id": j[keep] + offset,
                                "count": matrix[i, j][keep].astype(dtype)})

    with atomic_output(path, suffix=".cool") as tmp:
        cooler.create_cooler(str(tmp), bins, pixels(), dtypes={"count": dtype}, ordered=True)
        cooler.balance_cooler(cooler.Cooler(str(tmp)), cis_only=True, store=True)


def peaks(length, centres, heights, width, step=TRACK_STEP):
    """Sum of Gaussian peaks sampled every ``step`` bp (``ceil(length / step)`` values)."""
    x = (np.arange(-(-length // step)) + 0.5) * step
    signal = np.zeros(len(x))
    for centre, height in zip(centres, heights):
        lo, hi = np.searchsorted(x, [centre - 4 * width, centre + 4 * width])
        signal[lo:hi] += height * np.exp(-0.5 * ((x[lo:hi] - centre) / width) ** 2)
    return signal


def chromosome_tracks(length, sites, rng, step=TRACK_STEP):
    """A chromosome's CTCF-like and accessibility tracks, every ``step`` bp, and its promoters.

    CTCF: a peak (height ~ Gamma(8, 2.5), width 80 bp) at each motif on
    exponential background; accessibility: peaks (Gamma(4, 2.5), 150 bp) at
    the motifs and at ``length // 10,000`` uniform random sites, the
    promoters of :func:`expression`.

    Returns
    -------
    dict
        ``ctcf``, ``atac`` (``ceil(length / step)`` values),
        ``accessible`` (``centre``, ``height`` of every accessibility peak)
        and ``promoters`` (the same for the random sites alone).
    """
    centres = sites["start"].to_numpy() + len(MOTIF) / 2
    steps = -(-length // step)
    ctcf = rng.exponential(0.2, steps) + peaks(length, centres, rng.gamma(8, 2.5, len(centres)), 80, step)
    others = rng.uniform(0, length, length // 10_000)
    background = rng.exponential(0.3, steps)
    accessible = pd.DataFrame({"centre": np.concatenate([centres, others]),
                               "height": rng.gamma(4, 2.5, len(centres) + len(others))})
    atac = background + peaks(length, accessible["centre"], accessible["height"], 150, step)
    return {"ctcf": ctcf, "atac": atac, "accessible": accessible,
            "promoters": accessible.iloc[len(centres):].reset_index(drop=True)}


def expression(expected, binsize, promoters, accessible):
    """CAGE-like expression per bin, caused by the contact map: ``p_i * sum_j E_ij a_j / sum_j E_ij``.

    ``p_i`` is the summed height of the promoters in bin ``i`` (zero without
    one), ``a_j`` the summed height of all accessibility peaks in bin ``j``
    and ``E`` the noise-free map: a promoter is as active as the accessible
    sites it contacts, weighted by contact frequency, so loops and domains
    (through ``E``) change it.
    """
    nbins = len(expected)

    def per_bin(frame):
        return np.bincount(np.minimum(frame["centre"].to_numpy() // binsize, nbins - 1).astype(int),
                           frame["height"].to_numpy(), nbins)

    return per_bin(promoters) * (expected @ per_bin(accessible)) / expected.sum(axis=1)


def write_genome(genome, binsize, out_dir, seed=0):
    """Write a synthetic genome's files into ``out_dir``.

    Files: ``genome.fa`` (+ ``.fai``), ``observed.cool`` (Poisson counts),
    ``truth.cool`` (expected map), both balanced; ``motifs.tsv`` (``chrom``,
    ``bin``, ``start``, ``orientation``); ``ctcf.bw`` and ``atac.bw``;
    ``loops.bedpe`` (the known loops' anchor bins, name ``.``, score their
    occupancy) and ``cage.bw`` (:func:`expression`, one value per bin).

    Returns
    -------
    dict
        Name -> path of each file.
    """
    import pysam

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = {name: out / file for name, file in (
        ("fasta", "genome.fa"), ("observed", "observed.cool"), ("truth", "truth.cool"), ("motifs", "motifs.tsv"),
        ("ctcf", "ctcf.bw"), ("atac", "atac.bw"), ("loops", "loops.bedpe"), ("cage", "cage.bw"))}
    with atomic_output(paths["fasta"]) as tmp:
        with open(tmp, "w") as handle:
            for chrom, c in genome.items():
                handle.write(f">{chrom}\n")
                handle.writelines(c["sequence"][i : i + 80] + "\n" for i in range(0, len(c["sequence"]), 80))
        pysam.faidx(str(tmp))
        Path(f"{tmp}.fai").replace(f"{paths['fasta']}.fai")
    write_cool(paths["observed"], {c: g["observed"] for c, g in genome.items()}, binsize, np.int32)
    write_cool(paths["truth"], {c: g["expected"] for c, g in genome.items()}, binsize, np.float64)
    motifs = pd.concat([g["sites"].assign(chrom=c) for c, g in genome.items()], ignore_index=True)
    with atomic_output(paths["motifs"]) as tmp:
        motifs[["chrom", "bin", "start", "orientation"]].to_csv(tmp, sep="\t", index=False)
    ctcf, atac, cage = {}, {}, {}
    sizes = {chrom: len(g["sequence"]) for chrom, g in genome.items()}
    for chrom, g in genome.items():
        tracks = chromosome_tracks(sizes[chrom], g["sites"], rng)
        ctcf[chrom], atac[chrom] = tracks["ctcf"], tracks["atac"]
        cage[chrom] = expression(g["expected"], binsize, tracks["promoters"], tracks["accessible"])
    write_bigwig(paths["ctcf"], ctcf, sizes, TRACK_STEP)
    write_bigwig(paths["atac"], atac, sizes, TRACK_STEP)
    write_bigwig(paths["cage"], cage, sizes, binsize)
    loops = pd.concat([g["loops"].assign(chrom=c) for c, g in genome.items()], ignore_index=True)
    with atomic_output(paths["loops"]) as tmp:
        pd.DataFrame({"chrom1": loops["chrom"], "start1": loops["bin1"] * binsize,
                      "end1": (loops["bin1"] + 1) * binsize, "chrom2": loops["chrom"],
                      "start2": loops["bin2"] * binsize, "end2": (loops["bin2"] + 1) * binsize, "name": ".",
                      "score": loops["occupancy"].round(6)}).to_csv(tmp, sep="\t", index=False, header=False)
    log.info("synthetic genome: %d chromosomes, %d motifs -> %s", len(genome), len(motifs), out)
    return paths
