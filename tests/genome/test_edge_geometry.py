"""Edges of the genome: SVs that share a boundary, chromosomes one window long, windows at the chromosome end,
chromosome lengths off the bin grid. Expected values are worked out by hand in the comments."""

import cooler
import numpy as np
import pandas as pd
import pytest

from hicmodels.hic.assemble import assemble_cool, stitch_windows
from hicmodels.errors import InputError
from hicmodels.genome import liftover, windows
from hicmodels.genome.liftover import mark_copies
from hicmodels.hic.rebin import resample, split_at_bins
from hicmodels.hic.stitch import ChromosomeStitcher
from hicmodels.variants.ops import Inversion, Join, TandemDup, TransDup, collide
from variant_helpers import build, chain_check

NO_EXCLUDED = pd.DataFrame(columns=["chrom", "start", "end", "name"])
REF = "ACGTTGCAAGCTTCGAGGAT"


def _blocks(rows):
    return pd.DataFrame(rows, columns=liftover.BLOCK_COLUMNS)


# --- structural variants sharing a boundary -------------------------------------------------------------------

def test_two_adjacent_tandem_duplications(tmp_path):
    # DUP [5, 9) (POS 5, END 9) and DUP [9, 13) (POS 9, END 13) share boundary 9: X X Y Y
    rows = [("chr1", 5, "d1", "T", "<DUP>", "PASS", "SVTYPE=DUP;END=9", "1|0"),
            ("chr1", 9, "d2", "A", "<DUP>", "PASS", "SVTYPE=DUP;END=13", "1|0")]
    out = build(tmp_path, {"chr1": REF}, rows)
    assert out.count(1, "applied") == 2 and out.count(1, "skipped") == 0
    x, y = REF[5:9], REF[9:13]
    assert out.hap[1]["chr1"] == REF[:5] + x + x + y + y + REF[13:]
    # personal: 0-5 ref 0-5 | 5-9 X | 9-13 X' | 13-17 Y | 17-21 Y' | 21-28 ref 13-20; primary copies first
    blocks = mark_copies(out.blocks[1])
    assert blocks[["start", "end", "pstart", "pend", "copy"]].values.tolist() == [
        [0, 9, 0, 9, 0], [9, 13, 13, 17, 0], [13, 20, 21, 28, 0], [5, 9, 9, 13, 1], [9, 13, 17, 21, 1],
    ]
    assert chain_check({"chr1": REF}, out.hap[1], out.blocks[1]) == []


def test_inversion_then_a_duplication_starting_at_its_end(tmp_path):
    # INV [5, 12) and DUP [12, 16) share boundary 12: the duplicated stretch follows the inverted piece
    rows = [("chr1", 5, "inv", "T", "<INV>", "PASS", "SVTYPE=INV;END=12", "1|0"),
            ("chr1", 12, "dup", "T", "<DUP>", "PASS", "SVTYPE=DUP;END=16", "1|0")]
    out = build(tmp_path, {"chr1": REF}, rows)
    assert out.count(1, "applied") == 2
    inverted = REF[5:12].translate(str.maketrans("ACGT", "TGCA"))[::-1]
    assert out.hap[1]["chr1"] == REF[:5] + inverted + REF[12:16] + REF[12:16] + REF[16:]
    blocks = mark_copies(out.blocks[1])
    assert blocks[["start", "end", "pstart", "pend", "strand", "copy"]].values.tolist() == [
        [0, 5, 0, 5, "+", 0], [5, 12, 5, 12, "-", 0], [12, 16, 12, 16, "+", 0], [16, 20, 20, 24, "+", 0],
        [12, 16, 16, 20, "+", 1],
    ]
    assert chain_check({"chr1": REF}, out.hap[1], out.blocks[1]) == []


