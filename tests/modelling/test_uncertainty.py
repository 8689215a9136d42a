"""Posterior-predictive summaries against hand-made truths: moments, the law of total variance, interval coverage."""

import numpy as np
import pytest

from hicmodels.modelling.uncertainty import interval_coverage, mixture_moments, sample_moments


def test_sample_moments_are_the_draws_mean_and_population_variance():
    draws = np.array([[[1.0, np.nan]], [[3.0, np.nan]], [[8.0, np.nan]]])
    mean, variance = sample_moments(draws)
    assert mean[0, 0] == 4.0 and variance[0, 0] == pytest.approx(((1 - 4) ** 2 + (3 - 4) ** 2 + (8 - 4) ** 2) / 3)
    assert np.isnan(mean[0, 1]) and np.isnan(variance[0, 1])


def test_two_overlapping_windows_mix_by_the_law_of_total_variance():
    """Window A says N(1, 0.5), window B N(3, 1.5) at one pixel: the pooled draws have mean 2 and variance 2."""
    mean, variance = mixture_moments(np.array([[1.0], [3.0]]), np.array([[0.5], [1.5]]), np.array([1.0, 1.0]))
    # within: (0.5 + 1.5) / 2 = 1; between: ((1 - 2)^2 + (3 - 2)^2) / 2 = 1
    assert mean[0] == 2.0 and variance[0] == pytest.approx(2.0)
    # the same from pooled samples of the two windows (equal numbers), exactly
    rng = np.random.default_rng(0)
    a, b = rng.normal(1, 0.7, 1000), rng.normal(3, 1.2, 1000)
    (ma, va), (mb, vb) = sample_moments(a[:, None]), sample_moments(b[:, None])
    mixed_mean, mixed_var = mixture_moments(np.stack([ma, mb]), np.stack([va, vb]), np.array([0.5, 0.5]))
    pooled_mean, pooled_var = sample_moments(np.concatenate([a, b])[:, None])
    assert mixed_mean[0] == pytest.approx(pooled_mean[0]) and mixed_var[0] == pytest.approx(pooled_var[0])


def test_weights_and_missing_windows():
    """Weights 3:1; a NaN window at the second pixel leaves the other one alone."""
    means = np.array([[0.0, 5.0], [4.0, np.nan]])
    variances = np.array([[1.0, 2.0], [1.0, np.nan]])
    mean, variance = mixture_moments(means, variances, np.array([3.0, 1.0]))
    assert mean[0] == pytest.approx(1.0) and variance[0] == pytest.approx(1.0 + (3 * 1 + 1 * 9) / 4)
    assert mean[1] == 5.0 and variance[1] == pytest.approx(2.0)


def test_coverage_of_calibrated_and_overconfident_gaussians():
    rng = np.random.default_rng(1)
    mean = rng.normal(size=200_000)
    sd = rng.uniform(0.2, 2.0, size=mean.shape)
    truth = mean + sd * rng.normal(size=mean.shape)
    calibrated = interval_coverage(mean, sd, truth)
    for level, fraction in calibrated["coverage"].items():
        assert fraction == pytest.approx(level, abs=0.005)
    assert calibrated["spearman_sd_error"] > 0.3  # larger sd, larger errors
    halved = interval_coverage(mean, sd / 2, truth)["coverage"]
    # with sd halved the 90% interval +-1.645 sd/2 holds P(|Z| < 0.82) = 0.59
    assert halved[0.9] == pytest.approx(0.5889, abs=0.005)


def test_stored_value_transform_matches_prediction_and_bounds_cover_like_interval_coverage():
    """The numpy transform equals prediction's torch one; bounds hold a value iff its model-space value is inside."""
    import torch

    from hicmodels.modelling.prediction import to_values
    from hicmodels.modelling.uncertainty import interval_bounds, to_stored_values

    x = np.array([-3.0, -0.5, 0.0, 0.7, 2.0], dtype=np.float32)
    for space in ("log_oe", "log1p_contacts"):
        np.testing.assert_allclose(to_stored_values(x, space), to_values(torch.from_numpy(x), space).numpy(),
                                   rtol=1e-6)
    rng = np.random.default_rng(3)
    mean, sd = rng.normal(size=4000), rng.uniform(0.1, 1.0, size=4000)
    truth = mean + sd * rng.normal(size=4000) * 1.3
    lower, upper = interval_bounds(mean, sd**2, 0.8, "log_oe")
    inside = np.mean((np.exp(truth) >= lower) & (np.exp(truth) <= upper))
    assert inside == pytest.approx(interval_coverage(mean, sd, truth)["coverage"][0.8], abs=1e-12)
    assert 0.6 < inside < 0.75  # over-dispersed truth: below the nominal 0.8
