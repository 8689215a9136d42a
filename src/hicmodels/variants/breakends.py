"""Breakend junctions of one haplotype: mates paired, duplications and trans-duplications recognised.

Semantics of breakend records (documented in :mod:`hicmodels.variants`):

* The two records of a junction (mates, in either order) describe it once; a
  junction is applied when all its records carry it on the haplotype, and is
  rejected there (``bnd_mate_mismatch``) when only some do.
* A junction is *cut and join*: it breaks the reference adjacency at both of
  its breakends and joins the two sides it names. Pieces whose ends are left
  without a partner become ends of derivative chromosomes.
* Two patterns mean copies instead, because cut-and-join would make no sense
  of them:

  - a junction joining the end of ``[s, e)`` back to its start on the same
    chromosome (``(c, e, L)`` to ``(c, s, R)``) is a tandem duplication;
  - two junctions that leave chromosome T at ``t1``, run through a source
    interval ``S[s1, s2)`` (entering at one end, leaving at the other) and come
    back to T at ``t2 >= t1``, where no other junction touches the outer sides
    of the source, are a trans-duplication (HiCDiffusion): ``T[t1, t2)`` is
    replaced by a copy of the source, which keeps its own sequence.
"""

from .alleles import reverse_complement
from .ops import Join, TandemDup, TransDup


def canonical(join):
    """A key equal for the two mate records of one junction."""
    if join.side_a <= join.side_b:
        return join.side_a, join.side_b, join.inserted
    return join.side_b, join.side_a, reverse_complement(join.inserted)


def _inserted_from(join, side):
    """The junction's inserted bases read leaving ``side``."""
    return join.inserted if join.side_a == side else reverse_complement(join.inserted)


def _other(join, side):
    return join.side_b if join.side_a == side else join.side_a


def pair_mates(joins, carried):
    """Merge mate records into junctions.

    Parameters
    ----------
    joins : dict
        record index -> :class:`Join`, for every record that passed the
        record checks (on any haplotype).
    carried : set
        Records carried on this haplotype.

    Returns
    -------
    junctions : list of Join
        One per junction all of whose records are carried here, ``records``
        holding them all, in record order.
    mismatched : list of int
        Records carried here whose mate is not.
    """
    groups = {}
    for rec in sorted(joins):
        groups.setdefault(canonical(joins[rec]), []).append(rec)
    junctions, mismatched = [], []
    for (side_a, side_b, inserted), recs in groups.items():
        here = [r for r in recs if r in carried]
        if not here:
            continue
        if len(here) < len(recs):
            mismatched.extend(here)
            continue
        junctions.append(Join(side_a, side_b, inserted, records=tuple(recs)))
    junctions.sort(key=lambda j: j.records[0])
    return junctions, mismatched


def _tandem(join):
    """The tandem duplication a junction writes, or ``None``."""
    (ca, _, ea), (cb, _, eb) = join.side_a, join.side_b
    if ca != cb or {ea, eb} != {"L", "R"}:
        return None
    end_side, start_side = (join.side_a, join.side_b) if ea == "L" else (join.side_b, join.side_a)
    if start_side[1] >= end_side[1]:
        return None
    return TandemDup(ca, start_side[1], end_side[1], _inserted_from(join, end_side), records=join.records)


def _trans_dup(j1, entry, junctions, claimed):
    """The trans-duplication entered through ``entry`` (a right side of ``j1``), or ``None``."""
    chrom, s1, _ = entry
    exits = [
        (side[1], j, side)
        for j in junctions
        if j is not j1
        for side in (j.side_a, j.side_b)
        if side[0] == chrom and side[2] == "L" and side[1] > s1
    ]
    if not exits:
        return None
    s2, j2, exit_side = min(exits, key=lambda e: (e[0], e[1].records[0]))
    inside = any(c == chrom and s1 < x < s2 for c, x, _ in claimed)
    if inside or (chrom, s1, "L") in claimed or (chrom, s2, "R") in claimed:
        return None
    x, y = _other(j1, entry), _other(j2, exit_side)
    if x[0] != y[0] or {x[2], y[2]} != {"L", "R"}:
        return None
    left, right = (x, y) if x[2] == "L" else (y, x)
    t1, t2 = left[1], right[1]
    if t1 > t2 or len({x, y, entry, exit_side}) < 4:
        return None
    if x[0] == chrom and not (t2 <= s1 or t1 >= s2):
        return None
    reverse = left is y  # the target's left side leads into the source's right end
    if reverse:
        before, after = _inserted_from(j2, y), _inserted_from(j1, entry)
    else:
        before, after = _inserted_from(j1, x), _inserted_from(j2, exit_side)
    records = tuple(sorted(j1.records + j2.records))
    return TransDup((chrom, s1, s2), (x[0], t1, t2), reverse, before, after, records), j2


def interpret(junctions):
    """Turn junctions into operations: tandem and trans-duplications, or plain joins.

    Returns
    -------
    list
        :class:`TandemDup`, :class:`TransDup` and :class:`Join` operations,
        ordered by their first record.
    """
    ops, rest = [], []
    for join in junctions:
        dup = _tandem(join)
        (ops if dup is not None else rest).append(dup if dup is not None else join)
    claimed = {side for j in rest for side in (j.side_a, j.side_b)}
    used = set()
    for j1 in rest:
        if id(j1) in used:
            continue
        for entry in (j1.side_a, j1.side_b):
            if entry[2] != "R":
                continue
            found = _trans_dup(j1, entry, [j for j in rest if id(j) not in used], claimed)
            if found is not None:
                trans, j2 = found
                ops.append(trans)
                used.update((id(j1), id(j2)))
                break
    ops.extend(j for j in rest if id(j) not in used)
    return sorted(ops, key=lambda op: op.records[0])
