"""Haplotype chromosomes as walks through pieces of the reference.

Each reference chromosome is cut at every boundary a structural operation
names, into *pieces*. Pieces are nodes with two ends (head, tail); the
reference order joins each tail to the next head. Operations rewire ends
(:mod:`.ops`): a join breaks the reference adjacency at its two boundaries and
joins the sides it names, an inversion is two joins, a tandem duplication
threads a second copy of its piece after the first, a trans-duplication threads
a copy of its source piece between the two target sides and removes the target
piece. Every end has at most one partner, so the pieces fall into walks; each
walk is one haplotype chromosome.

Ends of walks are chromosome ends: a reference telomere (``p`` = start,
``q`` = end of a reference chromosome) or a broken end left by a join. Walks:

* with no telomere at either end are dropped (the middle of a deletion written
  as breakends, a piece cut out and not joined again);
* from the ``p`` to the ``q`` telomere of one reference chromosome keep its
  name (whatever happened in between: inversions, duplications, deletions);
* otherwise are *derivative chromosomes*, named ``der_`` + the reference
  chromosomes they run through, in order, joined by ``+`` (``der_chrIV+chrII``),
  with ``.2``, ``.3`` ... appended where a name repeats. A walk is read from a
  ``p`` telomere where it has one (that of the first chromosome in reference
  order), else in the direction that runs its first piece forward.

A walk that closes on itself (a ring, no ends at all) is an error.
"""

import dataclasses

from ..errors import InputError
from .alleles import reverse_complement
from .ops import Inversion, TandemDup, TransDup

HEAD, TAIL = 0, 1


@dataclasses.dataclass
class Step:
    """One piece in a walk: node ``piece``/``copy`` read forward or reverse-complemented."""

    piece: int
    copy: int
    forward: bool


@dataclasses.dataclass
class Walk:
    """A haplotype chromosome: pieces, with inserted bases between and around them.

    ``inserts[k]`` lies between ``steps[k]`` and ``steps[k + 1]``.
    """

    name: str
    steps: list
    inserts: list
    lead: bytes = b""
    trail: bytes = b""


@dataclasses.dataclass
class Layout:
    """Pieces (``(chrom, start, end)``), the walks over them and dropped pieces."""

    pieces: list
    walks: list
    dropped: list


class _Graph:
    """Pieces, their copies (nodes) and the joins between node ends."""

    def __init__(self, sizes, cuts):
        self.sizes = sizes
        self.pieces, self.ending, self.starting = [], {}, {}
        for chrom, size in sizes.items():
            points = sorted({0, size} | cuts.get(chrom, set()))
            for start, end in zip(points, points[1:]):
                self.ending[chrom, end] = self.starting[chrom, start] = len(self.pieces)
                self.pieces.append((chrom, start, end))
        self.nodes = [(piece, 0) for piece in range(len(self.pieces))]
        self.edges, self.labels, self.terminal, self.removed = {}, {}, {}, set()
        for chrom, size in sizes.items():
            if size == 0:
                continue
            self.labels[self.starting[chrom, 0], HEAD] = (chrom, "p")
            self.labels[self.ending[chrom, size], TAIL] = (chrom, "q")
            points = sorted({0, size} | cuts.get(chrom, set()))
            for x in points[1:-1]:
                self.connect((self.ending[chrom, x], TAIL), (self.starting[chrom, x], HEAD), b"")

    def connect(self, a, b, inserted):
        """Join end ``a`` to end ``b``; ``inserted`` is read going from ``a`` to ``b``."""
        if a in self.edges or b in self.edges:
            raise RuntimeError(f"node end joined twice: {a} {b}")  # ops.collide rules this out
        self.edges[a] = (b, inserted)
        self.edges[b] = (a, reverse_complement(inserted))

    def disconnect(self, end):
        """Undo the join at ``end``; returns ``(partner, inserted)`` or ``None``."""
        if end not in self.edges:
            return None
        partner, inserted = self.edges.pop(end)
        self.edges.pop(partner)
        return partner, inserted

    def side_end(self, side):
        """The node end a side names, or ``None`` for the empty part beyond a telomere."""
        chrom, x, which = side
        if which == "L":
            return (self.ending[chrom, x], TAIL) if x > 0 else None
        return (self.starting[chrom, x], HEAD) if x < self.sizes[chrom] else None

    def cut_reference(self, chrom, x):
        """Break the reference adjacency at boundary ``x`` if it still holds."""
        tail, head = self.side_end((chrom, x, "L")), self.side_end((chrom, x, "R"))
        if tail is not None and head is not None and self.edges.get(tail, (None,))[0] == head:
            self.disconnect(tail)

    def attach(self, end, side, inserted):
        """Join node ``end`` to ``side``; ``inserted`` is read going from ``end`` to ``side``."""
        other = self.side_end(side)
        if other is not None:
            self.connect(end, other, inserted)
        else:  # the side is the empty part beyond a telomere: ``end`` becomes that telomere
            self.labels[end] = (side[0], "p" if side[2] == "L" else "q")
            self.terminal[end] = inserted

    def join(self, op):
        for side in (op.side_a, op.side_b):
            self.cut_reference(*side[:2])
        a, b = self.side_end(op.side_a), self.side_end(op.side_b)
        if a is not None:
            self.attach(a, op.side_b, op.inserted)
        elif b is not None:
            self.attach(b, op.side_a, reverse_complement(op.inserted))

    def copy_node(self, piece):
        self.nodes.append((piece, 1))
        return len(self.nodes) - 1

    def tandem_dup(self, op):
        piece = self.starting[op.chrom, op.start]
        copy = self.copy_node(piece)
        tail = (piece, TAIL)
        after = self.disconnect(tail)
        self.connect(tail, (copy, HEAD), op.inserted)
        if after is not None:
            self.connect((copy, TAIL), *after)
        for table in (self.labels, self.terminal):
            if tail in table:
                table[copy, TAIL] = table.pop(tail)

    def trans_dup(self, op):
        (source, s1, _), (target, t1, t2) = op.source, op.target
        copy = self.copy_node(self.starting[source, s1])
        entry, exit_ = ((copy, TAIL), (copy, HEAD)) if op.reverse else ((copy, HEAD), (copy, TAIL))
        self.cut_reference(target, t1)
        self.cut_reference(target, t2)
        if t2 > t1:
            removed = self.starting[target, t1]
            self.removed.add(removed)
            for end in ((removed, HEAD), (removed, TAIL)):
                self.labels.pop(end, None)
        self.attach(entry, (target, t1, "L"), reverse_complement(op.inserted_before))
        self.attach(exit_, (target, t2, "R"), op.inserted_after)


