"""Stitching per-window maps into one chromosome-wide map (mean where windows overlap)."""

import numpy as np


class ChromosomeStitcher:
    """Accumulates window maps on one chromosome's bin grid.

    Parameters
    ----------
    nbins : int
        Bins on the chromosome.
    """

    def __init__(self, nbins):
        self.nbins = nbins
        self._rows, self._cols, self._values = [], [], []

    def add(self, bins, matrix):
        """Add a window map.

        Parameters
        ----------
        bins : array of int
            The chromosome bins the rows/columns of ``matrix`` stand for
            (strictly increasing, within ``0..nbins``).
        matrix : ndarray, shape (len(bins), len(bins))
            Values; NaN pixels are not counted.
        """
        bins = np.asarray(bins, dtype=np.int64)
        if bins.size and (bins[0] < 0 or bins[-1] >= self.nbins or np.any(np.diff(bins) <= 0)):
            raise ValueError("window bins must be increasing and inside the chromosome")
        i, j = np.triu_indices(len(bins))
        values = matrix[i, j]
        finite = np.isfinite(values)
        self._rows.append(bins[i[finite]])
        self._cols.append(bins[j[finite]])
        self._values.append(values[finite].astype(np.float64))

    def result(self):
        """Upper-triangle pixels of the stitched map.

        Returns
        -------
        rows, cols : ndarray of int64
            Bin indices with ``rows <= cols``, sorted by row then column.
        values : ndarray of float64
            Mean over the windows that cover each pixel.
        coverage : ndarray of int64
            Number of windows behind each pixel.
        """
        if not self._rows:
            empty = np.array([], dtype=np.int64)
            return empty, empty, np.array([], dtype=np.float64), empty
        pixel = np.concatenate(self._rows) * self.nbins + np.concatenate(self._cols)
        pixels, which = np.unique(pixel, return_inverse=True)
        total = np.bincount(which, weights=np.concatenate(self._values))
        count = np.bincount(which)
        return pixels // self.nbins, pixels % self.nbins, total / count, count


def diagonal_coverage(pixels, valid):
    """How much of each diagonal of a stitched map was predicted.

    Windows overlap, so pixels near a window's span are predicted only where a
    window happens to hold both bins: with windows of ``W`` bins every ``S``
    bins, diagonal ``k > W - S`` is predicted at ``(W - k) / S`` of its
    positions. Readers that take an unstored pixel for zero contacts
    (``cooltools expected-cis``) see that as a fall of the contact probability.

    Parameters
    ----------
    pixels : dict
        chrom -> (rows, cols, values), upper-triangle pixels.
    valid : dict
        chrom -> boolean mask of bins that received predictions.

    Returns
    -------
    possible, predicted : ndarray of int64
        Per diagonal ``0..`` (up to the farthest pixel): pairs of valid bins,
        and how many of them hold a predicted pixel.
    """
    width = 1 + max((int((cols - rows).max()) for rows, cols, _ in pixels.values() if len(rows)), default=-1)
    possible = np.zeros(width, np.int64)
    predicted = np.zeros(width, np.int64)
    for chrom, (rows, cols, _) in pixels.items():
        good = valid[chrom]
        n = len(good)
        for k in range(min(width, n)):
            possible[k] += np.count_nonzero(good[: n - k] & good[k:])
        both = good[rows] & good[cols]
        predicted += np.bincount((cols - rows)[both], minlength=width)
    return possible, predicted


def full_band(possible, predicted, min_fraction):
    """Last diagonal up to which every diagonal has ``min_fraction`` of its valid pairs predicted.

    Leading diagonals that no window predicts at all (a model's ``diagonal_offset``: Akita leaves
    out the first two, its section "Model architecture") do not end the band: it is counted from
    the first predicted diagonal. Returns -1 when nothing is predicted or the first predicted
    diagonal does not qualify.
    """
    if not np.any(predicted):
        return -1
    with np.errstate(invalid="ignore", divide="ignore"):
        short = ~(predicted / possible >= min_fraction)  # a diagonal with no valid pair ends the band too
    first = int(np.argmax(predicted > 0))
    if short[first]:
        return -1
    short[:first] = False
    return int(np.argmax(short)) - 1 if short.any() else len(possible) - 1


def within_band(pixels, last_diagonal):
    """The pixels of :func:`ChromosomeStitcher.result` form (chrom -> (rows, cols, values)) up to ``last_diagonal``."""
    kept = {}
    for chrom, (rows, cols, values) in pixels.items():
        keep = cols - rows <= last_diagonal
        kept[chrom] = (rows[keep], cols[keep], values[keep])
    return kept
