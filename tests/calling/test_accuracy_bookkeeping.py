"""Scoring bookkeeping worked out by hand: reciprocal overlap of nested calls of different lengths, which
call a truth SV's recovery row names, class order, point SVs (INS, BND), and what read_variants keeps."""

import pandas as pd
import pytest

from hicmodels.calling.accuracy import (
    SUMMARY_COLUMNS,
    SV_RECOVERY_COLUMNS,
    VARIANT_COLUMNS,
    classify,
    evaluate,
    pick_sample,
    read_variants,
    reciprocal_overlap,
)
from hicmodels.errors import InputError


def sv(kind, start, end, ident):
    return ("c", start, ident, "N", f"<{kind}>", kind, start, end, 1)


@pytest.mark.parametrize("spans, want", [
    ((1000, 1060, 1000, 1150), 0.4),  # a call nested at the start of the truth: 60 / 150, not 60 / 60
    ((1000, 1150, 1000, 1060), 0.4),  # the same, truth and call swapped
    ((1000, 1150, 1050, 1110), 0.4),  # nested in the middle
    ((1000, 1100, 1050, 1250), 0.25),  # staggered: 50 shared over the longer 200
    ((1000, 1100, 1100, 1200), 0.0),  # abutting, no base shared
    ((1000, 1100, 1300, 1400), 0.0),  # disjoint: 0, not negative
    ((1000, 1100, 1000, 1100), 1.0),
    ((1000, 1001, 1000, 1001), 1.0),  # two 1-bp spans (a BND's): 1 / 1
    ((1000, 1000, 1000, 1000), 0.0),  # two empty spans (INS): nothing shared
])
def test_reciprocal_overlap_is_over_the_longer_span(spans, want):
    assert reciprocal_overlap(*spans) == pytest.approx(want)


def test_nested_call_matches_only_at_an_overlap_threshold_it_reaches():
    # truth DEL 1000-1150, call DEL 1000-1060: both breakpoints within 100 bp, reciprocal overlap 0.4
    truth = pd.DataFrame([sv("DEL", 1000, 1150, "t")], columns=VARIANT_COLUMNS)
    calls = pd.DataFrame([sv("DEL", 1000, 1060, "c")], columns=VARIANT_COLUMNS)
    _, recovery = evaluate(truth, calls, tolerance=100, min_overlap=0.5)
    assert recovery.loc[0, ["start_offset", "end_offset", "reciprocal_overlap", "recovered"]].tolist() == \
        [0, -90, pytest.approx(0.4), False]
    summary, _ = evaluate(truth, calls, tolerance=100, min_overlap=0.4)  # the threshold itself matches
    assert summary.set_index("class").loc["DEL", ["recall", "precision"]].tolist() == [1.0, 1.0]
    summary, _ = evaluate(truth, calls, tolerance=89, min_overlap=0.1)  # the end is 90 bp off
    assert summary.set_index("class").loc["DEL", "recall"] == 0.0


def table(rows, index=None):
    return pd.DataFrame(rows, columns=VARIANT_COLUMNS, index=index)


def snv(pos, alt="T", dosage=1):
    return ("c", pos, ".", "A", alt, "SNV", pos - 1, pos, dosage)


def test_recovery_names_the_best_call_match_then_class_then_overlap():
    truth = table([
        sv("DEL", 10_000, 10_200, "t_class"),  # no match: the DEL (overlap 0.45) beats the DUP (1.0)
        sv("DEL", 20_000, 21_000, "t_overlap"),  # two matches: the larger overlap (1.0) beats 0.95
        ("c", 40_000, "t_lost", "N", "<INV>", "INV", 40_000, 41_000, 1),  # nothing near, heterozygous
    ])
    calls = table([
        sv("DUP", 10_000, 10_200, "c_dup"),
        sv("DEL", 10_100, 10_190, "c_del"),  # start +100, end -10: overlap 90 / 200 = 0.45 < 0.5
        sv("DEL", 20_050, 21_000, "c_095"),  # 950 / 1000
        sv("DEL", 20_000, 21_000, "c_100"),  # 1000 / 1000
        sv("DUP", 20_000, 20_900, "c_dup2"),  # 900 / 1000, another class: listed last, not the best
    ])
    summary, recovery = evaluate(truth, calls)
    assert list(recovery.columns) == SV_RECOVERY_COLUMNS
    assert recovery[["truth_id", "type", "chrom", "start", "end", "genotype"]].values.tolist() == [
        ["t_class", "DEL", "c", 10_000, 10_200, "het"],
        ["t_overlap", "DEL", "c", 20_000, 21_000, "het"],
        ["t_lost", "INV", "c", 40_000, 41_000, "het"],
    ]
    assert recovery[["call_id", "call_type", "recovered"]].values.tolist() == [
        ["c_del", "DEL", False], ["c_100", "DEL", True], [".", ".", False]]
    assert recovery.loc[0, ["start_offset", "end_offset"]].tolist() == [100, -10]
    assert recovery.loc[0, "reciprocal_overlap"] == pytest.approx(0.45)
    assert recovery.loc[1, ["start_offset", "end_offset", "reciprocal_overlap"]].tolist() == [0, 0, 1.0]
    assert recovery.loc[2, ["start_offset", "end_offset", "reciprocal_overlap"]].isna().all()
    assert summary.set_index("class").loc["DEL", ["truth", "calls", "truth_matched", "calls_matched"]].tolist() == \
        [2, 3, 1, 2]


