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
"""

import numpy as np
import pandas as pd

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


def _chain_runs(blocks):
    """Split blocks (in output order) into runs that one chain can hold."""
    run = []
    for row in blocks.itertuples(index=False):
        if run:
            last = run[-1]
            same = (row.chrom, row.pchrom, row.strand) == (last.chrom, last.pchrom, last.strand)
            forward_t = row.start >= last.end
            forward_q = row.pstart >= last.pend if row.strand == "+" else row.pend <= last.pstart
            if not (same and forward_t and forward_q):
                yield run
                run = []
        run.append(row)
    if run:
        yield run


def write_chain(blocks, ref_sizes, personal_sizes, path):
    """Write blocks as a UCSC chain file, one chain per co-linear run of blocks.

    Blocks are written in the order given; consecutive blocks on the same
    chromosomes and strand that advance on both sides share one chain.
    """
    with atomic_output(path) as tmp, open(tmp, "w") as out:
        for chain_id, run in enumerate(_chain_runs(blocks), 1):
            first, last = run[0], run[-1]
            q_size = int(personal_sizes[first.pchrom])
            if first.strand == "+":
                q_start, q_end = first.pstart, last.pend
            else:
                q_start, q_end = q_size - first.pend, q_size - last.pstart
            score = sum(r.end - r.start for r in run)
            out.write(
                f"chain {score} {first.chrom} {int(ref_sizes[first.chrom])} + {first.start} {last.end} "
                f"{first.pchrom} {q_size} {first.strand} {q_start} {q_end} {chain_id}\n"
            )
            for this, nxt in zip(run, run[1:]):
                dt = nxt.start - this.end
                dq = nxt.pstart - this.pend if this.strand == "+" else this.pstart - nxt.pend
                out.write(f"{this.end - this.start} {dt} {dq}\n")
            out.write(f"{last.end - last.start}\n\n")


def invert(blocks):
    """Swap the roles of reference and personal: the personal -> reference mapping."""
    swapped = blocks.rename(
        columns={"chrom": "pchrom", "start": "pstart", "end": "pend", "pchrom": "chrom", "pstart": "start", "pend": "end"}
    )
    return swapped[BLOCK_COLUMNS].sort_values(["chrom", "start"], ignore_index=True)


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
        (where it lands). Parts of an interval in no block are absent; an
        interval over a duplicated stretch yields one piece per copy.
    """
    intervals = intervals.reset_index(drop=True)
    parts = []
    for chrom, query in intervals.groupby("chrom", sort=False):
        on_chrom = blocks[blocks["chrom"] == chrom].sort_values("start", kind="stable")
        if on_chrom.empty:
            continue
        bstart, bend = on_chrom["start"].to_numpy(), on_chrom["end"].to_numpy()
        # blocks may overlap (duplications): the running max of ends is sorted,
        # so the first block that can reach a query start is found by bisection
        reach = np.maximum.accumulate(bend)
        qstart, qend = query["start"].to_numpy(), query["end"].to_numpy()
        first = np.searchsorted(reach, qstart, side="right")
        last = np.searchsorted(bstart, qend, side="left")
        count = np.maximum(last - first, 0)
        qi = np.repeat(np.arange(len(query)), count)
        bi = np.repeat(first, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
        lo = np.maximum(qstart[qi], bstart[bi])
        hi = np.minimum(qend[qi], bend[bi])
        hit = hi > lo
        qi, bi, lo, hi = qi[hit], bi[hit], lo[hit], hi[hit]
        b = on_chrom.iloc[bi]
        plus = (b["strand"] == "+").to_numpy()
        b_pstart, b_pend = b["pstart"].to_numpy(), b["pend"].to_numpy()
        pstart = np.where(plus, b_pstart + (lo - bstart[bi]), b_pend - (hi - bstart[bi]))
        piece = query.iloc[qi].reset_index().rename(columns={"index": "_row"})
        piece = piece.assign(
            piece_start=lo, piece_end=hi, pchrom=b["pchrom"].to_numpy(),
            pstart=pstart, pend=pstart + (hi - lo), strand=b["strand"].to_numpy(),
        )
        parts.append(piece)
    columns = list(intervals.columns) + ["piece_start", "piece_end", "pchrom", "pstart", "pend", "strand"]
    if not parts:
        return pd.DataFrame(columns=columns)
    pieces = pd.concat(parts, ignore_index=True).sort_values(["_row", "piece_start", "pstart"], kind="stable")
    return pieces[columns].reset_index(drop=True)


def lift_positions(blocks, chrom, positions):
    """Lift reference positions on one chromosome to personal coordinates.

    Where a position has several copies, the copy with the smallest personal
    coordinate is returned.

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
