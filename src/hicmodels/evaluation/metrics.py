"""Comparing a predicted map with an experimental one, chromosome by chromosome.

Maps are bands (:mod:`hicmodels.hic.band`): ``band[i, k]`` is the contact
between bins ``i`` and ``i + k``. Pixel-wise metrics use offsets
``min_offset..max_offset`` and the pixels finite in both maps.

- ``pearson_log1p``, ``spearman_log1p``: on ``log1p`` of the contacts.
- ``pearson_oe``: on observed/expected, where *both* maps are divided by the
  experimental map's mean contact at each offset. One denominator for every
  predictor makes the numbers comparable; a predictor that knows only the
  distance decay scores exactly 0.
- ``scc``: HiCRep stratum-adjusted correlation (Yang et al. 2017) exactly as
  the ``hicrep`` package (0.2.6, ``sccByDiag`` after ``trimDiags`` and
  ``meanFilterSparse``) computes it on the same matrices (:func:`scc_hicrep`).
  Absent-pixel policy: a pixel masked (NaN) in *either* map -- a masked bin
  of the experiment, a bin or distance the model did not predict -- is set to
  0 in *both* maps, the main diagonal and offsets beyond ``max_offset`` too,
  and then the maps are smoothed with zeros counted, as hicrep reads a
  cooler's absent pixels; per offset, pixels 0 in both smoothed maps are left
  out. This is the number comparable with published SCCs (HiCDiffusion,
  Methods, "Stratum-adjusted correlation coefficient": the hicrep package,
  ``h`` 2, 16 offsets). On a masked map it is lower than ``scc_masked``,
  which leaves masked pixels out of the smoothing and the correlation
  (:func:`scc`; issue 20 measured 0.29 vs 0.54 on yeast chrXIII).
- ``mse_log1p`` (the loss of MIX-HIC v2 section 4.2, eq. 8, and of Akita, on
  log1p contacts here), ``r2_log1p`` (MIX-HIC v2's Hi-C metric, section 5.1,
  Table 2: ``1 - SS_res / SS_tot`` of the experimental log1p contacts by the
  predicted ones): pixel-wise like the correlations.
- ``ps_log2_deviation``: mean over offsets of ``|log2(P_pred(s) / P_exp(s))|``,
  P(s) the mean contact at offset ``s`` over the pixels of both maps
  (:func:`expected_by_offset`, cooltools' ``expected_cis`` on the same
  pixels); how far the model's distance decay is off, 0 for the baseline.
- ``boundary_precision``, ``boundary_recall``: insulating boundaries called
  as cooltools calls them (:func:`boundaries`) on both maps, over the interior
  bins, matched within ``boundary_tolerance`` bins (HiCDiffusion, Fig. 4, calls
  TADs with TADbit instead).

Two protocols (the ``protocol`` column of the metrics table): ``chromosome``,
each metric over a whole stitched chromosome, and ``window``, HiCDiffusion's
(:func:`per_window`): each test window's map scored alone, then averaged.

- ``pearson_insulation``: Pearson of the diamond insulation scores
  (cooltools' definition, :func:`insulation`) over the bins
  :func:`interior_bins` keeps: a bin is scored only if the ``window`` bins on
  each side of it are inside the chromosome and unmasked in both maps. Near
  an end or a masked bin the diamond is truncated and the score follows the
  truncation, which both maps share: on yeast such edge effects made up most
  of the correlation (issue 20).
"""

import numpy as np
import pandas as pd
from scipy import stats

from ..hic.band import dense_from_band, shift_rows


def _pearson(x, y):
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return np.nan
    return float(np.corrcoef(x, y)[0, 1])


def paired_pixels(predicted, experimental, min_offset, max_offset):
    """Values of the pixels finite in both bands, and their offsets."""
    offsets = np.broadcast_to(np.arange(predicted.shape[1]), predicted.shape)
    use = (offsets >= min_offset) & (offsets <= max_offset) & np.isfinite(predicted) & np.isfinite(experimental)
    return predicted[use], experimental[use], offsets[use]


