"""Coverage QC on hand-made alignments with known depth."""

import numpy as np
import pysam
import pytest

from hicmodels.calling.coverage import coverage_table, depth_track, summarise_histogram


def test_depth_track():
    depth = depth_track([0, 2, 2, 8], [4, 5, 3, 10], 10)
    assert depth.tolist() == [1, 1, 3, 2, 1, 0, 0, 0, 1, 1]
    assert depth_track([], [], 3).tolist() == [0, 0, 0]


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


def test_coverage_table_counts_what_callers_use(tmp_path):
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
    with pysam.AlignmentFile(str(path)) as bam:
        table = coverage_table(bam, ["c1", "c2"], min_mapq=20, thresholds=[1, 2])
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
