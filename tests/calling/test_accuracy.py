"""Recall and precision per class against hand-made truth and call sets."""

import numpy as np
import pandas as pd
import pysam
import pytest

from hicmodels.calling.accuracy import (
    VARIANT_COLUMNS,
    classify,
    evaluate,
    read_variants,
    reciprocal_overlap,
)
from hicmodels.errors import InputError


def table(*rows):
    """Rows of (chrom, pos, id, ref, alt, kind, start, end, dosage)."""
    return pd.DataFrame(list(rows), columns=VARIANT_COLUMNS)


def snv(pos, alt="T", dosage=1, chrom="c", ident="."):
    return (chrom, pos, ident, "A", alt, "SNV", pos - 1, pos, dosage)


def sv(kind, start, end, dosage=1, ident="sv"):
    return ("c", start, ident, "N", f"<{kind}>", kind, start, end, dosage)


def row(summary, kind):
    return summary.set_index("class").loc[kind]


def test_classify():
    assert classify("A", "T", None, 50) == "SNV"
    assert classify("AC", "TG", None, 50) == "MNP"
    assert classify("A", "AT", None, 50) == "INDEL"
    assert classify("A" * 60, "A", None, 50) == "DEL"
    assert classify("A", "A" * 51, None, 50) == "INS"
    assert classify("A", "<DUP:TANDEM>", None, 50) == "DUP"
    assert classify("A", "<CN0>", "DEL", 50) == "DEL"
    assert classify("A", "A]c:5]", None, 50) == "BND"


def test_small_variants_counts():
    truth = table(snv(10), snv(20), snv(30, dosage=2), snv(40), ("c", 50, ".", "AT", "A", "INDEL", 49, 51, 1))
    calls = table(snv(10), snv(20, alt="G"), snv(30, dosage=1), snv(99),
                  ("c", 50, ".", "AT", "A", "INDEL", 49, 51, 2))
    summary, recovery = evaluate(truth, calls)
    s = row(summary, "SNV")
    assert (s["truth"], s["calls"], s["truth_matched"], s["calls_matched"]) == (4, 4, 2, 2)
    assert (s["false_negatives"], s["false_positives"]) == (2, 2)
    assert s["recall"] == 0.5 and s["precision"] == 0.5
    assert s["genotype_concordance"] == 0.5  # pos 10 agrees, pos 30 hom called het
    i = row(summary, "INDEL")
    assert (i["recall"], i["precision"], i["genotype_concordance"]) == (1, 1, 0)
    assert list(summary["class"]) == ["SNV", "INDEL"] and recovery.empty


@pytest.mark.parametrize("shift_start, shift_end, found", [
    (0, 0, True), (100, -100, True), (-100, 100, True), (101, 0, False), (0, -101, False),
])
def test_sv_breakpoint_tolerance(shift_start, shift_end, found):
    truth = table(sv("DEL", 10_000, 20_000))
    calls = table(sv("DEL", 10_000 + shift_start, 20_000 + shift_end, ident="call"))
    summary, recovery = evaluate(truth, calls, tolerance=100, min_overlap=0.5)
    assert row(summary, "DEL")["recall"] == (1.0 if found else 0.0)
    assert row(summary, "DEL")["precision"] == (1.0 if found else 0.0)
    assert bool(recovery.at[0, "recovered"]) is found


def test_sv_reciprocal_overlap_decides_for_small_events():
    # 150 bp event, call shifted 90 bp: breakpoints within 100 bp but overlap 60/150 = 0.4
    truth = table(sv("DEL", 1_000, 1_150))
    calls = table(sv("DEL", 1_090, 1_240, ident="call"))
    assert reciprocal_overlap(1_000, 1_150, 1_090, 1_240) == pytest.approx(0.4)
    summary, recovery = evaluate(truth, calls, tolerance=100, min_overlap=0.5)
    assert row(summary, "DEL")["recall"] == 0
    assert recovery.at[0, "reciprocal_overlap"] == pytest.approx(0.4)
    summary, _ = evaluate(truth, calls, tolerance=100, min_overlap=0.3)
    assert row(summary, "DEL")["recall"] == 1