def test_point_svs_match_on_their_start_alone():
    truth = table([
        sv("INS", 1_000, 1_000, "ins_near"),
        sv("INS", 3_000, 3_000, "ins_end_far"),
        sv("BND", 5_000, 5_001, "bnd_near"),
        sv("BND", 7_000, 7_001, "bnd_end_far"),
    ])
    calls = table([
        sv("INS", 1_010, 1_010, "c1"),  # 10 bp on: overlap 0 (empty spans), still a match
        sv("INS", 3_050, 3_400, "c2"),  # start +50, end +400 (an END set to POS + length): start only
        sv("BND", 5_030, 5_031, "c3"),  # 30 bp on: 1-bp spans sharing nothing
        sv("BND", 7_020, 9_000, "c4"),  # start +20, end +1999
    ])
    summary, recovery = evaluate(truth, calls, tolerance=100, min_overlap=0.5)
    s = summary.set_index("class")
    assert s.loc[["INS", "BND"], ["truth_matched", "calls_matched", "recall", "precision"]].values.tolist() == \
        [[2, 2, 1.0, 1.0], [2, 2, 1.0, 1.0]]
    assert recovery[["call_id", "start_offset", "end_offset", "recovered"]].values.tolist() == [
        ["c1", 10, 10, True], ["c2", 50, 400, True], ["c3", 30, 30, True], ["c4", 20, 1_999, True]]
    assert recovery["reciprocal_overlap"].tolist() == [0.0, 0.0, 0.0, 0.0]  # c4 starts past 7001


def test_default_tolerance_is_100_bp():
    truth = table([sv("DEL", 10_000, 20_000, "t100"), sv("DEL", 50_000, 60_000, "t101")])
    calls = table([sv("DEL", 10_100, 20_000, "c100"), sv("DEL", 50_101, 60_000, "c101")])
    _, recovery = evaluate(truth, calls)
    assert recovery["recovered"].tolist() == [True, False]


def test_tables_with_any_row_labels_score_alike():
    truth = table([snv(10), snv(20, dosage=2), sv("DEL", 1_000, 2_000, "t_del")], index=[7, 3, 12])
    calls = table([snv(20, dosage=2), sv("DEL", 1_010, 2_000, "c_del"), snv(30)], index=[40, 5, 9])
    summary, recovery = evaluate(truth, calls)
    s = summary.set_index("class")
    assert s.loc["SNV", ["truth", "calls", "truth_matched", "calls_matched", "genotype_concordance"]].tolist() == \
        [2, 2, 1, 1, 1.0]
    assert s.loc["DEL", ["truth_matched", "calls_matched"]].tolist() == [1, 1]
    assert recovery[["truth_id", "call_id", "start_offset", "recovered"]].values.tolist() == \
        [["t_del", "c_del", 10, True]]


def test_classes_listed_small_first_then_svs_then_others():
    mnp = ("c", 100, ".", "AC", "TG", "MNP", 99, 101, 1)
    indel = ("c", 200, ".", "A", "AT", "INDEL", 199, 200, 1)
    cnv = ("c", 5_000, "cnv", "N", "<CNV>", "CNV", 5_000, 9_000, 1)
    summary, _ = evaluate(table([cnv, sv("DEL", 20_000, 30_000, "d"), indel]), table([mnp, snv(10)]))
    assert summary["class"].tolist() == ["SNV", "MNP", "INDEL", "DEL", "CNV"]
    assert summary.set_index("class").loc["CNV", ["truth", "calls", "recall"]].tolist() == [1, 0, 0.0]


