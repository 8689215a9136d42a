"""REF/ALT window pairs of each applied variant, in two backgrounds.

A sample's records are checked and laid out by the personal-genome builder
(:func:`hicmodels.variants.build.plan_haplotypes`, the same code and policy
that wrote its haplotypes), so the variants scored are exactly the ledger's
``applied`` records. Each applied change of a haplotype (a sequence
replacement, or a structural operation with its records) is one *variant*; a
multi-allelic site is split per ALT by the reader, so each ALT is its own
variant.

Backgrounds
-----------
``reference``
    REF: the reference; ALT: the reference with this variant alone.
``haplotype``
    REF: the haplotype without this variant (its other variants kept); ALT:
    the haplotype. A second variant in the same window changes this score,
    not the ``reference`` one.

Centring (as SuPreMo): a genome's window of ``size`` bp is centred on the
variant's image in it, the midpoint between the base before the variant and
the base after it: the REF allele's span where the variant is absent, the
ALT allele's span (a deletion's junction, an insertion's new bases, an
inverted or duplicated stretch) where it is applied. For a variant at
reference ``[start, end)`` the centre is ``(start + end) // 2`` in the
reference (an SNV at ``s`` sits at window index ``size // 2``). ``shift``
moves every window of a pair and its grid by the same bases; windows are
moved inwards at chromosome ends. The common grid of a pair is the reference
interval of ``size`` bp centred (and shifted) the same way, in model bins.

Breakends sit where their symbolic spelling would: a junction within one
chromosome on the stretch between its breakends (a deletion's, or a tandem
duplication's as the builder reads it), the two junctions of an inversion
together on the inverted stretch (one variant: either alone is no inversion),
a trans-duplication on its target; a junction between chromosomes on its first
breakend (size 0; its far side lands on another chromosome and is left out of
the maps, :mod:`.align`).
"""

import dataclasses
import logging

import bioframe
import pandas as pd

from ..genome.liftover import identity_blocks, invert, lift_positions
from ..variants.build import plan_haplotypes
from ..variants.layout import layout
from ..variants.ledger import Ledger
from ..variants.ops import Inversion, Join, TandemDup, TransDup
from ..variants.sequences import piece_sequences, walk_sequence

log = logging.getLogger(__name__)

BACKGROUNDS = ("reference", "haplotype")


@dataclasses.dataclass
class Variant:
    """One applied change, and where it sits in the reference.

    A change is a sequence replacement (``replacement``, one row) or structural operations
    (``ops``: one, or the two junctions of an inversion written as breakends).
    """

    key: str
    chrom: str
    start: int
    end: int
    kind: str
    size: int
    records: tuple
    ops: tuple = ()
    replacement: pd.DataFrame = None


@dataclasses.dataclass
class Edits:
    """Changes to the reference: structural operations and sequence replacements (:data:`REPLACE_COLUMNS`)."""

    ops: list
    replacements: pd.DataFrame

    def without(self, variant):
        if variant.ops:
            return Edits([op for op in self.ops if not any(op is o for o in variant.ops)], self.replacements)
        keep = self.replacements["rec"].to_numpy() != variant.replacement["rec"].iloc[0]
        return Edits(self.ops, self.replacements[keep])


def _anchor(op):
    """Reference ``(chrom, start, end)`` a structural operation sits on."""
    if isinstance(op, (Inversion, TandemDup)):
        return op.chrom, op.start, op.end
    if isinstance(op, TransDup):
        return op.target
    if isinstance(op, Join):
        (chrom_a, pos_a, _), (chrom_b, pos_b, _) = op.side_a, op.side_b
        if chrom_a == chrom_b:  # the stretch between the breakends (a deletion's, as its <DEL>)
            return chrom_a, min(pos_a, pos_b), max(pos_a, pos_b)
        return chrom_a, pos_a, pos_a  # between chromosomes: the first breakend (size 0)
    raise TypeError(op)


def inversion_junctions(ops):
    """Pairs of junctions that together invert a stretch, and the stretch: ``[(j1, j2, (chrom, s, e))]``.

    The four breakends of an inverted ``[s, e)`` are two junctions: the piece ending at ``s``
    joined to the piece ending at ``e`` (``(c, s, L)``-``(c, e, L)``) and the piece starting at
    ``s`` to the piece starting at ``e`` (``(c, s, R)``-``(c, e, R)``). Either alone is not an
    inversion (it leaves a piece without a chromosome end), so they are scored as one variant.
    """
    joins = [op for op in ops if isinstance(op, Join)]
    found, used = [], set()
    for j1 in joins:
        (c1, p1, e1), (c2, p2, e2) = j1.side_a, j1.side_b
        if id(j1) in used or c1 != c2 or e1 != "L" or e2 != "L" or p1 == p2:
            continue
        s, e = min(p1, p2), max(p1, p2)
        partner = [j2 for j2 in joins if id(j2) not in used and j2 is not j1
                   and {j2.side_a, j2.side_b} == {(c1, s, "R"), (c1, e, "R")}]
        if partner:
            used |= {id(j1), id(partner[0])}
            found.append((j1, partner[0], (c1, s, e)))
    return found


def _size(op):
    if isinstance(op, TransDup):
        return op.source[2] - op.source[1]
    chrom, start, end = _anchor(op)
    return end - start


