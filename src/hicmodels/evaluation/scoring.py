"""Scoring predicted reference maps against the experimental map on held-out chromosomes.

Each model is scored on the test chromosomes of its window table, next to the
distance-decay baseline (:mod:`.baselines`) restricted to the model's pixels;
:func:`side_by_side` puts several models of one run into one table.
"""

import numpy as np
import pandas as pd

from ..hic.band import band_from_cooler
from ..hic.cool import open_cooler, reading
from ..modelling.store import VALUE_NAMES
from . import metrics
from .baselines import baseline_band, distance_decay

BASELINE = "distance_decay"


def split_chromosomes(windows, split):
    """Chromosomes with windows of ``split`` (``train``, ``validation``, ``test``), in table order."""
    return list(dict.fromkeys(windows.loc[windows["split"] == split, "chrom"]))


def observed_over_expected(clr):
    """Whether a predicted cooler holds O/E ratios (an Akita-target model's ``values``), not contacts."""
    return clr.info.get("metadata", {}).get("values") == VALUE_NAMES["log_oe"]


def evaluate(predicted_path, experimental, test_chroms, train_chroms, width, scale, settings, name):
    """One row of metrics per (predictor, chromosome): the model ``name``, then the baseline.

    Parameters
    ----------
    predicted_path : str
        Predicted reference ``.cool`` (scaled balanced contacts, masked bins NaN); one whose
        metadata ``values`` say O/E ratios (a model of Akita's targets) is multiplied by the
        baseline's P(s), measured on ``train_chroms``, so it is scored as contacts like the others:
        its ``pearson_oe`` is then its O/E against the experimental O/E, and a model that predicts
        O/E 1 everywhere scores exactly as the distance-decay baseline.
    experimental : hicmodels.hic.cool.ExperimentalMap
    test_chroms, train_chroms : list of str
        Chromosomes scored; chromosomes the baseline's P(s) is measured on.
    width : int
        Band width in bins (the model window's bins).
    scale : float
        Contact scale that puts the experimental map on the predicted scale.
    settings : dict
        Config section ``metrics``: ``min_offset``, ``scc_h``, ``scc_max_offset``,
        ``insulation_window`` (bins).
    name : str
        The model's name in the ``predictor`` column.
    """
    predicted = open_cooler(predicted_path)
    decay = distance_decay(experimental, train_chroms, width, scale)
    ratios = observed_over_expected(predicted)
    rows = []
    for chrom in test_chroms:
        truth = experimental.band(chrom, width) * scale
        with reading(predicted_path):
            model = band_from_cooler(predicted, chrom, width, missing=np.nan)
        n = min(len(truth), len(model))  # the cooler may carry one bin more or less
        truth, model = truth[:n], model[:n]
        if ratios:  # O/E back to contacts with the training P(s): every metric compares contacts with contacts
            model = model * baseline_band(decay, n)
        baseline = np.where(np.isfinite(model), baseline_band(decay, n), np.nan)  # same pixels as the model
        for predictor, band in ((name, model), (BASELINE, baseline)):
            scores = metrics.compare(
                band, truth, min_offset=settings["min_offset"], scc_h=settings["scc_h"],
                scc_max_offset=settings["scc_max_offset"], insulation_window=settings["insulation_window"],
            )
            rows.append({"predictor": predictor, "chrom": chrom, **scores})
    return pd.DataFrame(rows)


def evaluate_checkpoint(*, predicted_path, checkpoint, windows, experimental, settings, name):
    """:func:`evaluate` a model's predicted reference map as its checkpoint and window table define.

    The test chromosomes are those of the ``test`` windows, the baseline's
    P(s) comes from the ``train`` windows' chromosomes, the band is one model
    window wide, and the experimental map is put on the checkpoint's contact
    scale.
    """
    width = int(checkpoint["window_size"]) // int(checkpoint["bin_size"])
    return evaluate(predicted_path, experimental, split_chromosomes(windows, "test"),
                    split_chromosomes(windows, "train"), width, float(checkpoint["contact_scale"]), settings, name)


def side_by_side(tables):
    """Models of one run in one table: per chromosome, each model's row, then the baseline rows.

    Parameters
    ----------
    tables : dict
        Model name -> its :func:`evaluate` table.

    Returns
    -------
    DataFrame
        A baseline row that is the same for several models (same windows and
        contact scale, hence the same pixels) appears once; baselines that
        differ are named ``distance_decay@<model>``.
    """
    models = pd.concat([table[table["predictor"] == name] for name, table in tables.items()])
    baselines = pd.concat([table[table["predictor"] != name].assign(model=name) for name, table in tables.items()])
    kept = []
    for _, group in baselines.groupby(["predictor", "chrom"], sort=False):
        if len(group.drop(columns="model").drop_duplicates()) > 1:
            group = group.assign(predictor=group["predictor"] + "@" + group["model"])
        kept.append(group.drop(columns="model").drop_duplicates())
    combined = pd.concat([models, *kept], ignore_index=True)
    order = {chrom: i for i, chrom in enumerate(dict.fromkeys(combined["chrom"]))}
    return combined.sort_values("chrom", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)