def test_sv_type_must_agree_and_recovery_names_the_wrong_type():
    truth = table(sv("INV", 5_000, 35_000, dosage=2, ident="t_inv"), sv("DUP", 100_000, 115_000, ident="t_dup"))
    calls = table(sv("DEL", 5_010, 34_990, ident="c_del"), sv("DUP", 100_005, 115_000, ident="c_dup"),
                  sv("DUP", 100_000, 115_010, ident="c_dup2"), sv("DEL", 500_000, 510_000, ident="c_far"))
    summary, recovery = evaluate(truth, calls)
    assert row(summary, "INV")[["truth", "calls", "recall"]].tolist() == [1, 0, 0]
    assert np.isnan(row(summary, "INV")["precision"])
    assert row(summary, "DEL")[["truth", "calls", "precision"]].tolist() == [0, 2, 0]
    assert np.isnan(row(summary, "DEL")["recall"])
    dup = row(summary, "DUP")
    assert dup[["truth", "calls", "truth_matched", "calls_matched", "recall", "precision"]].tolist() == \
        [1, 2, 1, 2, 1, 1]  # both duplicate calls are true
    rec = recovery.set_index("truth_id")
    assert rec.loc["t_inv", ["call_id", "call_type", "genotype", "recovered"]].tolist() == ["c_del", "DEL", "hom", False]
    assert rec.loc["t_inv", ["start_offset", "end_offset"]].tolist() == [10, -10]
    assert rec.loc["t_dup", ["call_type", "recovered"]].tolist() == ["DUP", True]


def test_sv_unmatched_truth_has_no_call():
    summary, recovery = evaluate(table(sv("DEL", 10_000, 20_000, ident="lost")), table(snv(5)))
    assert recovery.loc[0, ["truth_id", "call_id", "recovered"]].tolist() == ["lost", ".", False]
    assert row(summary, "SNV")["precision"] == 0


HEADER = """##fileformat=VCFv4.2
##contig=<ID=c,length=100000>
##contig=<ID=d,length=100000>
##FILTER=<ID=LowQual,Description="low">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="type">
##INFO=<ID=END,Number=1,Type=Integer,Description="end">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\ts2
"""


def write(path, lines, header=HEADER):
    plain = str(path)[:-3]
    with open(plain, "w") as out:
        out.write(header + "\n".join("\t".join(map(str, fields)) for fields in lines) + "\n")
    pysam.tabix_compress(plain, str(path), force=True)
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return path


def test_read_variants(tmp_path):
    path = write(tmp_path / "calls.vcf.gz", [
        ("c", 10, "a", "A", "T", 50, "PASS", ".", "GT", "0/1", "0/0"),
        ("c", 20, "b", "A", "T", 50, "LowQual", ".", "GT", "1/1", "1/1"),  # failed filter
        ("c", 30, "m", "A", "C,G", 50, ".", ".", "GT", "1/2", "2/2"),  # multi-allelic, FILTER missing
        ("c", 40, "r", "A", "T", 50, "PASS", ".", "GT", "0/0", "0/1"),  # s1 carries no ALT
        ("c", 1000, "del", "G", "<DEL>", 50, "PASS", "SVTYPE=DEL;END=6000", "GT", "1|1", "0|1"),
        ("c", 9000, "big", "C" + "A" * 60, "C", 50, "PASS", ".", "GT", "0|1", "0|0"),
        ("d", 10, "x", "A", "G", 50, "PASS", ".", "GT", "1/1", "1/1"),
    ])
    got = read_variants(path, "s1", chromosomes=["c"])
    assert got["id"].tolist() == ["a", "m", "m", "del", "big"]
    assert got["alt"].tolist() == ["T", "C", "G", "<DEL>", "C"]
    assert got["dosage"].tolist() == [1, 1, 1, 2, 1]
    assert got["kind"].tolist() == ["SNV", "SNV", "SNV", "DEL", "DEL"]
    assert got[["start", "end"]].values.tolist() == [[9, 10], [29, 30], [29, 30], [1000, 6000], [9000, 9060]]
    assert read_variants(path, "s2")["id"].tolist() == ["m", "r", "del", "x"]
    with pytest.raises(InputError, match="2 samples in the VCF"):
        read_variants(path)
    with pytest.raises(InputError, match="'s3' not in the VCF"):
        read_variants(path, "s3")


def test_read_variants_sites_only_and_single_sample_fallback(tmp_path):
    header = HEADER.replace("\tFORMAT\ts1\ts2", "")
    sites = write(tmp_path / "sites.vcf.gz", [("c", 10, "a", "A", "T", ".", ".", ".")], header)
    assert read_variants(sites, "whoever", fallback=True)["dosage"].tolist() == [1]
    header = HEADER.replace("\ts1\ts2", "\tHG002")
    single = write(tmp_path / "one.vcf.gz", [("c", 10, "a", "A", "T", ".", ".", ".", "GT", "1|1")], header)
    assert read_variants(single, "sample_a", fallback=True)["dosage"].tolist() == [2]
    with pytest.raises(InputError, match="'sample_a' not in the VCF"):
        read_variants(single, "sample_a")
