"""Reference <-> personal coordinate mapping.

A mapping is a table of aligned blocks, one row per gap-free stretch:

======== =====================================================
column   meaning
======== =====================================================
chrom    reference chromosome
start    reference start (0-based)
end      reference end (exclusive)
pchrom   personal (haplotype) chromosome
pstart   personal start, forward-strand coordinates (0-based)
pend     personal end (exclusive); ``pend - pstart == end - start``
strand   ``+`` or ``-``; on ``-`` reference ``start`` maps to ``pend - 1``
======== =====================================================

Reference bases in no block are absent from the personal genome (deleted);
personal bases in no block are novel (inserted). A reference base in several
blocks has several personal copies (duplication). Chains in UCSC format
(reference = target, personal = query) are read and written here.

Blocks may carry an optional ``copy`` column: 0 where the block holds the
primary copy of its reference bases, 1 where it holds an extra copy (the second
copy of a tandem duplication, the pasted copy of a trans-duplication). A chain
file has no such field; its convention is that the first chain, in file order,
covering a reference base holds the primary copy, and :func:`mark_copies`
recovers the column from that order. The haplotype builder
(:mod:`hicmodels.variants`) writes primary blocks first.
"""

import numpy as np
import pandas as pd
from bioframe.core.arrops import overlap_intervals

from ..errors import InputError
from ..files import atomic_output

BLOCK_COLUMNS = ["chrom", "start", "end", "pchrom", "pstart", "pend", "strand"]


def empty_blocks():
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("chrom", "pchrom", "strand") else np.int64) for c in BLOCK_COLUMNS})


def identity_blocks(chromsizes):
    """The mapping of a genome onto itself."""
    rows = [(c, 0, int(n), c, 0, int(n), "+") for c, n in chromsizes.items()]
    return pd.DataFrame(rows, columns=BLOCK_COLUMNS)


def read_chain(path):
    """Read a UCSC chain file (reference = target, personal = query) into blocks.

    Returns
    -------
    blocks : DataFrame with :data:`BLOCK_COLUMNS`
    ref_sizes, personal_sizes : dict
        Chromosome sizes named in the chain headers.
    """
    rows, ref_sizes, pers_sizes = [], {}, {}
    header = None
    with open(path) as handle:
        for lineno, line in enumerate(handle, 1):
            fields = line.split()
            if not fields:
                header = None
                continue
            if fields[0] == "chain":
                if len(fields) < 12:
                    raise InputError("chain header needs 12 fields", path, lineno)
                t_name, t_size, t_strand, t_pos = fields[2], int(fields[3]), fields[4], int(fields[5])
                q_name, q_size, q_strand, q_pos = fields[7], int(fields[8]), fields[9], int(fields[10])
                if t_strand != "+":
                    raise InputError("reference (target) strand must be '+'", path, lineno)
                ref_sizes[t_name] = t_size
                pers_sizes[q_name] = q_size
                header = [t_name, t_pos, q_name, q_size, q_strand, q_pos]
                continue
            if header is None:
                raise InputError("block line outside a chain", path, lineno)
            t_name, t_pos, q_name, q_size, q_strand, q_pos = header
            size = int(fields[0])
            if q_strand == "+":
                rows.append((t_name, t_pos, t_pos + size, q_name, q_pos, q_pos + size, "+"))
            else:  # query coordinates count from the end of the reverse strand
                rows.append((t_name, t_pos, t_pos + size, q_name, q_size - q_pos - size, q_size - q_pos, "-"))
            if len(fields) == 3:
                header[1] = t_pos + size + int(fields[1])
                header[5] = q_pos + size + int(fields[2])
            elif len(fields) != 1:
                raise InputError("block line needs 1 or 3 fields", path, lineno)
    blocks = pd.DataFrame(rows, columns=BLOCK_COLUMNS) if rows else empty_blocks()
    return blocks, ref_sizes, pers_sizes