def test_abutting_small_edits_both_apply_where_another_pair_overlaps(tmp_path):
    # SNV at 2 (REF span 2-3) and a deletion whose REF span 3-5 starts where the SNV's ends: both apply.
    # Further on, an MNV over 9-11 overlaps the SNV at 9: the later record is rejected (overlap), which
    # makes the builder check every pair of spans, abutting ones included.
    rows = [("chr1", 3, "snv", "G", "A", "PASS", ".", "1|0"),
            ("chr1", 4, "del", "TT", "T", "PASS", ".", "1|0"),
            ("chr1", 10, "snv2", "G", "C", "PASS", ".", "1|0"),
            ("chr1", 10, "mnv", "GC", "TA", "PASS", ".", "1|0")]
    out = build(tmp_path, {"chr1": REF}, rows)
    assert out.count(1, "applied") == 3 and out.count(1, "skipped", reason="overlap") == 1
    assert out.rejects["id"].tolist() == ["mnv"]
    assert out.hap[1]["chr1"] == "ACAT" + "GCAA" + "C" + "CTTCGAGGAT"
    assert chain_check({"chr1": REF}, out.hap[1], out.blocks[1]) == [("chr1", 2, "A", "G"), ("chr1", 9, "C", "G")]


# --- tiling ---------------------------------------------------------------------------------------------------

def test_chromosome_exactly_one_window_long():
    got = windows.tile(pd.Series({"a": 200, "b": 199}), size=200, step=100, binsize=50)
    assert got.values.tolist() == [["a", 0, 200]]


def test_tiling_without_end_anchored_windows_leaves_the_tail():
    sizes = pd.Series({"a": 520})
    # starts 0, 150, 300 (300 + 200 = 500 <= 520); the end-anchored start is 320 rounded down to 40 bp: 320
    assert windows.tile(sizes, 200, 150, 40)["start"].tolist() == [0, 150, 300, 320]
    assert windows.tile(sizes, 200, 150, 40, cover_ends=False)["start"].tolist() == [0, 150, 300]
    # rounded down to 50 bp the anchored start is 300, which is already a window: no duplicate
    assert windows.tile(sizes, 200, 150, 50)["start"].tolist() == [0, 150, 300]
    assert windows.tile(pd.Series({"a": 500}), 200, 150, 50)["start"].tolist() == [0, 150, 300]


def _one_chromosome_windows(length, size=200, step=100, binsize=50):
    return windows.reference_windows(pd.Series({"a": length}), ["a"], size, step, binsize, NO_EXCLUDED, {})


def test_deletion_inside_the_last_window_keeps_the_model_window_inside_the_chromosome():
    # 1000 bp, windows of 200 every 100: the last is 800-1000. 50 bp deleted at 900-950: personal a is 950 bp.
    ref = _one_chromosome_windows(1000)
    mapping = _blocks([("a", 0, 900, "a", 0, 900, "+"), ("a", 950, 1000, "a", 900, 950, "+")])
    got = windows.haplotype_windows(ref, mapping, pd.Series({"a": 950})).set_index("window_id")
    last = got.loc["a:800-1000"]
    # covering interval 800-950, centre 875: 775-975 would run 25 bp past the end; shifted in to 750-950
    assert (last["pstart"], last["pend"], last["status"]) == (800, 950, "ok")
    assert (last["seq_start"], last["seq_end"]) == (750, 950)
    assert (got["seq_end"] <= 950).all() and (got["seq_end"] - got["seq_start"] == 200).all()


def test_insertion_inside_the_last_window():
    # 100 bp inserted after reference base 899: personal a is 1100 bp
    ref = _one_chromosome_windows(1000)
    mapping = _blocks([("a", 0, 900, "a", 0, 900, "+"), ("a", 900, 1000, "a", 1000, 1100, "+")])
    got = windows.haplotype_windows(ref, mapping, pd.Series({"a": 1100})).set_index("window_id")
    last = got.loc["a:800-1000"]
    # covering interval 800-1100, centre 950: 850-1050
    assert (last["pstart"], last["pend"], last["seq_start"], last["seq_end"]) == (800, 1100, 850, 1050)


