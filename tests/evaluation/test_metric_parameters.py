"""Metric parameters that must change the answer: SCC's smoothing ``h`` and maximum offset (against the hicrep
package), the map O/E Pearson takes its expected from, and the distance-decay baseline's scale."""

import numpy as np
import pytest
import scipy.sparse as sp
from hicrep.hicrep import sccByDiag
from hicrep.utils import meanFilterSparse, trimDiags

from hicmodels.evaluation import metrics
from hicmodels.evaluation.baselines import baseline_band, distance_decay
from hicmodels.hic.band import band_from_cooler, band_from_dense


def _noisy_pair(n=200, seed=0):
    """Two symmetric positive maps with a distance decay and correlated noise."""
    rng = np.random.default_rng(seed)
    offsets = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    decay = 100.0 / (1 + offsets)
    a = decay * rng.lognormal(0, 0.5, (n, n))
    b = 0.5 * a + 0.5 * decay * rng.lognormal(0, 0.5, (n, n))
    return [np.triu(m) + np.triu(m, 1).T for m in (a, b)]


def _hicrep(a, b, h, n_diags):
    """hicrep 0.2.6's steps for one chromosome: drop the main diagonal and offsets >= n_diags, mean-filter,
    correlate by diagonal. Given the full symmetric matrix, as R HiCRep smooths it (hicrepSCC itself reads a
    cooler's upper triangle only)."""
    def prepare(m):
        kept = trimDiags(sp.coo_matrix(m), n_diags, False)
        return meanFilterSparse(kept, h) if h > 0 else kept
    return sccByDiag(prepare(a), prepare(b), n_diags)


def _as_hicrep_sees_it(m, n_diags):
    """The same trimming as a band: main diagonal and offsets >= n_diags zero, every offset kept (zeros count in
    the smoothing, as in hicrep)."""
    offsets = np.abs(np.subtract.outer(np.arange(len(m)), np.arange(len(m))))
    return band_from_dense(np.where((offsets == 0) | (offsets >= n_diags), 0.0, m), len(m))


@pytest.mark.parametrize("h", [0, 1, 3])
@pytest.mark.parametrize("max_offset", [5, 20])
def test_scc_matches_hicrep_for_each_smoothing_and_maximum_offset(h, max_offset):
    a, b = _noisy_pair()
    want = _hicrep(a, b, h, max_offset + 1)
    got = metrics.scc(_as_hicrep_sees_it(a, max_offset + 1), _as_hicrep_sees_it(b, max_offset + 1), h=h,
                      min_offset=1, max_offset=max_offset)
    # the one difference: hicrep weighs offset k by N_k * (1 + 1/N_k) / 12 (closed form, Bessel-corrected), we by
    # N_k * var(rank / N_k) = N_k * (1 - 1/N_k^2) / 12; at N_k >= 180 the scores agree to ~1e-5
    assert got == pytest.approx(want, abs=2e-5)


def test_scc_parameters_change_the_score_by_more_than_the_tolerance():
    a, b = _noisy_pair()
    scores = {(h, k): _hicrep(a, b, h, k + 1) for h in (0, 1, 3) for k in (5, 20)}
    values = sorted(scores.values())
    assert min(np.diff(values)) > 1e-4  # every parameter choice is told apart by the test above


def _oe_reference(predicted, experimental, min_offset, max_offset):
    """O/E Pearson written out: at each offset, both maps divided by the experimental mean over the pixels
    finite in both maps."""
    xs, ys = [], []
    for k in range(min_offset, max_offset + 1):
        both = np.isfinite(predicted[:, k]) & np.isfinite(experimental[:, k])
        expected = experimental[both, k].mean()
        xs.append(predicted[both, k] / expected)
        ys.append(experimental[both, k] / expected)
    return np.corrcoef(np.concatenate(xs), np.concatenate(ys))[0, 1]


