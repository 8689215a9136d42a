import re

import numpy as np
import pandas as pd
import pytest

from hicmodels.errors import InputError
from hicmodels.genome import liftover


def blocks(rows):
    return pd.DataFrame(rows, columns=liftover.BLOCK_COLUMNS)


# reference c1 (40 bp): 3 bp inserted after base 2, bases 10-13 deleted (bcftools' chain of such a VCF)
BCFTOOLS_CHAIN = "chain 36 c1 40 + 0 40 c1 39 + 0 39 1\n3 0 3\n7 4 0\n26\n\n"


def test_read_chain_insertion_and_deletion(tmp_path):
    path = tmp_path / "x.chain"
    path.write_text(BCFTOOLS_CHAIN)
    got, ref_sizes, pers_sizes = liftover.read_chain(path)
    assert ref_sizes == {"c1": 40} and pers_sizes == {"c1": 39}
    expected = blocks([("c1", 0, 3, "c1", 0, 3, "+"), ("c1", 3, 10, "c1", 6, 13, "+"), ("c1", 14, 40, "c1", 13, 39, "+")])
    pd.testing.assert_frame_equal(got, expected)
    _, ppos = liftover.lift_positions(got, "c1", np.arange(40))
    assert ppos[:3].tolist() == [0, 1, 2]
    assert ppos[3] == 6  # after the 3 inserted bases
    assert ppos[10:14].tolist() == [-1, -1, -1, -1]  # deleted
    assert ppos[14] == 13 and ppos[39] == 38
    pd.testing.assert_frame_equal(liftover.deleted_reference(got, ref_sizes), pd.DataFrame({"chrom": ["c1"], "start": [10], "end": [14]}))
    pd.testing.assert_frame_equal(liftover.novel_personal(got, pers_sizes), pd.DataFrame({"chrom": ["c1"], "start": [3], "end": [6]}))


def test_chain_round_trip_with_inversion_and_duplication(tmp_path):
    mapping = blocks([
        ("c1", 0, 10, "c1", 0, 10, "+"),
        ("c1", 10, 20, "c1", 10, 20, "-"),  # inverted
        ("c1", 20, 30, "c1", 20, 30, "+"),
        ("c1", 20, 30, "c1", 30, 40, "+"),  # tandem copy
    ])
    path = tmp_path / "x.chain"
    liftover.write_chain(mapping, {"c1": 30}, {"c1": 40}, path)
    assert path.read_text().count("chain ") == 4  # strand changes and the copy's step back start new chains
    back, _, _ = liftover.read_chain(path)
    pd.testing.assert_frame_equal(back, mapping)


def test_inverted_block_maps_backwards():
    mapping = blocks([("c1", 0, 10, "c1", 0, 10, "+"), ("c1", 10, 20, "c1", 10, 20, "-")])
    _, ppos = liftover.lift_positions(mapping, "c1", [10, 11, 19])
    assert ppos.tolist() == [19, 18, 10]
    pieces = liftover.lift_intervals(mapping, pd.DataFrame({"chrom": ["c1"], "start": [5], "end": [13]}))
    assert pieces[["piece_start", "piece_end", "pstart", "pend", "strand"]].values.tolist() == [
        [5, 10, 5, 10, "+"], [10, 13, 17, 20, "-"]]


def test_duplicated_interval_lifts_to_every_copy():
    mapping = blocks([("c1", 0, 30, "c1", 0, 30, "+"), ("c1", 20, 30, "c1", 30, 40, "+")])
    pieces = liftover.lift_intervals(mapping, pd.DataFrame({"chrom": ["c1"], "start": [25], "end": [27]}))
    assert pieces[["pstart", "pend"]].values.tolist() == [[25, 27], [35, 37]]
    _, ppos = liftover.lift_positions(mapping, "c1", [25])
    assert ppos.tolist() == [25]  # the first copy


