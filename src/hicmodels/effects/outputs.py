"""The tables a variant-effect run writes.

Per sample, ``<sample>.tsv``: :data:`.run.COLUMNS` (``cell_line`` and
``model`` first), one row per (haplotype, variant, background), by position.
The cohort table, ``cohort.tsv.gz`` (bgzip, tabix-indexed on its first
columns ``#chrom``, ``start``, ``end``; 0-based), holds every sample's rows with ``rank``: the
row's place, per background, when all rows are ordered by ``scd`` (largest
first, ties by position). ``predictions.tsv`` counts the predictions: asked
for, made (distinct windows) and the naive count (samples x variants x 2
windows, per background and augmentation).
"""

import logging
import os

import numpy as np
import pandas as pd
import pysam

from ..files import atomic_output, write_tsv

log = logging.getLogger(__name__)

RANK_SCORE = "scd"


def rank(table):
    """``rank`` within each background by :data:`RANK_SCORE`, largest first (NaN last)."""
    order = table.sort_values([RANK_SCORE, "chrom", "start", "variant", "sample", "haplotype"],
                              ascending=[False, True, True, True, True, True], na_position="last", kind="stable")
    ranks = order.groupby("background", sort=False).cumcount() + 1
    return table.assign(rank=ranks.reindex(table.index).to_numpy())


def write_sample_tables(table, out_paths):
    """One TSV per sample (``out_paths``: sample -> path), every sample in ``out_paths`` written."""
    for sample, path in out_paths.items():
        rows = table[table["sample"] == sample].sort_values(["chrom", "start", "end", "haplotype", "background"],
                                                           kind="stable")
        write_tsv(rows, path)


def write_cohort_table(table, path):
    """All rows, ranked, as bgzip TSV with a tabix index (``path`` ends in ``.gz``; ``.tbi`` beside it)."""
    ranked = rank(table).sort_values(["chrom", "start", "end", "sample", "haplotype", "background"], kind="stable")
    first = ["chrom", "start", "end"]
    ranked = ranked[first + [c for c in ranked.columns if c not in first]].rename(columns={"chrom": "#chrom"})
    with atomic_output(path, suffix=".tsv.gz") as tmp:
        plain = f"{tmp}.plain"
        ranked.to_csv(plain, sep="\t", index=False, na_rep="nan")
        pysam.tabix_compress(plain, str(tmp), force=True)
        os.remove(plain)
        pysam.tabix_index(str(tmp), seq_col=0, start_col=1, end_col=2, zerobased=True, meta_char="#", force=True)
        index_tmp = f"{tmp}.tbi"
    os.replace(index_tmp, f"{path}.tbi")


def prediction_counts(cache, n_samples, table, draws=1):
    """Predictions asked for and made, against the naive ``samples x variants x 2`` per background and augmentation.

    ``draws``: posterior-predictive draws per window (each window's draws are one prediction; a row's
    ``n_samples`` counts augmentations x draws).
    """
    scored = table[table["status"] == "ok"]
    augment = int(scored["n_samples"].max()) // draws if len(scored) else 0
    backgrounds = scored["background"].nunique()
    variants = scored["variant"].nunique()
    return pd.DataFrame({
        "samples": [n_samples], "distinct_variants": [variants], "backgrounds": [backgrounds],
        "augmentations": [augment], "rows": [len(table)], "requested": [cache.requested], "made": [cache.made],
        "naive": [n_samples * variants * 2 * backgrounds * augment],
        "naive_over_made": [n_samples * variants * 2 * backgrounds * augment / cache.made if cache.made else np.nan],
    })