def test_oe_pearson_takes_its_expected_from_the_experimental_map():
    rng = np.random.default_rng(4)
    _, experimental = _noisy_pair(n=80, seed=4)
    experimental = band_from_dense(experimental, 12)
    # the prediction is the experimental map scaled differently at each offset, with some pixels missing
    scale = np.linspace(0.2, 5.0, 12)
    predicted = experimental * scale[None, :] * rng.lognormal(0, 0.1, experimental.shape)
    predicted[rng.random(predicted.shape) < 0.2] = np.nan
    got = metrics.compare(predicted, experimental)["pearson_oe"]
    assert got == pytest.approx(_oe_reference(predicted, experimental, 1, 11), rel=1e-12)
    # what the wrong expectations would give: the predicted map's own expected, each map's own, all pixels'
    own = metrics.expected_by_offset(predicted)
    wrong = [
        np.corrcoef(*[m[:, 1:][np.isfinite(predicted[:, 1:])] for m in (predicted / own, experimental / own)])[0, 1],
        np.corrcoef(*[m[:, 1:][np.isfinite(predicted[:, 1:])] for m in
                      (predicted / own, experimental / metrics.expected_by_offset(experimental))])[0, 1],
    ]
    assert all(abs(got - w) > 0.01 for w in wrong)


def test_expected_by_offset_uses_only_the_selected_pixels():
    band = np.array([[1.0, 2.0, 4.0], [3.0, np.nan, 8.0], [5.0, 6.0, np.nan]])
    use = np.array([[True, True, False], [True, True, True], [False, True, True]])
    np.testing.assert_allclose(metrics.expected_by_offset(band), [3.0, 4.0, 6.0])
    np.testing.assert_allclose(metrics.expected_by_offset(band, use), [2.0, 4.0, 8.0])


def test_distance_decay_pools_the_training_chromosomes_and_scales(yeast_map):
    chroms = ["chrI", "chrVI"]
    width, scale = 6, 2.5
    got = distance_decay(yeast_map, chroms, width, scale)
    # by hand: balanced matrices (0 for unseen pixels between good bins, NaN at masked bins), every diagonal of
    # both chromosomes pooled, mean of the finite values, times the scale
    diagonals = [[] for _ in range(width)]
    for chrom in chroms:
        dense = yeast_map.clr.matrix(balance=True).fetch(yeast_map.cool_name[chrom])
        for k in range(width):
            diagonals[k].append(np.diagonal(dense, k))
    want = np.array([np.nanmean(np.concatenate(d)) for d in diagonals]) * scale
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # pooling is not the mean of per-chromosome means (chrI has 24 bins, chrVI 28)
    per_chrom = np.mean([[np.nanmean(d[i]) for d in diagonals] for i in range(2)], axis=0) * scale
    assert np.abs(per_chrom - want).max() > 1e-3 * want.max()


def test_contact_scale_makes_the_mean_pixel_one(yeast_map):
    chroms = ["chrI", "chrII"]  # adjacent in the cooler: one square holds cis and trans pixels
    lo, hi = yeast_map.chromosome_bins(chroms[0])[0], yeast_map.chromosome_bins(chroms[1])[1]
    dense = yeast_map.clr.matrix(balance=True)[lo:hi, lo:hi]
    scale = yeast_map.contact_scale(chroms)
    assert np.nanmean(dense) * scale == pytest.approx(1.0, rel=1e-9)


def test_baseline_band_ends_at_the_chromosome_end():
    band = baseline_band(np.array([3.0, 2.0, 1.0]), 4)
    nan = np.nan
    np.testing.assert_array_equal(band, [[3, 2, 1], [3, 2, 1], [3, 2, nan], [3, nan, nan]])


def test_baseline_band_of_the_decay_scores_zero_on_oe_and_its_scale_shows_in_the_values(yeast_map):
    chrom = yeast_map.cool_name["chrIV"]
    truth = band_from_cooler(yeast_map.clr, chrom, 6) * 2.5
    decay = distance_decay(yeast_map, ["chrIV"], 6, 2.5)
    baseline = baseline_band(decay, len(truth))
    finite = np.isfinite(truth)
    # the same chromosome's own P(s) at the same scale: the baseline's mean at each offset is the truth's
    np.testing.assert_allclose(np.nanmean(np.where(finite, baseline, np.nan), axis=0),
                               np.nanmean(truth, axis=0), rtol=1e-9)


def test_compare_passes_its_scc_parameters_on():
    a, b = _noisy_pair(n=120, seed=2)
    got = metrics.compare(_as_hicrep_sees_it(a, 6), _as_hicrep_sees_it(b, 6), min_offset=1, scc_h=1,
                          scc_max_offset=5, insulation_window=5)["scc"]
    assert got == pytest.approx(_hicrep(a, b, 1, 6), abs=5e-5)  # the weights' Bessel term, as above, at N_k >= 115
