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
status         ``ok``, or why the window is not predicted:
               ``too_many_n`` where more than ``max_n_fraction`` of the
               sequence the model would read is N (:func:`flag_n_windows`),
               or a reason the window has no place in a haplotype
=============  ============================================================
"""

import logging

import bioframe
import pysam
import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import write_tsv
from .liftover import lift_intervals, mark_copies
from .reference import runs_of_n

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


def n_fraction(fasta, windows):
    """Fraction of N (either case) in each window's ``seq_chrom:seq_start-seq_end`` of ``fasta``.

    Each chromosome is read once; windows without a sequence (``seq_start``
    -1) get NaN.
    """
    fraction = np.full(len(windows), np.nan)
    chrom = windows["seq_chrom"].to_numpy()
    start, end = windows["seq_start"].to_numpy(np.int64), windows["seq_end"].to_numpy(np.int64)
    has_seq = (start >= 0) & (end > start)
    try:
        with pysam.FastaFile(str(fasta)) as fa:
            for name in pd.unique(chrom[has_seq]):
                rows = np.flatnonzero(has_seq & (chrom == name))
                if name not in fa.references:
                    raise InputError(f"window sequence {name!r} is not in the FASTA", fasta)
                run_starts, run_ends = runs_of_n(fa.fetch(name).encode(), 1)
                before = np.concatenate([[0], np.cumsum(run_ends - run_starts)])

                def n_before(x):  # N bases in [0, x): the runs starting before x, less what lies past x
                    k = np.searchsorted(run_starts, x, side="right")
                    last_end = run_ends[np.maximum(k - 1, 0)] if len(run_ends) else np.zeros_like(x)
                    return before[k] - np.where(k > 0, np.clip(last_end - x, 0, None), 0)

                fraction[rows] = (n_before(end[rows]) - n_before(start[rows])) / (end[rows] - start[rows])
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the indexed FASTA: {err}", fasta) from None
    return fraction


def flag_n_windows(windows, fasta, max_n_fraction):
    """Give status ``too_many_n`` to ``ok`` windows whose sequence is more than ``max_n_fraction`` N.

    Such windows are listed (logged, and kept in the table) but not
    predicted: the model would read mostly unknown sequence, in runs too
    short to be excluded regions (``min_n_run_bp``) but too many to ignore.

    Parameters
    ----------
    windows : DataFrame
        Window table; ``seq_*`` columns refer to ``fasta``.
    fasta : path
        Indexed FASTA of the genome the windows read (reference or haplotype).
    max_n_fraction : float or None
        Largest N fraction of a predicted window, 0-1; ``None`` checks nothing.
    """
    if max_n_fraction is None:
        return windows
    if not 0 <= max_n_fraction <= 1:
        raise InputError(f"max_n_fraction {max_n_fraction} is not between 0 and 1")
    ok = (windows["status"] == "ok").to_numpy()
    fraction = n_fraction(fasta, windows[ok])
    bad = np.zeros(len(windows), dtype=bool)
    bad[np.flatnonzero(ok)[fraction > max_n_fraction]] = True
    if bad.any():
        worst = windows.loc[bad, "window_id"].to_numpy()[np.argmax(fraction[fraction > max_n_fraction])]
        log.warning("%d windows not predicted: more than %.0f%% of their sequence is N (status too_many_n; worst %s)",
                    bad.sum(), 100 * max_n_fraction, worst)
    return windows.assign(status=np.where(bad, "too_many_n", windows["status"].to_numpy()))


def reference_windows(chromsizes, chromosomes, size, step, binsize, excluded, splits, fasta=None,
                      max_n_fraction=None):
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
    fasta : path, optional
        The reference FASTA, to flag windows of more than ``max_n_fraction``
        N as ``too_many_n`` (:func:`flag_n_windows`).
    max_n_fraction : float, optional
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
    if fasta is not None:
        out = flag_n_windows(out, fasta, max_n_fraction)
    return out[WINDOW_COLUMNS]


def haplotype_windows(windows, blocks, personal_sizes, fasta=None, max_n_fraction=None):
    """Carry reference windows into a haplotype through its mapping.

    A reference window that is not ``ok`` (``too_many_n``) keeps its status.
    With ``fasta`` (the haplotype's) and ``max_n_fraction``, windows whose
    personal sequence is more than that fraction N become ``too_many_n``.

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
        [windows["status"].to_numpy() != "ok", out["pchrom"].isna(), plen < size],
        [windows["status"].to_numpy(), "reference window deleted in this haplotype",
         "personal chromosome shorter than the window"],
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
    if fasta is not None:
        out = flag_n_windows(out, fasta, max_n_fraction)
    return out[WINDOW_COLUMNS]


def write_windows(windows, path):
    write_tsv(windows, path)


def read_windows(path):
    """A window table (:data:`WINDOW_COLUMNS`); an empty or malformed file is an :class:`InputError`."""
    try:
        table = pd.read_csv(path, sep="\t", dtype={"chrom": str, "pchrom": str, "seq_chrom": str})
    except FileNotFoundError:
        raise InputError("window table not found", path) from None
    except pd.errors.EmptyDataError:
        raise InputError("window table is empty (0 bytes)", path) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"not a window table ({detail})", path) from None
    missing = [c for c in WINDOW_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"not a window table, missing columns {missing}", path)
    table.attrs["path"] = str(path)  # errors about the table's content name the file
    return table