def expected_by_offset(band, use=None):
    """Mean contact at each offset (NaN-aware), over the pixels in ``use``."""
    values = np.where(np.isfinite(band) if use is None else use, band, np.nan)
    with np.errstate(invalid="ignore"):
        counts = np.isfinite(values).sum(axis=0)
        return np.where(counts > 0, np.nansum(values, axis=0) / np.maximum(counts, 1), np.nan)


def smooth(band, h):
    """2D mean filter of half-width ``h`` (NaN-aware) on a symmetric map's band."""
    n, width = band.shape
    # columns -2h..width-1: negative offsets come from the symmetric half
    extended = np.full((n, width + 2 * h), np.nan)
    extended[:, 2 * h :] = band
    for d in range(1, 2 * h + 1):
        if d < width:
            extended[:, 2 * h - d] = shift_rows(band[:, d : d + 1], -d)[:, 0]
    total = np.zeros_like(band)
    count = np.zeros_like(band)
    for a in range(-h, h + 1):
        rows = shift_rows(extended, a)
        for b in range(-h, h + 1):
            lo = 2 * h + b - a  # column of offset k + b - a for k = 0
            part = np.full_like(band, np.nan)
            hi = max(0, min(width, width + 2 * h - lo))  # none when b - a > width (a band narrower than 2h)
            part[:, :hi] = rows[:, lo : lo + hi]
            finite = np.isfinite(part)
            total += np.where(finite, part, 0.0)
            count += finite
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def scc(predicted, experimental, h=2, min_offset=1, max_offset=16):
    """HiCRep stratum-adjusted correlation coefficient of two bands."""
    sa, sb = smooth(predicted, h), smooth(experimental, h)
    valid = np.isfinite(predicted) & np.isfinite(experimental)
    numerator = denominator = 0.0
    for k in range(min_offset, min(max_offset, predicted.shape[1] - 1) + 1):
        use = valid[:, k] & np.isfinite(sa[:, k]) & np.isfinite(sb[:, k])
        x, y = sa[use, k], sb[use, k]
        n = len(x)
        if n < 3:
            continue
        weight = n * np.sqrt(np.var(stats.rankdata(x) / n) * np.var(stats.rankdata(y) / n))
        r = _pearson(x, y)
        numerator += weight * (0.0 if np.isnan(r) else r)
        denominator += weight
    return numerator / denominator if denominator > 0 else np.nan


def scc_hicrep(predicted, experimental, h=2, max_offset=16):
    """HiCRep SCC of two bands with the ``hicrep`` package's steps and the absent-pixel policy above.

    Parameters
    ----------
    predicted, experimental : ndarray, shape (n, width)
        Bands of one chromosome; NaN is absent (masked, or not predicted).
    h : int
        Half-width of the mean filter (0: no smoothing).
    max_offset : int
        Last offset scored (hicrep's ``nDiags - 1``); offsets ``1..max_offset``.

    Returns
    -------
    float
        ``sum_k w_k rho_k / sum_k w_k`` with ``w_k = N_k (1 + 1/N_k) / 12``
        (hicrep's ``varVstran``), ``N_k`` the pixels of offset ``k`` nonzero
        in either smoothed map; an offset whose correlation is undefined
        counts as 0 with its weight, as in hicrep.
    """
    n = predicted.shape[0]
    width = max(predicted.shape[1], max_offset + 2 * h + 1)  # smoothing at max_offset reads 2h offsets farther
    offsets = np.arange(width)
    inside = np.arange(n)[:, None] + offsets[None, :] < n
    kept = inside & (offsets >= 1) & (offsets <= max_offset)
    both = np.zeros((n, width), bool)
    both[:, : predicted.shape[1]] = np.isfinite(predicted) & np.isfinite(experimental)
    smoothed = []
    for band in (predicted, experimental):
        padded = np.zeros((n, width))
        padded[:, : band.shape[1]] = band
        padded = np.where(kept & both, padded, 0.0)  # absent from either map (NaN included): 0 in both
        padded[~inside] = np.nan  # outside the matrix: not a neighbour (hicrep's edge counts)
        smoothed.append(smooth(padded, h) if h > 0 else padded)
    numerator = denominator = 0.0
    for k in range(1, min(max_offset, n - 1) + 1):
        x, y = smoothed[0][: n - k, k], smoothed[1][: n - k, k]
        use = (x != 0) | (y != 0)
        count = int(use.sum())
        if count == 0:
            continue
        weight = count * (1 + 1 / count) / 12
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.corrcoef(x[use], y[use])[0, 1] if count > 1 else np.nan
        numerator += weight * (0.0 if not np.isfinite(r) else r)
        denominator += weight
    return numerator / denominator if denominator > 0 else np.nan