def test_one_window_chromosome_with_an_indel(tmp_path):
    # a 20 bp chromosome tiled by one 20 bp window; a deletion makes it shorter than the window, an insertion longer
    ref = windows.reference_windows(pd.Series({"chr1": 20}), ["chr1"], 20, 10, 5, NO_EXCLUDED, {})
    assert ref["window_id"].tolist() == ["chr1:0-20"]
    out = build(tmp_path, {"chr1": REF}, [("chr1", 9, "del", "AGC", "A", "PASS", ".", "1|0"),
                                          ("chr1", 13, "ins", "T", "TTT", "PASS", ".", "0|1")])
    short = windows.haplotype_windows(ref, out.blocks[1], pd.Series({"chr1": 18})).iloc[0]
    assert short["status"] == "personal chromosome shorter than the window" and short["seq_start"] == -1
    long = windows.haplotype_windows(ref, out.blocks[2], pd.Series({"chr1": 22})).iloc[0]
    # covering interval 0-22, centre 11: 1-21
    assert (long["status"], long["pstart"], long["pend"], long["seq_start"], long["seq_end"]) == ("ok", 0, 22, 1, 21)


# --- the stitcher on a chromosome whose length is not a multiple of the bin size ----------------------------

def _window_table(rows):
    return pd.DataFrame([(f"w{i}", "a", s, e, "a", s, e) for i, (s, e) in enumerate(rows)],
                        columns=["window_id", "chrom", "start", "end", "seq_chrom", "seq_start", "seq_end"])


def test_stitcher_with_a_short_last_bin(tmp_path):
    # chromosome a: 295 bp at 10 bp bins = 30 bins, the last (290-295) 5 bp long. One window 195-295 of
    # 10 bins of 10 bp: window bin k covers 195 + 10k .. 205 + 10k, so reference bin 20 + j gets half of window
    # bins j - 1 and j, bin 19 (190-200) only 5 of its 10 bp (masked at min_coverage 0.6) and bin 29 (290-295)
    # all of its 5 bp, from window bin 9.
    rng = np.random.default_rng(0)
    m = rng.random((10, 10))
    m = m + m.T
    table = _window_table([(195, 295)])
    pixels, valid, _ = stitch_windows(table, ["w0"], m[None], pd.Series({"a": 295}), 10, blocks=None,
                                      min_coverage=0.6)
    assert len(valid["a"]) == 30
    assert np.flatnonzero(valid["a"]).tolist() == list(range(20, 30))
    rows, cols, values = pixels["a"]
    got = dict(zip(zip(rows.tolist(), cols.tolist()), values.tolist()))
    assert max(cols) == 29
    assert got[(29, 29)] == pytest.approx(m[9, 9])
    assert got[(28, 29)] == pytest.approx((m[8, 9] + m[9, 9]) / 2)
    assert got[(20, 20)] == pytest.approx(m[:2, :2].mean())
    assert (19, 19) not in got and (19, 25) not in got

    assemble_cool(table, ["w0"], m[None], pd.Series({"a": 295}), 10, tmp_path / "a.cool", blocks=None,
                  min_coverage=0.6, metadata=None, band_min_predicted=0.99)
    clr = cooler.Cooler(str(tmp_path / "a.cool"))
    bins = clr.bins()[:]
    assert len(bins) == 30 and bins["end"].iloc[-1] == 295
    assert np.isnan(bins["weight"].iloc[19]) and np.isfinite(bins["weight"].iloc[29])


def test_stitcher_rejects_bins_past_the_chromosome():
    stitcher = ChromosomeStitcher(30)
    stitcher.add([27, 28, 29], np.ones((3, 3)))
    with pytest.raises(ValueError):
        stitcher.add([28, 29, 30], np.ones((3, 3)))
    with pytest.raises(ValueError):
        stitcher.add([-1, 0, 1], np.ones((3, 3)))
    with pytest.raises(ValueError):
        stitcher.add([3, 3, 4], np.ones((3, 3)))


# --- cases that surviving mutants showed missing (docs/testing.md) ----------------------------------------


