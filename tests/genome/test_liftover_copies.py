"""Primary and extra copies in a mapping; merging abutting blocks."""

import pandas as pd

from hicmodels.genome.liftover import (
    BLOCK_COLUMNS, invert, lift_positions, mark_copies, merge_blocks, personal_extras, read_chain, write_chain,
)


def blocks(rows):
    return pd.DataFrame(rows, columns=BLOCK_COLUMNS)


def test_first_block_over_a_base_is_primary_and_later_ones_are_split():
    # a tandem duplication of chr1:40-60 written primary first, then a copy of 30-70 that half overlaps
    mapping = blocks([
        ("chr1", 0, 60, "p1", 0, 60, "+"),
        ("chr1", 60, 100, "p1", 80, 120, "+"),
        ("chr1", 40, 60, "p1", 60, 80, "+"),
        ("chr1", 50, 70, "p2", 0, 20, "-"),
    ])
    marked = mark_copies(mapping)
    assert marked.values.tolist() == [
        ["chr1", 0, 60, "p1", 0, 60, "+", 0],
        ["chr1", 60, 100, "p1", 80, 120, "+", 0],
        ["chr1", 40, 60, "p1", 60, 80, "+", 1],
        ["chr1", 50, 60, "p2", 10, 20, "-", 1],
        ["chr1", 60, 70, "p2", 0, 10, "-", 1],
    ]


def test_lift_positions_prefers_the_primary_copy():
    # the extra copy lies before the primary one in the personal genome
    mapping = mark_copies(blocks([("chr1", 0, 10, "p1", 20, 30, "+"), ("chr1", 0, 10, "p1", 0, 10, "+")]))
    assert lift_positions(mapping, "chr1", [3])[1].tolist() == [23]
    assert lift_positions(mapping.drop(columns="copy"), "chr1", [3])[1].tolist() == [3]
    assert invert(mapping).columns.tolist() == BLOCK_COLUMNS + ["copy"]


def test_copy_labels_survive_a_chain_round_trip(tmp_path):
    mapping = blocks([
        ("chr1", 0, 60, "p1", 0, 60, "+"), ("chr1", 60, 100, "p1", 80, 120, "+"), ("chr1", 40, 60, "p1", 60, 80, "+"),
    ])
    write_chain(mapping, {"chr1": 100}, {"p1": 120}, tmp_path / "x.chain")
    back, _, _ = read_chain(tmp_path / "x.chain")
    assert mark_copies(back)["copy"].tolist() == [0, 0, 1]


def test_merge_blocks_joins_only_continuations():
    mapping = blocks([
        ("chr1", 0, 10, "p1", 0, 10, "+"),
        ("chr1", 10, 15, "p1", 10, 15, "+"),   # continues the first
        ("chr1", 15, 20, "p1", 18, 23, "+"),   # personal gap: new block
        ("chr1", 20, 25, "p1", 40, 45, "-"),
        ("chr1", 25, 30, "p1", 35, 40, "-"),   # continues the reverse block
    ])
    assert merge_blocks(mapping).values.tolist() == [
        ["chr1", 0, 15, "p1", 0, 15, "+"],
        ["chr1", 15, 20, "p1", 18, 23, "+"],
        ["chr1", 20, 30, "p1", 35, 45, "-"],
    ]


def test_a_plus_strand_copy_over_the_end_of_a_primary_is_split_in_personal_order():
    # chr1:50-70 copied to p1:100-120 after chr1:0-60: 50-60 is an extra copy (p1:100-110), 60-70 primary (110-120)
    marked = mark_copies(blocks([("chr1", 0, 60, "p1", 0, 60, "+"), ("chr1", 50, 70, "p1", 100, 120, "+")]))
    assert marked.values.tolist() == [
        ["chr1", 0, 60, "p1", 0, 60, "+", 0],
        ["chr1", 50, 60, "p1", 100, 110, "+", 1],
        ["chr1", 60, 70, "p1", 110, 120, "+", 0],
    ]


def test_lift_positions_names_the_personal_chromosome():
    mapping = blocks([("c1", 0, 10, "p1", 0, 10, "+"), ("c1", 15, 20, "p2", 3, 8, "-")])
    pchrom, ppos = lift_positions(mapping, "c1", [2, 12, 16])
    assert pchrom.tolist() == ["p1", None, "p2"] and ppos.tolist() == [2, -1, 6]  # 16 -> 8 - 1 - (16 - 15)


def test_personal_extras_keep_given_copy_labels_and_the_personal_chromosome_order():
    # the extra copy on p2 is listed before its primary on p1: the copy column, not the row order, decides
    mapping = blocks([
        ("chr1", 0, 10, "p2", 0, 10, "+"), ("chr1", 0, 10, "p1", 5, 15, "+"), ("chr1", 10, 20, "p1", 15, 25, "+"),
    ]).assign(copy=[1, 0, 0])
    extras = personal_extras(mapping, {"p2": 12, "p1": 25})  # p2 first, as in the FASTA
    assert extras.columns.tolist() == ["pchrom", "pstart", "pend", "kind", "chrom", "start", "end", "strand"]
    assert extras.values.tolist() == [
        ["p2", 0, 10, "extra_copy", "chr1", 0, 10, "+"],
        ["p2", 10, 12, "novel", ".", -1, -1, "."],
        ["p1", 0, 5, "novel", ".", -1, -1, "."],
    ]


def test_marked_blocks_come_back_in_input_order_with_a_fresh_index():
    # rows 0 and 2 share chr1:0-10 (split path), row 1 stands alone: input order, labelled 0..n-1
    marked = mark_copies(blocks([
        ("chr1", 0, 10, "p1", 0, 10, "+"), ("chr1", 100, 110, "p1", 20, 30, "+"), ("chr1", 0, 10, "p1", 10, 20, "+"),
    ]))
    assert marked[["start", "pstart", "copy"]].values.tolist() == [[0, 0, 0], [100, 20, 0], [0, 10, 1]]
    assert marked.index.tolist() == [0, 1, 2]
