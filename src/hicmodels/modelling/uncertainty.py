"""Posterior-predictive summaries: per-pixel mean and variance of sampled maps, mixed across windows, and calibration.

A stochastic model (a variational Akita: latent draws; the diffusion stage:
noise seeds) gives ``N`` maps per window (``prediction.samples``). Each
window's predictive distribution is summarised by the per-pixel mean and
variance of its draws (the variance of the draws' empirical distribution,
``ddof=0``), in the stored value space (after ``to_values``).

Where windows overlap, the stitched pixel is an equal-weight (or
overlap-weighted) mixture of the windows' predictive distributions, so the
law of total variance gives its variance: with weights ``w_k`` (summing to
1), means ``m_k`` and variances ``v_k``,

    mean = sum_k w_k m_k
    var  = sum_k w_k v_k + sum_k w_k (m_k - mean)^2 = sum_k w_k (v_k + m_k^2) - mean^2,

the mean within-window variance plus the spread of the window means. The
stitcher averages means as before; averaging the second moments
``v + m^2`` the same way and subtracting the squared mean gives the
variance (:func:`mixture_moments`).

Interval bounds (:func:`interval_bounds`) are Gaussian in the model's output
space (log O/E, log1p contacts), where the draws are summarised by the same
per-pixel mean and variance and stitched by the same law: ``mean +- z sd``
with ``z`` the standard normal quantile of the nominal level, mapped to
stored values by the output transform (``exp``; ``expm1`` clipped at 0).
The transform is monotone, so a stored value lies inside the mapped bounds
exactly when its model-space value lies inside the Gaussian interval: the
bounds cover what :func:`interval_coverage` measures (the calibration
benchmark, ``benchmarks/akita_calibration.py``, with the likelihood noise in
each draw as prediction adds it). Why Gaussian and not empirical quantiles:
quantiles of overlapping windows do not combine (the quantile of a mixture is
not the mean of the quantiles), the predictions file keeps two moments per
window, and 20 draws give a noisy 2.5% quantile; why model space: there the
draws of a variational Akita are Gaussian around the decoder's map (the
likelihood noise is added there), and the bounds stay non-negative.

Calibration (:func:`interval_coverage`): the fraction of true pixels inside
the central Gaussian interval ``mean +- z sd`` of each nominal level, and the
Spearman correlation of ``sd`` with the absolute error.
"""

import numpy as np
from scipy import stats

LEVELS = (0.5, 0.8, 0.9, 0.95)


def sample_moments(draws):
    """Per-pixel ``(mean, variance)`` over axis 0 of ``draws`` (``ddof=0``; NaN pixels stay NaN)."""
    draws = np.asarray(draws, dtype=np.float64)
    return draws.mean(axis=0), draws.var(axis=0)


def mixture_moments(means, variances, weights):
    """Mean and variance of a weighted mixture of distributions, per pixel (law of total variance).

    Parameters
    ----------
    means, variances : ndarray (k, ...)
        Each component's mean and variance; NaN components are left out.
    weights : ndarray (k,)
        Non-negative component weights (normalised over the finite components of each pixel).
    """
    means, variances = np.asarray(means, np.float64), np.asarray(variances, np.float64)
    w = np.asarray(weights, np.float64).reshape((-1,) + (1,) * (means.ndim - 1))
    finite = np.isfinite(means) & np.isfinite(variances)
    total = np.where(finite, w, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(finite, w * means, 0.0).sum(axis=0) / total
        second = np.where(finite, w * (variances + means**2), 0.0).sum(axis=0) / total
    return mean, variance_from_moments(mean, second)


def variance_from_moments(mean, second):
    """``second - mean^2``, clipped at 0 (rounding can make it slightly negative)."""
    return np.maximum(second - np.square(mean), 0.0)


def z_score(level):
    """Half-width in sds of the central Gaussian interval of nominal ``level`` (1.645 for 0.9)."""
    return float(stats.norm.ppf(0.5 + level / 2))


def to_stored_values(x, space):
    """Model output -> stored values (numpy twin of prediction's ``to_values``): ``exp`` of log O/E, ``expm1``
    clipped at 0 of log1p contacts."""
    return np.exp(x) if space == "log_oe" else np.maximum(np.expm1(x), 0.0)


def interval_bounds(mean, variance, level, space):
    """Lower and upper bounds of the central ``level`` interval ``mean +- z sd`` in model space, as stored values."""
    half = z_score(level) * np.sqrt(variance)
    return to_stored_values(mean - half, space), to_stored_values(mean + half, space)


def interval_coverage(mean, sd, truth, levels=LEVELS):
    """Fraction of finite ``truth`` pixels inside ``mean +- z sd`` per nominal level, and Spearman(sd, |error|).

    Returns
    -------
    dict
        ``{level: fraction}`` under ``coverage``, ``spearman_sd_error``, ``n_pixels``.
    """
    mean, sd, truth = (np.asarray(a, np.float64).ravel() for a in (mean, sd, truth))
    use = np.isfinite(mean) & np.isfinite(sd) & np.isfinite(truth)
    error = np.abs(truth[use] - mean[use])
    coverage = {level: float(np.mean(error <= z_score(level) * sd[use])) for level in levels}
    spearman = float(stats.spearmanr(sd[use], error).statistic) if use.sum() > 2 else np.nan
    return {"coverage": coverage, "spearman_sd_error": spearman, "n_pixels": int(use.sum())}
