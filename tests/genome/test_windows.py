import numpy as np
import pandas as pd

from hicmodels.genome import liftover, windows

SIZES = pd.Series({"a": 1000, "b": 450, "c": 150})


def test_tile_with_end_anchored_window():
    got = windows.tile(SIZES, size=200, step=100, binsize=50)
    a = got[got["chrom"] == "a"]
    assert a["start"].tolist() == [0, 100, 200, 300, 400, 500, 600, 700, 800]
    b = got[got["chrom"] == "b"]
    assert b["start"].tolist() == [0, 100, 200, 250]  # last anchored at the end, on a 50 bp boundary
    assert "c" not in set(got["chrom"])  # shorter than a window


def test_reference_windows_drop_excluded_and_split():
    excluded = pd.DataFrame({"chrom": ["a"], "start": [450], "end": [460], "name": ["N_run"]})
    got = windows.reference_windows(SIZES, ["a", "b"], 200, 100, 50, excluded, {"test": ["b"]})
    assert not ((got["chrom"] == "a") & (got["start"] < 460) & (got["end"] > 450)).any()
    assert got.loc[got["chrom"] == "a", "start"].tolist() == [0, 100, 200, 500, 600, 700, 800]
    assert set(got.loc[got["chrom"] == "b", "split"]) == {"test"}
    assert set(got.loc[got["chrom"] == "a", "split"]) == {"train"}
    assert (got["seq_start"] == got["start"]).all() and (got["status"] == "ok").all()


def test_window_lifted_across_insertion_lands_at_personal_coordinate():
    # 300 bp inserted after reference base 399 of chromosome a (personal a is 1300 bp)
    mapping = pd.DataFrame([("a", 0, 400, "a", 0, 400, "+"), ("a", 400, 1000, "a", 700, 1300, "+")],
                           columns=liftover.BLOCK_COLUMNS)
    ref = windows.reference_windows(SIZES, ["a"], 200, 100, 50, pd.DataFrame(columns=["chrom", "start", "end", "name"]), {})
    got = windows.haplotype_windows(ref, mapping, pd.Series({"a": 1300})).set_index("window_id")
    before, spanning, after = got.loc["a:100-300"], got.loc["a:300-500"], got.loc["a:600-800"]
    assert (before["pstart"], before["pend"], before["seq_start"]) == (100, 300, 100)
    # covering interval holds the insertion: 400 bp; the model window (200 bp) is centred on it
    assert (spanning["pstart"], spanning["pend"]) == (300, 800)
    assert (spanning["seq_start"], spanning["seq_end"]) == (450, 650)
    assert (after["pstart"], after["pend"], after["seq_start"]) == (900, 1100, 900)
    assert (got["status"] == "ok").all()


def test_window_inside_a_deletion_is_not_predicted():
    mapping = pd.DataFrame([("a", 0, 100, "a", 0, 100, "+"), ("a", 400, 1000, "a", 100, 700, "+")],
                           columns=liftover.BLOCK_COLUMNS)
    ref = pd.DataFrame({"window_id": ["a:150-350", "a:0-200"], "chrom": "a", "start": [150, 0], "end": [350, 200],
                        "split": "train", "pchrom": "a", "pstart": 0, "pend": 0, "seq_chrom": "a", "seq_start": 0,
                        "seq_end": 0, "status": "ok"})
    got = windows.haplotype_windows(ref, mapping, pd.Series({"a": 700})).set_index("window_id")
    assert got.loc["a:150-350", "status"] == "reference window deleted in this haplotype"
    assert got.loc["a:150-350", "seq_start"] == -1
    assert got.loc["a:0-200", "status"] == "ok"
    assert (got.loc["a:0-200", "pstart"], got.loc["a:0-200", "pend"]) == (0, 100)
    np.testing.assert_equal(got.loc["a:0-200", "seq_start"], 0)  # shifted inwards at the chromosome start


def test_covering_interval_holds_primary_copies_only():
    # a: 0-1000 kept; a:100-300 pasted again at personal 1100-1300 (a trans-duplication's copy, chain order:
    # primary first); b's window lies wholly in a tandem duplication b:0-200 -> b:0-200, b:200-400
    mapping = pd.DataFrame([("a", 0, 1000, "a", 0, 1000, "+"), ("a", 100, 300, "a", 1100, 1300, "+"),
                            ("b", 0, 450, "b", 200, 650, "+"), ("b", 0, 200, "b", 0, 200, "+")],
                           columns=liftover.BLOCK_COLUMNS)
    ref = windows.reference_windows(SIZES, ["a", "b"], 200, 100, 50, pd.DataFrame(columns=["chrom", "start", "end", "name"]), {})
    got = windows.haplotype_windows(ref, mapping, pd.Series({"a": 1300, "b": 650})).set_index("window_id")
    assert (got.loc["a:100-300", "pstart"], got.loc["a:100-300", "pend"]) == (100, 300)
    assert (got.loc["a:200-400", "pstart"], got.loc["a:200-400", "pend"]) == (200, 400)
    # the first block over b:0-200 in the chain (at personal 200-400) is its primary copy
    assert (got.loc["b:0-200", "pstart"], got.loc["b:0-200", "pend"]) == (200, 400)


def test_n_fraction_counts_ns_directly_with_and_without_runs(tmp_path):
    """Against a direct count over random windows: no N at all, runs inside, runs at both ends."""
    import pysam

    from hicmodels.genome.windows import n_fraction

    seqs = {"a": "ACGT" * 25, "b": "ACNNNNGTAC" * 10, "c": "N" * 30 + "ACGT" * 10 + "nn"}
    (tmp_path / "g.fa").write_text("".join(f">{k}\n{v}\n" for k, v in seqs.items()))
    pysam.faidx(str(tmp_path / "g.fa"))
    rng = np.random.default_rng(0)
    rows = []
    for chrom, seq in seqs.items():
        starts = rng.integers(0, len(seq) - 1, 100)
        rows += [(chrom, s, int(rng.integers(s + 1, len(seq) + 1))) for s in starts]
    windows = pd.DataFrame(rows, columns=["seq_chrom", "seq_start", "seq_end"])
    expected = [seqs[c][s:e].upper().count("N") / (e - s) for c, s, e in rows]
    np.testing.assert_allclose(n_fraction(tmp_path / "g.fa", windows), expected)
