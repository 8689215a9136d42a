"""Leave-one-chromosome-out folds: each fold's metrics table, and the tables over all folds.

HiCDiffusion (Methods, "Training, testing, and validation data") trains one model per chromosome:
chromosome i is tested, chromosome i + 1 validates (the last chromosome validates on the one before,
:func:`hicmodels.config.leave_one_out`), and its Fig. 3 averages "the per-chromosome metric". The
pooled table does the same: the mean (and standard deviation) over folds of each metric.
"""

import pandas as pd

#: Columns of a metrics table that name a row rather than hold a metric.
ROW_COLUMNS = ("predictor", "chrom", "protocol")


def metric_columns(table):
    """The metric columns of a metrics table: numeric, not a count (``n_*``), not a row label.

    Read by name, so metrics added to the table are carried along.
    """
    return [c for c in table.columns if c not in ROW_COLUMNS and not c.startswith("n_")
            and pd.api.types.is_numeric_dtype(table[c])]


def fold_tables(folds):
    """The per-fold metrics table and the table pooled over folds.

    Parameters
    ----------
    folds : list of tuple
        ``(fold, validation chromosome, metrics table)`` for each fold; the table is a fold's
        ``test_metrics.tsv`` (its ``chrom`` column is the fold's test chromosome).

    Returns
    -------
    per_fold : DataFrame
        Every row of every fold's table, after the columns ``fold`` and ``validation_chrom``.
    pooled : DataFrame
        One row per predictor (and protocol, where the tables have one), in the order they first
        appear: ``n_folds``, then for each metric its mean over the folds' rows and ``<metric>_sd``
        (sample standard deviation; NaN values are left out of both).
    """
    per_fold = pd.concat([table.assign(fold=fold, validation_chrom=validation)
                          for fold, validation, table in folds], ignore_index=True)
    per_fold = per_fold[["fold", "validation_chrom", *[c for c in per_fold.columns
                                                       if c not in ("fold", "validation_chrom")]]]
    keys = [c for c in ("predictor", "protocol") if c in per_fold.columns]
    metrics = metric_columns(per_fold.drop(columns=["fold"]))
    grouped = per_fold.groupby(keys, sort=False)
    pooled = grouped["fold"].nunique().rename("n_folds").to_frame()
    mean, sd = grouped[metrics].mean(), grouped[metrics].std(ddof=1)
    for metric in metrics:
        pooled[metric] = mean[metric]
        pooled[f"{metric}_sd"] = sd[metric]
    return per_fold, pooled.reset_index()
