"""Simulated track BAMs: deepTools bamCoverage (RPGC) of them gives back the signal they were drawn from."""

import json

import numpy as np
import pyBigWig
import pysam
import pytest

from hicmodels.cli import main
from hicmodels.simulation import synthetic_genome as synthetic
from hicmodels.simulation.track_reads import read_centres

BINSIZE, BINS, BIN, READ = 128, 300, 100, 50
MIN_PEARSON = 0.98  # measured 0.994-0.996; bamCoverage of the reads vs the truth signal, per 100 bp bin


def test_read_centres_follow_the_signal():
    rng = np.random.default_rng(0)
    centres = read_centres([(0, 100, 1.0), (100, 200, 0.0), (200, 250, 6.0)], 40_000, rng)
    counts = np.histogram(centres, bins=[0, 100, 200, 250])[0] / len(centres)
    np.testing.assert_allclose(counts, [0.25, 0.0, 0.75], atol=0.01)  # mass 100 : 0 : 300


@pytest.fixture(scope="module")
def genome(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    paths = synthetic.write_genome(synthetic.make_genome(n_chroms=2, nbins=BINS, binsize=BINSIZE, seed=3), BINSIZE,
                                   out, seed=3)
    assert main(["simulation", "track-bams", "--fasta", str(paths["fasta"]), "--tracks", f"atac={paths['atac']}",
                 f"ctcf={paths['ctcf']}", "--out-dir", str(out), "--reads-per-kb", "400", "--seed", "1"]) == 0
    return out, paths


def binned(path, chrom, length):
    with pyBigWig.open(str(path)) as bw:
        return np.array(bw.stats(chrom, 0, length, type="mean", nBins=length // BIN, exact=True), dtype=float)


def test_bams_are_sorted_indexed_and_deterministic(genome, tmp_path):
    out, paths = genome
    with pysam.AlignmentFile(str(out / "atac.bam")) as bam:
        assert bam.header.to_dict()["HD"]["SO"] == "coordinate" and bam.has_index()
        assert bam.mapped == round(400 * BINS * BINSIZE / 1000) * 2
    assert main(["simulation", "track-bams", "--fasta", str(paths["fasta"]), "--tracks", f"atac={paths['atac']}",
                 "--out-dir", str(tmp_path), "--reads-per-kb", "400", "--seed", "1"]) == 0
    assert (tmp_path / "atac.bam").read_bytes() == (out / "atac.bam").read_bytes()


@pytest.mark.parametrize("track", ["atac", "ctcf"])
def test_rpgc_coverage_of_the_reads_follows_the_truth_signal(genome, track, tmp_path):
    out, paths = genome
    (tmp_path / "excluded.bed").write_text("")
    length = BINS * BINSIZE
    settings = {"coverage": {"bin_size": BIN, "effective_genome_size": 2 * length}, "chromosomes": ["chr1", "chr2"]}
    for name in (f"{track}.bw", "again.bw"):
        assert main(["epigenome", "coverage", "--bam", str(out / f"{track}.bam"), "--fasta", str(paths["fasta"]),
                     "--excluded", str(tmp_path / "excluded.bed"), "--threads", "2", "--config", json.dumps(settings),
                     "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "again.bw").read_bytes() == (tmp_path / f"{track}.bw").read_bytes()
    for chrom in ("chr1", "chr2"):
        measured, truth = binned(tmp_path / f"{track}.bw", chrom, length), binned(paths[track], chrom, length)
        pearson = np.corrcoef(measured, truth)[0, 1]
        print(f"{track} {chrom}: Pearson {pearson:.3f}, mean RPGC coverage {measured.mean():.3f}")
        assert pearson > MIN_PEARSON
        # RPGC scales to 1x depth, but bamCoverage counts the reads overlapping each bin, so a bin of B bases
        # with reads of R bases holds (B + R - 1) / R times the depth: 2.98 here, not 1
        assert measured.mean() == pytest.approx((BIN + READ - 1) / READ, rel=0.03)
