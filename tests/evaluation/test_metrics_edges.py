"""Metric edge cases that mutation testing showed unguarded (docs/testing.md): small and sparse maps, bands
narrower than the smoothing or insulation window, offsets with too few pixels, masked bins.

The answers come from the definitions written out pixel by pixel on the dense matrix (HiCRep, Yang et al. 2017,
section 2.2; cooltools' diamond insulation), not from the banded code under test.
"""

import inspect
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from hicmodels.evaluation import metrics
from hicmodels.hic.band import band_from_dense

CONFIG = Path(__file__).parents[2] / "config" / "config.yaml"


def _dense(band):
    """Symmetric matrix of a band, pixels beyond it NaN (written out, not the library's dense_from_band)."""
    n, width = band.shape
    dense = np.full((n, n), np.nan)
    for i in range(n):
        for k in range(width):
            if i + k < n:
                dense[i, i + k] = dense[i + k, i] = band[i, k]
    return dense


def _smooth_by_definition(band, h):
    """Mean of the finite pixels of the (2h+1)^2 square around each band pixel."""
    n, width = band.shape
    dense = _dense(band)
    out = np.full(band.shape, np.nan)
    for i in range(n):
        for k in range(width):
            values = [dense[r, c] for r in range(i - h, i + h + 1) for c in range(i + k - h, i + k + h + 1)
                      if 0 <= r < n and 0 <= c < n and np.isfinite(dense[r, c])]
            if values:
                out[i, k] = np.mean(values)
    return out


def _scc_by_definition(a, b, h, min_offset, max_offset):
    """HiCRep SCC: per offset k, the Pearson r of the smoothed pixels finite in both maps, weighted by
    N_k * sqrt(var(rank_x / N_k) var(rank_y / N_k)); offsets with fewer than 3 pixels left out."""
    sa, sb = _smooth_by_definition(a, h), _smooth_by_definition(b, h)
    numerator = denominator = 0.0
    for k in range(min_offset, min(max_offset, a.shape[1] - 1) + 1):
        use = np.isfinite(a[:, k]) & np.isfinite(b[:, k]) & np.isfinite(sa[:, k]) & np.isfinite(sb[:, k])
        x, y = sa[use, k], sb[use, k]
        n = len(x)
        if n < 3:
            continue
        weight = n * np.sqrt(np.var(stats.rankdata(x) / n) * np.var(stats.rankdata(y) / n))
        constant = np.ptp(x) == 0 or np.ptp(y) == 0  # no correlation, and a weight of 0 (up to rounding)
        numerator += weight * (0.0 if constant else stats.pearsonr(x, y).statistic)
        denominator += weight
    return numerator / denominator if denominator > 0 else np.nan


def _insulation_by_definition(band, window, ignore_diags):
    """log2 of the mean finite pixel (c - a, c + b), 0 <= a, b < window, ignore_diags <= a + b < band width,
    over its median."""
    n, width = band.shape
    dense = _dense(band)
    score = np.full(n, np.nan)
    for c in range(n):
        values = [dense[c - a, c + b] for a in range(window) for b in range(window)
                  if ignore_diags <= a + b < width and c - a >= 0 and c + b < n and np.isfinite(dense[c - a, c + b])]
        if values and np.mean(values) != 0:
            score[c] = np.mean(values)
    return np.log2(score / np.nanmedian(score))


def _tied_pair(rng, n, width):
    """Two small symmetric maps of few distinct values (ties in the ranks), as bands."""
    maps = []
    for _ in range(2):
        m = rng.integers(1, 5, (n, n)).astype(float)
        maps.append(band_from_dense(np.triu(m) + np.triu(m, 1).T, width))
    return maps


