"""Moving contact matrices between bin grids by base-pair overlap.

One operation serves every change of grid: a model window's bins onto the
reference bin grid (through a personal -> reference mapping, which may delete,
insert, invert or duplicate sequence), and an experimental map onto a model's
bins when their resolutions differ. A matrix ``M`` on source bins becomes
``W M W^T / W V W^T`` on destination bins, where ``W[d, s]`` is the number of
bases source bin ``s`` shares with destination bin ``d`` and ``V`` marks the
finite entries of ``M``: each destination pixel is the overlap-weighted mean of
the finite source pixels that land in it.
"""

import numpy as np
import pandas as pd
from scipy import sparse

from ..genome.liftover import lift_intervals


def split_at_bins(index, start, end, binsize):
    """Cut intervals at multiples of ``binsize``.

    Parameters
    ----------
    index : array of int
        A label carried along for each interval (e.g. the source bin).
    start, end : array of int
        Intervals, 0-based half-open.
    binsize : int

    Returns
    -------
    bins, index, overlap : ndarray of int64
        One row per (destination bin, interval) pair with the bases shared.
    """
    index, start, end = (np.asarray(a, dtype=np.int64) for a in (index, start, end))
    first = start // binsize
    count = np.where(end > start, (end - 1) // binsize - first + 1, 0)
    rep = np.repeat(np.arange(len(start)), count)
    bins = np.repeat(first, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
    lo = np.maximum(start[rep], bins * binsize)
    hi = np.minimum(end[rep], (bins + 1) * binsize)
    return bins, index[rep], hi - lo


def lift_window_bins(to_reference, seq_chrom, seq_start, seq_end, nbins):
    """Where the bins of a window's map lie in the reference.

    Parameters
    ----------
    to_reference : DataFrame
        Sequence -> reference mapping (:mod:`hicmodels.genome.liftover`; the
        :func:`~hicmodels.genome.liftover.invert` of a haplotype's chain
        blocks, identity blocks for a reference window).
    seq_chrom, seq_start, seq_end : str, int, int
        The window in the coordinates of the sequence the model saw.
    nbins : int
        Bins of the model's output.

    Returns
    -------
    DataFrame
        One row per piece of a window bin that has a reference origin:
        ``wbin`` (the window bin), ``pchrom``, ``pstart``, ``pend`` (the
        reference stretch; any chromosome), ``strand``, plus the lifted
        columns of :func:`~hicmodels.genome.liftover.lift_intervals`. Bases
        of the window in no piece are novel (inserted).
    """
    edges = np.linspace(seq_start, seq_end, nbins + 1).round().astype(np.int64)
    window_bins = pd.DataFrame({"chrom": seq_chrom, "start": edges[:-1], "end": edges[1:], "wbin": np.arange(nbins)})
    return lift_intervals(to_reference, window_bins)


def window_to_reference(to_reference, seq_chrom, seq_start, seq_end, nbins, chrom, binsize):
    """Overlaps between a window's bins and the reference bins of ``chrom``.

    Window bins are lifted to the reference (:func:`lift_window_bins`) and
    cut at the reference bin edges; an inverted stretch lands in reverse bin
    order. Pieces that map to another chromosome (the far side of a
    translocation, a trans-duplicated copy) are left out; so are inserted
    bases, which have no reference bin. A reference bin with several personal
    copies (a duplication) receives each of them, so :func:`resample` gives
    its pixels the overlap-weighted mean over the copies, contacts between
    copies included.

    Parameters
    ----------
    to_reference, seq_chrom, seq_start, seq_end, nbins
        As for :func:`lift_window_bins`.
    chrom : str
        Reference chromosome to land on.
    binsize : int
        Reference bin size.

    Returns
    -------
    ref_bins : ndarray of int64
        The reference bin indices touched, sorted.
    weights : scipy.sparse.csr_matrix, shape (len(ref_bins), nbins)
        Bases shared by each (reference bin, window bin) pair.
    pieces : DataFrame
        Every lifted piece of the window (:func:`lift_window_bins`), those on
        other chromosomes included, so callers can account for what is left out.
    """
    pieces = lift_window_bins(to_reference, seq_chrom, seq_start, seq_end, nbins)
    here = pieces[pieces["pchrom"] == chrom]
    dst, src, bp = split_at_bins(here["wbin"], here["pstart"], here["pend"], binsize)
    ref_bins, row = np.unique(dst, return_inverse=True)
    weights = sparse.csr_matrix((bp.astype(float), (row, src)), shape=(len(ref_bins), nbins))
    return ref_bins, weights, pieces


def resample(matrix, weights, dst_lengths=None, min_coverage=0.0):
    """Overlap-weighted mean of a square matrix onto another grid.

    Parameters
    ----------
    matrix : ndarray, shape (n, n)
        Source matrix; NaN marks missing pixels.
    weights : array or sparse matrix, shape (m, n)
        Bases shared by destination bin ``d`` and source bin ``s``.
    dst_lengths : array of int, optional
        Length of each destination bin, to compute coverage.
    min_coverage : float
        Destination bins whose bases are covered by finite source bins for
        less than this fraction of their length become NaN.

    Returns
    -------
    ndarray, shape (m, m)
        NaN where no finite source pixel lands.
    """
    weights = sparse.csr_matrix(weights)
    valid = np.isfinite(matrix)
    filled = np.where(valid, matrix, 0.0)
    if dst_lengths is not None and min_coverage > 0:
        good_source = valid.any(axis=1).astype(float)
        coverage = (weights @ good_source) / np.asarray(dst_lengths, dtype=float)
        weights = sparse.diags((coverage >= min_coverage).astype(float)) @ weights
    # rows scaled to sum 1 (the ratio below does not change): an identity grid change is then exact
    row_sums = np.asarray(weights.sum(axis=1)).ravel()
    weights = sparse.diags(np.divide(1.0, row_sums, out=np.zeros_like(row_sums, dtype=float), where=row_sums > 0)) @ weights
    num = weights @ (weights @ filled.T).T
    den = weights @ (weights @ valid.astype(float).T).T
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    out[den <= 0] = np.nan
    return out
