"""Scoring predicted maps and the distance-decay baseline on held-out chromosomes."""

import numpy as np
import pandas as pd

from . import metrics
from .baseline import baseline_band, distance_decay
from .hic.band import band_from_cooler
from .hic.cool import open_cooler, reading


def evaluate(predicted_path, experimental, test_chroms, train_chroms, width, scale, settings):
    """One row of metrics per (predictor, chromosome).

    Parameters
    ----------
    predicted_path : str
        Predicted reference ``.cool`` (scaled balanced contacts, masked bins NaN).
    experimental : hicmodels.hic.cool.ExperimentalMap
    test_chroms, train_chroms : list of str
        Chromosomes scored; chromosomes the baseline's P(s) is measured on.
    width : int
        Band width in bins (the model window's bins).
    scale : float
        Contact scale that puts the experimental map on the predicted scale.
    settings : dict
        ``min_offset``, ``scc_h``, ``scc_max_offset``, ``insulation_window`` (bins).
    """
    predicted = open_cooler(predicted_path)
    decay = distance_decay(experimental, train_chroms, width, scale)
    rows = []
    for chrom in test_chroms:
        truth = experimental.band(chrom, width) * scale
        with reading(predicted_path):
            model = band_from_cooler(predicted, chrom, width, missing=np.nan)
        n = min(len(truth), len(model))  # the cooler may carry one bin more or less
        truth, model = truth[:n], model[:n]
        baseline = np.where(np.isfinite(model), baseline_band(decay, n), np.nan)  # same pixels as the model
        for name, band in (("model", model), ("distance_decay", baseline)):
            scores = metrics.compare(
                band, truth, min_offset=settings["min_offset"], scc_h=settings["scc_h"],
                scc_max_offset=settings["scc_max_offset"], insulation_window=settings["insulation_window"],
            )
            rows.append({"predictor": name, "chrom": chrom, **scores})
    return pd.DataFrame(rows)
