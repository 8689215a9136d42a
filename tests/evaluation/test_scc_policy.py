"""SCC through the metrics table equals the hicrep package on the same zero-filled matrices, and the
absent-pixel policy (common mask, zero-filled) is the one stated in :mod:`hicmodels.evaluation.metrics`."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hicrep.hicrep import sccByDiag
from hicrep.utils import meanFilterSparse, trimDiags

from hicmodels.evaluation import metrics
from hicmodels.evaluation.scoring import common_band, evaluate
from hicmodels.hic.band import band_from_dense
from hicmodels.hic.cool import ExperimentalMap, write_cool

N, BIN = 70, 10
MASKED_EXPERIMENT, MASKED_PREDICTION = [5, 31, 32], [50]
BAND = 13  # diagonals the predicted map holds (offsets 0..12)
SETTINGS = {"min_offset": 1, "scc_h": 2, "scc_max_offset": 10, "insulation_window": 3, "boundary_tolerance": 1,
            "loop_donut": [5, 2], "loop_fdr": 0.1, "loop_tolerance": 2, "compartment_bin_bp": 100000,
            "compartment_min_span_bp": 1000000}


def _maps(seed=0):
    rng = np.random.default_rng(seed)
    offsets = np.abs(np.subtract.outer(np.arange(N), np.arange(N)))
    decay = 50.0 / (1 + offsets)
    truth = np.triu(decay * rng.lognormal(0, 0.6, (N, N)))
    predicted = np.triu(0.6 * truth + 0.4 * decay * rng.lognormal(0, 0.6, (N, N)))
    return truth, predicted


def _write(path, dense, masked, band=None):
    rows, cols = np.triu_indices(N)
    keep = np.ones(len(rows), bool) if band is None else cols - rows < band
    valid = np.ones(N, bool)
    valid[masked] = False
    metadata = {} if band is None else {"band_diagonals": band}
    write_cool(path, pd.Series({"chrA": N * BIN, "chrB": N * BIN}), BIN,
               {c: (rows[keep], cols[keep], dense[rows[keep], cols[keep]]) for c in ("chrA", "chrB")},
               {"chrA": valid, "chrB": valid}, metadata)


def _hicrep_on(a, b, h, max_offset):
    """hicrep 0.2.6 on two symmetric dense matrices (zeros where absent)."""
    def prepare(m):
        kept = trimDiags(sp.coo_matrix(m), max_offset + 1, False)
        return meanFilterSparse(kept, h) if h > 0 else kept
    return sccByDiag(prepare(a), prepare(b), max_offset + 1)


def _symmetric(upper):
    return upper + np.triu(upper, 1).T


@pytest.fixture
def scored(tmp_path):
    truth, predicted = _maps()
    _write(tmp_path / "experiment.cool", truth, MASKED_EXPERIMENT)
    _write(tmp_path / "model.cool", predicted, MASKED_PREDICTION, band=BAND)
    experimental = ExperimentalMap(tmp_path / "experiment.cool", {}, pd.Series({"chrA": N * BIN, "chrB": N * BIN}))
    table = evaluate(tmp_path / "model.cool", experimental, ["chrA"], ["chrB"], 20, 1.0, SETTINGS, "model")
    return table.set_index("predictor").loc["model"], truth, predicted


def test_scc_in_the_metrics_table_equals_hicrep_on_the_zero_filled_maps(scored):
    row, truth, predicted = scored
    # identical input for hicrep: a pixel absent in either map (a masked bin of either, beyond the band) is 0 in both
    offsets = np.abs(np.subtract.outer(np.arange(N), np.arange(N)))
    absent = offsets >= BAND
    for bins in (MASKED_EXPERIMENT, MASKED_PREDICTION):
        absent[bins, :] = absent[:, bins] = True
    a = np.where(absent, 0.0, _symmetric(predicted))
    b = np.where(absent, 0.0, _symmetric(truth))
    want = _hicrep_on(a, b, SETTINGS["scc_h"], SETTINGS["scc_max_offset"])
    assert row["scc"] == pytest.approx(want, abs=1e-9)
    assert 0.2 < want < 0.99


def test_absent_pixel_policy_is_a_common_mask_not_each_map_its_own_zeros():
    """A prediction equal to the experiment wherever the experiment is measured scores 1: what it says about
    masked bins is not judged. Zero-filling only the experiment's masked bins (the other policy) scores below 1."""
    truth, _ = _maps(1)
    experimental = band_from_dense(_symmetric(truth), 20)
    experimental[MASKED_EXPERIMENT, :] = np.nan
    for k in range(20):
        for b in MASKED_EXPERIMENT:
            if b - k >= 0:
                experimental[b - k, k] = np.nan
    predicted = band_from_dense(_symmetric(truth), 20)
    assert metrics.scc_hicrep(predicted, experimental, 2, 10) == pytest.approx(1.0, abs=1e-12)
    zero_filled = np.nan_to_num(experimental)
    assert metrics.scc_hicrep(predicted, zero_filled, 2, 10) < 0.99


def test_scc_masked_leaves_masked_pixels_out_of_the_smoothing(scored):
    row, _, _ = scored
    assert abs(row["scc_masked"] - row["scc"]) > 1e-3  # two policies, two numbers: both in the table


def test_every_metric_uses_the_band_every_model_holds(tmp_path, scored):
    truth, predicted = _maps()
    _write(tmp_path / "narrow.cool", predicted, MASKED_PREDICTION, band=6)
    _write(tmp_path / "wide.cool", predicted, MASKED_PREDICTION, band=BAND)
    _write(tmp_path / "unstated.cool", predicted, MASKED_PREDICTION)
    assert common_band([tmp_path / "wide.cool", tmp_path / "narrow.cool", tmp_path / "unstated.cool"]) == 5
    assert common_band([tmp_path / "unstated.cool"]) is None
    _write(tmp_path / "experiment.cool", truth, MASKED_EXPERIMENT)
    experimental = ExperimentalMap(tmp_path / "experiment.cool", {}, pd.Series({"chrA": N * BIN, "chrB": N * BIN}))
    wide = evaluate(tmp_path / "wide.cool", experimental, ["chrA"], ["chrB"], 20, 1.0, SETTINGS, "m", last_offset=5)
    narrow = evaluate(tmp_path / "narrow.cool", experimental, ["chrA"], ["chrB"], 20, 1.0, SETTINGS, "m")
    pd.testing.assert_frame_equal(wide, narrow)  # same pixels once cut to the common band
    good = np.setdiff1d(np.arange(N), MASKED_EXPERIMENT + MASKED_PREDICTION)
    assert narrow["n_pixels"].iloc[0] == sum(np.isin(good + k, good).sum() for k in range(1, 6))


@pytest.mark.parametrize("h", [0, 1])
def test_scc_on_sparse_counts_leaves_out_only_pixels_zero_in_both(h):
    """Low counts: many pixels are 0 in one map and not the other (kept by hicrep) or 0 in both (left out)."""
    rng = np.random.default_rng(5)
    offsets = np.abs(np.subtract.outer(np.arange(N), np.arange(N)))
    rate = 3.0 / (1 + offsets)
    a = np.triu(rng.poisson(rate)).astype(float)
    b = np.triu(rng.poisson(rate)).astype(float)
    assert ((a == 0) != (b == 0))[offsets == 5].mean() > 0.2
    want = _hicrep_on(_symmetric(a), _symmetric(b), h, 10)
    got = metrics.scc_hicrep(band_from_dense(_symmetric(a), 20), band_from_dense(_symmetric(b), 20), h, 10)
    assert got == pytest.approx(want, abs=1e-9)