def test_nothing_to_score_gives_empty_tables_with_their_columns():
    empty = table([])
    summary, recovery = evaluate(empty, empty)
    assert list(summary.columns) == SUMMARY_COLUMNS and summary.empty
    assert list(recovery.columns) == SV_RECOVERY_COLUMNS and recovery.empty
    summary, recovery = evaluate(table([snv(10)]), table([snv(10)]))  # no SV: a recovery table with columns
    assert list(recovery.columns) == SV_RECOVERY_COLUMNS and recovery.empty


def test_classify_edges():
    assert classify("A", "A[c:5[", None, 50) == "BND"  # a breakend written with [ only
    assert classify("A" * 30, "A" * 25, None, 50) == "INDEL"  # 5 bp shorter, though 55 bases in all
    assert classify("N", "<XDEL>", None, 50) == "XDEL"  # only the brackets are stripped


def test_pick_sample_without_fallback_refuses_and_errors_name_the_file():
    assert pick_sample(["s1", "s2"], "s2", "x.vcf") == "s2"
    assert pick_sample(["only"], None, "x.vcf") == "only"
    assert pick_sample([], None, "x.vcf") is None
    with pytest.raises(InputError, match=r"^x\.vcf: sample 's2' not in the VCF"):
        pick_sample(["s1"], "s2", "x.vcf")  # fallback is off by default
    with pytest.raises(InputError, match=r"^x\.vcf: 2 samples in the VCF"):
        pick_sample(["s1", "s2"], None, "x.vcf")


HEADER = """##fileformat=VCFv4.2
##contig=<ID=c,length=100000>
##contig=<ID=d,length=100000>
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="type">
##INFO=<ID=END,Number=1,Type=Integer,Description="end">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1
"""


def write_vcf(path, lines, header=HEADER):
    with open(path, "w") as out:
        out.write(header + "\n".join("\t".join(map(str, fields)) for fields in lines) + "\n")
    return path


def test_read_variants_classes_spans_and_ids_by_hand(tmp_path):
    path = write_vcf(tmp_path / "v.vcf", [
        ("c", 50, ".", "a", "g", ".", "PASS", ".", "GT", "0/1"),  # no ID, lower case
        ("c", 100, "cn0", "A", "<CN0>", ".", "PASS", "SVTYPE=DEL;END=900", "GT", "0/1"),  # SVTYPE names it
        ("c", 1000, "inv", "A", "<INV>", ".", "PASS", "END=1500", "GT", "1/1"),  # no SVTYPE: the ALT names it
        ("c", 2000, "ins", "A", "A" + "C" * 60, ".", "PASS", ".", "GT", "0/1"),  # sequence-resolved INS
        ("c", 3000, "del", "AC", "A", ".", "PASS", "END=3900", "GT", "0/1"),  # END ignored: REF's span
        ("c", 4000, "bnd", "A", "A]d:500]", ".", "PASS", "END=4500", "GT", "0/1"),  # a BND's END is kept
        ("d", 10, "dd", "A", "T", ".", "PASS", ".", "GT", "0/1"),
    ])
    got = read_variants(path)
    assert got["id"].tolist() == [".", "cn0", "inv", "ins", "del", "bnd", "dd"]
    assert got["ref"].tolist() == ["A", "A", "A", "A", "AC", "A", "A"]
    assert got["alt"].tolist()[:3] == ["G", "<CN0>", "<INV>"]
    assert got["kind"].tolist() == ["SNV", "DEL", "INV", "INS", "INDEL", "BND", "SNV"]
    assert got[["start", "end"]].values.tolist() == [
        [49, 50], [100, 900], [1000, 1500], [2000, 2000], [2999, 3001], [3999, 4500], [9, 10]]
    assert got["dosage"].tolist() == [1, 1, 2, 1, 1, 1, 1]
    assert read_variants(path, chromosomes=["d"])["id"].tolist() == ["dd"]  # after records it skips
    with pytest.raises(InputError, match="^" + str(path) + ": sample 's3' not in the VCF"):
        read_variants(path, "s3")


def test_read_variants_without_an_svtype_header_line(tmp_path):
    header = HEADER.replace('##INFO=<ID=SVTYPE,Number=1,Type=String,Description="type">\n', "")
    path = write_vcf(tmp_path / "plain.vcf", [
        ("c", 10, "a", "A", "T", ".", "PASS", ".", "GT", "1/1"),
        ("c", 100, "d", "A", "<DEL>", ".", "PASS", "END=600", "GT", "0/1"),
    ], header)
    got = read_variants(path)
    assert got[["id", "kind", "start", "end", "dosage"]].values.tolist() == \
        [["a", "SNV", 9, 10, 2], ["d", "DEL", 100, 600, 1]]
