"""Overlapping records on one haplotype: which one applies.

The policy (``overlap``: ``skip`` by default, or ``error``) decides whether a
collision stops the run or rejects the later record (reason ``overlap``, the
detail naming the record kept). Rules:

* Structural operations (:mod:`.ops`) go first, in record order; one that
  collides with an operation already kept is rejected.
* A replacement (SNV ... ``<DEL>``/``<INS>``) collides with a kept operation if
  it crosses one of its cuts (replaces bases on both sides of it, or inserts
  exactly at it) or lies in a target that a trans-duplication overwrites.
  Replacements inside an inverted, duplicated or copied range are applied
  there first, so every copy carries them.
* Two replacements collide if their REF spans share a base (``bcftools
  consensus`` rule); the first in record order is kept.
"""

import dataclasses

import numpy as np

from ..errors import InputError
from .ops import TransDup, collide


@dataclasses.dataclass
class Overlaps:
    """Resolve collisions for one haplotype.

    Parameters
    ----------
    hap : int
    ledger : Ledger
    policy : Policy
    labels, sources : ndarray
        Record labels and the file to name in errors (see
        :class:`.checks.RecordChecks`).
    """

    hap: int
    ledger: object
    policy: object
    labels: np.ndarray
    sources: np.ndarray

    def _collision(self, later, kept):
        """Handle records ``later`` colliding with record ``kept``."""
        message = f"overlaps {self.labels[kept]} on haplotype {self.hap}"
        if self.policy.overlap == "error":
            first = later[0]
            raise InputError(f"{self.labels[first]}: {message}", self.sources[first] or None)
        self.ledger.reject(self.hap, list(later), "overlap", message)

    def structural(self, ops):
        """Operations kept, in record order."""
        kept = []
        for op in sorted(ops, key=lambda o: o.records[0]):
            clash = next((k for k in kept if collide(k, op)), None)
            if clash is None:
                kept.append(op)
            else:
                self._collision(op.records, clash.records[0])
        return kept

    def replacements(self, table, ops):
        """Rows of ``table`` (:data:`.checks.REPLACE_COLUMNS`) kept, in record order."""
        table = table.sort_values("rec", kind="stable")
        keep = np.ones(len(table), dtype=bool)
        self._against_structure(table, ops, keep)
        self._against_each_other(table, keep)
        return table[keep].reset_index(drop=True)

    def _against_structure(self, table, ops, keep):
        chrom = table["chrom"].to_numpy()
        start, end = table["start"].to_numpy(), table["end"].to_numpy()
        for op in ops:
            hits = np.zeros(len(table), dtype=bool)
            for c, x in op.cuts():
                on = chrom == c
                hits |= on & (((start < x) & (x < end)) | ((start == x) & (end == x)))
            if isinstance(op, TransDup):
                c, t1, t2 = op.target
                hits |= (chrom == c) & (start < t2) & (end > t1) & (start >= t1) & (end <= t2)
            hits &= keep
            if hits.any():
                self._collision(table["rec"].to_numpy()[hits], op.records[0])
                keep &= ~hits

    def _against_each_other(self, table, keep):
        rows = np.flatnonzero(keep)
        chrom = table["chrom"].to_numpy()[rows]
        lo, hi = table["span_start"].to_numpy()[rows], table["span_end"].to_numpy()[rows]
        recs = table["rec"].to_numpy()[rows]
        new_chrom = np.r_[True, chrom[1:] != chrom[:-1]]
        shift = np.cumsum(new_chrom) << 40  # keeps the running maximum within a chromosome
        reach = np.maximum.accumulate(np.r_[-1, hi[:-1] + shift[:-1]])
        if not (new_chrom | (lo + shift >= reach)).all():  # a slow pass only where some spans do overlap
            last_end, last_rec = -1, -1
            for k in range(len(rows)):
                if new_chrom[k]:
                    last_end, last_rec = -1, -1
                if lo[k] < last_end:
                    self._collision([recs[k]], last_rec)
                    keep[rows[k]] = False
                elif hi[k] > last_end:
                    last_end, last_rec = hi[k], recs[k]
