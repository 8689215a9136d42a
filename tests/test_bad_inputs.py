"""The bad-input suite: each case is refused with a message naming the file (and record),
or handled by a named policy with the expected result (issue 15).

Sections: VCF records, FASTA, sample sheet, config, windows, cool/mcool, bigWig, BAM,
checkpoints, faults (disk full, leftovers of killed runs). Add a case with every fix.
"""

import errno
import re

import pytest

from hicmodels.errors import InputError
from hicmodels.variants import Policy
from variant_helpers import build, write_fasta, write_vcf

A = "GATTACACCTGAAGTCCGTA"
B = "CTTGAGCAATGCCGATTAGC"
REF = {"chrA": A, "chrB": B}


# ---------------------------------------------------------------------------------------------
# VCF records: refused under the default policy, with the record named
# ---------------------------------------------------------------------------------------------

def _ins(pos, info, alt="<INS>"):
    return ("chrA", pos, "i", A[pos - 1], alt, "PASS", f"SVTYPE=INS;{info}", "1|0")


VCF_ERRORS = [
    ("dup_negative_svlen", [("chrA", 5, "d", "A", "<DUP>", "PASS", "SVTYPE=DUP;SVLEN=-5", "1|0")],
     "chrA:5 d: SVLEN=-5 is negative for a <DUP>"),
    ("inv_negative_svlen", [("chrA", 5, "v", "A", "<INV>", "PASS", "SVTYPE=INV;SVLEN=-4", "1|0")],
     "chrA:5 v: SVLEN=-4 is negative for a <INV>"),
    ("ins_negative_svlen", [_ins(5, "SVLEN=-3;SVINSSEQ=ACG")], "chrA:5 i: SVLEN=-3 is negative for a <INS>"),
    ("ins_svlen_vs_sequence", [_ins(5, "SVLEN=7;SVINSSEQ=ACG")],
     "chrA:5 i: SVLEN=7 differs from the 3 bases of the inserted sequence"),
    ("del_end_svlen_disagree", [("chrA", 5, "d", "A", "<DEL>", "PASS", "SVTYPE=DEL;END=10;SVLEN=-3", "1|0")],
     "chrA:5 d: END=10 and SVLEN=-3 disagree (END - POS = 5)"),
    ("dup_end_svlen_disagree", [("chrA", 5, "d", "A", "<DUP>", "PASS", "SVTYPE=DUP;END=10;SVLEN=9", "1|0")],
     "chrA:5 d: END=10 and SVLEN=9 disagree (END - POS = 5)"),
    ("svlen_zero", [("chrA", 5, "d", "A", "<DEL>", "PASS", "SVTYPE=DEL;SVLEN=0", "1|0")],
     "chrA:5 d: SVLEN=0: the SV has no length"),
    ("end_equals_pos", [("chrA", 5, "d", "A", "<INV>", "PASS", "SVTYPE=INV;END=5", "1|0")],
     "chrA:5 d: END=5 equals POS: the SV covers no base"),
    ("ins_end_before_pos", [_ins(5, "END=3;SVINSSEQ=ACG")], "chrA:5 i: END=3 is before POS=5"),
    ("snv_iupac", [("chrA", 3, "s", "T", "R", "PASS", ".", "1|0")],
     "chrA:3 s: ALT 'R' holds IUPAC ambiguity codes (set variants.iupac"),
    ("insertion_iupac", [("chrA", 3, "s", "T", "TACYG", "PASS", ".", "0|1")],
     "chrA:3 s: ALT 'TACYG' holds IUPAC ambiguity codes"),
    ("inserted_sequence_iupac", [_ins(5, "SVINSSEQ=ACGWT")],
     "chrA:5 i: inserted sequence 'ACGWT' holds IUPAC ambiguity codes"),
    ("breakend_insertion_iupac", [("chrA", 10, "b", "T", "TKA[chrB:11[", "PASS", "SVTYPE=BND", "1|0")],
     "chrA:10 b: ALT 'TKA[chrB:11[' holds IUPAC ambiguity codes"),
    ("alt_not_bases", [("chrA", 3, "s", "T", "TXQ", "PASS", ".", "1|0")],
     "chrA:3 s: ALT 'TXQ' is not made of bases (A, C, G, T, N or IUPAC codes)"),
    ("inserted_sequence_not_bases", [_ins(5, "SVINSSEQ=ACGU")],
     "chrA:5 i: inserted sequence 'ACGU' is not made of bases"),
]


