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