def test_stitcher_without_windows_returns_empty_typed_arrays():
    rows, cols, values, coverage = ChromosomeStitcher(5).result()
    assert [a.shape for a in (rows, cols, values, coverage)] == [(0,)] * 4
    assert [a.dtype for a in (rows, cols, values, coverage)] == [np.int64, np.int64, np.float64, np.int64]


def test_stitcher_bins_given_as_floats_come_back_as_integer_indices():
    stitcher = ChromosomeStitcher(4)
    stitcher.add(np.array([1.0, 2.0]), np.array([[1.0, 2.0], [2.0, 3.0]]))
    rows, cols, values, _ = stitcher.result()
    assert rows.dtype == cols.dtype == np.int64
    assert list(zip(rows.tolist(), cols.tolist(), values.tolist())) == [(1, 1, 1.0), (1, 2, 2.0), (2, 2, 3.0)]


@pytest.mark.parametrize("bins", [[28, 29, 30], [-1, 0, 1], [3, 3, 4], [4, 3, 5]])
def test_stitcher_names_what_is_wrong_with_window_bins(bins):
    with pytest.raises(ValueError, match="^window bins must be increasing and inside the chromosome$"):
        ChromosomeStitcher(30).add(bins, np.ones((3, 3)))


# collisions between structural operations (hicmodels.variants.ops): one rule per case

def test_operations_claiming_the_same_side_collide():
    # a tandem duplication of 10-20 claims both sides of 20; an inversion of 20-30 claims them too
    assert collide(TandemDup("c", 10, 20), Inversion("c", 20, 30))
    # a breakend join naming only the left side of 20, or only the right side
    assert collide(TandemDup("c", 10, 20), Join(("c", 20, "L"), ("d", 5, "R")))
    assert collide(TandemDup("c", 10, 20), Join(("d", 5, "L"), ("c", 20, "R")))
    # a trans-duplication's target 30-40 claims both sides of 30 and 40; an inversion of 40-50 too
    assert collide(TransDup(("c", 10, 20), ("c", 30, 40)), Inversion("c", 40, 50))
    # an inversion then a duplication starting at its end: the duplication claims only its own end
    assert not collide(Inversion("c", 10, 20), TandemDup("c", 20, 30))
    assert not collide(TandemDup("c", 10, 20), TandemDup("c", 20, 30))


def test_a_cut_strictly_inside_a_range_collides():
    assert collide(Inversion("c", 10, 20), Inversion("c", 15, 30))  # 15 inside 10-20
    # an inversion inside a trans-duplication's target: only the target range sees it
    assert collide(TransDup(("c", 10, 20), ("c", 30, 40)), Inversion("c", 32, 38))
    assert not collide(TransDup(("c", 10, 20), ("c", 30, 30)), Inversion("c", 25, 29))  # empty target


def test_overlapping_ranges_collide_without_a_cut_inside():
    # a trans-duplication copying exactly the inverted stretch 10-20: no cut strictly inside, same range
    assert collide(Inversion("c", 10, 20), TransDup(("c", 10, 20), ("d", 0, 0)))
    assert not collide(Inversion("c", 10, 20), TransDup(("c", 20, 30), ("d", 0, 0)))


def test_resample_masks_partly_covered_bins_only_when_asked_with_lengths():
    # destination bin 0 holds all 10 bp of source bin 0, bin 1 only 5 of its 10 bp (from source bin 1)
    m = np.array([[1.0, 2.0], [2.0, 3.0]])
    weights = np.array([[10.0, 0.0], [0.0, 5.0]])
    np.testing.assert_array_equal(resample(m, weights, dst_lengths=[10, 10]), m)  # default min_coverage 0
    masked = resample(m, weights, dst_lengths=[10, 10], min_coverage=0.6)
    assert masked[0, 0] == 1.0 and np.isnan(masked[1]).all() and np.isnan(masked[:, 1]).all()
    np.testing.assert_array_equal(resample(m, weights, min_coverage=0.6), m)  # no lengths: no coverage test


