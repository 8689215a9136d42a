"""The held-out test chromosome's MIX-HIC table: the rows of the paper's Tables 2-4.

Columns ``table`` (2: Hi-C maps, 3: loops, 4: CAGE), ``task`` (``hic``,
``loops``, ``cage``), ``predictor`` (the model entry; ``distance_decay``
for the Hi-C baseline), ``metric``, ``value``; metrics as the paper defines
them (:mod:`hicmodels.evaluation.mixhic`). Maps and CAGE are scored on the
Hi-C targets' kept windows of the test chromosomes, loops on their labelled
candidates. The baseline predicts each pixel by the mean training-window
contact at its genomic offset (deviation from
:func:`hicmodels.evaluation.mixhic.distance_decay`, which averages whole
chromosomes: the targets hold windows only, up to the offsets the test
windows need).
"""

import numpy as np
import pandas as pd

from ..evaluation.mixhic import decay_windows, loop_scores, per_sample, window_decay

COLUMNS = ["table", "task", "predictor", "metric", "value"]


def baseline_windows(train_maps, train_distances, distances, bins):
    """The distance-decay prediction (log1p) of windows ``distances`` apart from the training windows' decay.

    Offsets no training window reaches (a test window farther apart) take the farthest mean reached.
    """
    decay = window_decay(train_maps, train_distances)
    need = int(np.max(distances, initial=0)) + bins
    decay = np.pad(decay, (0, max(0, need - len(decay))), mode="edge")
    return decay_windows(decay, distances, bins)


def rows(table, task, predictor, metrics):
    return [(table, task, predictor, name, value) for name, value in metrics.items()]


def held_out_table(name, maps=None, loops=None, cage=None):
    """The table's rows for what was scored.

    Parameters
    ----------
    name : str
        The model entry.
    maps : dict, optional
        ``predicted``, ``observed`` (test windows, log1p), ``distances``
        (their y - x in bins) and ``train_observed``, ``train_distances``
        (the baseline's windows).
    loops : dict, optional
        ``probabilities``, ``labels``.
    cage : dict, optional
        ``predicted``, ``observed`` (log1p).
    """
    out = []
    if maps is not None:
        out += rows(2, "hic", name, per_sample(maps["predicted"], maps["observed"]))
        baseline = baseline_windows(maps["train_observed"], maps["train_distances"], maps["distances"],
                                    maps["observed"].shape[1])
        out += rows(2, "hic", "distance_decay", per_sample(baseline, maps["observed"]))
    if loops is not None:
        out += rows(3, "loops", name, loop_scores(loops["probabilities"], loops["labels"]))
    if cage is not None:
        out += rows(4, "cage", name, per_sample(cage["predicted"], cage["observed"]))
    return pd.DataFrame(out, columns=COLUMNS)
