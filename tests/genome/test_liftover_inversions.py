"""Inversions that contain another edit: minus-strand chains of several blocks, worked out by hand.

Reference (0-based positions)::

    chr1  ACGTT GCAAGCTTCG AGGAT
          0     5          15   20

An inversion of ``[5, 15)`` (VCF POS 5, END 15) holding a deletion of
``[9, 11)`` (POS 9 ``AGC`` -> ``A``) and an insertion of ``TT`` after base 12
(POS 13 ``T`` -> ``TTT``). The inverted piece, before reverse-complementing, is
``GCAA`` (ref 5-8) ``TT`` (ref 11-12) ``TT`` (inserted) ``CG`` (ref 13-14),
ten bases at personal 5-14; read backwards, reference block ``[lo, hi)`` at
offset ``o`` of the piece lands at personal ``[15 - o - (hi - lo), 15 - o)``:

=========  ======  =========  ======
reference  offset  personal   strand
=========  ======  =========  ======
0-5        .       0-5        ``+``
5-9        0       11-15      ``-``
11-13      4       9-11       ``-``
13-15      8       5-7        ``-``
15-20      .       15-20      ``+``
=========  ======  =========  ======

In the chain file the three ``-`` blocks form one chain whose query runs on the
reverse strand (``q = 20 - pend``): 5-9, 9-11, 13-15, so the gap lines are
``4 2 0`` (two reference bases deleted, none inserted) and ``2 0 2``.
"""

import pandas as pd

from hicmodels.genome.liftover import lift_positions, mark_copies, merge_blocks, read_chain, write_chain
from variant_helpers import build, chain_check, deleted

REF = "ACGTTGCAAGCTTCGAGGAT"
ROWS = [
    ("chr1", 5, "inv", "T", "<INV>", "PASS", "SVTYPE=INV;END=15", "1|0"),
    ("chr1", 9, "del", "AGC", "A", "PASS", ".", "1|0"),
    ("chr1", 13, "ins", "T", "TTT", "PASS", ".", "1|0"),
]
EXPECTED_BLOCKS = [
    ["chr1", 0, 5, "chr1", 0, 5, "+"],
    ["chr1", 5, 9, "chr1", 11, 15, "-"],
    ["chr1", 11, 13, "chr1", 9, 11, "-"],
    ["chr1", 13, 15, "chr1", 5, 7, "-"],
    ["chr1", 15, 20, "chr1", 15, 20, "+"],
]
EXPECTED_CHAIN = (
    "chain 5 chr1 20 + 0 5 chr1 20 + 0 5 1\n5\n\n"
    "chain 8 chr1 20 + 5 15 chr1 20 - 5 15 2\n4 2 0\n2 0 2\n2\n\n"
    "chain 5 chr1 20 + 15 20 chr1 20 + 15 20 3\n5\n\n"
)


def revcomp(seq):
    return seq.translate(str.maketrans("ACGT", "TGCA"))[::-1]


def test_inversion_with_an_internal_deletion_and_insertion(tmp_path):
    out = build(tmp_path, {"chr1": REF}, ROWS)
    assert out.count(1, "applied") == 3 and out.count(1, "skipped") == 0
    piece = "GCAA" + "TT" + "TT" + "CG"
    assert out.hap[1]["chr1"] == "ACGTT" + revcomp(piece) + "AGGAT" == "ACGTTCGAAAATTGCAGGAT"
    assert out.hap[2]["chr1"] == REF
    blocks = out.blocks[1][["chrom", "start", "end", "pchrom", "pstart", "pend", "strand"]]
    assert blocks.values.tolist() == EXPECTED_BLOCKS
    assert open(out.paths["hap1_chain"]).read() == EXPECTED_CHAIN
    assert deleted({"chr1": REF}, out.blocks[1]) == {"chr1": [9, 10]}
    assert chain_check({"chr1": REF}, out.hap[1], out.blocks[1]) == []


def test_mirrored_positions_inside_the_inverted_piece(tmp_path):
    out = build(tmp_path, {"chr1": REF}, ROWS)
    _, ppos = lift_positions(out.blocks[1], "chr1", range(20))
    assert ppos.tolist() == [0, 1, 2, 3, 4, 14, 13, 12, 11, -1, -1, 10, 9, 6, 5, 15, 16, 17, 18, 19]


def test_minus_strand_chain_with_gaps_is_read_as_written_by_hand(tmp_path):
    path = tmp_path / "hand.chain"
    path.write_text(EXPECTED_CHAIN)
    blocks, ref_sizes, personal_sizes = read_chain(path)
    assert blocks.values.tolist() == EXPECTED_BLOCKS
    assert ref_sizes == personal_sizes == {"chr1": 20}


def test_minus_strand_chain_with_gaps_is_written_as_worked_out_by_hand(tmp_path):
    blocks = pd.DataFrame(EXPECTED_BLOCKS, columns=["chrom", "start", "end", "pchrom", "pstart", "pend", "strand"])
    write_chain(blocks, {"chr1": 20}, {"chr1": 20}, tmp_path / "out.chain")
    assert (tmp_path / "out.chain").read_text() == EXPECTED_CHAIN


def test_duplication_after_an_inversion_holding_a_deletion(tmp_path):
    """A tandem duplication sharing the inversion's right boundary: the second copy follows the inverted piece."""
    rows = ROWS[:2] + [("chr1", 15, "dup", "G", "<DUP>", "PASS", "SVTYPE=DUP;END=18", "1|0")]
    out = build(tmp_path, {"chr1": REF}, rows)
    assert out.count(1, "applied") == 3
    assert out.hap[1]["chr1"] == "ACGTT" + revcomp("GCAA" + "TTCG") + "AGG" + "AGG" + "AT"
    blocks = mark_copies(out.blocks[1])  # chain order: primary copies first
    assert blocks[["start", "end", "pstart", "pend", "strand", "copy"]].values.tolist() == [
        [0, 5, 0, 5, "+", 0], [5, 9, 9, 13, "-", 0], [11, 15, 5, 9, "-", 0], [15, 18, 13, 16, "+", 0],
        [18, 20, 19, 21, "+", 0], [15, 18, 16, 19, "+", 1],
    ]
    assert chain_check({"chr1": REF}, out.hap[1], out.blocks[1]) == []


def test_merge_blocks_joins_minus_strand_blocks_only_where_they_continue_backwards():
    columns = ["chrom", "start", "end", "pchrom", "pstart", "pend", "strand"]
    # reference 0-5 at personal 10-15 and 5-8 at 7-10, read backwards: one block 0-8 at 7-15
    continued = pd.DataFrame([["c", 0, 5, "p", 10, 15, "-"], ["c", 5, 8, "p", 7, 10, "-"]], columns=columns)
    assert merge_blocks(continued).values.tolist() == [["c", 0, 8, "p", 7, 15, "-"]]
    # 5-8 at 15-18 follows on the forward strand only: two blocks on the minus strand
    forward = pd.DataFrame([["c", 0, 5, "p", 10, 15, "-"], ["c", 5, 8, "p", 15, 18, "-"]], columns=columns)
    assert merge_blocks(forward).values.tolist() == forward.values.tolist()
