"""MSE, R^2, P(s) deviation and insulating boundaries, each against a library or a known answer."""

import bioframe
import cooltools
import numpy as np
import pytest
import torch
from torchmetrics.functional import mean_squared_error, r2_score

from hicmodels.evaluation import metrics
from hicmodels.hic.band import band_from_cooler, band_from_dense


def _decaying(n, rng, width):
    offsets = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    noise = rng.lognormal(0, 0.4, (n, n))
    return band_from_dense(10.0 / (1 + offsets) * (noise + noise.T) / 2, width)


def test_r_squared_and_mse_match_torchmetrics():
    rng = np.random.default_rng(0)
    truth = _decaying(50, rng, 10)
    predicted = truth * rng.lognormal(0, 0.3, truth.shape)
    predicted[rng.random(truth.shape) < 0.1] = np.nan
    scores = metrics.compare(predicted, truth, insulation_window=3)
    p, e, _ = metrics.paired_pixels(predicted, truth, 1, 9)
    x, y = torch.from_numpy(np.log1p(p)), torch.from_numpy(np.log1p(e))
    assert scores["r2_log1p"] == pytest.approx(float(r2_score(x, y)), rel=1e-9)
    assert scores["mse_log1p"] == pytest.approx(float(mean_squared_error(x, y)), rel=1e-9)
    assert metrics.compare(truth, truth, insulation_window=3)["r2_log1p"] == 1.0
    assert np.isnan(metrics.r_squared(np.ones(4), np.full(4, 2.0)))  # no variance to explain


def test_ps_deviation_is_the_log2_ratio_of_the_decays():
    truth = _decaying(40, np.random.default_rng(1), 8)
    assert metrics.compare(truth * 2, truth, insulation_window=3)["ps_log2_deviation"] == pytest.approx(1.0)
    assert metrics.compare(truth, truth, insulation_window=3)["ps_log2_deviation"] == 0.0
    scale = np.where(np.arange(8) < 4, 1.0, 0.5)  # half the contacts at offsets 4-7: 4 of the 7 offsets scored
    assert metrics.compare(truth * scale, truth, insulation_window=3)["ps_log2_deviation"] == pytest.approx(4 / 7)


def test_expected_by_offset_is_cooltools_expected_cis(yeast_map):
    chrom = yeast_map.cool_name["chrIII"]
    view = bioframe.make_viewframe([(chrom, 0, int(yeast_map.clr.chromsizes[chrom]))])
    table = cooltools.expected_cis(yeast_map.clr, view_df=view, ignore_diags=0, smooth=False).set_index("dist")
    got = metrics.expected_by_offset(band_from_cooler(yeast_map.clr, chrom, 12))
    np.testing.assert_allclose(got, table["balanced.avg"].to_numpy()[:12], rtol=1e-9)


def test_boundaries_are_cooltools_insulation_boundaries(yeast_map):
    window = 5
    chrom = yeast_map.cool_name["chrIV"]
    view = bioframe.make_viewframe([(chrom, 0, int(yeast_map.clr.chromsizes[chrom]))])
    table = cooltools.insulation(yeast_map.clr, [window * yeast_map.binsize], view_df=view, ignore_diags=2)
    expected = table[f"is_boundary_{window * yeast_map.binsize}"].to_numpy()
    got = metrics.boundaries(band_from_cooler(yeast_map.clr, chrom, 2 * window), window)
    assert expected.sum() >= 3
    np.testing.assert_array_equal(got, expected)


def test_boundary_agreement_matches_within_the_tolerance():
    predicted, true = np.zeros(60, bool), np.zeros(60, bool)
    predicted[[10, 20, 31]] = True
    true[[10, 30, 50]] = True
    assert metrics.boundary_agreement(predicted, true, 1) == pytest.approx((2 / 3, 2 / 3))
    assert metrics.boundary_agreement(predicted, true, 0) == pytest.approx((1 / 3, 1 / 3))
    assert metrics.boundary_agreement(predicted, true, 10) == pytest.approx((1.0, 2 / 3))  # 50: 19 bins from 31
    nothing = np.zeros(60, bool)
    precision, recall = metrics.boundary_agreement(nothing, true, 1)
    assert np.isnan(precision) and recall == 0.0
