"""The distance-decay baseline: every pixel predicted by the mean contact at its offset.

P(s) is measured on the training chromosomes of the experimental map, so the
baseline sees what the model sees and nothing of the test chromosome.
"""

import numpy as np

from .metrics import expected_by_offset


def distance_decay(experimental, chroms, width, scale):
    """Mean scaled balanced contact at offsets ``0..width-1`` over ``chroms``.

    Parameters
    ----------
    experimental : hicmodels.hic.cool.ExperimentalMap
    chroms : list of str
        Reference names of the chromosomes to average over.
    width : int
    scale : float
        Contact scale (:meth:`~hicmodels.hic.cool.ExperimentalMap.contact_scale`).
    """
    bands = [experimental.band(c, width) for c in chroms]
    return expected_by_offset(np.concatenate(bands)) * scale


def baseline_band(decay, nbins):
    """Band of a chromosome of ``nbins`` bins predicted by ``decay`` alone."""
    band = np.tile(decay, (nbins, 1))
    rows = np.arange(nbins)[:, None]
    band[rows + np.arange(len(decay))[None, :] >= nbins] = np.nan
    return band