def _diamond(band, window, ignore_diags):
    """Sum and count of the finite pixels in each bin's insulation diamond."""
    total = np.zeros(band.shape[0])
    count = np.zeros(band.shape[0])
    for a in range(window):
        for b in range(window):
            if a + b < ignore_diags or a + b >= band.shape[1]:
                continue
            pixel = shift_rows(band[:, a + b : a + b + 1], -a)[:, 0]
            finite = np.isfinite(pixel)
            total += np.where(finite, pixel, 0.0)
            count += finite
    return total, count


def insulation(band, window, ignore_diags=2):
    """log2 diamond insulation score of each bin (cooltools' definition).

    The score of bin ``c`` is the mean of the finite pixels ``(c - a, c + b)``,
    ``0 <= a, b < window``, ``a + b >= ignore_diags``, divided by the median
    score over the chromosome.
    """
    total, count = _diamond(band, window, ignore_diags)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        score[score == 0] = np.nan
        return np.log2(score / np.nanmedian(score))


def boundaries(band, window, ignore_diags=2, min_frac_valid_pixels=0.66):
    """Insulating boundaries as ``cooltools insulation`` calls them with its defaults (threshold ``Li``).

    The local minima of the log2 insulation score with a topographic
    prominence (cooltools' ``find_boundaries``) at least Li's threshold of all
    prominences of the chromosome; diamonds with fewer than
    ``min_frac_valid_pixels`` of the chromosome's fullest diamond are not
    considered. Returns a boolean array over the bins.
    """
    from cooltools.api.insulation import find_boundaries, threshold_li

    _, count = _diamond(band, window, ignore_diags)
    table = pd.DataFrame({"region": "chrom", "start": np.arange(len(band)),
                          f"log2_insulation_score_{window}": insulation(band, window, ignore_diags),
                          f"n_valid_pixels_{window}": count, "is_bad_bin": ~bin_mask(band)})
    strength = find_boundaries(table, min_frac_valid_pixels=min_frac_valid_pixels)[f"boundary_strength_{window}"]
    strength = strength.to_numpy()
    if not np.isfinite(strength).any():
        return np.zeros(len(band), bool)
    return strength >= threshold_li(strength)


def boundary_agreement(predicted, true, tolerance):
    """Precision and recall of predicted boundary bins against true ones, matched within ``tolerance`` bins.

    Precision: predicted boundaries with a true one at most ``tolerance`` bins
    away; recall: true boundaries with a predicted one as near. NaN where
    there is nothing to divide by.
    """
    p, t = np.flatnonzero(predicted), np.flatnonzero(true)
    if len(p) and len(t):
        distance = np.abs(p[:, None] - t[None, :])
        near = distance <= tolerance
        return float(near.any(axis=1).mean()), float(near.any(axis=0).mean())
    return (np.nan if not len(p) else 0.0), (np.nan if not len(t) else 0.0)


def bin_mask(band):
    """Bins with at least one finite pixel in their row of the band (masked bins have none)."""
    return np.isfinite(band).any(axis=1)