def merge_blocks(blocks):
    """Merge consecutive rows that continue one another on both sides.

    Rows ``i - 1`` and ``i`` merge where they share chromosomes, strand (and
    ``copy``, if present) and abut in the reference and in the personal genome
    in the direction of the strand. Row order is kept.
    """
    if len(blocks) < 2:
        return blocks.reset_index(drop=True)
    keys = ["chrom", "pchrom", "strand"] + (["copy"] if "copy" in blocks.columns else [])
    same = np.ones(len(blocks) - 1, dtype=bool)
    for key in keys:
        values = blocks[key].to_numpy()
        same &= values[1:] == values[:-1]
    start, end = blocks["start"].to_numpy(), blocks["end"].to_numpy()
    pstart, pend = blocks["pstart"].to_numpy(), blocks["pend"].to_numpy()
    plus = blocks["strand"].to_numpy()[1:] == "+"
    follows = np.where(plus, pstart[1:] == pend[:-1], pend[1:] == pstart[:-1])
    group = np.cumsum(np.r_[True, ~(same & (start[1:] == end[:-1]) & follows)])
    merged = blocks.groupby(group, sort=False).agg(
        {**{k: "first" for k in keys}, "start": "min", "end": "max", "pstart": "min", "pend": "max"}
    )
    return merged[_columns(blocks)].reset_index(drop=True)


def _chain_starts(blocks):
    """Boolean mask of the blocks (in output order) that open a new chain."""
    n = len(blocks)
    chrom, pchrom, strand = (blocks[c].to_numpy() for c in ("chrom", "pchrom", "strand"))
    start, end, pstart, pend = (blocks[c].to_numpy(dtype=np.int64) for c in ("start", "end", "pstart", "pend"))
    same = (chrom[1:] == chrom[:-1]) & (pchrom[1:] == pchrom[:-1]) & (strand[1:] == strand[:-1])
    forward_q = np.where(strand[1:] == "+", pstart[1:] >= pend[:-1], pend[1:] <= pstart[:-1])
    return np.r_[n > 0, ~(same & (start[1:] >= end[:-1]) & forward_q)][:n]


def write_chain(blocks, ref_sizes, personal_sizes, path):
    """Write blocks as a UCSC chain file, one chain per co-linear run of blocks.

    Blocks are written in the order given; consecutive blocks on the same
    chromosomes and strand that advance on both sides share one chain.
    """
    opens = _chain_starts(blocks)
    run = np.cumsum(opens) - 1
    first = np.flatnonzero(opens)
    last = np.r_[first[1:], len(blocks)] - 1
    start, end, pstart, pend = (blocks[c].to_numpy(dtype=np.int64) for c in ("start", "end", "pstart", "pend"))
    chrom, pchrom, strand = (blocks[c].to_numpy() for c in ("chrom", "pchrom", "strand"))
    size = end - start
    plus = strand == "+"
    # gap lines inside a run: "size dt dq"; the last block of a run ends it with a blank line
    dt = np.r_[start[1:] - end[:-1], 0]
    dq = np.r_[np.where(plus[:-1], pstart[1:] - pend[:-1], pstart[:-1] - pend[1:]), 0]
    closes = np.r_[run[1:] != run[:-1], True]
    lines = [f"{s}\n\n" if c else f"{s} {t} {q}\n" for s, t, q, c in zip(size.tolist(), dt.tolist(), dq.tolist(), closes.tolist())]
    score = np.add.reduceat(size, first) if len(first) else size[:0]
    with atomic_output(path) as tmp, open(tmp, "w") as out:
        for chain_id, (i, j, total) in enumerate(zip(first.tolist(), last.tolist(), score.tolist()), 1):
            q_size = int(personal_sizes[pchrom[i]])
            q_start, q_end = (pstart[i], pend[j]) if plus[i] else (q_size - pend[i], q_size - pstart[j])
            out.write(
                f"chain {total} {chrom[i]} {int(ref_sizes[chrom[i]])} + {start[i]} {end[j]} "
                f"{pchrom[i]} {q_size} {strand[i]} {q_start} {q_end} {chain_id}\n"
            )
            out.writelines(lines[i : j + 1])


def invert(blocks):
    """Swap the roles of reference and personal: the personal -> reference mapping.

    A ``copy`` column, where present, is kept: it then says whether a personal
    base is the primary or an extra copy of its reference base.
    """
    swapped = blocks.rename(
        columns={"chrom": "pchrom", "start": "pstart", "end": "pend", "pchrom": "chrom", "pstart": "start", "pend": "end"}
    )
    return swapped[_columns(blocks)].sort_values(["chrom", "start"], ignore_index=True)


def _columns(blocks):
    """:data:`BLOCK_COLUMNS`, plus ``copy`` where ``blocks`` has it."""
    return BLOCK_COLUMNS + (["copy"] if "copy" in blocks.columns else [])


def _sub_blocks(block, lo, hi):
    """Personal ``(pstart, pend)`` of the reference part ``[lo, hi)`` of ``block``."""
    if block.strand == "+":
        return block.pstart + (lo - block.start), block.pstart + (hi - block.start)
    return block.pend - (hi - block.start), block.pend - (lo - block.start)


