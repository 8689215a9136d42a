"""HiCDiffusion's per-window protocol: each window's map alone, windows filtered as the paper says, averaged."""

import numpy as np
import pytest

from hicmodels.evaluation import metrics
from hicmodels.hic.band import band_from_dense


def _noisy(n, rng, width):
    offsets = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    noise = rng.lognormal(0, 0.4, (n, n))
    return band_from_dense(10.0 / (1 + offsets) * (noise + noise.T) / 2, width)


def test_window_band_holds_only_pixels_inside_the_window():
    band = band_from_dense(np.arange(100.0).reshape(10, 10), 4)
    part = metrics.window_band(band, 2, 6)
    assert part.shape == (4, 4)
    assert part[0].tolist() == [22.0, 23.0, 24.0, 25.0]
    assert part[2, :2].tolist() == [44.0, 45.0] and np.isnan(part[2, 2:]).all()  # (4, 6) is outside
    assert np.isnan(part[3, 1:]).all()


def test_window_filter_follows_the_paper():
    # 60 bins: a bin's 60 pixels are 3.3% of the 1,830, so only the start/end rule can leave these out
    large = _noisy(60, np.random.default_rng(0), 60)
    assert metrics.window_is_scored(large)
    starts_with_zeros = large.copy()
    starts_with_zeros[0] = 0.0
    assert not metrics.window_is_scored(starts_with_zeros)
    ends_with_zeros = large.copy()
    for k in range(60):
        ends_with_zeros[59 - k, k] = 0.0  # every contact of the last bin
    assert not metrics.window_is_scored(ends_with_zeros)
    band = _noisy(20, np.random.default_rng(0), 20)
    # 210 pixels in the upper triangle: 10 zeros (4.8%) pass, 11 (5.2%) do not; a masked (NaN) pixel is a zero
    sparse = band.copy()
    sparse[5, 1:11] = 0.0
    assert metrics.window_is_scored(sparse)
    sparse[6, 1] = np.nan
    assert not metrics.window_is_scored(sparse)


def test_per_window_averages_each_scored_window_and_skips_filtered_ones():
    rng = np.random.default_rng(1)
    truth = _noisy(60, rng, 16)
    predicted = truth.copy()
    predicted[20:40] = _noisy(60, rng, 16)[20:40]  # the second window predicted badly
    truth[45:60, 0] = 0.0  # the third window: 15 zero pixels on its main diagonal -> > 5%
    spans = [(0, 16), (20, 36), (44, 60)]
    options = {"min_offset": 1, "max_offset": 10, "scc_h": 1, "scc_max_offset": 8, "insulation_window": 3}
    got = metrics.per_window(predicted, truth, spans, **options)
    windows = [metrics.compare(metrics.window_band(predicted[:, :11], lo, hi),
                               metrics.window_band(truth[:, :11], lo, hi), **options) for lo, hi in spans[:2]]
    assert got["n_windows"] == 2
    assert got["n_pixels"] == 2 * sum(16 - k for k in range(1, 11))
    for name in ("pearson_log1p", "scc", "pearson_oe"):
        assert got[name] == pytest.approx((windows[0][name] + windows[1][name]) / 2)
    assert windows[0]["pearson_log1p"] == pytest.approx(1.0) and windows[1]["pearson_log1p"] < 0.9
    assert metrics.per_window(predicted, truth, spans[2:], **options) == {"n_windows": 0, "n_pixels": 0}
