"""Which of two colliding records applies (:class:`hicmodels.variants.overlaps.Overlaps`), called directly.

The build tests reach these rules through whole VCFs and missed cases (two colliding structural operations, a
target's first and last base, a collision out of position order); here each rule of the module docstring is
one hand-made case, the answer written out.
"""

import numpy as np
import pandas as pd
import pytest

from hicmodels.errors import InputError
from hicmodels.variants.checks import REPLACE_COLUMNS
from hicmodels.variants.ops import Inversion, TandemDup, TransDup
from hicmodels.variants.overlaps import Overlaps
from hicmodels.variants.policy import Policy


class Ledger:
    """Records each rejection as (haplotype, records, reason, detail)."""

    def __init__(self):
        self.rejected = []

    def reject(self, hap, rows, reason, detail=None):
        self.rejected.append((hap, [int(r) for r in rows], reason, detail))


def _overlaps(policy="skip", n=16, source="in.vcf"):
    labels = np.array([f"r{i}" for i in range(n)])
    return Overlaps(2, Ledger(), Policy.from_config({"overlap": policy}), labels, np.array([source] * n))


def _table(rows):
    """Replacements (rec, chrom, start, end, alt); the span is the replaced interval (an insertion: its point)."""
    table = pd.DataFrame(rows, columns=["rec", "chrom", "start", "end", "alt"])
    return table.assign(aligned=False, span_start=table["start"], span_end=table["end"])[REPLACE_COLUMNS]


def test_a_structural_operation_colliding_with_an_earlier_one_is_rejected():
    overlaps = _overlaps()
    first, clash, apart = Inversion("chrA", 5, 12, (0,)), Inversion("chrA", 9, 15, (1,)), TandemDup("chrA", 20, 25,
                                                                                                     records=(3,))
    other_chrom = Inversion("chrB", 9, 15, (4,))
    assert overlaps.structural([apart, clash, other_chrom, first]) == [first, apart, other_chrom]
    assert overlaps.ledger.rejected == [(2, [1], "overlap", "overlaps r0 on haplotype 2")]


def test_under_the_error_policy_a_collision_names_the_file_and_both_records():
    overlaps = _overlaps("error")
    with pytest.raises(InputError) as error:
        overlaps.structural([Inversion("chrA", 5, 12, (0,)), Inversion("chrA", 9, 15, (1,))])
    assert str(error.value) == "in.vcf: r1: overlaps r0 on haplotype 2"
    with pytest.raises(InputError) as error:
        _overlaps("error", source="").replacements(_table([(3, "chrA", 4, 5, "G"), (5, "chrA", 4, 6, "T")]), [])
    assert str(error.value) == "r5: overlaps r3 on haplotype 2"  # no file to name (an edits record, say)
    assert overlaps.ledger.rejected == []


def test_replacements_crossing_a_cut_or_inside_a_pasted_target_are_rejected():
    overlaps = _overlaps()
    ops = [Inversion("chrA", 10, 20, (0,)), TransDup(("chrA", 40, 50), ("chrA", 60, 70), records=(1,))]
    table = _table([
        (2, "chrA", 9, 11, "T"),  # replaces bases on both sides of the cut at 10
        (3, "chrA", 12, 14, "GG"),  # inside the inverted range: applied there
        (4, "chrA", 20, 20, "CCC"),  # an insertion exactly at the cut at 20
        (5, "chrA", 18, 20, "A"),  # ends at the cut, does not cross it
        (6, "chrA", 45, 46, "A"),  # inside the copied source: applied
        (7, "chrA", 62, 63, "A"),  # inside the target, which the copy overwrites
        (8, "chrB", 9, 11, "T"),  # the same positions on another chromosome
        (9, "chrA", 70, 71, "A"),  # just past the target
        (10, "chrA", 39, 41, "T"),  # crosses the cut at the copied source's start
        (11, "chrA", 60, 61, "A"),  # the target's first base
        (12, "chrA", 69, 70, "A"),  # the target's last base
        (13, "chrB", 62, 63, "A"),  # the target's positions on another chromosome
    ])
    kept = overlaps.replacements(table, ops)
    assert kept["rec"].tolist() == [3, 5, 6, 8, 9, 13]
    assert list(kept.columns) == REPLACE_COLUMNS and kept.index.tolist() == list(range(6))
    assert overlaps.ledger.rejected == [(2, [2, 4], "overlap", "overlaps r0 on haplotype 2"),
                                        (2, [7, 10, 11, 12], "overlap", "overlaps r1 on haplotype 2")]


def test_replacements_sharing_a_base_keep_the_first_in_record_order():
    overlaps = _overlaps()
    table = _table([
        (0, "chrA", 10, 13, "A"),
        (1, "chrA", 12, 14, "C"),  # shares base 12 with r0
        (2, "chrA", 13, 15, "G"),  # abuts r0 (r1 was rejected, so r0's end is the one that counts)
        (3, "chrA", 20, 30, "T"),
        (4, "chrA", 22, 24, "A"),  # nested in r3
        (5, "chrA", 25, 26, "A"),  # nested in r3, past r4's end
        (6, "chrA", 30, 31, "A"),  # abuts r3
        (7, "chrB", 0, 50, "A"),  # another chromosome starts afresh
        (8, "chrB", 49, 51, "A"),
        (9, "chrB", 60, 70, "A"),
        (10, "chrB", 70, 70, "TT"),  # an insertion where r9 ends: shares no base
        (11, "chrB", 65, 66, "A"),  # out of position order (an edits file): overlaps r9, not r10
    ])
    kept = overlaps.replacements(table.iloc[::-1], [])  # given in any order: record order decides
    assert kept["rec"].tolist() == [0, 2, 3, 6, 7, 9, 10]
    assert overlaps.ledger.rejected == [(2, [1], "overlap", "overlaps r0 on haplotype 2"),
                                        (2, [4], "overlap", "overlaps r3 on haplotype 2"),
                                        (2, [5], "overlap", "overlaps r3 on haplotype 2"),
                                        (2, [8], "overlap", "overlaps r7 on haplotype 2"),
                                        (2, [11], "overlap", "overlaps r9 on haplotype 2")]
    assert overlaps.replacements(table.iloc[[0, 2, 3, 6, 7]], [])["rec"].tolist() == [0, 2, 3, 6, 7]