def test_invert_swaps_sides():
    mapping = blocks([("c1", 0, 3, "h1", 0, 3, "+"), ("c1", 3, 10, "h1", 6, 13, "+")])
    back = liftover.invert(mapping)
    assert back.values.tolist() == [["h1", 0, 3, "c1", 0, 3, "+"], ["h1", 6, 13, "c1", 3, 10, "+"]]


@pytest.mark.parametrize("text, message", [
    ("1 0 0\n", "block line outside a chain"),
    ("chain 1 c1 10 +\n", "chain header needs 12 fields"),
    ("chain 1 c1 10 - 0 10 c1 10 + 0 10 1\n10\n", "reference (target) strand must be '+'"),
])
def test_bad_chain_names_the_line(tmp_path, text, message):
    path = tmp_path / "bad.chain"
    path.write_text(text)
    with pytest.raises(InputError, match=rf"bad\.chain:1: {re.escape(message)}"):
        liftover.read_chain(path)


def test_empty_chain_gives_typed_empty_blocks(tmp_path):
    path = tmp_path / "empty.chain"
    path.write_text("")
    got, ref_sizes, pers_sizes = liftover.read_chain(path)
    assert len(got) == 0 and ref_sizes == pers_sizes == {}
    assert got.columns.tolist() == liftover.BLOCK_COLUMNS
    assert [str(t) for t in got.dtypes] == ["object", "int64", "int64", "object", "int64", "int64", "object"]


@pytest.mark.parametrize("text, line, message", [
    ("chain 10 c1 10 + 0 10 c1 10 + 0 10 1\n10\n\n10\n", 4, "block line outside a chain"),  # after the blank line
    ("chain 10 c1 10 + 0 10 c1 10 + 0 10 1\n3 0\n7\n", 2, "block line needs 1 or 3 fields"),
    ("chain 10 c1 10 + 0 10 c1 10 + 0 10 1\n3 0 0 0\n7\n", 2, "block line needs 1 or 3 fields"),
    ("chain 10 c1 10 + 0 10 c1 10 + 0\n10\n", 1, "chain header needs 12 fields"),  # 11 fields
])
def test_bad_chain_lines_are_named_exactly(tmp_path, text, line, message):
    path = tmp_path / "bad.chain"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        liftover.read_chain(path)
    assert str(raised.value) == f"{path}:{line}: {message}"


def test_chain_header_without_an_id_is_read(tmp_path):
    path = tmp_path / "noid.chain"
    path.write_text("chain 10 c1 12 + 2 12 h1 10 + 0 10\n10\n\n")  # 12 fields: the chain id is optional
    got, ref_sizes, pers_sizes = liftover.read_chain(path)
    pd.testing.assert_frame_equal(got, blocks([("c1", 2, 12, "h1", 0, 10, "+")]))
    assert ref_sizes == {"c1": 12} and pers_sizes == {"h1": 10}


def test_chain_per_chromosome_holds_its_colinear_blocks(tmp_path):
    # the second chromosome's two blocks advance on both sides (5 reference bases deleted between them): one
    # chain; each block is compared with the one before it, not with the first (which ends further on)
    mapping = blocks([
        ("c1", 0, 40, "h1", 0, 40, "+"),
        ("c2", 0, 10, "h2", 0, 10, "+"),
        ("c2", 15, 30, "h2", 10, 25, "+"),
    ])
    path = tmp_path / "two.chain"
    liftover.write_chain(mapping, {"c1": 40, "c2": 30}, {"h1": 40, "h2": 25}, path)
    assert path.read_text() == (
        "chain 40 c1 40 + 0 40 h1 40 + 0 40 1\n40\n\n"
        "chain 25 c2 30 + 0 30 h2 25 + 0 25 2\n10 5 0\n15\n\n"
    )
    back, _, _ = liftover.read_chain(path)
    pd.testing.assert_frame_equal(back, mapping)