def sample_plan(records, reference, aliases, policy):
    """Check and lay out a sample's records as the builder does.

    Returns
    -------
    ledger : Ledger
    edits : dict
        haplotype -> :class:`Edits` kept on it.
    variants : dict
        haplotype -> list of :class:`Variant` applied on it.
    """
    ledger = Ledger(records)
    plans = plan_haplotypes(records, reference, aliases, policy, ledger)
    labels, alts = records["label"].to_numpy(), records["alt"].to_numpy()
    classes = ledger.classes

    def name(recs):
        return ";".join(f"{labels[r]} {alts[r]}" for r in recs)

    edits, variants = {}, {}
    for hap, (_, kept, ops) in plans.items():
        edits[hap] = Edits(list(ops), kept)
        found, grouped = [], set()
        for j1, j2, (chrom, start, end) in inversion_junctions(ops):
            recs = tuple(sorted(j1.records + j2.records))
            grouped |= {id(j1), id(j2)}
            found.append(Variant(name(recs), chrom, int(start), int(end), str(classes[recs[0]]), int(end - start),
                                 recs, ops=(j1, j2)))
        for op in ops:
            if id(op) in grouped:
                continue
            recs = tuple(sorted(op.records))
            chrom, start, end = _anchor(op)
            found.append(Variant(name(recs), chrom, int(start), int(end), str(classes[recs[0]]), int(_size(op)),
                                 recs, ops=(op,)))
        for k in range(len(kept)):
            row = kept.iloc[[k]]
            rec = int(row["rec"].iloc[0])
            start, end = int(row["start"].iloc[0]), int(row["end"].iloc[0])
            found.append(Variant(name((rec,)), str(row["chrom"].iloc[0]), start, end, str(classes[rec]),
                                 max(end - start, len(row["alt"].iloc[0])), (rec,), replacement=row))
        variants[hap] = sorted(found, key=lambda v: (v.chrom, v.start, v.end, v.key))
    return ledger, edits, variants


def select(variants, classes=(), min_size=0, regions=None, max_count=None):
    """The variants to score: of ``classes`` (all if empty), at least ``min_size`` bp, overlapping ``regions``.

    ``max_count`` keeps the first that many (by position) and logs how many it leaves out.
    """
    chosen = [v for v in variants if (not classes or v.kind in classes) and v.size >= min_size]
    if regions is not None and len(chosen):
        table = pd.DataFrame({"chrom": [v.chrom for v in chosen], "start": [v.start for v in chosen],
                              "end": [max(v.end, v.start + 1) for v in chosen]})
        hit = bioframe.overlap(table, regions, how="inner", return_index=True)["index"].unique()
        chosen = [chosen[i] for i in sorted(hit)]
    if max_count is not None and len(chosen) > max_count:
        log.info("scoring the first %d of %d selected variants (max_count)", max_count, len(chosen))
        chosen = chosen[:max_count]
    return chosen


class Genome:
    """The sequences and reference mapping of one edit set, on the walks through one reference chromosome."""

    def __init__(self, edits, reference, chrom):
        if edits is None:  # the reference itself
            self.sequences = {chrom: reference.fetch(chrom)}
            self.blocks = identity_blocks({chrom: len(self.sequences[chrom])}).assign(copy=0)
        else:
            plan = layout(reference.sizes, edits.ops)
            walks = [w for w in plan.walks if any(plan.pieces[s.piece][0] == chrom for s in w.steps)]
            used = {plan.pieces[s.piece][0] for w in walks for s in w.steps}
            replacements = edits.replacements[edits.replacements["chrom"].isin(used)]
            pieces = piece_sequences(plan, replacements, reference)
            self.sequences, parts = {}, []
            for walk in walks:
                seq, blocks = walk_sequence(walk, pieces)
                self.sequences[walk.name] = seq
                parts.append(blocks)
            self.blocks = pd.concat(parts, ignore_index=True)
        self.to_reference = invert(self.blocks)

    def centre(self, chrom, start, end):
        """Personal ``(chrom, position)`` of the midpoint between a reference interval's flanking bases, or ``None``."""
        pchrom, ppos = lift_positions(self.blocks, chrom, [max(start - 1, 0), end])
        left = ppos[0] + 1 if start > 0 and pchrom[0] is not None else None
        right = ppos[1] if pchrom[1] is not None and end < self._ref_length(chrom) else None
        if left is not None and right is not None and pchrom[0] == pchrom[1]:
            return pchrom[0], (ppos[0] + ppos[1] + 1) // 2
        if left is not None:
            return pchrom[0], left
        if right is not None:
            return pchrom[1], right
        return None

    def _ref_length(self, chrom):
        ends = self.blocks.loc[self.blocks["chrom"] == chrom, "end"]
        return int(ends.max()) if len(ends) else 0

    def window(self, pchrom, centre, size, shift=0):
        """``(start, bytes)`` of the ``size`` bp window centred on ``centre`` + ``shift``; ``None`` if too short."""
        seq = self.sequences[pchrom]
        if len(seq) < size:
            return None
        start = int(min(max(centre - size // 2 + shift, 0), len(seq) - size))
        return start, seq[start : start + size]


def grid_start(variant, ref_length, size, shift=0):
    """Reference start of a variant's common grid (see the module docstring)."""
    centre = (variant.start + variant.end) // 2
    return int(min(max(centre - size // 2 + shift, 0), ref_length - size))