def test_pearson_needs_three_points_and_two_varying_sides():
    np.testing.assert_allclose(metrics._pearson(np.array([1.0, 2, 3]), np.array([1.0, 2, 4])),
                               np.corrcoef([1, 2, 3], [1, 2, 4])[0, 1])
    # standard deviation exactly 1 on either side is not "constant"
    x, y = np.array([0.0, 0, 2, 2]), np.array([0.0, 1, 2, 4])
    assert np.std(x) == 1
    assert metrics._pearson(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert metrics._pearson(y, x) == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert np.isnan(metrics._pearson(np.array([1.0, 2]), np.array([1.0, 3])))  # two points always correlate
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NaN without numpy's division warning
        assert np.isnan(metrics._pearson(np.array([1.0, 2, 3]), np.array([5.0, 5, 5])))
        assert np.isnan(metrics._pearson(np.array([5.0, 5, 5]), np.array([1.0, 2, 3])))


def test_expected_of_an_offset_with_no_pixels_is_nan():
    band = np.array([[1.0, np.nan, 3.0], [2.0, np.nan, np.nan], [4.0, np.nan, np.nan]])
    np.testing.assert_array_equal(metrics.expected_by_offset(band), [7 / 3, np.nan, 3.0])


@pytest.mark.parametrize("h", [1, 2, 3])
@pytest.mark.parametrize("width", [3, 6])
def test_smoothing_of_a_sparse_and_narrow_band_matches_its_definition(h, width):
    rng = np.random.default_rng(h * 10 + width)
    band, _ = _tied_pair(rng, 14, width)
    band[rng.random(band.shape) < 0.8] = np.nan  # pixels with no, one and few finite neighbours
    want = _smooth_by_definition(band, h)
    got = metrics.smooth(band, h)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-12)


@pytest.mark.parametrize("h", [0, 1, 2])
@pytest.mark.parametrize(("min_offset", "max_offset"), [(1, 100), (2, 4)])
def test_scc_of_small_tied_maps_with_missing_pixels_matches_its_definition(h, min_offset, max_offset):
    rng = np.random.default_rng(h)
    predicted, experimental = _tied_pair(rng, 12, 8)
    predicted[rng.random(predicted.shape) < 0.15] = np.nan  # missing in one map only
    predicted[:7, 5] = 3.0  # a constant stratum: weight 0
    predicted[2:, 2] = np.nan  # a stratum with 2 pixels before others with more
    predicted[3:, 4] = np.nan
    predicted[:3, 4] = [1.0, 2.0, 4.0]  # a stratum with exactly 3 pixels
    want = _scc_by_definition(predicted, experimental, h, min_offset, max_offset)
    assert np.isfinite(want)
    assert metrics.scc(predicted, experimental, h, min_offset, max_offset) == pytest.approx(want, rel=1e-12)


def test_scc_of_one_short_stratum_and_of_a_map_too_small():
    rng = np.random.default_rng(5)
    predicted, experimental = _tied_pair(rng, 6, 2)  # one stratum of 5 pixels: weight 5 * (1 - 1/25) / 12 < 1
    want = _scc_by_definition(predicted, experimental, 0, 1, 1)
    assert np.isfinite(want)
    assert metrics.scc(predicted, experimental, 0, 1, 1) == pytest.approx(want, rel=1e-12)
    tiny = np.ones((2, 2))
    assert np.isnan(metrics.scc(tiny, tiny, 0, 1, 1))


def test_insulation_of_a_band_narrower_than_the_diamond_matches_its_definition():
    rng = np.random.default_rng(6)
    band, _ = _tied_pair(rng, 10, 4)  # window 3: a + b reaches 4, past the band
    band[0, 2] = 1.0  # bin 0's diamond is this one pixel: score exactly 1
    band[6, 3] = np.nan
    want = _insulation_by_definition(band, 3, ignore_diags=2)
    got = metrics.insulation(band, 3)  # cooltools' default ignore_diags, 2
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-12)
    np.testing.assert_allclose(metrics.insulation(band, 3, ignore_diags=1),
                               _insulation_by_definition(band, 3, ignore_diags=1), rtol=1e-12)


