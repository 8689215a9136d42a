"""The synthetic genome generator against its own definitions."""

import cooler
import numpy as np
import pandas as pd
import pyBigWig
import pysam
import pytest

from hicmodels.simulation import synthetic_genome as synthetic
from hicmodels.hic.band import band_from_dense
from hicmodels.evaluation.metrics import insulation


def test_motifs_are_planted_in_their_orientation():
    rng = np.random.default_rng(1)
    sites = synthetic.plant_sites(200, 256, rng)
    sequence = synthetic.chromosome_sequence(sites, 200 * 256, rng)
    assert len(sequence) == 200 * 256 and set(sequence) == set("ACGT")
    for site in sites.itertuples():
        word = sequence[site.start : site.start + len(synthetic.MOTIF)]
        assert word == (synthetic.MOTIF if site.orientation == "+" else synthetic.reverse_complement(synthetic.MOTIF))
        assert site.start // 256 == site.bin
    gaps = np.diff(sites["bin"].unique())
    assert gaps.min() >= 6 and gaps.max() < 16


def test_loops_never_cross_a_closed_boundary():
    """With capture 1, no LEF spans a divergent motif pair: both legs are stopped there."""
    rng = np.random.default_rng(2)
    sites = synthetic.plant_sites(300, 256, rng, both=1.0)
    left, right = synthetic.extrude(sites, 300, rng, capture=1.0, snapshots=200)
    assert np.all(left < right)
    for snapshot_left, snapshot_right in zip(left, right):
        legs = np.concatenate([snapshot_left, snapshot_right])
        assert len(np.unique(legs)) == len(legs)  # one leg per bin
    for b in sites["bin"].unique():
        assert not np.any((left < b) & (right > b))


def test_enclosure_and_anchor_terms_match_a_direct_count():
    left, right = np.array([[1, 4], [0, 5]]), np.array([[3, 6], [2, 7]])
    expected = synthetic.expected_contacts(left, right, 8, decay=0.0, loop_gain=1.0, anchor_gain=1.0)
    direct = np.ones((8, 8))
    for ls, rs in zip(left, right):
        for lo, hi in zip(ls, rs):
            direct[lo : hi + 1, lo : hi + 1] += 0.5
            direct[lo, hi] += 0.5
            direct[hi, lo] += 0.5
    assert np.allclose(expected, direct)


def test_boundaries_insulate_in_the_truth():
    chrom = synthetic.make_chromosome(300, 256, np.random.default_rng(3))
    score = insulation(band_from_dense(chrom["expected"], 32), 4)
    at = chrom["sites"]["bin"].unique()
    at = at[(at > 8) & (at < 292)]
    elsewhere = np.setdiff1d(np.arange(8, 292), np.concatenate([at - 1, at, at + 1]))
    assert np.mean(score[at]) < np.mean(score[elsewhere]) - 0.4
    observed = chrom["observed"]
    assert np.array_equal(observed, observed.T) and observed.dtype.kind == "i"
    assert observed.sum(axis=1).mean() == pytest.approx(20_000, rel=0.02)


def test_written_files_agree(tmp_path):
    genome = synthetic.make_genome(n_chroms=2, nbins=120, binsize=256, seed=4)
    paths = synthetic.write_genome(genome, 256, tmp_path, seed=4)
    motifs = pd.read_csv(paths["motifs"], sep="\t")
    with pysam.FastaFile(str(paths["fasta"])) as fasta:
        assert list(fasta.references) == ["chr1", "chr2"] and list(fasta.lengths) == [120 * 256, 120 * 256]
        for m in motifs.itertuples():
            word = fasta.fetch(m.chrom, m.start, m.start + len(synthetic.MOTIF))
            assert word == (synthetic.MOTIF if m.orientation == "+" else synthetic.reverse_complement(synthetic.MOTIF))
    truth, observed = cooler.Cooler(str(paths["truth"])), cooler.Cooler(str(paths["observed"]))
    assert truth.binsize == observed.binsize == 256 and "weight" in observed.bins().columns
    counts = observed.matrix(balance=False).fetch("chr1")
    assert np.array_equal(counts, genome["chr1"]["observed"])
    balanced = observed.matrix().fetch("chr1")
    kept = np.isfinite(np.diag(balanced))
    assert kept[10:100].all()  # ICE masks only low-coverage bins at the ends
    balanced = np.where(np.abs(np.subtract.outer(np.arange(120), np.arange(120))) < 2, 0, balanced)
    rows = np.nansum(balanced[kept], axis=1)
    assert rows.std() < 1e-3 * rows.mean()  # ICE: equal row sums without the first two diagonals
    with pyBigWig.open(str(paths["ctcf"])) as bw:
        m = motifs.iloc[0]
        centre = m.start + len(synthetic.MOTIF) // 2
        assert bw.chroms(m.chrom) == 120 * 256
        assert bw.stats(m.chrom, centre - 50, centre + 50)[0] > 5 * bw.stats(m.chrom)[0]


