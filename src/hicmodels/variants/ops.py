"""Structural operations on a haplotype and when two of them collide.

Structural variants change the order, orientation or number of reference
stretches, so they act on whole chromosome pieces: the builder cuts each
reference chromosome at every boundary an operation names (its *cuts*) and
rewires the pieces (:mod:`.layout`). A *side* ``(chrom, x, "L")`` is the piece
ending at boundary ``x``, ``(chrom, x, "R")`` the piece starting there.

Two operations on one haplotype collide when they claim the same side, when a
cut of one falls strictly inside a range the other moves or copies, or when two
such ranges overlap. Small variants (SNVs to ``<DEL>``/``<INS>``) are applied
inside pieces and collide with an operation only by crossing one of its cuts
(:mod:`.overlaps`).
"""

import dataclasses


@dataclasses.dataclass
class Join:
    """A breakend junction: ``side_a`` joined to ``side_b``.

    ``inserted`` is read going from ``side_a`` to ``side_b``.
    """

    side_a: tuple
    side_b: tuple
    inserted: bytes = b""
    records: tuple = ()

    def cuts(self):
        return [self.side_a[:2], self.side_b[:2]]

    def claims(self):
        return {self.side_a, self.side_b}

    def ranges(self):
        return []


class _InPlace:
    """An operation on one reference stretch ``[start, end)``: cut at both ends, the stretch is its range."""

    def cuts(self):
        return [(self.chrom, self.start), (self.chrom, self.end)]

    def ranges(self):
        return [(self.chrom, self.start, self.end)]


@dataclasses.dataclass
class Inversion(_InPlace):
    """Reference ``[start, end)`` reverse-complemented in place."""

    chrom: str
    start: int
    end: int
    records: tuple = ()

    def claims(self):
        return {(self.chrom, x, s) for x in (self.start, self.end) for s in "LR"}

    def joins(self):
        c, s, e = self.chrom, self.start, self.end
        return [Join((c, s, "L"), (c, e, "L")), Join((c, s, "R"), (c, e, "R"))]


@dataclasses.dataclass
class TandemDup(_InPlace):
    """Reference ``[start, end)`` followed by a second copy of itself.

    The first copy is the primary one; ``inserted`` lies between the copies.
    """

    chrom: str
    start: int
    end: int
    inserted: bytes = b""
    records: tuple = ()

    def claims(self):
        return {(self.chrom, self.end, "L"), (self.chrom, self.end, "R")}


@dataclasses.dataclass
class TransDup:
    """Trans-duplication: a copy of ``source`` written over ``target``.

    ``source`` and ``target`` are ``(chrom, start, end)``; the target stretch
    is replaced (an empty target inserts the copy at ``target`` start) and the
    source keeps its own sequence. ``reverse`` pastes the reverse complement.
    ``inserted_before`` / ``inserted_after`` are extra bases at the two new
    junctions, in the orientation of the target chromosome.
    """

    source: tuple
    target: tuple
    reverse: bool = False
    inserted_before: bytes = b""
    inserted_after: bytes = b""
    records: tuple = ()

    def cuts(self):
        (sc, s1, s2), (tc, t1, t2) = self.source, self.target
        return [(sc, s1), (sc, s2), (tc, t1), (tc, t2)]

    def claims(self):
        tc, t1, t2 = self.target
        return {(tc, x, s) for x in (t1, t2) for s in "LR"}

    def ranges(self):
        tc, t1, t2 = self.target
        return [self.source] + ([self.target] if t2 > t1 else [])


def collide(a, b):
    """Whether two structural operations cannot both apply to one haplotype."""
    if a.claims() & b.claims():
        return True
    for first, second in ((a, b), (b, a)):
        for chrom, start, end in first.ranges():
            if any(c == chrom and start < x < end for c, x in second.cuts()):
                return True
            if any(c == chrom and max(start, s) < min(end, e) for c, s, e in second.ranges()):
                return True
    return False
