"""Tables over leave-one-chromosome-out folds, against hand-computed means."""

import numpy as np
import pandas as pd
import pytest

from hicmodels.evaluation.folds import fold_tables


def fold_table(chrom, model_scc, baseline_scc, protocol=None):
    table = pd.DataFrame({"predictor": ["yeast", "distance_decay"], "chrom": chrom, "n_pixels": [100, 100],
                          "scc": [model_scc, baseline_scc], "pearson_oe": [0.1, 0.0]})
    return table if protocol is None else table.assign(protocol=protocol)


def test_per_fold_rows_and_pooled_means_over_folds():
    folds = [(0, "chrB", fold_table("chrA", 0.5, 0.3)), (1, "chrC", fold_table("chrB", 0.7, 0.2)),
             (2, "chrB", fold_table("chrC", np.nan, 0.4))]
    per_fold, pooled = fold_tables(folds)
    assert per_fold.columns[:4].tolist() == ["fold", "validation_chrom", "predictor", "chrom"]
    assert per_fold[["fold", "validation_chrom", "chrom"]].drop_duplicates().values.tolist() == [
        [0, "chrB", "chrA"], [1, "chrC", "chrB"], [2, "chrB", "chrC"]]
    assert pooled["predictor"].tolist() == ["yeast", "distance_decay"]
    assert pooled.columns.tolist() == ["predictor", "n_folds", "scc", "scc_sd", "pearson_oe", "pearson_oe_sd"]
    row = pooled.set_index("predictor")
    assert row.loc["yeast", "scc"] == pytest.approx(0.6)  # the NaN fold is left out
    assert row.loc["yeast", "scc_sd"] == pytest.approx(np.std([0.5, 0.7], ddof=1))
    assert row.loc["distance_decay", "scc"] == pytest.approx(0.3)
    assert row.loc["distance_decay", "scc_sd"] == pytest.approx(0.1)
    assert row["n_folds"].tolist() == [3, 3]


def test_pooled_rows_keep_protocols_apart():
    def both_protocols(chrom, stitched, per_window):
        return pd.concat([fold_table(chrom, stitched, 0.3, "chromosome"), fold_table(chrom, per_window, 0.1, "window")])

    folds = [(0, "chrB", both_protocols("chrA", 0.5, 0.9)), (1, "chrA", both_protocols("chrB", 0.7, 0.8))]
    _, pooled = fold_tables(folds)
    scc = pooled.set_index(["predictor", "protocol"])["scc"]
    assert scc[("yeast", "chromosome")] == pytest.approx(0.6) and scc[("yeast", "window")] == pytest.approx(0.85)


def test_folds_are_counted_once_whatever_rows_a_fold_holds():
    """A fold scored on two chromosomes has two rows per predictor: n_folds counts folds, the means take all rows."""
    two_chroms = pd.concat([fold_table("chrA", 0.2, 0.1), fold_table("chrB", 0.4, 0.1)])
    _, pooled = fold_tables([(0, "chrC", two_chroms), (1, "chrA", fold_table("chrC", 0.9, 0.1))])
    row = pooled.set_index("predictor").loc["yeast"]
    assert row["n_folds"] == 2 and row["scc"] == pytest.approx((0.2 + 0.4 + 0.9) / 3)
