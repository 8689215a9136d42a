"""Banded storage of one chromosome's map: ``band[i, k] = M[i, i + k]``.

Models predict contacts up to a window's span, and metrics look no further,
so a chromosome's map is held as an ``(n, width)`` array instead of ``(n, n)``:
a human chromosome at 8 kb takes megabytes, not gigabytes. Entries past the
chromosome end are NaN.
"""

import numpy as np


def band_from_dense(matrix, width):
    """Upper band of a square matrix."""
    n = matrix.shape[0]
    band = np.full((n, width), np.nan)
    for k in range(min(width, n)):
        band[: n - k, k] = np.diagonal(matrix, k)
    return band


def dense_from_band(band):
    """Symmetric square matrix of a band; pixels beyond the band are NaN."""
    n, width = band.shape
    matrix = np.full((n, n), np.nan)
    for k in range(min(width, n)):
        idx = np.arange(n - k)
        matrix[idx, idx + k] = band[: n - k, k]
        matrix[idx + k, idx] = band[: n - k, k]
    return matrix


def band_from_cooler(clr, chrom, width, missing=0.0, rows_per_chunk=2000):
    """Balanced band of one chromosome of a cooler, read in row blocks.

    Parameters
    ----------
    clr : cooler.Cooler
        Must have a ``weight`` column; bins with NaN weight give NaN pixels.
    chrom : str
        Chromosome name as the cooler spells it.
    width : int
        Number of diagonals (0 = main diagonal).
    missing : float
        Value of pixels the cooler does not store: 0 for experimental maps
        (no contacts seen), NaN for predicted maps (not predicted).
    """
    lo, hi = clr.extent(chrom)
    n = hi - lo
    weight = clr.bins()["weight"][lo:hi].to_numpy()
    good = np.isfinite(weight)
    band = np.full((n, width), np.nan)
    if missing == missing:  # a number, not NaN: only pixels between good bins get it
        for k in range(min(width, n)):
            band[: n - k, k] = np.where(good[: n - k] & good[k:], missing, np.nan)
    selector = clr.matrix(balance=True, as_pixels=True)
    for start in range(0, n, rows_per_chunk):
        stop = min(start + rows_per_chunk, n)
        pixels = selector[lo + start : lo + stop, lo + start : lo + min(stop + width, n)]
        i = pixels["bin1_id"].to_numpy() - lo
        k = pixels["bin2_id"].to_numpy() - lo - i
        inside = (k >= 0) & (k < width)
        band[i[inside], k[inside]] = pixels["balanced"].to_numpy()[inside]
    return band


def shift_rows(band, offset):
    """``out[i] = band[i + offset]``, NaN where that row does not exist."""
    out = np.full_like(band, np.nan)
    n = band.shape[0]
    if offset >= 0:
        out[: n - offset] = band[offset:]
    else:
        out[-offset:] = band[: n + offset]
    return out
