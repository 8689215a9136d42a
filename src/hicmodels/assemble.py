"""Assembling window predictions into a genome-wide map in reference coordinates.

Each window's map is moved onto the reference bin grid through the
reference -> sequence mapping (identity for the reference, the haplotype's
chain otherwise; :func:`hicmodels.hic.rebin.window_to_reference`), then windows
are averaged where they overlap. Reference bins the haplotype lacks, or that no
window covers, are masked (NaN weight).
"""

import logging

import numpy as np

from .genome.liftover import identity_blocks, invert
from .hic.cool import write_cool
from .hic.rebin import resample, window_to_reference
from .hic.stitch import ChromosomeStitcher

log = logging.getLogger(__name__)


def stitch_windows(windows, window_ids, maps, chromsizes, binsize, blocks=None, min_coverage=0.5):
    """Average window maps on the reference grid.

    Parameters
    ----------
    windows : DataFrame
        Window table (:mod:`hicmodels.genome.windows`).
    window_ids, maps : arrays
        Predictions (:func:`hicmodels.prediction.read_predictions`).
    chromsizes : Series
        Reference chromosome sizes.
    binsize : int
        Reference bin size of the output.
    blocks : DataFrame, optional
        Reference -> haplotype mapping; ``None`` for reference windows.
    min_coverage : float
        A reference bin is kept for a window only if at least this fraction of
        its bases is present in the window's sequence.

    Returns
    -------
    pixels : dict
        chrom -> (rows, cols, values), chromosome-local upper-triangle pixels.
    valid : dict
        chrom -> boolean mask of bins that received predictions.
    """
    to_reference = identity_blocks(chromsizes) if blocks is None else invert(blocks)
    by_id = windows.set_index("window_id")
    nbins_of = {c: -(-int(n) // binsize) for c, n in chromsizes.items()}
    stitchers, valid = {}, {}
    for window_id, matrix in zip(window_ids, maps):
        w = by_id.loc[window_id]
        chrom = w["chrom"]
        if chrom not in stitchers:
            stitchers[chrom] = ChromosomeStitcher(nbins_of[chrom])
            valid[chrom] = np.zeros(nbins_of[chrom], bool)
        ref_bins, weights = window_to_reference(
            to_reference, w["seq_chrom"], int(w["seq_start"]), int(w["seq_end"]), matrix.shape[0], chrom, binsize
        )
        lengths = np.minimum((ref_bins + 1) * binsize, chromsizes[chrom]) - ref_bins * binsize
        on_reference = resample(matrix.astype(np.float64), weights, lengths, min_coverage)
        stitchers[chrom].add(ref_bins, on_reference)
        valid[chrom][ref_bins[np.isfinite(on_reference).any(axis=1)]] = True
    pixels = {}
    for chrom, stitcher in stitchers.items():
        rows, cols, values, _ = stitcher.result()
        pixels[chrom] = (rows, cols, values)
        log.info("%s: %d of %d bins predicted", chrom, valid[chrom].sum(), len(valid[chrom]))
    return pixels, valid


def assemble_cool(windows, window_ids, maps, chromsizes, binsize, out_path, blocks=None, min_coverage=0.5,
                  metadata=None):
    """Stitch predictions and write them as a ``.cool`` (see :func:`stitch_windows`)."""
    pixels, valid = stitch_windows(windows, window_ids, maps, chromsizes, binsize, blocks, min_coverage)
    write_cool(out_path, chromsizes, binsize, pixels, valid, metadata)