def test_compare_counts_pixels_up_to_its_maximum_offset_and_needs_three_for_spearman():
    rng = np.random.default_rng(7)
    predicted, experimental = _tied_pair(rng, 9, 5)
    result = metrics.compare(predicted, experimental, min_offset=1, max_offset=2, scc_h=1, scc_max_offset=4,
                             insulation_window=2)
    assert result["n_pixels"] == 8 + 7
    predicted, experimental = _tied_pair(rng, 4, 2)
    predicted[:3, 1], experimental[:3, 1] = [1.0, 3.0, 2.0], [1.0, 2.0, 4.0]
    three = metrics.compare(predicted, experimental, min_offset=1, scc_h=0, scc_max_offset=1, insulation_window=2)
    assert three["n_pixels"] == 3
    assert three["spearman_log1p"] == pytest.approx(0.5)  # ranks (1, 3, 2) against (1, 2, 3)
    predicted, experimental = _tied_pair(rng, 3, 2)
    two = metrics.compare(predicted, experimental, min_offset=1, scc_h=0, scc_max_offset=1, insulation_window=2)
    assert two["n_pixels"] == 2 and np.isnan(two["spearman_log1p"])


def test_insulation_pearson_skips_bins_masked_in_one_map():
    rng = np.random.default_rng(8)
    predicted, experimental = _tied_pair(rng, 30, 8)
    predicted[10:13] = np.nan  # masked bins of the prediction only
    for k in range(1, 8):
        predicted[max(0, 10 - k) : 13 - k, k] = np.nan
    ins_p, ins_e = metrics.insulation(predicted, 3), metrics.insulation(experimental, 3)
    both = np.isfinite(ins_p) & np.isfinite(ins_e)
    assert 0 < (~both).sum() < 10
    # scored: bins whose 3 neighbours on each side are in the chromosome and unmasked (not 10-12)
    interior = np.array([3 <= c <= 26 and not 7 <= c <= 15 for c in range(30)])
    assert (both & interior).sum() == 15
    result = metrics.compare(predicted, experimental, min_offset=1, scc_h=1, scc_max_offset=4, insulation_window=3)
    assert result["pearson_insulation"] == pytest.approx(
        np.corrcoef(ins_p[both & interior], ins_e[both & interior])[0, 1])


def test_metric_defaults_are_the_configured_ones():
    configured = yaml.safe_load(CONFIG.read_text())["metrics"]
    rng = np.random.default_rng(9)
    predicted, experimental = (band_from_dense(m, 24) for m in _noisy_pair(rng, 60))
    assert metrics.scc(predicted, experimental) == metrics.scc(
        predicted, experimental, h=configured["scc_h"], min_offset=configured["min_offset"],
        max_offset=configured["scc_max_offset"])
    own = {k: v for k, v in configured.items() if k in inspect.signature(metrics.compare).parameters}
    assert metrics.compare(predicted, experimental) == metrics.compare(predicted, experimental, **own)
    # each default matters on these maps
    assert metrics.scc(predicted, experimental, h=configured["scc_h"] + 1) != metrics.scc(predicted, experimental)
    assert metrics.scc(predicted, experimental, max_offset=configured["scc_max_offset"] + 1) != metrics.scc(
        predicted, experimental)
    assert metrics.scc(predicted, experimental, min_offset=configured["min_offset"] + 1) != metrics.scc(
        predicted, experimental)
    wider = metrics.compare(predicted, experimental, insulation_window=configured["insulation_window"] + 1)
    assert wider["pearson_insulation"] != metrics.compare(predicted, experimental)["pearson_insulation"]


def _noisy_pair(rng, n):
    """Two correlated symmetric maps with a distance decay."""
    decay = 100.0 / (1 + np.abs(np.subtract.outer(np.arange(n), np.arange(n))))
    a = decay * rng.lognormal(0, 0.5, (n, n))
    b = 0.5 * a + 0.5 * decay * rng.lognormal(0, 0.5, (n, n))
    return [np.triu(m) + np.triu(m, 1).T for m in (a, b)]
