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
