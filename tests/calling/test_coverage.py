"""Coverage QC: mosdepth run as the `mosdepth` rule runs it, on hand-made alignments with known depth,
and against the hand-written per-read count it replaced on random alignments."""

import gzip
import subprocess

import numpy as np
import pysam
import pytest

from hicmodels.calling.coverage import (SKIP_FLAGS, count_reads, coverage_table, depth_histograms,
                                        summarise_histogram)
from hicmodels.errors import InputError


def test_summarise_histogram():
    # depths 0, 0, 1, 3, 3, 3, 10, 10: mean 30 / 8, lower median 3
    row = summarise_histogram(np.bincount([0, 0, 1, 3, 3, 3, 10, 10]), [1, 3, 10, 11])
    assert row == {"length": 8, "mean_depth": 3.75, "median_depth": 3, "frac_ge_1": 0.75, "frac_ge_3": 0.625,
                   "frac_ge_10": 0.25, "frac_ge_11": 0.0}
    assert summarise_histogram(np.bincount([0, 0, 5, 5]), [1])["median_depth"] == 0


def write_bam(path, reads, contigs=(("c1", 100), ("c2", 50))):
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": n, "LN": n_} for n, n_ in contigs]}
    unsorted = str(path) + ".unsorted.bam"
    with pysam.AlignmentFile(unsorted, "wb", header=header) as bam:
        for i, (contig, start, cigar, flag, mapq) in enumerate(reads):
            read = pysam.AlignedSegment(bam.header)
            read.query_name = f"r{i}"
            read.reference_name = contig
            read.reference_start = start
            read.cigarstring = cigar
            length = read.infer_query_length()
            read.query_sequence = "A" * length
            read.query_qualities = pysam.qualitystring_to_array("I" * length)
            read.flag = flag
            read.mapping_quality = mapq
            bam.write(read)
    pysam.sort("-o", str(path), unsorted)
    pysam.index(str(path))
    return path


def write_fasta(path, contigs):
    with open(path, "w") as out:
        for name, length in contigs:
            out.write(f">{name}\n{'A' * length}\n")
    pysam.faidx(str(path))
    return path


def mosdepth(bam, min_mapq):
    """The `mosdepth` rule's command; returns the per-base file."""
    prefix = str(bam) + ".md"
    subprocess.run(["mosdepth", "--fast-mode", "-t", "1", "-Q", str(min_mapq), "-F", str(SKIP_FLAGS), prefix,
                    str(bam)], check=True)
    return prefix + ".per-base.bed.gz"


def qc_table(bam, fasta, contigs, min_mapq, thresholds):
    chromosomes = [c for c, _ in contigs]
    histograms = depth_histograms(mosdepth(bam, min_mapq), chromosomes)
    return coverage_table(histograms, count_reads(bam, fasta, chromosomes, min_mapq), chromosomes, thresholds,
                          dict(contigs))


def test_the_rule_flag_set_is_the_callers():
    assert SKIP_FLAGS == 3844  # the -F of the mosdepth rule (workflow/rules/calling.smk)


def test_coverage_table_counts_what_callers_use(tmp_path):
    contigs = (("c1", 100), ("c2", 50))
    path = write_bam(tmp_path / "x.bam", [
        ("c1", 0, "20M", 0, 60),        # c1 0-20
        ("c1", 10, "10M5D10M", 16, 60),  # c1 10-35: the deletion counts as covered
        ("c1", 50, "10M", 0, 5),         # low MAPQ
        ("c1", 50, "10M", 1024, 60),     # duplicate
        ("c1", 60, "10M", 256, 60),      # secondary
        ("c1", 70, "10M", 2048, 60),     # supplementary
        ("c1", 80, "10M", 512, 60),      # QC fail
        ("c1", 90, "5S10M", 0, 30),      # c1 90-100, clipping not counted
        ("c2", 0, "50M", 0, 60), ("c2", 0, "50M", 0, 60),
    ])
    table = qc_table(path, write_fasta(tmp_path / "x.fa", contigs), contigs, min_mapq=20, thresholds=[1, 2])
    c1 = table.set_index("chrom").loc["c1"]
    # c1 depth: 10 bases x1 (0-10), 10 x2 (10-20), 15 x1 (20-35), 10 x1 (90-100), 55 x0
    assert c1["reads"] == 3
    assert c1["length"] == 100
    assert c1["mean_depth"] == pytest.approx(55 / 100)
    assert c1["frac_ge_1"] == pytest.approx(0.45) and c1["frac_ge_2"] == pytest.approx(0.10)
    assert c1["median_depth"] == 0
    every = table.set_index("chrom").loc["all"]
    assert every["length"] == 150 and every["reads"] == 5
    assert every["mean_depth"] == pytest.approx((55 + 100) / 150)
    assert every["frac_ge_2"] == pytest.approx((10 + 50) / 150)
    assert list(table.columns) == ["chrom", "length", "reads", "mean_depth", "median_depth", "frac_ge_1",
                                   "frac_ge_2"]