def mark_copies(blocks):
    """Label each block as the primary or an extra copy of its reference bases.

    The first block, in row order, over a reference base holds its primary copy
    (``copy`` 0); later blocks over the same base hold extra copies (``copy``
    1). A block partly over earlier ones is split at their edges.

    Parameters
    ----------
    blocks : DataFrame
        The mapping (:data:`BLOCK_COLUMNS`), in chain order, for example as
        returned by :func:`read_chain`.

    Returns
    -------
    DataFrame
        :data:`BLOCK_COLUMNS` plus ``copy``, rows in the input order.
    """
    blocks = blocks[BLOCK_COLUMNS].reset_index(drop=True).assign(order_=lambda d: np.arange(len(d)))
    ordered = blocks.sort_values(["chrom", "start", "end"], kind="stable")
    reach = ordered.groupby("chrom", sort=False)["end"].cummax()
    before = reach.groupby(ordered["chrom"], sort=False).shift(1)
    cluster = (before.isna() | (ordered["start"] >= before)).cumsum()
    shared = cluster.map(cluster.value_counts()) > 1
    single = ordered[~shared].assign(copy=0)
    pieces = []
    for _, group in ordered[shared].groupby(cluster[shared]):
        covered = []  # disjoint reference intervals already given a copy
        for block in group.sort_values("order_").itertuples(index=False):
            cuts = sorted({block.start, block.end, *(x for iv in covered for x in iv if block.start < x < block.end)})
            for lo, hi in zip(cuts, cuts[1:]):
                copy = int(any(s <= lo and hi <= e for s, e in covered))
                pstart, pend = _sub_blocks(block, lo, hi)
                pieces.append((block.chrom, lo, hi, block.pchrom, pstart, pend, block.strand, block.order_, copy))
            covered.append((block.start, block.end))
    split = pd.DataFrame(pieces, columns=BLOCK_COLUMNS + ["order_", "copy"])
    marked = pd.concat([single, split], ignore_index=True) if len(split) else single
    marked = marked.sort_values(["order_", "start"], kind="stable", ignore_index=True)
    return marked[BLOCK_COLUMNS + ["copy"]].astype({c: np.int64 for c in ("start", "end", "pstart", "pend", "copy")})


def lift_intervals(blocks, intervals):
    """Lift intervals through the mapping, split at every gap.

    Parameters
    ----------
    blocks : DataFrame
        The mapping (:data:`BLOCK_COLUMNS`).
    intervals : DataFrame
        ``chrom``, ``start``, ``end`` (extra columns are carried along).

    Returns
    -------
    DataFrame
        One row per lifted piece: the input columns, ``piece_start``/``piece_end``
        (the reference part that maps) and ``pchrom``/``pstart``/``pend``/``strand``
        (where it lands), and ``copy`` where ``blocks`` has it. Parts of an
        interval in no block are absent; an interval over a duplicated stretch
        yields one piece per copy.
    """
    intervals = intervals.reset_index(drop=True)
    rows, hits = _overlapping(intervals, blocks)
    lifted = intervals.iloc[rows].reset_index(drop=True)
    matched = blocks.iloc[hits].reset_index(drop=True)
    bstart, bend = matched["start"].to_numpy(), matched["end"].to_numpy()
    lo = np.maximum(lifted["start"].to_numpy(), bstart)
    hi = np.minimum(lifted["end"].to_numpy(), bend)
    plus = (matched["strand"] == "+").to_numpy()
    pstart = np.where(plus, matched["pstart"].to_numpy() + (lo - bstart), matched["pend"].to_numpy() - (hi - bstart))
    pend = np.where(plus, matched["pstart"].to_numpy() + (hi - bstart), matched["pend"].to_numpy() - (lo - bstart))
    extra = {"copy": matched["copy"].to_numpy()} if "copy" in blocks.columns else {}
    lifted = lifted.assign(
        piece_start=lo, piece_end=hi, pchrom=matched["pchrom"].to_numpy(), pstart=pstart, pend=pend,
        strand=matched["strand"].to_numpy(), **extra,
    )
    order = np.lexsort((hits, pstart, lo, rows))  # by interval, then reference, then personal position
    return lifted.iloc[order].reset_index(drop=True)