def test_invert_sorts_by_personal_position_and_relabels_the_rows():
    mapping = blocks([("c1", 0, 10, "h2", 0, 10, "+"), ("c1", 10, 20, "h1", 5, 15, "-")]).assign(copy=[0, 1])
    expected = pd.DataFrame(
        [("h1", 5, 15, "c1", 10, 20, "-", 1), ("h2", 0, 10, "c1", 0, 10, "+", 0)],
        columns=liftover.BLOCK_COLUMNS + ["copy"],
    )
    pd.testing.assert_frame_equal(liftover.invert(mapping), expected)  # rows labelled 0..n-1 after the sort


def test_merge_blocks_keeps_rows_on_other_chromosomes_apart_and_compares_each_with_the_one_before():
    mapping = blocks([
        ("c1", 0, 10, "h1", 0, 10, "+"),
        ("c2", 10, 20, "h1", 10, 20, "+"),  # abuts the first on both sides, but another reference chromosome
        ("c2", 20, 30, "h2", 20, 30, "+"),  # abuts the second, but another personal chromosome
        ("c2", 40, 50, "h2", 35, 45, "+"),  # a gap on both sides
        ("c2", 50, 60, "h2", 45, 55, "+"),  # continues the row before it (not the first row, which ends at 10)
    ])
    assert merge_blocks_of(mapping) == [
        ["c1", 0, 10, "h1", 0, 10, "+"],
        ["c2", 10, 20, "h1", 10, 20, "+"],
        ["c2", 20, 30, "h2", 20, 30, "+"],
        ["c2", 40, 60, "h2", 35, 55, "+"],
    ]
    copies = mapping.iloc[:2].assign(chrom="c1", pchrom=["h1", "h2"], copy=0)  # last key (copy) equal, pchrom not
    assert merge_blocks_of(copies) == copies.values.tolist()


def merge_blocks_of(mapping):
    merged = liftover.merge_blocks(mapping)
    assert merged.index.tolist() == list(range(len(merged))) and merged.columns.tolist() == mapping.columns.tolist()
    return merged.values.tolist()


@pytest.mark.parametrize("rows", [0, 1])
def test_merge_blocks_of_fewer_than_two_rows_relabels_them(rows):
    mapping = blocks([("c1", 0, 10, "h1", 0, 10, "+")] * rows).set_axis([7] * rows)
    pd.testing.assert_frame_equal(liftover.merge_blocks(mapping), mapping.reset_index(drop=True))


def test_lift_intervals_returns_the_input_columns_then_the_pieces():
    # intervals with their own labels and an extra column; the labels are not returned as a column
    mapping = blocks([("c1", 0, 10, "h1", 0, 10, "+"), ("c1", 10, 20, "h1", 10, 20, "-")])
    intervals = pd.DataFrame({"chrom": ["c1", "c1"], "start": [12, 8], "end": [14, 11], "name": ["b", "a"]}, index=[5, 3])
    expected = pd.DataFrame({
        "chrom": ["c1", "c1", "c1"], "start": [12, 8, 8], "end": [14, 11, 11], "name": ["b", "a", "a"],
        "piece_start": [12, 8, 10], "piece_end": [14, 10, 11], "pchrom": ["h1"] * 3,
        "pstart": [16, 8, 19], "pend": [18, 10, 20], "strand": ["-", "+", "-"],
    })
    pd.testing.assert_frame_equal(liftover.lift_intervals(mapping, intervals), expected)


def test_chain_coordinates_held_as_floats_are_written_as_integers(tmp_path):
    # coordinates that pandas turned into floats on the way (a reindex or concat with missing values) write the same text
    mapping = blocks([("c1", 0, 10, "h1", 0, 10, "+"), ("c1", 12, 20, "h1", 10, 18, "+")])
    as_floats = mapping.astype({c: float for c in ("start", "end", "pstart", "pend")})
    liftover.write_chain(as_floats, {"c1": 20}, {"h1": 18}, tmp_path / "floats.chain")
    assert (tmp_path / "floats.chain").read_text() == "chain 18 c1 20 + 0 20 h1 18 + 0 18 1\n10 2 0\n8\n\n"
