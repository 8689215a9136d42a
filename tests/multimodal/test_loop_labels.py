"""Loop labels: BEDPE reading, anchor bins, distance-matched negatives (hicmodels.multimodal.labels)."""

import numpy as np
import pandas as pd
import pytest

from hicmodels.errors import InputError
from hicmodels.multimodal.labels import anchor_bins, loop_labels, read_bedpe

BIN = 5000


def bedpe(rows):
    return pd.DataFrame(rows, columns=["chrom1", "start1", "end1", "chrom2", "start2", "end2"])


def test_read_bedpe_renames_through_aliases_and_names_a_bad_line(tmp_path):
    path = tmp_path / "loops.bedpe"
    path.write_text("#header\n1\t10000\t15000\t1\t50000\t55000\t.\t3\nchr2\t0\t5000\tchr2\t20000\t25000\n")
    loops = read_bedpe(path, {"1": "chr1"})
    assert loops.values.tolist() == [["chr1", 10000, 15000, "chr1", 50000, 55000],
                                     ["chr2", 0, 5000, "chr2", 20000, 25000]]
    path.write_text("chr1\t10000\t15000\tchr1\t50000\n")
    with pytest.raises(InputError, match=r"loops.bedpe:1: not a BEDPE row .* 5 fields"):
        read_bedpe(path)
    path.write_text("chr1\t1\t2\tchr1\t3\t4\nchr1\t10000\tx\tchr1\t50000\t55000\n")
    with pytest.raises(InputError, match=r"loops.bedpe:2: not a BEDPE row"):
        read_bedpe(path)


def test_anchor_bins_are_the_bins_of_the_anchor_midpoints_in_order():
    loops = bedpe([("chr1", 10000, 15000, "chr1", 50000, 55000),   # bins 2, 10
                   ("chr1", 54000, 56000, "chr1", 14999, 15001),   # midpoints 55000, 15000: bins 11, 3 -> swapped
                   ("chr1", 10000, 15000, "chr2", 50000, 55000),   # between chromosomes: left out
                   ("chrX", 0, 5000, "chrX", 10000, 15000),        # not modelled: left out
                   ("chr1", 10000, 15000, "chr1", 50000, 55000)])  # duplicate
    table = anchor_bins(loops, BIN, pd.Series({"chr1": 100 * BIN, "chr2": 100 * BIN}))
    assert table.values.tolist() == [["chr1", 2, 10], ["chr1", 3, 11]]


def test_negatives_match_the_positives_distances_away_from_every_loop():
    rng = np.random.default_rng(0)
    first = rng.choice(np.arange(5, 180), 12, replace=False)
    spans = rng.integers(4, 15, 12)
    loops = bedpe([("chr1", i * BIN, (i + 1) * BIN, "chr1", (i + s) * BIN, (i + s + 1) * BIN)
                   for i, s in zip(first, spans)])
    sizes = pd.Series({"chr1": 200 * BIN, "chr2": 200 * BIN})
    labels = loop_labels(loops, BIN, sizes, tolerance_bins=2, seed=1)
    positives, negatives = labels[labels["label"] == 1], labels[labels["label"] == 0]
    assert len(positives) == 12 and len(negatives) == 12 and set(labels["chrom"]) == {"chr1"}
    assert sorted(negatives["bin2"] - negatives["bin1"]) == sorted(spans)
    far = [np.all((np.abs(positives["bin1"].to_numpy() - i) > 2) | (np.abs(positives["bin2"].to_numpy() - j) > 2))
           for i, j in negatives[["bin1", "bin2"]].to_numpy()]
    assert all(far)
    assert (negatives["bin2"] < 200).all()
    pd.testing.assert_frame_equal(labels, loop_labels(loops, BIN, sizes, tolerance_bins=2, seed=1))


def test_no_loop_on_the_modelled_chromosomes_is_an_input_error():
    with pytest.raises(InputError, match="no loops on the modelled chromosomes"):
        loop_labels(bedpe([("chrX", 0, BIN, "chrX", 5 * BIN, 6 * BIN)]), BIN, pd.Series({"chr1": 100 * BIN}), 2)


def _fasta(path, chroms):
    import pysam

    path.write_text("".join(f">{c}\n{'A' * n}\n" for c, n in chroms.items()))
    pysam.faidx(str(path))
    return path


def test_the_command_labels_a_bedpe_or_the_loops_called_on_the_map(tmp_path):
    import json

    from hicmodels.cli import main
    from hicmodels.evaluation.loops import map_cooler
    from hicmodels.multimodal.labels import read_labels

    n = 160
    i, j = np.indices((n, n))
    expected = 2000.0 / (np.abs(i - j) + 1.0)
    dots = [(40, 60), (90, 105), (110, 140)]
    for a, b in dots:  # each dot's pixel x6, its neighbours x2, symmetric
        expected[a - 1: a + 2, b - 1: b + 2] *= 2
        expected[a, b] *= 3
        expected[b - 1: b + 2, a - 1: a + 2] = expected[a - 1: a + 2, b - 1: b + 2].T
    counts = np.triu(np.random.default_rng(0).poisson(expected)).astype(float)
    map_cooler(counts + np.triu(counts, 1).T, tmp_path / "map.cool", BIN, chrom="1")
    fasta = _fasta(tmp_path / "genome.fa", {"chr1": n * BIN})
    (tmp_path / "aliases.tsv").write_text("canonical\talias\nchr1\t1\n")
    settings = json.dumps({"resolution": BIN, "seed": 0, "chromosomes": ["chr1"], "test": [], "validation": []})
    common = ["--fasta", str(fasta), "--aliases", str(tmp_path / "aliases.tsv"), "--config", settings]
    assert main(["multimodal", "loop-labels", "--cool", str(tmp_path / "map.cool"), *common,
                 "--out", str(tmp_path / "called.tsv")]) == 0
    called = read_labels(tmp_path / "called.tsv")
    positives = called[called["label"] == 1]
    # cooltools' clustered dot centroids, within a bin of the planted pixels (its 5 kb donut)
    found = sorted(zip(positives["bin1"], positives["bin2"]))
    assert len(found) == 3 and all(abs(a - c) <= 1 and abs(b - d) <= 1 for (a, b), (c, d) in zip(found, dots))
    assert set(called["chrom"]) == {"chr1"}
    negatives = called[called["label"] == 0]
    assert sorted(negatives["bin2"] - negatives["bin1"]) == sorted(b - a for a, b in found)
    (tmp_path / "loops.bedpe").write_text("1\t200000\t205000\t1\t300000\t305000\n")
    assert main(["multimodal", "loop-labels", "--bedpe", str(tmp_path / "loops.bedpe"), *common,
                 "--out", str(tmp_path / "given.tsv")]) == 0
    given = read_labels(tmp_path / "given.tsv")
    assert given[["chrom", "bin1", "bin2", "label"]].values.tolist()[0] == ["chr1", 40, 60, 1] and len(given) == 2
