import bioframe
import cooltools
import numpy as np
import pytest
from scipy import ndimage

from hicmodels.evaluation import metrics
from hicmodels.evaluation.baselines import baseline_band
from hicmodels.hic.band import band_from_cooler, band_from_dense


def _decaying_map(rng, n=120, width=20):
    """A noisy distance-decay map with domains, as a band."""
    offsets = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    domain = np.arange(n) // 15
    m = 100.0 / (1 + offsets) * np.where(np.equal.outer(domain, domain), 2.0, 1.0)
    m *= rng.lognormal(0, 0.3, (n, n))
    m = np.triu(m) + np.triu(m, 1).T
    return band_from_dense(m, width), m


def test_scc_of_a_map_with_itself_is_one():
    band, _ = _decaying_map(np.random.default_rng(0))
    assert metrics.scc(band, band) == pytest.approx(1.0)


def test_scc_with_a_shuffled_copy_is_near_zero():
    rng = np.random.default_rng(0)
    band, _ = _decaying_map(rng)
    shuffled = band.copy()
    for k in range(band.shape[1]):  # shuffle within each diagonal: the distance decay survives
        finite = np.flatnonzero(np.isfinite(band[:, k]))
        shuffled[finite, k] = rng.permutation(band[finite, k])
    assert abs(metrics.scc(shuffled, band)) < 0.1


def test_smoothing_is_a_2d_mean_filter():
    band, dense = _decaying_map(np.random.default_rng(1), n=40, width=10)
    expected = ndimage.uniform_filter(dense, size=5, mode="constant")  # interior pixels see 25 neighbours
    got = metrics.smooth(band, 2)
    for i in range(2, 30):
        for k in range(0, 6):
            assert got[i, k] == pytest.approx(expected[i, i + k])


def test_insulation_matches_cooltools(yeast_map):
    window_bins = 5
    chrom = yeast_map.cool_name["chrIV"]
    view = bioframe.make_viewframe([(chrom, 0, int(yeast_map.clr.chromsizes[chrom]))])
    table = cooltools.insulation(yeast_map.clr, [window_bins * yeast_map.binsize], view_df=view, ignore_diags=2)
    expected = table[f"log2_insulation_score_{window_bins * yeast_map.binsize}"].to_numpy()
    got = metrics.insulation(band_from_cooler(yeast_map.clr, chrom, 2 * window_bins), window_bins, ignore_diags=2)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got[np.isfinite(got)], expected[np.isfinite(expected)], rtol=1e-9)


def test_identical_maps_score_one_and_the_decay_baseline_scores_zero_on_oe():
    rng = np.random.default_rng(3)
    band, _ = _decaying_map(rng)
    same = metrics.compare(band, band)
    for name in ("pearson_log1p", "spearman_log1p", "pearson_oe", "scc", "pearson_insulation"):
        assert same[name] == pytest.approx(1.0), name
    decay = metrics.expected_by_offset(band)
    baseline = metrics.compare(baseline_band(decay * 1.7, len(band)), band)  # any per-offset curve
    assert baseline["pearson_oe"] == pytest.approx(0.0, abs=1e-12)
    assert baseline["pearson_log1p"] > 0.8  # distance decay alone explains most of log contacts


def test_pixel_selection_by_offset():
    band = np.arange(12, dtype=float).reshape(4, 3)
    other = band.copy()
    other[1, 1] = np.nan
    p, e, offsets = metrics.paired_pixels(band, other, min_offset=1, max_offset=1)
    assert p.tolist() == [1.0, 7.0, 10.0] and offsets.tolist() == [1, 1, 1]