def test_split_at_bins_keeps_a_one_base_tail_and_drops_empty_intervals():
    # 5-11 at 10 bp bins: 5 bp in bin 0 and the single base 10 in bin 1; 7-7 is empty; 20-30 is bin 2 exactly
    bins, index, overlap = split_at_bins([0, 1, 2], [5, 7, 20], [11, 7, 30], 10)
    assert list(zip(bins.tolist(), index.tolist(), overlap.tolist())) == [(0, 0, 5), (1, 0, 1), (2, 2, 10)]


def test_resample_keeps_a_destination_bin_sharing_a_single_base():
    # destination bin 1 shares one base with source bin 1 (a bin split at a chromosome end, say)
    m = np.array([[1.0, 2.0], [2.0, 3.0]])
    np.testing.assert_array_equal(resample(m, np.array([[10.0, 0.0], [0.0, 1.0]])), m)


def test_window_table_round_trip_keeps_numeric_looking_chromosome_names(tmp_path):
    table = windows.reference_windows(pd.Series({"1": 300, "2": 200}), ["1", "2"], 200, 100, 50, NO_EXCLUDED,
                                      {"test": ["2"]})
    windows.write_windows(table, tmp_path / "w.tsv")
    back = windows.read_windows(tmp_path / "w.tsv")
    pd.testing.assert_frame_equal(back, table)
    for column in ("chrom", "pchrom", "seq_chrom"):  # all digits: read as text all the same
        assert back[column].tolist() == ["1", "1", "2"], column
    table.drop(columns=["status", "seq_end"]).to_csv(tmp_path / "bad.tsv", sep="\t", index=False)
    with pytest.raises(InputError, match=r"bad.tsv: not a window table, missing columns \['seq_end', 'status'\]"):
        windows.read_windows(tmp_path / "bad.tsv")


def test_drop_excluded_counts_each_dropped_window_once_and_renumbers():
    tiles = pd.DataFrame({"chrom": "a", "start": [0, 100, 200, 300], "end": [200, 300, 400, 500]}, index=[7, 8, 9, 10])
    excluded = pd.DataFrame({"chrom": "a", "start": [150, 170, 450], "end": [160, 175, 460],
                             "name": ["N_run", "N_run", "blacklist"]})
    kept, reasons = windows.drop_excluded(tiles, excluded)
    # 0-200 and 100-300 overlap both N runs (counted once each), 300-500 the blacklisted stretch
    assert kept.to_dict("list") == {"chrom": ["a"], "start": [200], "end": [400]} and kept.index.tolist() == [0]
    assert reasons == {"N_run": 2, "blacklist": 1}
    none_kept, none = windows.drop_excluded(tiles, excluded.iloc[:0])
    assert none_kept.columns.tolist() == ["chrom", "start", "end"] and none_kept.index.tolist() == [0, 1, 2, 3]
    assert none == {}


def test_reference_windows_name_unknown_chromosomes_and_log_drops(caplog):
    with pytest.raises(InputError, match=r"chromosomes not in the reference: \['chrZ'\]"):
        windows.reference_windows(pd.Series({"a": 1000}), ["a", "chrZ"], 200, 100, 50, NO_EXCLUDED, {})
    excluded = pd.DataFrame({"chrom": "a", "start": [150], "end": [160], "name": ["N_run"]})
    with caplog.at_level("INFO", logger="hicmodels.genome.windows"):
        windows.reference_windows(pd.Series({"a": 1000}), ["a"], 200, 100, 50, excluded, {})
    assert "dropped 2 windows overlapping N_run regions" in caplog.messages


def test_reference_windows_split_validation_and_test_chromosomes():
    got = windows.reference_windows(pd.Series({"a": 400, "b": 400, "c": 400}), ["a", "b", "c"], 200, 100, 50,
                                    NO_EXCLUDED, {"validation": ["b"], "test": ["c"]})
    assert got.groupby("chrom")["split"].unique().map(list).to_dict() == {
        "a": ["train"], "b": ["validation"], "c": ["test"]}


