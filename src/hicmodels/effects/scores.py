"""Variant-effect scores: how an ALT map differs from its REF map on the same bins.

Both maps are ``(n, n)`` contact matrices on one bin grid (:mod:`.align`), NaN
where a bin has no sequence (deleted, or past a chromosome end); ``c`` is the
bin holding the variant's centre. Pixel scores use ``X = log1p(contacts)`` and
the pixels ``U``: upper triangle, offset ``j - i >= min_offset``, finite in
both maps. Each score is 0 for identical maps and grows with the difference
(``triangle`` and ``insulation_centre`` are signed).

==================  ==========================================================
``mse``             mean of ``(X_alt - X_ref)^2`` over ``U`` (SuPreMo)
``scd``             Akita's SCD: ``sqrt(sum over U of (X_alt - X_ref)^2)``
``corr``            ``1 - Pearson(X_alt[U], X_ref[U])``
``ssi``             ``1 - SSIM`` over ``U`` as one window:
                    ``(2 mu_a mu_r + C1)(2 cov + C2) / ((mu_a^2 + mu_r^2 + C1)(var_a + var_r + C2))``,
                    ``C1 = (0.01 R)^2``, ``C2 = (0.03 R)^2``, ``R`` the range of both maps' values
``scc``             ``1 - SCC`` (HiCRep, :func:`hicmodels.evaluation.metrics.scc` on the ``X`` bands)
``insulation``      mean of ``|ins_alt - ins_ref|`` over the bins within ``insulation_window`` of ``c``,
                    ``ins`` the log2 diamond insulation of each map
                    (:func:`hicmodels.evaluation.metrics.insulation`, diamond ``insulation_window``)
``insulation_centre`` ``ins_alt[c] - ins_ref[c]`` (positive: the variant weakens a boundary)
``di``              mean over bins of ``|DI_alt - DI_ref|``, ``DI`` Dixon's directionality index over
                    ``di_window`` bins each side (bins with all those pixels finite)
``decay``           mean over offsets ``k >= min_offset`` of ``|e_alt(k) - e_ref(k)|``,
                    ``e(k)`` the mean of ``X`` on diagonal ``k`` (over ``U``)
``triangle``        mean of ``X_alt - X_ref`` over the pixels ``i < c <= j``, ``c - i <= t``,
                    ``j - c < t`` (``t = triangle_bins``): contacts across the variant
``pca``             ``1 - |Pearson(pc1_alt, pc1_ref)|``, ``pc1`` the first eigenvector of the
                    correlation matrix of ``log(observed / expected)`` rows (bins finite in both)
``scd_oe``          SCD of ``log(O/E)`` maps: each window's map over its own distance expectation
                    (:func:`observed_over_expected`, in the window's coordinates, before the map
                    is put on the grid), so the contact change a rearrangement makes by moving
                    DNA closer or further (a deletion's flanks, a copy, mirrored bins) is not
                    counted, only the change against that window's own decay. Akita's SCD is
                    computed on its log(O/E) output (Fudenberg et al. 2020); ``scd`` on
                    ``log1p`` contacts counts the distance change too.
==================  ==========================================================

With several samples per window (augmentations: shifts and strands; and
posterior-predictive draws of a stochastic model), each score is computed per sample and reported
as the mean, ``<score>_sd`` (sample standard deviation, NaN with one sample)
and ``<score>_z`` (mean / sd: the effect in units of its own spread).
"""

import warnings

import numpy as np

from ..evaluation.metrics import insulation as insulation_profile
from ..evaluation.metrics import scc as hicrep_scc
from ..hic.band import band_from_dense

SCORES = ["mse", "scd", "corr", "ssi", "scc", "insulation", "insulation_centre", "di", "decay", "triangle", "pca",
          "scd_oe"]


def _pairs(ref, alt, min_offset):
    n = ref.shape[0]
    i, j = np.triu_indices(n, min_offset)
    use = np.isfinite(ref[i, j]) & np.isfinite(alt[i, j])
    return i[use], j[use]


def _pearson(x, y):
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return np.nan
    return float(np.corrcoef(x, y)[0, 1])


def ssim(x, y):
    """Structural similarity of two value vectors taken as one window."""
    both = np.concatenate([x, y])
    span = both.max() - both.min() if len(both) else 0.0
    c1, c2 = (0.01 * span) ** 2, (0.03 * span) ** 2
    mx, my = x.mean(), y.mean()
    cov = np.mean((x - mx) * (y - my))
    num = (2 * mx * my + c1) * (2 * cov + c2)
    den = (mx**2 + my**2 + c1) * (x.var() + y.var() + c2)
    return float(num / den) if den > 0 else 1.0


def directionality(matrix, window):
    """Dixon et al. (2012) directionality index of each bin; NaN where a needed pixel is missing."""
    n = matrix.shape[0]
    out = np.full(n, np.nan)
    for b in range(window, n - window):
        up = matrix[b, b - window : b]
        down = matrix[b, b + 1 : b + window + 1]
        if not (np.isfinite(up).all() and np.isfinite(down).all()):
            continue
        a, d = up.sum(), down.sum()
        e = (a + d) / 2
        out[b] = 0.0 if e == 0 else np.sign(d - a) * ((a - e) ** 2 / e + (d - e) ** 2 / e)
    return out


def observed_over_expected(matrix):
    """Each pixel over the mean of its diagonal (the map's own distance expectation).

    NaN where that mean is not positive.
    """
    offsets = np.abs(np.subtract.outer(np.arange(matrix.shape[0]), np.arange(matrix.shape[0])))
    expected = np.array([matrix[offsets == k].mean() for k in range(matrix.shape[0])])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected[offsets] > 0, matrix / expected[offsets], np.nan)