@pytest.mark.parametrize("case, rows, message", VCF_ERRORS, ids=[c[0] for c in VCF_ERRORS])
def test_vcf_record_refused(tmp_path, case, rows, message):
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        build(tmp_path, REF, rows)
    assert str(caught.value).startswith(str(tmp_path / "in.vcf.gz") + ": ")
    assert not (tmp_path / "out" / "S1" / "hap1.fa.gz").exists()


# the same records under the skip policies: listed in rejects.tsv with their reason, nothing applied
VCF_SKIPS = [
    ("dup_negative_svlen", VCF_ERRORS[0][1], Policy(sv_length_conflict="skip"), "sv_length_conflict",
     "SVLEN=-5 is negative for a <DUP>"),
    ("del_end_svlen_disagree", VCF_ERRORS[4][1], Policy(sv_length_conflict="skip"), "sv_length_conflict",
     "END=10 and SVLEN=-3 disagree (END - POS = 5)"),
    ("ins_svlen_vs_sequence", VCF_ERRORS[3][1], Policy(sv_length_conflict="skip"), "sv_length_conflict",
     "SVLEN=7 differs from the 3 bases of the inserted sequence"),
    ("end_equals_pos", VCF_ERRORS[7][1], Policy(sv_length_conflict="skip"), "sv_length_conflict",
     "END=5 equals POS: the SV covers no base"),
    ("snv_iupac", VCF_ERRORS[9][1], Policy(iupac="skip"), "iupac", "ALT 'R' holds IUPAC ambiguity codes"),
    ("inserted_sequence_iupac", VCF_ERRORS[11][1], Policy(iupac="skip"), "iupac",
     "inserted sequence 'ACGWT' holds IUPAC ambiguity codes"),
]


@pytest.mark.parametrize("case, rows, policy, reason, detail", VCF_SKIPS, ids=[c[0] for c in VCF_SKIPS])
def test_vcf_record_skipped_by_policy(tmp_path, case, rows, policy, reason, detail):
    out = build(tmp_path, REF, rows, policy=policy)
    got = [tuple(r) for r in out.rejects[["haplotype", "reason", "detail"]].values.tolist()]
    assert got == [(1, reason, detail)]
    assert out.hap[1] == REF and out.hap[2] == REF
    assert out.count(1, "skipped", reason=reason) == 1


@pytest.mark.parametrize("rows, expected", [
    ([("chrA", 3, "s", "T", "R", "PASS", ".", "1|0")], A[:2] + "N" + A[3:]),
    ([("chrA", 3, "s", "T", "TAYG", "PASS", ".", "1|0")], A[:3] + "ANG" + A[3:]),
    ([_ins(5, "SVINSSEQ=ACGWT")], A[:5] + "ACGNT" + A[5:]),
], ids=["snv", "insertion", "inserted_sequence"])
def test_iupac_to_n_writes_n(tmp_path, rows, expected, caplog):
    out = build(tmp_path, REF, rows, policy=Policy(iupac="to_n"))
    assert out.hap[1]["chrA"] == expected
    assert out.hap[2] == REF
    assert out.count(1, "applied") == 1
    assert "IUPAC ambiguity codes, written as N (policy iupac=to_n)" in caplog.text


def test_negative_svlen_of_a_deletion_is_the_vcf_4_2_convention(tmp_path):
    out = build(tmp_path, REF, [("chrA", 5, "d", "A", "<DEL>", "PASS", "SVTYPE=DEL;SVLEN=-3", "1|0")])
    assert out.hap[1]["chrA"] == A[:5] + A[8:]


# ---------------------------------------------------------------------------------------------
# FASTA and windows
# ---------------------------------------------------------------------------------------------

def _n_fasta(tmp_path):
    """chrA: 1000 bp; bases 200-680 are N every other base (240 N, in runs of 1)."""
    import pysam

    seq = list("ACGT" * 250)
    for i in range(200, 680, 2):
        seq[i] = "N"
    path = tmp_path / "n.fa"
    path.write_text(">chrA\n" + "".join(seq) + "\n>chrB\n" + "ACGT" * 100 + "\n")
    pysam.faidx(str(path))
    return path


