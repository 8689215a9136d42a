"""Loop labels of a cell line for MIX-HIC's loop head: positives and distance-matched negatives.

Positives are the loops of a user BEDPE (e.g. ChIA-PET, the paper's source)
or, without one, the loops called on the cell line's experimental map with
cooltools' ``dots`` (:func:`hicmodels.evaluation.loops.call_loops`). Each
loop becomes the anchor bins ``(bin1, bin2)`` at the model's bin size.
Negatives follow MIX-HIC v2 A.1's first criterion (distances drawn from the
positives'): one pixel per loop at the same separation, away from every loop
(:func:`hicmodels.evaluation.loops.distance_matched_negatives`).

The table (TSV) has ``chrom``, ``bin1``, ``bin2``, ``label`` (1, 0) per
candidate; a window of the loop head centres the x segment on ``bin1`` and
the y segment on ``bin2`` (:func:`hicmodels.multimodal.samples.loop_windows`).
"""

import logging

import numpy as np
import pandas as pd

from ..errors import InputError
from ..evaluation.loops import BEDPE, distance_matched_negatives

log = logging.getLogger(__name__)

LABEL_COLUMNS = ["chrom", "bin1", "bin2", "label"]


def read_bedpe(path, aliases=None):
    """The first six columns of a BEDPE (header lines ``#``/``track`` skipped), names through ``aliases``.

    Raises
    ------
    InputError
        Naming the file and line of a row with fewer than six fields or non-integer coordinates.
    """
    rows = []
    aliases = aliases or {}
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip() or line.startswith(("#", "track", "chrom1\t")):
                continue
            fields = line.rstrip("\n").split("\t")
            try:
                if len(fields) < 6:
                    raise ValueError(f"{len(fields)} fields")
                rows.append((aliases.get(fields[0], fields[0]), int(fields[1]), int(fields[2]),
                             aliases.get(fields[3], fields[3]), int(fields[4]), int(fields[5])))
            except ValueError as err:
                raise InputError(f"not a BEDPE row (chrom1 start1 end1 chrom2 start2 end2): {err}",
                                 path, line=number) from None
    return pd.DataFrame(rows, columns=BEDPE)


def anchor_bins(loops, binsize, chromsizes):
    """``chrom``, ``bin1 <= bin2``: the bins holding each intra-chromosomal loop's anchor midpoints.

    Loops between chromosomes, or on chromosomes outside ``chromsizes``, are
    left out (counted in the log); duplicates collapse to one.
    """
    intra = loops[(loops["chrom1"] == loops["chrom2"]) & loops["chrom1"].isin(list(chromsizes.index))]
    if len(intra) < len(loops):
        log.info("%d of %d loops left out: between chromosomes or off the modelled chromosomes",
                 len(loops) - len(intra), len(loops))
    first = ((intra["start1"] + intra["end1"]) // 2 // binsize).to_numpy()
    second = ((intra["start2"] + intra["end2"]) // 2 // binsize).to_numpy()
    table = pd.DataFrame({"chrom": intra["chrom1"].to_numpy(), "bin1": np.minimum(first, second),
                          "bin2": np.maximum(first, second)})
    return table.drop_duplicates(ignore_index=True)


def loop_labels(loops, binsize, chromsizes, tolerance_bins, seed=0):
    """Positives (label 1) and as many distance-matched negatives (label 0) per chromosome.

    Parameters
    ----------
    loops : DataFrame
        BEDPE (:data:`hicmodels.evaluation.loops.BEDPE` columns).
    binsize : int
        The model's bin (5 kb).
    chromsizes : Series
        Reference chromosome lengths (bp).
    tolerance_bins : int
        A negative's anchors lie farther than this from every loop's (in either anchor).
    seed : int

    Returns
    -------
    DataFrame
        :data:`LABEL_COLUMNS`, chromosomes in ``chromsizes`` order, positives first.
    """
    anchors = anchor_bins(loops, binsize, chromsizes)
    parts = []
    for number, chrom in enumerate(chromsizes.index):
        positives = anchors[anchors["chrom"] == chrom]
        if positives.empty:
            continue
        nbins = -(-int(chromsizes[chrom]) // binsize)
        bedpe = pd.DataFrame({"chrom1": chrom, "start1": positives["bin1"] * binsize,
                              "end1": (positives["bin1"] + 1) * binsize, "chrom2": chrom,
                              "start2": positives["bin2"] * binsize, "end2": (positives["bin2"] + 1) * binsize})
        negatives = distance_matched_negatives(bedpe, nbins, tolerance_bins, seed=seed + number)
        parts.append(positives.assign(label=1))
        parts.append(pd.DataFrame({"chrom": chrom, "bin1": negatives["start1"].to_numpy() // binsize,
                                   "bin2": negatives["start2"].to_numpy() // binsize, "label": 0}))
        log.info("%s: %d loops, %d distance-matched negatives", chrom, len(positives), len(negatives))
    if not parts:
        raise InputError("no loops on the modelled chromosomes: the loop head has nothing to learn")
    return pd.concat(parts, ignore_index=True)[LABEL_COLUMNS]


def read_labels(path):
    """A labels table written by the ``multimodal loop-labels`` command."""
    table = pd.read_csv(path, sep="\t", dtype={"chrom": str})
    missing = [c for c in LABEL_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"not a loop labels table: no columns {missing}", path)
    return table
