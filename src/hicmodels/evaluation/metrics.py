"""Comparing a predicted map with an experimental one, chromosome by chromosome.

Maps are bands (:mod:`hicmodels.hic.band`): ``band[i, k]`` is the contact
between bins ``i`` and ``i + k``. Pixel-wise metrics use offsets
``min_offset..max_offset`` and the pixels finite in both maps.

- ``pearson_log1p``, ``spearman_log1p``: on ``log1p`` of the contacts.
- ``pearson_oe``: on observed/expected, where *both* maps are divided by the
  experimental map's mean contact at each offset. One denominator for every
  predictor makes the numbers comparable; a predictor that knows only the
  distance decay scores exactly 0.
- ``scc``: HiCRep stratum-adjusted correlation (Yang et al. 2017): 2D mean
  filter of half-width ``h``, Pearson per offset, offsets weighted by
  ``N_k * sqrt(var(rank_x / N_k) * var(rank_y / N_k))``.
- ``pearson_insulation``: Pearson of the diamond insulation scores
  (cooltools' definition, :func:`insulation`).
"""

import numpy as np
from scipy import stats

from ..hic.band import shift_rows


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


def insulation(band, window, ignore_diags=2):
    """log2 diamond insulation score of each bin (cooltools' definition).

    The score of bin ``c`` is the mean of the finite pixels ``(c - a, c + b)``,
    ``0 <= a, b < window``, ``a + b >= ignore_diags``, divided by the median
    score over the chromosome.
    """
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
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        score[score == 0] = np.nan
        return np.log2(score / np.nanmedian(score))


def compare(predicted, experimental, min_offset=1, max_offset=None, scc_h=2, scc_max_offset=16,
            insulation_window=5):
    """All metrics of one predicted band against the experimental band.

    Parameters
    ----------
    predicted, experimental : ndarray, shape (n, width)
        Bands on the same bins (scaled balanced contacts).
    min_offset, max_offset : int
        Offsets (in bins) the pixel-wise metrics use; ``max_offset`` defaults
        to the band's last column.

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
    return {
        "n_pixels": int(len(p)),
        "pearson_log1p": _pearson(np.log1p(p), np.log1p(e)),
        "spearman_log1p": float(stats.spearmanr(p, e).statistic) if len(p) > 2 else np.nan,
        "pearson_oe": _pearson(p_oe, e_oe),
        "scc": scc(predicted, experimental, scc_h, min_offset, scc_max_offset),
        "pearson_insulation": _pearson(ins_p[ins_ok], ins_e[ins_ok]),
    }