def test_window_with_too_many_n_is_listed_not_predicted(tmp_path, caplog):
    import pandas as pd

    from hicmodels.genome import liftover, windows

    fasta = _n_fasta(tmp_path)
    none = pd.DataFrame(columns=["chrom", "start", "end", "name"])
    sizes = pd.Series({"chrA": 1000, "chrB": 400})
    got = windows.reference_windows(sizes, ["chrA"], 200, 200, 50, none, {}, fasta=fasta, max_n_fraction=0.1)
    assert dict(zip(got["window_id"], got["status"])) == {
        "chrA:0-200": "ok", "chrA:200-400": "too_many_n", "chrA:400-600": "too_many_n",
        "chrA:600-800": "too_many_n", "chrA:800-1000": "ok",
    }
    assert "3 windows not predicted: more than 10% of their sequence is N (status too_many_n" in caplog.text
    # 40 N of 200 in chrA:600-800: 20%, flagged at 0.1, kept at 0.25; 50% windows flagged at both
    loose = windows.reference_windows(sizes, ["chrA"], 200, 200, 50, none, {}, fasta=fasta, max_n_fraction=0.25)
    assert loose["status"].tolist() == ["ok", "too_many_n", "too_many_n", "ok", "ok"]
    # a haplotype keeps the reference window's status (identity mapping)
    blocks = pd.DataFrame([("chrA", 0, 1000, "chrA", 0, 1000, "+")], columns=liftover.BLOCK_COLUMNS)
    lifted = windows.haplotype_windows(got, blocks, pd.Series({"chrA": 1000}))
    assert lifted["status"].tolist() == got["status"].tolist()
    assert (lifted.loc[lifted["status"] != "ok", "seq_start"] == -1).all()
    # and is checked against its own sequence
    plain = windows.reference_windows(sizes, ["chrA"], 200, 200, 50, none, {})
    assert (plain["status"] == "ok").all()
    flagged = windows.haplotype_windows(plain, blocks, pd.Series({"chrA": 1000}), fasta=fasta, max_n_fraction=0.1)
    assert flagged["status"].tolist() == got["status"].tolist()


def test_max_n_fraction_out_of_range(tmp_path):
    import pandas as pd

    from hicmodels.genome import windows

    none = pd.DataFrame(columns=["chrom", "start", "end", "name"])
    with pytest.raises(InputError, match="max_n_fraction 1.5 is not between 0 and 1"):
        windows.reference_windows(pd.Series({"chrA": 1000}), ["chrA"], 200, 200, 50, none, {},
                                  fasta=_n_fasta(tmp_path), max_n_fraction=1.5)


FASTA_ERRORS = [
    ("zero_length_record", ">chrA\nACGT\n>chrB\n>chrC\nAC\n", "in.fa:3: sequence 'chrB' is empty (0 bases)"),
    ("zero_length_last", ">chrA\nACGT\n>chrB\n", "in.fa:3: sequence 'chrB' is empty (0 bases)"),
    ("repeated_name", ">chrA\nACGT\n>chrA\nAC\n", "in.fa:3: sequence name 'chrA' is repeated"),
    ("text_before_header", "ACGT\n>chrA\nAC\n", "in.fa:1: text before the first '>' header: not a FASTA file"),
    ("no_record", "\n", "in.fa: no FASTA record"),
    ("header_without_name", ">\nACGT\n", "in.fa:1: FASTA header without a name"),
]


@pytest.mark.parametrize("case, text, message", FASTA_ERRORS, ids=[c[0] for c in FASTA_ERRORS])
def test_reference_fasta_refused(tmp_path, case, text, message):
    from hicmodels.genome.fasta import write_bgzip_fasta

    (tmp_path / "in.fa").write_text(text)
    with pytest.raises(InputError, match=re.escape(message)):
        write_bgzip_fasta(tmp_path / "in.fa", tmp_path / "out" / "genome.fa.gz")
    assert not (tmp_path / "out" / "genome.fa.gz").exists()


def test_zero_length_chromosome_in_an_indexed_fasta(tmp_path):
    from hicmodels.genome.reference import chromsizes

    (tmp_path / "ref.fa").write_text(">chrA\nACGT\n>chrB\n\n")
    (tmp_path / "ref.fa.fai").write_text("chrA\t4\t6\t4\t5\nchrB\t0\t17\t0\t1\n")
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'ref.fa'}: chromosome 'chrB' has 0 bases")):
        chromsizes(tmp_path / "ref.fa")


def test_unreadable_indexed_fasta(tmp_path):
    from hicmodels.genome.reference import chromsizes

    (tmp_path / "ref.fa.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'ref.fa.gz'}: cannot read the indexed FASTA")):
        chromsizes(tmp_path / "ref.fa.gz")
