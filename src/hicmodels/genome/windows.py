"""Genome windows: tiling the reference and carrying each window into a haplotype.

A window table has one row per reference window:

=============  ============================================================
window_id      ``chrom:start-end`` of the reference window
chrom, start,  the reference window (0-based half-open)
end
split          ``train``, ``validation`` or ``test`` (by chromosome)
pchrom,        the personal interval covering the same reference bases
pstart, pend   (may be longer or shorter than the window; reference = itself)
seq_chrom,     the fixed-length interval the model reads, in the coordinates
seq_start,     of the genome it reads (re-centred on the covering interval
seq_end        for a haplotype)
status         ``ok``, or why the window is not predicted
=============  ============================================================
"""

import logging

import bioframe
import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import write_tsv
from .liftover import lift_intervals, mark_copies

log = logging.getLogger(__name__)

WINDOW_COLUMNS = [
    "window_id", "chrom", "start", "end", "split",
    "pchrom", "pstart", "pend", "seq_chrom", "seq_start", "seq_end", "status",
]


def tile(chromsizes, size, step, binsize, cover_ends=True):
    """Windows of ``size`` bp every ``step`` bp from each chromosome start.

    With ``cover_ends``, a last window is anchored at the chromosome end
    (its start rounded down to a multiple of ``binsize``) so the tail of the
    chromosome is covered too. Chromosomes shorter than ``size`` get none.
    """
    rows = []
    for chrom, length in chromsizes.items():
        if length < size:
            log.info("%s (%d bp) is shorter than one window (%d bp): no windows", chrom, length, size)
            continue
        starts = list(range(0, length - size + 1, step))
        tail = (length - size) // binsize * binsize
        if cover_ends and tail > starts[-1]:
            starts.append(tail)
        rows += [(chrom, s, s + size) for s in starts]
    return pd.DataFrame(rows, columns=["chrom", "start", "end"])


def drop_excluded(windows, excluded):
    """Windows overlapping no excluded region, and the number dropped per region name."""
    if not len(excluded):
        return windows.reset_index(drop=True), {}
    hits = bioframe.overlap(windows, excluded, how="inner", return_index=True, suffixes=("", "_x"))
    bad = hits["index"].unique()
    reasons = hits.drop_duplicates("index")["name_x"].value_counts().to_dict()
    return windows.drop(index=bad).reset_index(drop=True), reasons


def reference_windows(chromsizes, chromosomes, size, step, binsize, excluded, splits):
    """The reference window table.

    Parameters
    ----------
    chromsizes : Series
    chromosomes : list of str
        Chromosomes to tile (the modelled ones).
    size, step, binsize : int
    excluded : DataFrame
        ``chrom``, ``start``, ``end``, ``name`` regions windows may not overlap.
    splits : dict
        ``{"test": [...], "validation": [...]}``; other chromosomes train.
    """
    unknown = sorted(set(chromosomes) - set(chromsizes.index))
    if unknown:
        raise InputError(f"chromosomes not in the reference: {unknown}")
    windows = tile(chromsizes[chromosomes], size, step, binsize)
    windows, dropped = drop_excluded(windows, excluded)
    for name, count in dropped.items():
        log.info("dropped %d windows overlapping %s regions", count, name)
    split = pd.Series("train", index=windows.index)
    for name in ("validation", "test"):
        split[windows["chrom"].isin(splits.get(name, []))] = name
    out = windows.assign(
        window_id=windows["chrom"] + ":" + windows["start"].astype(str) + "-" + windows["end"].astype(str),
        split=split,
        pchrom=windows["chrom"], pstart=windows["start"], pend=windows["end"],
        seq_chrom=windows["chrom"], seq_start=windows["start"], seq_end=windows["end"],
        status="ok",
    )
    return out[WINDOW_COLUMNS]


def haplotype_windows(windows, blocks, personal_sizes):
    """Carry reference windows into a haplotype through its mapping.

    The covering interval spans the primary copies of the window's reference
    bases (:func:`~hicmodels.genome.liftover.mark_copies`) on the personal
    chromosome holding most of them: inserted bases and extra copies between
    them are inside it (a tandem duplication within the window), copies
    elsewhere are not (a trans-duplication's pasted copy, a copy past the
    window's end). Across a translocation the chromosome with the larger part
    of the window wins; the window's sequence then runs into the partner
    chromosome. The model window keeps the reference window's length and is
    centred on the covering interval, shifted inwards at chromosome ends.
    """
    size = windows["end"] - windows["start"]
    blocks = blocks if "copy" in blocks.columns else mark_copies(blocks)
    pieces = lift_intervals(blocks, windows[["chrom", "start", "end", "window_id"]])
    pieces = pieces[pieces["copy"] == 0]
    pieces = pieces.assign(bp=pieces["pend"] - pieces["pstart"])
    main = pieces.groupby(["window_id", "pchrom"], sort=False)["bp"].sum().reset_index()
    main = main.sort_values("bp", ascending=False, kind="stable").drop_duplicates("window_id")
    span = pieces.merge(main[["window_id", "pchrom"]], on=["window_id", "pchrom"])
    span = span.groupby("window_id").agg(pchrom=("pchrom", "first"), pstart=("pstart", "min"), pend=("pend", "max"))
    out = windows.drop(columns=["pchrom", "pstart", "pend", "seq_chrom", "seq_start", "seq_end", "status"])
    out = out.merge(span, left_on="window_id", right_index=True, how="left")
    plen = out["pchrom"].map(personal_sizes)
    centre = (out["pstart"] + out["pend"]) // 2
    seq_start = np.minimum(np.maximum(centre - size // 2, 0), plen - size)
    status = np.select(
        [out["pchrom"].isna(), plen < size],
        ["reference window deleted in this haplotype", "personal chromosome shorter than the window"],
        "ok",
    )
    out = out.assign(seq_chrom=out["pchrom"], seq_start=seq_start, seq_end=seq_start + size, status=status)
    ok = out["status"] == "ok"
    for col in ("pstart", "pend", "seq_start", "seq_end"):
        out[col] = out[col].where(ok, -1).astype(np.int64)
    out["pchrom"] = out["pchrom"].fillna(".")
    out["seq_chrom"] = out["seq_chrom"].fillna(".")
    for reason, count in out.loc[~ok, "status"].value_counts().items():
        log.warning("%d windows not predicted: %s", count, reason)
    return out[WINDOW_COLUMNS]


def write_windows(windows, path):
    write_tsv(windows, path)


def read_windows(path):
    table = pd.read_csv(path, sep="\t", dtype={"chrom": str, "pchrom": str, "seq_chrom": str})
    missing = [c for c in WINDOW_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"not a window table, missing columns {missing}", path)
    return table
