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