def test_haplotype_windows_honour_a_given_copy_column():
    # b:0-200 has two copies; the row listed first is marked as the extra one, so the primary is at 200-400
    mapping = _blocks([("b", 0, 200, "b", 0, 200, "+"), ("b", 0, 450, "b", 200, 650, "+")]).assign(copy=[1, 0])
    ref = _one_chromosome_windows(450).assign(chrom="b", pchrom="b", seq_chrom="b", window_id=lambda d: "b" + d[
        "window_id"].str[1:])
    got = windows.haplotype_windows(ref, mapping, pd.Series({"b": 650})).set_index("window_id")
    assert (got.loc["b:0-200", "pstart"], got.loc["b:0-200", "pend"]) == (200, 400)


def test_haplotype_window_goes_to_the_chromosome_holding_most_of_it():
    # a:0-50 went to p2 (far along it), a:50-200 to p1: 150 bp against 50, p1 wins although p2 comes first
    mapping = _blocks([("a", 0, 50, "p2", 1000, 1050, "+"), ("a", 50, 1000, "p1", 0, 950, "+")])
    ref = _one_chromosome_windows(1000)
    got = windows.haplotype_windows(ref, mapping, pd.Series({"p1": 950, "p2": 1100})).set_index("window_id")
    assert got.loc["a:0-200", ["pchrom", "pstart", "pend", "seq_start"]].tolist() == ["p1", 0, 150, 0]


def test_deleted_and_short_windows_are_marked_and_logged(caplog):
    ref = _one_chromosome_windows(1000)
    # a:0-300 deleted: a:0-200 has no base left, a:100-300 neither
    mapping = _blocks([("a", 300, 1000, "a", 0, 700, "+")])
    with caplog.at_level("WARNING", logger="hicmodels.genome.windows"):
        got = windows.haplotype_windows(ref, mapping, pd.Series({"a": 700})).set_index("window_id")
    gone = got.loc["a:0-200"]
    assert (gone["status"], gone["pchrom"], gone["seq_chrom"], gone["pstart"], gone["seq_end"]) == (
        "reference window deleted in this haplotype", ".", ".", -1, -1)
    assert caplog.messages == ["2 windows not predicted: reference window deleted in this haplotype"]


def test_a_personal_chromosome_exactly_one_window_long_is_predicted():
    ref = windows.reference_windows(pd.Series({"chr1": 20}), ["chr1"], 20, 10, 5, NO_EXCLUDED, {})
    got = windows.haplotype_windows(ref, liftover.identity_blocks({"chr1": 20}), pd.Series({"chr1": 20})).iloc[0]
    assert (got["status"], got["seq_start"], got["seq_end"]) == ("ok", 0, 20)


def test_odd_window_size_is_centred_in_whole_bases():
    # 15 bp windows; 4 bp inserted after base 19: a:15-30 covers personal 15-34, centre 24, model window 17-32
    ref = windows.reference_windows(pd.Series({"a": 45}), ["a"], 15, 15, 5, NO_EXCLUDED, {})
    mapping = _blocks([("a", 0, 20, "a", 0, 20, "+"), ("a", 20, 45, "a", 24, 49, "+")])
    got = windows.haplotype_windows(ref, mapping, pd.Series({"a": 49})).set_index("window_id").loc["a:15-30"]
    assert (got["pstart"], got["pend"], got["seq_start"], got["seq_end"]) == (15, 34, 17, 32)


def test_tile_logs_chromosomes_shorter_than_a_window(caplog):
    with caplog.at_level("INFO", logger="hicmodels.genome.windows"):
        windows.tile(pd.Series({"a": 150}), 200, 100, 50)
    assert caplog.messages == ["a (150 bp) is shorter than one window (200 bp): no windows"]


def test_tile_goes_on_after_a_short_chromosome_and_stops_at_the_end():
    got = windows.tile(pd.Series({"short": 150, "a": 200}), 200, 100, 50)
    assert got.values.tolist() == [["a", 0, 200]]
    # a step of 1 over 201 bp: windows start at 0 and 1, none runs past the end
    assert windows.tile(pd.Series({"a": 201}), 200, 1, 1)["start"].tolist() == [0, 1]
