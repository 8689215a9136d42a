"""BAM checks and the bamCoverage call: one-line refusals, indexing without writing beside the input, the blacklist."""

import json

import numpy as np
import pandas as pd
import pyBigWig
import pysam
import pytest

from hicmodels.cli import main
from hicmodels.epigenome.coverage import bam_coverage, blacklist_for, check_bam
from hicmodels.errors import InputError

SIZES = pd.Series({"chrA": 2000, "chrB": 1000})
SETTINGS = {"bin_size": 100, "effective_genome_size": 3000}


def write_bam(path, contigs, reads=(), order="coordinate", index=True):
    """A BAM of 50 bp reads at ``(contig index, start)``."""
    header = {"HD": {"VN": "1.6", "SO": order}, "SQ": [{"SN": n, "LN": length} for n, length in contigs]}
    with pysam.AlignmentFile(str(path), "wb", header=header) as bam:
        for i, (tid, start) in enumerate(sorted(reads)):
            read = pysam.AlignedSegment(bam.header)
            read.query_name, read.flag, read.reference_id, read.reference_start = f"r{i}", 0, tid, start
            read.mapping_quality, read.cigarstring, read.query_sequence = 60, "50M", "A" * 50
            read.query_qualities = pysam.qualitystring_to_array("I" * 50)
            bam.write(read)
    if index:
        pysam.index(str(path))
    return str(path)


def test_refusals_name_the_bam(tmp_path):
    with pytest.raises(InputError, match="not 'coordinate'"):
        check_bam(write_bam(tmp_path / "u.bam", [("chrA", 2000)], order="unsorted", index=False), SIZES, {}, ["chrA"])
    with pytest.raises(InputError, match="contig 'chrA' is 2100 bp, reference 'chrA' is 2000 bp"):
        check_bam(write_bam(tmp_path / "l.bam", [("chrA", 2100)]), SIZES, {}, ["chrA"])
    with pytest.raises(InputError, match="none of the reference chromosomes"):
        check_bam(write_bam(tmp_path / "n.bam", [("chrZ", 10)]), SIZES, {}, ["chrA"])
    (tmp_path / "x.bam").write_text("not a bam")
    with pytest.raises(InputError, match="x.bam: not a BAM file"):
        check_bam(str(tmp_path / "x.bam"), SIZES, {}, ["chrA"])


def test_alias_contigs_and_their_blacklist(tmp_path):
    bam = write_bam(tmp_path / "a.bam", [("A", 2000), ("B", 1000)])
    renamed = check_bam(bam, SIZES, {"A": "chrA", "B": "chrB", "chrA": "chrA", "chrB": "chrB"}, ["chrA"])
    assert renamed == {"A": "chrA", "B": "chrB"}
    excluded = pd.DataFrame({"chrom": ["chrA", "chrC"], "start": [100, 0], "end": [300, 50]})
    assert blacklist_for(excluded, renamed).values.tolist() == [["A", 100, 300]]


def test_missing_effective_genome_size_names_the_track(tmp_path):
    bam = write_bam(tmp_path / "a.bam", [("chrA", 2000)], [(0, 0)])
    empty = pd.DataFrame({"chrom": [], "start": [], "end": []})
    with pytest.raises(InputError, match="hic.cell_lines.k562.tracks.atac is a BAM: set epigenome.coverage"):
        bam_coverage(bam, tmp_path / "a.bw", SIZES, empty, {}, {**SETTINGS, "effective_genome_size": None}, ["chrA"],
                     where="hic.cell_lines.k562.tracks.atac")


def test_unindexed_bam_is_indexed_elsewhere_and_blacklisted_reads_vanish(tmp_path):
    reads = [(0, s) for s in range(0, 1950, 10)] + [(1, s) for s in range(0, 950, 10)]
    (tmp_path / "in").mkdir()
    bam = write_bam(tmp_path / "in" / "a.bam", [("chrA", 2000), ("chrB", 1000)], reads, index=False)
    (tmp_path / "excluded.bed").write_text("chrA\t500\t1000\tn_run\n")
    (tmp_path / "ref.fa").write_text(">chrA\n" + "A" * 2000 + "\n>chrB\n" + "C" * 1000 + "\n")
    pysam.faidx(str(tmp_path / "ref.fa"))
    out = tmp_path / "a.bw"
    settings = json.dumps({"coverage": SETTINGS, "chromosomes": ["chrA", "chrB"]})
    assert main(["epigenome", "coverage", "--bam", bam, "--fasta", str(tmp_path / "ref.fa"), "--excluded",
                 str(tmp_path / "excluded.bed"), "--config", settings, "--out", str(out)]) == 0
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["a.bam"]  # no index written beside the input
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bw", "excluded.bed", "in", "ref.fa", "ref.fa.fai"]
    with pyBigWig.open(str(out)) as bw:
        values = np.nan_to_num(np.array(bw.stats("chrA", 0, 2000, nBins=20, exact=True), dtype=float))
    assert not values[5:10].any()  # the blacklisted 500-1000
    assert values[:5].min() > 0 and values[11:19].min() > 0


def test_a_bam_with_another_assembly_is_one_error_line(tmp_path, capsys):
    bam = write_bam(tmp_path / "a.bam", [("chrA", 2100)])
    (tmp_path / "ref.fa").write_text(">chrA\n" + "A" * 2000 + "\n")
    pysam.faidx(str(tmp_path / "ref.fa"))
    (tmp_path / "excluded.bed").write_text("")
    settings = json.dumps({"coverage": SETTINGS, "chromosomes": ["chrA"]})
    assert main(["epigenome", "coverage", "--bam", bam, "--fasta", str(tmp_path / "ref.fa"), "--excluded",
                 str(tmp_path / "excluded.bed"), "--config", settings, "--out", str(tmp_path / "a.bw")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "a.bam" in err and "another assembly" in err
    assert not (tmp_path / "a.bw").exists()


def test_config_with_a_bam_track_needs_the_effective_genome_size(tmp_path, monkeypatch):
    import yaml

    from conftest import REPO
    from hicmodels.config import resolve_config, track_bigwig

    monkeypatch.chdir(REPO)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    bam = write_bam(tmp_path / "atac.bam", [("chrI", 230218)])
    config["hic"]["cell_lines"]["yeast"]["tracks"] = {"atac": {"bam": bam}}
    with pytest.raises(InputError, match=r"hic.cell_lines.yeast.tracks: \['atac'\] are BAMs; set epigenome.coverage"):
        resolve_config(config)
    config["epigenome"]["coverage"]["effective_genome_size"] = 12_000_000
    resolve_config(config)
    assert track_bigwig("yeast", "atac", {"bam": bam}) == "results/cell_lines/yeast/tracks/atac.bw"