def per_read_histogram(bam_path, chrom, length, min_mapq):
    """The hand-written count mosdepth replaced (hicmodels <= this change): +1 from each counted
    read's reference_start to its reference_end, by np.bincount over the whole chromosome."""
    starts, ends = [], []
    with pysam.AlignmentFile(str(bam_path)) as bam:
        for read in bam.fetch(chrom):
            if read.flag & SKIP_FLAGS or read.mapping_quality < min_mapq:
                continue
            starts.append(read.reference_start)
            ends.append(read.reference_end)
    change = np.bincount(np.array(starts, dtype=np.int64), minlength=length + 1)[: length + 1]
    change = change - np.bincount(np.array(ends, dtype=np.int64), minlength=length + 1)[: length + 1]
    return np.bincount(np.cumsum(change[:length])), len(starts)


def test_mosdepth_agrees_with_the_per_read_count_it_replaced(tmp_path):
    """Random pairs with overlapping mates, deletions, insertions, clips, every filtered flag and
    MAPQ 0-60: mosdepth's histogram and read counts equal the old count's exactly."""
    rng = np.random.default_rng(7)
    contigs = (("c1", 20_000), ("c2", 7_000), ("c3", 500))
    reads = []
    for contig, length in contigs[:2]:
        for _ in range(1500 if contig == "c1" else 400):
            start = int(rng.integers(0, length - 400))
            cigar = str(rng.choice(["100M", "40M3D60M", "30M2I68M", "10S90M", "50M200N50M", "95M5S"]))
            flag = int(rng.choice([1 | 2 | 32 | 64, 1 | 2 | 16 | 128, 1024, 256, 2048, 512, 0]))
            reads.append((contig, start, cigar, flag, int(rng.integers(0, 61))))
            # the mate overlaps the read half of the time
            reads.append((contig, start + int(rng.integers(0, 300)), "100M", 1 | 2 | 16 | 128, 60))
    path = write_bam(tmp_path / "r.bam", reads, contigs)
    chromosomes = [c for c, _ in contigs]
    histograms = depth_histograms(mosdepth(path, 20), chromosomes)
    counts = count_reads(path, write_fasta(tmp_path / "r.fa", contigs), chromosomes, 20)
    for contig, length in contigs:
        old, n_old = per_read_histogram(path, contig, length, 20)
        new = histograms[contig]
        size = max(old.size, new.size)
        assert np.array_equal(np.pad(old, (0, size - old.size)), np.pad(new, (0, size - new.size))), contig
        assert counts[contig] == n_old
    assert histograms["c1"].size > 5  # overlapping mates reach depths above what single reads give


def test_depth_histograms_across_chunks_and_bad_files(tmp_path):
    path = tmp_path / "p.per-base.bed.gz"
    with gzip.open(path, "wt") as out:
        out.write("a\t0\t5\t0\na\t5\t7\t3\na\t7\t10\t1\nb\t0\t4\t2\nz\t0\t9\t1\n")
    for chunksize in (1, 2, 100):
        h = depth_histograms(path, ["a", "b"], chunksize=chunksize)
        assert h["a"].tolist() == [5, 3, 0, 2] and h["b"].tolist() == [0, 0, 4]
    with pytest.raises(InputError, match="no depth for c"):
        depth_histograms(path, ["a", "c"])
    with pytest.raises(ValueError, match="a: depth for 10 bases, length 12"):
        coverage_table(h, {"a": 1, "b": 1}, ["a", "b"], [1], {"a": 12, "b": 4})
    (tmp_path / "bad.gz").write_bytes(b"not gzip")
    with pytest.raises(InputError, match="bad.gz"):
        depth_histograms(tmp_path / "bad.gz", ["a"])
