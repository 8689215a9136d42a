"""Breakend-written SVs and trans-duplications, end to end: records -> window pairs -> maps on the grid -> scores.

With the toy model of :class:`effects_helpers.GCPredictor` (a bin's map value follows its G+C count
and the distance between bins), the answer is known by hand: a deletion, tandem duplication or
inversion written as breakends gives the same maps and scores as its symbolic spelling (whose maps
are checked pixel by pixel in ``test_pairs.py``); a copy pasted in from elsewhere pushes the flanks
apart by its length (its own bins map to the source, off the grid, and are dropped); a
translocation's far side lands on another chromosome and is left out, so a local model sees no change
on the retained side.
"""

import numpy as np
import pytest

from hicmodels.effects.scores import SCORES, score_maps

from effects_helpers import random_sequence, run

SEQ = random_sequence(4000)
OTHER = random_sequence(3000, seed=7)
SCORE_NAMES = [s for s in SCORES if s != "pca"]  # pca: NaN for these maps (no compartments)

SYMBOLIC = {
    "deletion": [("chr1", 1400, "del", SEQ[1399], "<DEL>", "PASS", "SVTYPE=DEL;END=1600;SVLEN=-200")],
    "tandem duplication": [("chr1", 1400, "dup", SEQ[1399], "<DUP>", "PASS", "SVTYPE=DUP;END=1600;SVLEN=200")],
    "inversion": [("chr1", 1300, "inv", SEQ[1299], "<INV>", "PASS", "SVTYPE=INV;END=1700;SVLEN=400")],
}
BREAKENDS = {
    # base 1400 (1-based) joined to base 1601: [1400, 1600) 0-based dropped
    "deletion": [("chr1", 1400, "bd", SEQ[1399], SEQ[1399] + "[chr1:1601[", "PASS", "SVTYPE=BND")],
    # base 1600 joined back to base 1401: [1400, 1600) copied in tandem
    "tandem duplication": [("chr1", 1600, "bdup", SEQ[1599], SEQ[1599] + "[chr1:1401[", "PASS", "SVTYPE=BND")],
    # the four breakends of [1300, 1700) inverted
    "inversion": [("chr1", 1300, "i1", SEQ[1299], SEQ[1299] + "]chr1:1700]", "PASS", "SVTYPE=BND"),
                  ("chr1", 1301, "i2", SEQ[1300], "[chr1:1701[" + SEQ[1300], "PASS", "SVTYPE=BND"),
                  ("chr1", 1700, "i3", SEQ[1699], SEQ[1699] + "]chr1:1300]", "PASS", "SVTYPE=BND"),
                  ("chr1", 1701, "i4", SEQ[1700], "[chr1:1301[" + SEQ[1700], "PASS", "SVTYPE=BND")],
}


@pytest.mark.parametrize("kind", list(SYMBOLIC))
def test_breakend_spelling_scores_as_the_symbolic_one(tmp_path, kind):
    (tmp_path / "s").mkdir()
    (tmp_path / "b").mkdir()
    symbolic, smaps, _, _ = run(tmp_path / "s", {"chr1": SEQ}, [r + ("1|0",) for r in SYMBOLIC[kind]])
    breakends, bmaps, _, _ = run(tmp_path / "b", {"chr1": SEQ}, [r + ("1|0",) for r in BREAKENDS[kind]])
    assert len(symbolic) == len(breakends) == 2 and (breakends["status"] == "ok").all()
    assert (breakends["class"] == "bnd").all()
    for column in ("start", "end", "size", "background"):
        assert breakends[column].tolist() == symbolic[column].tolist(), column
    for (s_start, s_ref, s_alt), (b_start, b_ref, b_alt) in zip(smaps, bmaps):
        assert s_start == b_start
        np.testing.assert_array_equal(b_ref, s_ref)
        np.testing.assert_array_equal(b_alt, s_alt)
    np.testing.assert_allclose(breakends[SCORE_NAMES].to_numpy(float), symbolic[SCORE_NAMES].to_numpy(float))
    assert (breakends["scd"] > 0).all()


def test_pasted_copy_pushes_the_flanks_apart_by_its_length(tmp_path):
    """chr2's [1000, 1200) pasted between chr1's bases 1600 and 1601 (1-based): a trans-duplication."""
    rows = [("chr1", 1600, "td1", SEQ[1599], SEQ[1599] + "[chr2:1001[", "PASS", "SVTYPE=BND", "1|0"),
            ("chr1", 1601, "td2", SEQ[1600], "]chr2:1200]" + SEQ[1600], "PASS", "SVTYPE=BND", "1|0")]
    table, maps, _, _ = run(tmp_path, {"chr1": SEQ, "chr2": OTHER}, rows, backgrounds=["reference"])
    (row,) = table.itertuples()
    assert (row.chrom, row.start, row.end, row._5, row.size) == ("chr1", 1600, 1600, "trans_dup", 200)
    start, ref, alt = maps[0]
    # grid: chr1 [1200, 2000), centred on the insertion point; the ALT window [1300, 2100) of the
    # haplotype is chr1 1300-1600, the 2-bin copy, chr1 1600-1900: its bins 0-2 land on grid
    # bins 1-3, the copy on chr2 (dropped), bins 5-7 on grid bins 4-6
    assert start == 1200
    expected = np.full_like(ref, np.nan)
    left, right = [1, 2, 3], [4, 5, 6]
    for side in (left, right):
        expected[np.ix_(side, side)] = ref[np.ix_(side, side)]
    for i in left:
        for j in right:  # window distance j - i + 2 instead of j - i
            expected[i, j] = expected[j, i] = ref[i, j] * (1 + j - i) / (1 + j - i + 2)
    np.testing.assert_allclose(alt, expected, rtol=1e-6, equal_nan=True)  # float32 maps
    by_hand = score_maps(ref, expected, centre=4, min_offset=1, insulation_window=2, di_window=2, triangle_bins=2,
                         scc_h=1)
    assert row.triangle == pytest.approx(by_hand["triangle"]) and row.triangle < 0  # contacts across fall
    assert row.scd == pytest.approx(by_hand["scd"]) and row.scd > 0


def test_translocation_is_seen_on_the_retained_side_only(tmp_path):
    """chr1 up to base 2000 joined to chr2 from base 1001: the far side is another chromosome."""
    rows = [("chr1", 2000, "t1", SEQ[1999], SEQ[1999] + "[chr2:1001[", "PASS", "SVTYPE=BND", "1|0"),
            ("chr2", 1001, "t2", OTHER[1000], "]chr1:2000]" + OTHER[1000], "PASS", "SVTYPE=BND", "1|0")]
    table, maps, _, _ = run(tmp_path, {"chr1": SEQ, "chr2": OTHER}, rows, backgrounds=["reference"])
    (row,) = table.itertuples()
    assert (row.chrom, row.start, row._5, row.status) == ("chr1", 2000, "bnd", "ok")
    start, ref, alt = maps[0]
    assert start == 1600 and np.isfinite(ref).all()
    kept = [0, 1, 2, 3]  # chr1 1600-2000; grid bins 4-7 would be chr1 2000-2400, now on chr2's side
    np.testing.assert_allclose(alt[np.ix_(kept, kept)], ref[np.ix_(kept, kept)])
    assert np.isnan(alt[4:]).all() and np.isnan(alt[:, 4:]).all()
    assert row.scd == 0 and row.mse == 0  # a local model: nothing changes where the chromosome is kept