def first_component(matrix, use):
    """First eigenvector of the correlation matrix of ``log(O/E)`` rows over bins ``use``."""
    n = matrix.shape[0]
    sub = matrix[np.ix_(use, use)]
    offsets = np.abs(np.subtract.outer(np.flatnonzero(use), np.flatnonzero(use)))
    expected = np.array([np.nanmean(sub[offsets == k]) if (offsets == k).any() else np.nan for k in range(n)])
    with np.errstate(divide="ignore", invalid="ignore"):
        oe = np.log(sub / expected[offsets])
    oe[~np.isfinite(oe)] = 0.0
    if oe.shape[0] < 3 or np.allclose(oe.std(axis=1), 0):
        return None
    with np.errstate(invalid="ignore"):
        corr = np.corrcoef(oe)
    corr[~np.isfinite(corr)] = 0.0
    values, vectors = np.linalg.eigh(corr)
    return vectors[:, -1]


def score_maps(ref, alt, centre, min_offset=1, insulation_window=3, di_window=3, triangle_bins=3, scc_h=1,
               scc_max_offset=None, ref_oe=None, alt_oe=None):
    """Every score of :data:`SCORES` for one (REF, ALT) pair of maps on common bins.

    Parameters
    ----------
    ref, alt : ndarray, shape (n, n)
        Contacts (not logged), NaN where missing.
    centre : int
        Bin of the variant's centre.
    min_offset, insulation_window, di_window, triangle_bins, scc_h, scc_max_offset : int
        See the module docstring; ``scc_max_offset`` ``None``: ``n - 1``.
    ref_oe, alt_oe : ndarray, shape (n, n), optional
        The windows' :func:`observed_over_expected` maps on the same bins,
        for ``scd_oe`` (NaN without them).

    Returns
    -------
    dict
        Score name -> float (NaN where the maps share too few pixels).
    """
    n = ref.shape[0]
    xr, xa = np.log1p(ref), np.log1p(alt)
    i, j = _pairs(ref, alt, min_offset)
    dr, da = xr[i, j], xa[i, j]
    diff = da - dr
    out = dict.fromkeys(SCORES, np.nan)
    if len(diff):
        out["mse"] = float(np.mean(diff**2))
        out["scd"] = float(np.sqrt(np.sum(diff**2)))
        out["corr"] = 1 - _pearson(da, dr)
        out["ssi"] = 1 - ssim(da, dr)
        offsets = j - i
        e = [(da[offsets == k].mean() - dr[offsets == k].mean()) for k in np.unique(offsets)]
        out["decay"] = float(np.mean(np.abs(e)))
        cross = (i < centre) & (j >= centre) & (centre - i <= triangle_bins) & (j - centre < triangle_bins)
        out["triangle"] = float(diff[cross].mean()) if cross.any() else np.nan
    band_r, band_a = band_from_dense(ref, n), band_from_dense(alt, n)
    common = np.isfinite(band_r) & np.isfinite(band_a)
    band_r, band_a = np.where(common, band_r, np.nan), np.where(common, band_a, np.nan)
    out["scc"] = 1 - hicrep_scc(np.log1p(band_r), np.log1p(band_a), scc_h, min_offset,
                                n - 1 if scc_max_offset is None else scc_max_offset)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a window with no finite diamond: NaN profile
        ins_r = insulation_profile(band_r, insulation_window)
        ins_a = insulation_profile(band_a, insulation_window)
    both = np.isfinite(ins_r) & np.isfinite(ins_a)
    near = both & (np.abs(np.arange(n) - centre) <= insulation_window)
    if near.any():
        out["insulation"] = float(np.mean(np.abs(ins_a[near] - ins_r[near])))
    if 0 <= centre < n and both[centre]:
        out["insulation_centre"] = float(ins_a[centre] - ins_r[centre])
    di_r, di_a = directionality(ref, di_window), directionality(alt, di_window)
    both = np.isfinite(di_r) & np.isfinite(di_a)
    if both.any():
        out["di"] = float(np.mean(np.abs(di_a[both] - di_r[both])))
    use = np.isfinite(ref).any(axis=1) & np.isfinite(alt).any(axis=1)
    pc_r, pc_a = first_component(ref, use), first_component(alt, use)
    if pc_r is not None and pc_a is not None:
        out["pca"] = 1 - abs(_pearson(pc_a, pc_r))
    if ref_oe is not None and alt_oe is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            diff = np.log(alt_oe[i, j]) - np.log(ref_oe[i, j])
        out["scd_oe"] = float(np.sqrt(np.sum(diff[np.isfinite(diff)] ** 2)))
    return out


def summarise(samples):
    """Mean, sd and z of each score over samples (a list of :func:`score_maps` dicts).

    Returns
    -------
    dict
        ``<score>``, ``<score>_sd``, ``<score>_z`` for each score, and ``n_samples``.
    """
    table = np.array([[s[k] for k in SCORES] for s in samples], dtype=float).reshape(len(samples), len(SCORES))
    out = {"n_samples": len(samples)}
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a score NaN in every sample stays NaN
        mean = np.nanmean(table, axis=0) if len(samples) else np.full(len(SCORES), np.nan)
        sd = np.nanstd(table, axis=0, ddof=1) if len(samples) > 1 else np.full(len(SCORES), np.nan)
        z = np.where(sd > 0, mean / sd, np.nan)
    for k, name in enumerate(SCORES):
        out[name], out[f"{name}_sd"], out[f"{name}_z"] = float(mean[k]), float(sd[k]), float(z[k])
    return out
