"""Training targets of a model: ``log1p`` contacts (HiCDiffusion family) or Akita's log observed/expected.

A model preset's ``target_transform`` picks one (``log1p`` when absent):

``log1p``  ``log1p`` of scaled contacts (:func:`hicmodels.modelling.inputs.load_targets`), NaN where masked;
           the model's output is stored as ``expm1`` (values ``log1p_contacts``).
``akita``  Akita's preprocessing (Fudenberg et al. 2020, Methods "Training data"; Lu et al. section 2):
           adaptive coarse-graining of low-coverage pixels by their raw counts, observed/expected,
           log, clipping to (-2, 2), linear interpolation of NaN pixels, the first diagonals set to 0,
           Gaussian smoothing (sigma 1, width 5). The model's output is ``log(O/E)`` and is stored as
           ``exp`` of it, the O/E ratio (values ``log_oe``, as imported Akita models).

Each window is transformed on its own, as Akita does, so the expected (the
mean of each diagonal of the coarse-grained window, over cooltools' distance
bins) is the window's. cooltools supplies the steps
(:func:`cooltools.lib.numutils.adaptive_coarsegrain`,
``observed_over_expected``, ``interp_nan``); scipy the smoothing. Masked bins
(whole NaN rows of the balanced map) are interpolated from their neighbours,
as in Akita, so the target has no NaN.
"""

import numpy as np
from cooltools.lib import numutils
from scipy.ndimage import gaussian_filter

from .inputs import load_targets

TRANSFORMS = ("log1p", "akita")
# Akita's constants (basenji's akita data preparation, Fudenberg et al. 2020): coarse-grain pixels with fewer
# than 2 raw counts, up to 8 levels; clip log O/E to (-2, 2); sigma 1 with the kernel cut at 2 sigma: width 5.
COARSEGRAIN_CUTOFF, COARSEGRAIN_LEVELS = 2, 8
CLIP = 2.0
SIGMA, TRUNCATE = 1.0, 2.0
# Values each transform's model output stands for (modelling.store.VALUE_NAMES).
VALUES = {"log1p": "log1p_contacts", "akita": "log_oe"}


def window_targets(experimental, windows, nbins, scale, model_config):
    """The targets of reference windows for a model, shape (n, nbins, nbins), float32.

    Parameters
    ----------
    experimental : hicmodels.hic.cool.ExperimentalMap
    windows : DataFrame
        Reference window rows (``chrom``, ``start``, ``end``).
    nbins : int
        Bins per window on the model's grid.
    scale : float
        Contact scale of the experimental map (``log1p`` targets depend on it; O/E does not).
    model_config : dict
        The model's config: its ``target_transform`` and, for ``akita``, ``diagonal_offset``.
    """
    transform = target_transform(model_config)
    if transform == "log1p":
        return load_targets(experimental, windows, nbins, scale)
    counts = experimental.counts_view()
    maps = [akita_target(experimental.window(w.chrom, w.start, w.end, nbins, scale),
                         counts.window(w.chrom, w.start, w.end, nbins, 1.0), model_config["diagonal_offset"])
            for w in windows.itertuples()]
    return np.stack(maps) if maps else np.empty((0, nbins, nbins), np.float32)


def target_transform(model_config):
    """The model's ``target_transform`` (``log1p`` when absent)."""
    from .. import models

    return models.base_config(model_config).get("target_transform", "log1p")


def akita_target(balanced, counts, diagonal_offset):
    """Akita's target of one window: smoothed, clipped ``log(observed / expected)``.

    Parameters
    ----------
    balanced : ndarray (n, n)
        Balanced contacts (any scale: O/E does not depend on it), NaN where masked.
    counts : ndarray (n, n)
        Raw counts of the same pixels (what coarse-graining counts).
    diagonal_offset : int
        Diagonals ``|i - j| < diagonal_offset`` are set to 0 before smoothing (Akita predicts none of them).

    Returns
    -------
    ndarray (n, n), float32
        Symmetric, without NaN (all NaN for a window without any contact).
    """
    n = balanced.shape[0]
    masked = ~np.isfinite(balanced).any(axis=0)
    if masked.all():
        return np.full((n, n), np.nan, np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):  # cooltools divides by empty pools (NaN: left as such)
        coarse = numutils.adaptive_coarsegrain(balanced, counts, cutoff=COARSEGRAIN_CUTOFF,
                                               max_levels=COARSEGRAIN_LEVELS)
    valid = np.isfinite(coarse) & ~masked[:, None] & ~masked[None, :]
    observed_expected = numutils.observed_over_expected(np.where(valid, coarse, 0.0), valid)[0]
    with np.errstate(divide="ignore", invalid="ignore"):  # a pixel without contacts: log 0 = -inf, clipped to -2
        logged = np.clip(np.log(observed_expected), -CLIP, CLIP)
    # masked bins are whole NaN rows and columns, what interp_nan fills; a NaN left elsewhere (a diagonal
    # whose expected is 0) is no enrichment
    logged[~valid] = np.nan
    logged[~masked[:, None] & ~masked[None, :] & ~np.isfinite(logged)] = 0.0
    filled = numutils.interp_nan(logged) if masked.any() else logged
    distance = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    filled[distance < diagonal_offset] = 0.0
    return gaussian_filter(filled, sigma=SIGMA, truncate=TRUNCATE).astype(np.float32)