def _cuts(ops):
    cuts = {}
    for op in ops:
        for chrom, x in op.cuts():
            cuts.setdefault(chrom, set()).add(x)
    return cuts


def _walk(graph, start, visited):
    """Follow ends from the free end ``start``; returns steps, inserts and the last end."""
    steps, inserts, end = [], [], start
    while True:
        node, side = end
        visited.add(node)
        piece, copy = graph.nodes[node]
        steps.append(Step(piece, copy, side == HEAD))
        out = (node, TAIL if side == HEAD else HEAD)
        if out not in graph.edges:
            return steps, inserts, out
        end, inserted = graph.edges[out]
        inserts.append(inserted)


def _orient(graph, order, steps, inserts, first, last):
    """Walk read in its preferred direction (module docstring), with its two end labels."""
    forward = (steps, inserts, graph.labels.get(first), graph.labels.get(last),
               reverse_complement(graph.terminal.get(first, b"")), graph.terminal.get(last, b""))
    backward = (
        [Step(s.piece, s.copy, not s.forward) for s in reversed(steps)],
        [reverse_complement(x) for x in reversed(inserts)],
        graph.labels.get(last), graph.labels.get(first),
        reverse_complement(graph.terminal.get(last, b"")), graph.terminal.get(first, b""),
    )

    def key(candidate):
        walk_steps, _, start_label = candidate[:3]
        piece = graph.pieces[walk_steps[0].piece]
        is_p = start_label is not None and start_label[1] == "p"
        return (not is_p, order[start_label[0]] if is_p else 0, not walk_steps[0].forward, order[piece[0]], piece[1])

    return min(forward, backward, key=key)


def layout(sizes, ops, labels=None):
    """Cut, rewire and walk.

    Parameters
    ----------
    sizes : dict
        Reference chromosome -> length, in reference order.
    ops : list
        Structural operations kept for this haplotype (:mod:`.ops`).
    labels : sequence of str, optional
        Record labels, to name the records of a ring in the error.

    Returns
    -------
    Layout
        Walks in output order: by the reference position of their first piece.

    Raises
    ------
    InputError
        If some pieces close into a ring.
    """
    graph = _Graph(sizes, _cuts(ops))
    for op in ops:
        if isinstance(op, TandemDup):
            graph.tandem_dup(op)
        elif isinstance(op, TransDup):
            graph.trans_dup(op)
        else:
            for join in op.joins() if isinstance(op, Inversion) else [op]:
                graph.join(join)
    order = {chrom: i for i, chrom in enumerate(sizes)}
    visited, walks, dropped = set(graph.removed), [], []
    for node in range(len(graph.nodes)):
        for side in (HEAD, TAIL):
            if node in visited or (node, side) in graph.edges:
                continue
            steps, inserts, last = _walk(graph, (node, side), visited)
            oriented = _orient(graph, order, steps, inserts, (node, side), last)
            if oriented[2] is None and oriented[3] is None:
                dropped.extend(steps)
            else:
                walks.append(oriented)
    ring = [graph.pieces[graph.nodes[n][0]] for n in range(len(graph.nodes)) if n not in visited]
    if ring:
        where = ", ".join(f"{c}:{s}-{e}" for c, s, e in ring)
        bounds = {(c, x) for c, s, e in ring for x in (s, e)}
        records = sorted({r for op in ops if bounds & set(op.cuts()) for r in op.records})
        blame = f" (records: {', '.join(labels[r] for r in records)})" if labels is not None else ""
        raise InputError(f"the joins close pieces {where} into a ring with no chromosome end{blame}")
    return Layout(graph.pieces, _name(walks, graph, order), [graph.pieces[s.piece] + (s.copy,) for s in dropped])


def _name(oriented, graph, order):
    """Name and order the walks (module docstring)."""
    named = []
    for steps, inserts, start, end, lead, trail in oriented:
        chroms = [graph.pieces[s.piece][0] for s in steps]
        if start is not None and end is not None and start[1] == "p" and end == (start[0], "q"):
            name = start[0]
        else:
            runs = [c for i, c in enumerate(chroms) if i == 0 or c != chroms[i - 1]]
            name = "der_" + "+".join(runs)
        first = graph.pieces[steps[0].piece]
        named.append(((order[first[0]], first[1], first[2]), Walk(name, steps, inserts, lead, trail)))
    named.sort(key=lambda item: item[0])
    seen = {}
    for _, walk in named:
        seen[walk.name] = seen.get(walk.name, 0) + 1
        if seen[walk.name] > 1:
            walk.name = f"{walk.name}.{seen[walk.name]}"
    return [walk for _, walk in named]
