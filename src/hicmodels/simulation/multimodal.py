"""MIX-HIC samples from synthetic chromosomes: windows of tracks, maps, loop labels and CAGE values with known truth.

A chromosome comes from :func:`~hicmodels.simulation.synthetic_genome.make_chromosome`
at 5 kb bins, with its CTCF-like and accessibility tracks every 100 bp
(:func:`~hicmodels.simulation.synthetic_genome.chromosome_tracks`), the
loops its loop-extrusion model holds and the expression its contacts cause
(:func:`~hicmodels.simulation.synthetic_genome.expression`). A sample is a
pair of segments of ``map_bins`` bins (x and y, as MIX-HIC's windows,
section 3): the observed map between them, log1p; the two tracks over x then
y, log1p (A.1); the CAGE values of the x then the y bins, log1p.
"""

import numpy as np

from . import synthetic_genome as synthetic


def make_chromosome(nbins, rng, binsize=5000, step=100, contacts_per_bin=20_000):
    """One synthetic chromosome as MIX-HIC arrays.

    Returns
    -------
    dict
        ``tracks`` ``(2, nbins * binsize / step)`` (CTCF, accessibility;
        log1p), ``hic`` ``(nbins, nbins)`` (log1p of the observed counts),
        ``truth`` (log1p of their Poisson mean, the noise-free map),
        ``cage`` ``(nbins,)`` (log1p of the expression), ``loops``
        (:func:`~hicmodels.simulation.synthetic_genome.known_loops`),
        ``per_bin`` (track values per bin).
    """
    chrom = synthetic.make_chromosome(nbins, binsize, rng, contacts_per_bin=contacts_per_bin)
    tracks = synthetic.chromosome_tracks(nbins * binsize, chrom["sites"], rng, step)
    cage = synthetic.expression(chrom["expected"], binsize, tracks["promoters"], tracks["accessible"])
    return {"tracks": np.log1p(np.stack([tracks["ctcf"], tracks["atac"]])).astype(np.float32),
            "hic": np.log1p(chrom["observed"]).astype(np.float32),
            "truth": np.log1p(synthetic.contact_rate(chrom["expected"], contacts_per_bin)).astype(np.float32),
            "cage": np.log1p(cage).astype(np.float32),
            "loops": chrom["loops"], "per_bin": binsize // step}


def map_windows(nbins, map_bins, stride, offsets):
    """``(x, y)`` start bins of windows every ``stride`` bins, the y segment ``offset`` bins after x."""
    return [(x, x + d) for d in offsets for x in range(0, nbins - map_bins - d + 1, stride)]


def loop_windows(loops, nbins, map_bins, rng):
    """Windows centred on each loop's anchors (label 1) and as many distance-matched non-loops (label 0).

    Negatives follow the paper's first criterion (A.1, after Peakachu):
    anchor pairs at distances drawn from the positives' distances, here
    resampled from them, at random positions, at least 2 bins from every
    loop in either anchor. Its second criterion, extra negatives beyond the
    longest loop, is left out: they are trivially separable by distance.

    Returns
    -------
    windows : list of (int, int)
        ``(x, y)`` start bins.
    labels : ndarray of float
    """
    half = map_bins // 2
    fits = (loops["bin1"] >= half) & (loops["bin2"] + map_bins - half <= nbins)
    anchors = loops.loc[fits, ["bin1", "bin2"]].to_numpy()
    positives = [(int(i) - half, int(j) - half) for i, j in anchors]
    negatives = []
    while len(negatives) < len(positives):
        distance = int(rng.choice(anchors[:, 1] - anchors[:, 0]))
        i = int(rng.integers(half, nbins - distance - (map_bins - half) + 1))
        if np.all(np.maximum(np.abs(anchors[:, 0] - i), np.abs(anchors[:, 1] - i - distance)) >= 2):
            negatives.append((i - half, i + distance - half))
    return positives + negatives, np.array([1.0] * len(positives) + [0.0] * len(negatives))


def samples(chrom, windows, map_bins):
    """The arrays of ``windows`` of one chromosome (:mod:`hicmodels.modelling.mixhic`'s data set layout)."""
    per_bin = chrom["per_bin"]

    def segment(start):
        return chrom["tracks"][:, start * per_bin : (start + map_bins) * per_bin]

    return {
        "tracks": np.stack([np.concatenate([segment(x), segment(y)], axis=1) for x, y in windows]),
        "hic": np.stack([chrom["hic"][x : x + map_bins, y : y + map_bins] for x, y in windows]),
        "cage": np.stack([np.concatenate([chrom["cage"][x : x + map_bins], chrom["cage"][y : y + map_bins]])
                          for x, y in windows]),
        "distance": np.array([y - x for x, y in windows]),
    }


def concatenate(parts):
    """Row-wise concatenation of sample dicts with the same keys."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}



def map_samples(chroms, map_bins, stride, offsets):
    """:func:`samples` of the :func:`map_windows` of every chromosome, concatenated."""
    return concatenate([samples(c, map_windows(len(c["hic"]), map_bins, stride, offsets), map_bins) for c in chroms])


def loop_samples(chroms, map_bins, rng):
    """:func:`samples` of the :func:`loop_windows` of every chromosome with their ``loop`` labels, concatenated."""
    parts = []
    for c in chroms:
        windows, labels = loop_windows(c["loops"], len(c["hic"]), map_bins, rng)
        parts.append({**samples(c, windows, map_bins), "loop": labels})
    return concatenate(parts)