def _overlapping(intervals, blocks):
    """Row pairs ``(interval, block)`` that overlap on the same chromosome.

    A sort-based interval join (``bioframe``), so the cost grows with the
    number of overlaps, not with intervals x blocks.
    """
    rows, hits = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    by_chrom = blocks.groupby("chrom", sort=False).indices
    for chrom, iv in intervals.groupby("chrom", sort=False).indices.items():
        bl = by_chrom.get(chrom)
        if bl is None:
            continue
        i, j = overlap_intervals(
            intervals["start"].to_numpy()[iv], intervals["end"].to_numpy()[iv],
            blocks["start"].to_numpy()[bl], blocks["end"].to_numpy()[bl],
        )
        rows.append(iv[i])
        hits.append(bl[j])
    return np.concatenate(rows).astype(np.int64), np.concatenate(hits).astype(np.int64)


def lift_positions(blocks, chrom, positions):
    """Lift reference positions on one chromosome to personal coordinates.

    Where a position has several copies, the primary copy is returned if
    ``blocks`` has a ``copy`` column, else the copy with the smallest personal
    coordinate.

    Returns
    -------
    pchrom : ndarray of object
        Personal chromosome, ``None`` where the base is deleted.
    ppos : ndarray of int64
        Personal position, ``-1`` where the base is deleted.
    """
    positions = np.asarray(positions, dtype=np.int64)
    points = pd.DataFrame({"chrom": chrom, "start": positions, "end": positions + 1})
    pieces = lift_intervals(blocks, points.assign(_i=np.arange(len(points))))
    if "copy" in pieces.columns:
        pieces = pieces.sort_values(["_i", "copy"], kind="stable")
    first = pieces.drop_duplicates("_i", keep="first")
    pchrom = np.full(len(positions), None, dtype=object)
    ppos = np.full(len(positions), -1, dtype=np.int64)
    pchrom[first["_i"].to_numpy()] = first["pchrom"].to_numpy()
    ppos[first["_i"].to_numpy()] = first["pstart"].to_numpy()
    return pchrom, ppos


def _uncovered(chromsizes, covered):
    """Intervals of ``chromsizes`` not in ``covered`` (chrom/start/end)."""
    rows = []
    for chrom, size in chromsizes.items():
        iv = covered[covered["chrom"] == chrom].sort_values("start")
        cursor = 0
        for start, end in zip(iv["start"], iv["end"]):
            if start > cursor:
                rows.append((chrom, cursor, int(start)))
            cursor = max(cursor, int(end))
        if cursor < size:
            rows.append((chrom, cursor, int(size)))
    return pd.DataFrame(rows, columns=["chrom", "start", "end"])


def deleted_reference(blocks, ref_sizes):
    """Reference intervals with no personal copy."""
    return _uncovered(ref_sizes, blocks[["chrom", "start", "end"]])


def novel_personal(blocks, personal_sizes):
    """Personal intervals with no reference origin (inserted sequence)."""
    covered = blocks[["pchrom", "pstart", "pend"]].set_axis(["chrom", "start", "end"], axis=1)
    return _uncovered(personal_sizes, covered)


EXTRA_COLUMNS = ["pchrom", "pstart", "pend", "kind", "chrom", "start", "end", "strand"]


def personal_extras(blocks, personal_sizes):
    """Personal bases that are not the primary copy of a reference base.

    Parameters
    ----------
    blocks : DataFrame
        The mapping, with a ``copy`` column or in chain order (then
        :func:`mark_copies` labels it).
    personal_sizes : dict or Series
        Personal chromosome sizes, in order.

    Returns
    -------
    DataFrame
        :data:`EXTRA_COLUMNS`, one row per stretch, by personal chromosome
        (in ``personal_sizes`` order) and start. ``kind`` is ``novel`` (no
        reference origin: inserted bases; ``chrom`` ``.``, ``start``/``end``
        -1, ``strand`` ``.``) or ``extra_copy`` (a second copy of reference
        ``chrom:start-end``: tandem or trans-duplication).
    """
    blocks = blocks if "copy" in blocks.columns else mark_copies(blocks)
    novel = novel_personal(blocks, dict(personal_sizes)).rename(columns={"chrom": "pchrom", "start": "pstart", "end": "pend"})
    novel = novel.assign(kind="novel", chrom=".", start=-1, end=-1, strand=".")
    extra = merge_blocks(blocks[blocks["copy"] == 1]).assign(kind="extra_copy")
    table = pd.concat([novel[EXTRA_COLUMNS], extra[EXTRA_COLUMNS]], ignore_index=True)
    order = table["pchrom"].map({c: i for i, c in enumerate(dict(personal_sizes))})
    table = table.assign(_o=order).sort_values(["_o", "pstart"], kind="stable").drop(columns="_o")
    return table.astype({c: np.int64 for c in ("pstart", "pend", "start", "end")}).reset_index(drop=True)