def interior_bins(valid, window):
    """Bins ``c`` with ``c - window .. c + window`` inside the chromosome and all ``valid``.

    Parameters
    ----------
    valid : array of bool
        Bins that are not masked (in every map compared).
    window : int
        Insulation window in bins.
    """
    bad = np.concatenate([[0], np.cumsum(~np.asarray(valid, bool))])
    c = np.arange(len(valid))
    lo, hi = c - window, c + window + 1
    inside = (lo >= 0) & (hi <= len(valid))
    return inside & (bad[np.clip(hi, 0, len(valid))] - bad[np.clip(lo, 0, len(valid))] == 0)


def profile_pearson(profile, experimental, window, valid=None):
    """Pearson of a per-bin profile with the experimental insulation score over the interior bins.

    Parameters
    ----------
    profile : ndarray, shape (n,)
        One value per bin (a sequence baseline such as GC content).
    experimental : ndarray, shape (n, width)
        Experimental band.
    window : int
        Insulation window in bins; also how far from ends and masked bins a scored bin must be.
    valid : array of bool, optional
        Bins also required unmasked (the model's predicted bins), besides the experiment's.
    """
    score = insulation(experimental, window)
    keep = interior_bins(bin_mask(experimental) & (True if valid is None else valid), window)
    keep &= np.isfinite(score) & np.isfinite(profile)
    return _pearson(profile[keep], score[keep])