def test_chromosomes_of_different_lengths_from_the_command(tmp_path, capsys):
    """``--bins`` per chromosome: the human-geometry test genome has chromosomes longer and shorter than a window."""
    from hicmodels.cli import main

    assert main(["simulation", "synthetic-genome", "--out-dir", str(tmp_path), "--bins", "30", "12", "7",
                 "--bin-size", "1000", "--seed", "4"]) == 0
    with pysam.FastaFile(str(tmp_path / "genome.fa")) as fasta:
        assert dict(zip(fasta.references, fasta.lengths)) == {"chr1": 30_000, "chr2": 12_000, "chr3": 7_000}
    clr = cooler.Cooler(str(tmp_path / "observed.cool"))
    assert clr.binsize == 1000 and clr.chromsizes.to_dict() == {"chr1": 30_000, "chr2": 12_000, "chr3": 7_000}
    same = synthetic.make_genome(nbins=[30, 12, 7], binsize=1000, seed=4)
    with pysam.FastaFile(str(tmp_path / "genome.fa")) as fasta:
        assert fasta.fetch("chr2") == same["chr2"]["sequence"]  # one seed: the command is the function
    assert main(["simulation", "synthetic-genome", "--out-dir", str(tmp_path / "x"), "--chromosomes", "2",
                 "--bins", "30", "12", "7", "--seed", "4"]) == 2
    assert "error: --bins: 3 values for 2 chromosomes (give one, or one per chromosome)" in capsys.readouterr().err


def test_known_loops_are_convergent_pairs_held_often_enough():
    sites = pd.DataFrame({"bin": [2, 6, 7, 9], "orientation": ["+", "-", "+", "-"]})
    # 4 snapshots of 2 LEFs: (2, 6) in 3 of them, (2, 9) in 1, (6, 9) (divergent-reverse start) in 2, (7, 9) in 1
    left = np.array([[2, 6], [2, 6], [2, 7], [2, 0]])
    right = np.array([[6, 9], [6, 9], [6, 9], [9, 1]])
    loops = synthetic.known_loops(sites, left, right, min_occupancy=0.25)
    assert loops[["bin1", "bin2"]].values.tolist() == [[2, 6], [2, 9], [7, 9]]
    assert loops["occupancy"].tolist() == pytest.approx([0.75, 0.25, 0.25])
    assert synthetic.known_loops(sites, left, right, min_occupancy=0.5)[["bin1", "bin2"]].values.tolist() == [[2, 6]]


def test_expression_is_promoter_strength_times_contact_weighted_accessibility():
    expected = np.array([[4.0, 1.0, 0.0], [1.0, 4.0, 1.0], [0.0, 1.0, 4.0]])
    promoters = pd.DataFrame({"centre": [150.0], "height": [2.0]})  # bin 1 of 100 bp
    accessible = pd.DataFrame({"centre": [50.0, 150.0, 250.0, 260.0], "height": [1.0, 2.0, 3.0, 1.0]})
    # bin 1: 2 * (1 * 1 + 4 * 2 + 1 * 4) / 6
    assert synthetic.expression(expected, 100, promoters, accessible).tolist() == pytest.approx([0, 2 * 13 / 6, 0])
    stronger_contact = expected.copy()
    stronger_contact[1, 2] = stronger_contact[2, 1] = 3.0  # a loop to the accessible bin raises expression
    assert synthetic.expression(stronger_contact, 100, promoters, accessible)[1] > 2 * 13 / 6


def test_loops_and_expression_files_and_unchanged_tracks(tmp_path):
    genome = synthetic.make_genome(n_chroms=2, nbins=120, binsize=256, seed=4)
    paths = synthetic.write_genome(genome, 256, tmp_path, seed=4)
    bedpe = pd.read_csv(paths["loops"], sep="\t", header=None)
    chr1 = genome["chr1"]["loops"]
    assert len(chr1) > 3 and (bedpe[0] == "chr1").sum() == len(chr1)
    assert bedpe.loc[bedpe[0] == "chr1", 1].tolist() == (chr1["bin1"] * 256).tolist()
    assert bedpe.loc[bedpe[0] == "chr1", 5].tolist() == ((chr1["bin2"] + 1) * 256).tolist()
    # the tracks as the generator drew them before loops and expression existed: same draws, same order
    rng = np.random.default_rng(4)
    for chrom, g in genome.items():
        length, centres = 120 * 256, g["sites"]["start"].to_numpy() + len(synthetic.MOTIF) / 2
        steps = -(-length // synthetic.TRACK_STEP)
        ctcf = rng.exponential(0.2, steps) + synthetic.peaks(length, centres, rng.gamma(8, 2.5, len(centres)), 80)
        others = rng.uniform(0, length, length // 10_000)
        atac = rng.exponential(0.3, steps) + synthetic.peaks(length, np.concatenate([centres, others]),
                                                             rng.gamma(4, 2.5, len(centres) + len(others)), 150)
        with pyBigWig.open(str(paths["ctcf"])) as bw:
            np.testing.assert_allclose(bw.values(chrom, 0, length)[::synthetic.TRACK_STEP], ctcf, rtol=1e-6)
        with pyBigWig.open(str(paths["atac"])) as bw:
            np.testing.assert_allclose(bw.values(chrom, 0, length)[::synthetic.TRACK_STEP], atac, rtol=1e-6)
        with pyBigWig.open(str(paths["cage"])) as bw:
            cage = np.array(bw.values(chrom, 0, length)[::256])
        assert (cage > 0).sum() >= 2 and (cage == 0).sum() > 60  # promoters in a few bins only
