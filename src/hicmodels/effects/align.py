"""A window's map on a pair's common reference grid.

The window's bins are lifted to the reference through the genome's mapping
(:func:`hicmodels.hic.rebin.lift_window_bins`, the chain code) and cut at the
grid's bin edges (:func:`hicmodels.hic.rebin.split_at_bins`);
:func:`hicmodels.hic.rebin.resample` then takes the overlap-weighted mean. So
a deleted stretch leaves its grid bins NaN (masked), inserted bases land on no
grid bin (dropped), an inverted stretch lands in reverse bin order (mirrored)
and a duplicated stretch's copies are averaged, as the assembler does. Pieces
on another chromosome (a translocation's far side) are left out.
"""

import numpy as np
from scipy import sparse

from ..hic.rebin import lift_window_bins, resample, split_at_bins


def grid_weights(to_reference, seq_chrom, seq_start, seq_end, nbins, chrom, grid_start, binsize):
    """Bases shared by each (grid bin, window bin): sparse, shape ``(nbins, nbins)``."""
    pieces = lift_window_bins(to_reference, seq_chrom, seq_start, seq_end, nbins)
    here = pieces[pieces["pchrom"] == chrom]
    span = nbins * binsize
    lo = np.clip(here["pstart"].to_numpy() - grid_start, 0, span)
    hi = np.clip(here["pend"].to_numpy() - grid_start, 0, span)
    dst, src, bp = split_at_bins(here["wbin"].to_numpy(), lo, hi, binsize)
    return sparse.csr_matrix((bp.astype(float), (dst, src)), shape=(nbins, nbins))


def onto_grid(matrix, weights):
    """``matrix`` (window bins) on the grid; NaN where no window bin lands."""
    return resample(matrix, weights)