def compare(predicted, experimental, min_offset=1, max_offset=None, scc_h=2, scc_max_offset=16,
            insulation_window=5, boundary_tolerance=1):
    """All metrics of one predicted band against the experimental band.

    Parameters
    ----------
    predicted, experimental : ndarray, shape (n, width)
        Bands on the same bins (scaled balanced contacts).
    min_offset, max_offset : int
        Offsets (in bins) the pixel-wise metrics use; ``max_offset`` defaults
        to the band's last column.
    scc_h, scc_max_offset : int
        SCC's smoothing half-width and last offset (:func:`scc_hicrep`).
    insulation_window : int
        Insulation window in bins (:func:`insulation`, :func:`interior_bins`).
    boundary_tolerance : int
        Bins a predicted boundary may be off a true one and still count.

    Returns
    -------
    dict
        ``n_pixels`` and the metrics named in the module docstring.
    """
    max_offset = predicted.shape[1] - 1 if max_offset is None else max_offset
    both = np.isfinite(predicted) & np.isfinite(experimental)
    p, e, _ = paired_pixels(predicted, experimental, min_offset, max_offset)
    expected = expected_by_offset(experimental, both)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_oe, e_oe, _ = paired_pixels(predicted / expected, experimental / expected, min_offset, max_offset)
    ins_p = insulation(predicted, insulation_window)
    ins_e = insulation(experimental, insulation_window)
    ins_ok = np.isfinite(ins_p) & np.isfinite(ins_e)
    interior = interior_bins(bin_mask(predicted) & bin_mask(experimental), insulation_window)
    ins_ok &= interior
    precision, recall = boundary_agreement(boundaries(predicted, insulation_window) & interior,
                                           boundaries(experimental, insulation_window) & interior,
                                           boundary_tolerance)
    pe, ee = expected_by_offset(predicted, both)[min_offset : max_offset + 1], expected[min_offset : max_offset + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        ps_log2 = np.abs(np.log2(pe / ee))
    return {
        "n_pixels": int(len(p)),
        "pearson_log1p": _pearson(np.log1p(p), np.log1p(e)),
        "spearman_log1p": float(stats.spearmanr(p, e).statistic) if len(p) > 2 else np.nan,
        "pearson_oe": _pearson(p_oe, e_oe),
        "scc": scc_hicrep(predicted, experimental, scc_h, scc_max_offset),
        "scc_masked": scc(predicted, experimental, scc_h, min_offset, scc_max_offset),
        "pearson_insulation": _pearson(ins_p[ins_ok], ins_e[ins_ok]),
        "mse_log1p": float(np.mean((np.log1p(p) - np.log1p(e)) ** 2)) if len(p) else np.nan,
        "r2_log1p": r_squared(np.log1p(p), np.log1p(e)),
        "ps_log2_deviation": float(np.nanmean(ps_log2)) if np.isfinite(ps_log2).any() else np.nan,
        "boundary_precision": precision,
        "boundary_recall": recall,
    }


def r_squared(predicted, observed):
    """Coefficient of determination ``1 - SS_res / SS_tot`` of ``observed`` by ``predicted`` (MIX-HIC v2, section 5.1,
    Table 2; its maps are log-transformed, here log1p)."""
    total = np.sum((observed - np.mean(observed)) ** 2) if len(observed) else 0.0
    return float(1 - np.sum((observed - predicted) ** 2) / total) if total > 0 else np.nan


def window_band(band, lo, hi):
    """The band of bins ``lo..hi-1`` alone: pixels reaching past ``hi`` are NaN."""
    part = band[lo:hi].copy()
    reach = np.arange(hi - lo)[:, None] + np.arange(part.shape[1])[None, :]
    part[reach >= hi - lo] = np.nan
    return part


def window_is_scored(experimental, max_zero_fraction=0.05):
    """HiCDiffusion's window filter (Methods, "TADs calling"): leave out windows of the real map that start or
    end with zeros or hold more than 5% zeros.

    Parameters
    ----------
    experimental : ndarray, shape (n, width)
        The window's experimental band (:func:`window_band`); NaN (masked) counts as zero.
    max_zero_fraction : float
        The paper's 5%.

    Notes
    -----
    "Starting/ending with zeros" is read as: the window's first or last bin has no nonzero contact; zeros are
    counted over the band's pixels in the window, as the maps here hold the band only (the paper's 256 x 256
    windows hold every pixel).
    """
    dense = dense_from_band(experimental)
    n, width = experimental.shape
    offsets = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    nonzero = np.isfinite(dense) & (dense != 0)
    in_band = np.triu(offsets < width)
    zeros = np.count_nonzero(in_band & ~nonzero) / np.count_nonzero(in_band)
    return bool(nonzero[0].any() and nonzero[-1].any() and zeros <= max_zero_fraction)


def scored_windows(predicted, experimental, spans, max_offset=None):
    """``(predicted, experimental)`` window bands (:func:`window_band`, cut at ``max_offset``) of the windows
    that pass :func:`window_is_scored`."""
    width = (experimental.shape[1] - 1 if max_offset is None else max_offset) + 1
    pairs = []
    for lo, hi in spans:
        truth = window_band(experimental[:, :width], lo, hi)
        if window_is_scored(truth):
            pairs.append((window_band(predicted[:, :width], lo, hi), truth))
    return pairs


def per_window(predicted, experimental, spans, **settings):
    """HiCDiffusion's per-window protocol (Methods, "Testing the models"): metrics of each window's map,
    then their mean over the windows of the chromosome that pass :func:`window_is_scored`.

    Parameters
    ----------
    predicted, experimental : ndarray, shape (n, width)
        Bands of the chromosome.
    spans : iterable of (int, int)
        Each window's first bin and end bin.
    **settings
        Keyword arguments of :func:`compare`; the bands are cut at its ``max_offset``.

    Returns
    -------
    dict
        ``n_windows`` (scored), ``n_pixels`` (summed), and the mean of each metric of :func:`compare`
        over the windows where it is defined.
    """
    scored = [compare(p, e, **settings) for p, e in scored_windows(predicted, experimental, spans,
                                                                     settings.get("max_offset"))]
    if not scored:
        return {"n_windows": 0, "n_pixels": 0}
    table = pd.DataFrame(scored)
    return {"n_windows": len(scored), "n_pixels": int(table["n_pixels"].sum()),
            **table.drop(columns="n_pixels").mean(skipna=True).to_dict()}
