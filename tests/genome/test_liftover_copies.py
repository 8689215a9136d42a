"""Primary and extra copies in a mapping; merging abutting blocks."""

import pandas as pd

from hicmodels.genome.liftover import BLOCK_COLUMNS, invert, lift_positions, mark_copies, merge_blocks, read_chain, write_chain


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
