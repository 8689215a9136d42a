"""MIX-HIC's metrics (papers/mixhic-v2 section 5, Tables 2-4) and the distance-decay baseline on window arrays.

- Maps (Table 2) and CAGE (Table 4): R^2 (:func:`hicmodels.evaluation.metrics.r_squared`)
  and Pearson's r, per sample, averaged over samples (the paper reports the
  average R^2 over its test samples).
- Loops (Table 3): precision, recall and F1 of the probabilities thresholded
  at 0.5, and AUROC (torchmetrics).
- Baseline: every pixel of a window predicted by the mean contact at its
  genomic offset on the training chromosomes (as
  :func:`hicmodels.evaluation.baselines.distance_decay`), log1p.
"""

import numpy as np
import torch
from torchmetrics.functional import classification

from ..hic.band import band_from_dense
from .metrics import expected_by_offset, r_squared


def distance_decay(maps, width):
    """Mean contact at offsets ``0..width-1`` over whole-chromosome log1p maps (the training chromosomes)."""
    bands = [band_from_dense(np.expm1(m.astype(np.float64)), width) for m in maps]
    return expected_by_offset(np.concatenate(bands))


def window_offsets(distances, map_bins):
    """Offset ``|distance + j - i|`` in bins of pixel ``(i, j)``, for windows whose y starts ``distance`` after x."""
    return np.abs(np.asarray(distances, dtype=np.int64)[:, None, None] + np.arange(map_bins)[None, None, :]
                  - np.arange(map_bins)[None, :, None])


def window_decay(maps, distances):
    """Mean contact at offsets ``0..largest`` over the pixels of log1p windows (NaN at offsets no pixel has).

    The decay of :func:`distance_decay` when only windows are at hand (a
    pixel in several overlapping windows counts once per window).
    """
    offsets = window_offsets(distances, maps.shape[-1]).ravel()
    sums = np.bincount(offsets, np.expm1(np.asarray(maps, dtype=np.float64)).ravel())
    counts = np.bincount(offsets)
    with np.errstate(invalid="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def decay_windows(decay, distances, map_bins):
    """log1p of ``decay`` at each pixel's offset, for windows whose y segment starts ``distance`` bins after x."""
    return np.log1p(decay[window_offsets(distances, map_bins)])


def per_sample(predicted, observed):
    """Mean over samples of Pearson's r and R^2 of each sample's values (maps or CAGE vectors)."""
    predicted = predicted.reshape(len(predicted), -1).astype(np.float64)
    observed = observed.reshape(len(observed), -1).astype(np.float64)
    pearson = [np.corrcoef(p, o)[0, 1] for p, o in zip(predicted, observed)]
    return {"pearson": float(np.mean(pearson)), "r2": float(np.mean([r_squared(p, o) for p, o in
                                                                     zip(predicted, observed)]))}


def loop_scores(probabilities, labels):
    """Precision, recall, F1 at 0.5 and AUROC of loop probabilities against 0/1 labels."""
    p, y = torch.as_tensor(probabilities, dtype=torch.float32), torch.as_tensor(labels).long()
    return {"precision": float(classification.binary_precision(p, y)),
            "recall": float(classification.binary_recall(p, y)),
            "f1": float(classification.binary_f1_score(p, y)),
            "auroc": float(classification.binary_auroc(p, y))}
