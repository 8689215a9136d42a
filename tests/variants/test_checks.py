"""Bad input: each case stops with its own message or skips a record with its own reason."""

import re

import pysam
import pytest

from hicmodels.errors import InputError
from hicmodels.variants import Policy, build_haplotypes
from variant_helpers import INFO_HEADER, build, write_fasta, write_vcf

A = "GATTACACCTGAAGTCCGTA"
B = "CTTGAGCAATGCCGATTAGC"
REF = {"chrA": A, "chrB": B}
WITH_Z = {**REF, "chrZ": "A" * 20}


def run(tmp_path, rows, contigs=None, **kwargs):
    ref = write_fasta(tmp_path / "ref.fa", REF)
    vcf = write_vcf(tmp_path / "in.vcf", REF, rows, contigs=contigs)
    return build_haplotypes(ref, vcf, "S1", tmp_path / "out" / "S1", **kwargs)


ERRORS = [
    ("ref_mismatch", [("chrA", 3, "s", "G", "C", "PASS", ".", "1|0")], {},
     "chrA:3 s: REF 'G' does not match the reference 'T' at chrA:3"),
    ("unknown_contig", [("chrZ", 3, "z", "A", "C", "PASS", ".", "1|0")], {},
     "chrZ:3 z: chromosome 'chrZ' is in neither the reference nor the alias table"),
    ("end_before_pos", [("chrA", 10, "d", "T", "<DEL>", "PASS", "SVTYPE=DEL;END=5", "1|0")], {},
     "chrA:10 d: END=5 is before POS=10"),
    ("sv_past_end", [("chrA", 5, "v", "A", "<INV>", "PASS", "SVTYPE=INV;END=30", "1|0")], {},
     "chrA:5 v: END=30 is past the end of chrA (length 20)"),
    ("ref_past_end", [("chrA", 19, "e", "TAC", "T", "PASS", ".", "1|0")], {},
     "chrA:19 e: REF 'TAC' at POS 19 extends past the end of chrA (length 20)"),
    ("sv_without_length", [("chrA", 5, "n", "A", "<DUP>", "PASS", "SVTYPE=DUP", "1|0")], {},
     "chrA:5 n: needs INFO/END or INFO/SVLEN"),
    ("malformed_breakend", [("chrA", 10, "b", "T", "T[chrB:11]", "PASS", "SVTYPE=BND", "1|0")], {},
     "chrA:10 b: malformed breakend ALT 'T[chrB:11]'"),
    ("breakend_base", [("chrA", 10, "b", "T", "G[chrB:11[", "PASS", "SVTYPE=BND", "1|0")], {},
     "chrA:10 b: breakend ALT 'G[chrB:11[' carries base 'G', REF is 'T'"),
    ("mate_past_end", [("chrA", 10, "b", "T", "T[chrB:25[", "PASS", "SVTYPE=BND", "1|0")], {},
     "chrA:10 b: mate position chrB:25 is outside chrB (length 20)"),
    ("mate_unknown", [("chrA", 10, "b", "T", "T[chrQ:5[", "PASS", "SVTYPE=BND", "1|0")], {},
     "chrA:10 b: chromosome 'chrQ' is in neither the reference nor the alias table"),
    ("polyploid", [("chrA", 3, "p", "T", "C", "PASS", ".", "0/1/1")], {},
     "chrA:3 p: ploidy 3 is not supported"),
    ("overlap_error", [("chrA", 6, "r1", "CAC", "C", "PASS", ".", "1|1"), ("chrA", 7, "r2", "A", "T", "PASS", ".", "1|0")],
     {"policy": Policy.from_config({"overlap": "error"})}, "chrA:7 r2: overlaps chrA:6 r1 on haplotype 1"),
    ("ring", [("chrA", 5, "j2", "A", "[chrA:9[A", "PASS", "SVTYPE=BND", "1|1"),
              ("chrA", 8, "j1", "C", "C]chrA:12]", "PASS", "SVTYPE=BND", "1|1")], {},
     "the joins close pieces chrA:4-8, chrA:8-12 into a ring with no chromosome end (records: chrA:5 j2, chrA:8 j1)"),
    ("alt_dot_carried", [("chrA", 3, "x", "T", ".", "PASS", ".", "1|0")], {},
     'bcftools could not read it: [E::bcf_calc_ac] Incorrect allele ("1") in S1 at chrA:3'),
]


@pytest.mark.parametrize("case, rows, kwargs, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_record_stops_with_its_message(tmp_path, case, rows, kwargs, message):
    with pytest.raises(InputError, match=re.escape(message)):
        run(tmp_path, rows, contigs=WITH_Z, **kwargs)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_vcf_and_index(tmp_path):
    ref = write_fasta(tmp_path / "ref.fa", REF)
    with pytest.raises(InputError, match="VCF not found"):
        build_haplotypes(ref, tmp_path / "none.vcf.gz", "S1", tmp_path / "o")
    vcf = write_vcf(tmp_path / "in.vcf", REF, [("chrA", 3, "s", "T", "C", "PASS", ".", "1|0")], index=False)
    with pytest.raises(InputError, match=re.escape("in.vcf.gz: missing index (.tbi or .csi)")):
        build_haplotypes(ref, vcf, "S1", tmp_path / "o")


def test_unknown_sample_and_missing_gt(tmp_path):
    with pytest.raises(InputError, match=re.escape("sample 'S9' is not in the VCF (samples: S1)")):
        ref = write_fasta(tmp_path / "ref.fa", REF)
        vcf = write_vcf(tmp_path / "in.vcf", REF, [("chrA", 3, "s", "T", "C", "PASS", ".", "1|0")])
        build_haplotypes(ref, vcf, "S9", tmp_path / "o")
    header = [h for h in INFO_HEADER if "ID=GT" not in h]
    vcf = write_vcf(tmp_path / "nogt.vcf", REF, [("chrA", 3, "s", "T", "C", "PASS", ".", "1|0")], header=header)
    with pytest.raises(InputError, match="the header declares no FORMAT/GT"):
        build_haplotypes(ref, vcf, "S1", tmp_path / "o")


@pytest.mark.parametrize(
    "order, message",
    [
        ([("chrA", 10, "a"), ("chrA", 5, "b")], "records are not sorted: chrA:5 b comes after chrA:10 a"),
        ([("chrA", 3, "a"), ("chrB", 3, "b"), ("chrA", 12, "c")], "records are not sorted: chrA:12 c comes after chrB:3 b"),
    ],
)
def test_unsorted_vcf_with_a_stale_index(tmp_path, order, message):
    ref = write_fasta(tmp_path / "ref.fa", REF)
    rows = [(c, p, i, REF[c][p - 1], "N", "PASS", ".", "1|0") for c, p, i in order]
    vcf = write_vcf(tmp_path / "in.vcf", REF, sorted(rows, key=lambda r: (r[0], r[1])))
    with open(tmp_path / "in.vcf") as handle:
        header = [line for line in handle if line.startswith("#")]
    body = ["\t".join([c, str(p), i, rf, alt, ".", f, info, "GT", gt]) + "\n" for c, p, i, rf, alt, f, info, gt in rows]
    with open(tmp_path / "in.vcf", "w") as out:
        out.writelines(header + body)
    pysam.tabix_compress(str(tmp_path / "in.vcf"), vcf, force=True)  # replaces the indexed file, keeping its index
    with pytest.raises(InputError, match=re.escape(message)):
        build_haplotypes(ref, vcf, "S1", tmp_path / "o")


def test_tag_missing_from_header_is_reported_from_bcftools(tmp_path):
    # passed on as BCF such a record would be dropped with a warning only; view -s refuses it
    header = [h for h in INFO_HEADER if "LowQual" not in h]
    ref = write_fasta(tmp_path / "ref.fa", REF)
    vcf = write_vcf(tmp_path / "in.vcf", REF, [("chrA", 3, "s", "T", "C", "LowQual", ".", "1|0")], header=header)
    with pytest.raises(InputError, match="bcftools could not read it: .*FILTER 'LowQual' is not defined in the header"):
        build_haplotypes(ref, vcf, "S1", tmp_path / "o")


def test_truncated_vcf(tmp_path):
    ref = write_fasta(tmp_path / "ref.fa", REF)
    rows = [("chrA", p, f"r{p}", A[p - 1], "N", "PASS", ".", "1|0") for p in range(1, 21)]
    vcf = write_vcf(tmp_path / "in.vcf", REF, rows)
    data = open(vcf, "rb").read()
    open(vcf, "wb").write(data[: len(data) - 60])
    with pytest.raises(InputError, match="in.vcf.gz: cannot read the VCF header: no BGZF EOF marker; file may be truncated"):
        build_haplotypes(ref, vcf, "S1", tmp_path / "o")


def test_reference_needs_its_index(tmp_path):
    ref = tmp_path / "ref.fa"
    ref.write_text(">chrA\n" + A + "\n")
    vcf = write_vcf(tmp_path / "in.vcf", REF, [("chrA", 3, "s", "T", "C", "PASS", ".", "1|0")])
    with pytest.raises(InputError, match=re.escape("ref.fa: missing index (.fai)")):
        build_haplotypes(ref, vcf, "S1", tmp_path / "o")


EDIT_ERRORS = [
    ("chrB\t2\t6\tchrA\t10\t14\ttd\t.\t+\t+", "edits.bedpe:2: expected 11 tab-separated fields, found 10"),
    ("chrB\t2\tsix\tchrA\t10\t14\ttd\t.\t+\t+\t1|0", "edits.bedpe:2: end1 'six' is not an integer"),
    ("chrB\t6\t6\tchrA\t10\t14\ttd\t.\t+\t+\t1|0", "edits.bedpe:2: empty source 6-6: end1 must exceed start1"),
    ("chrB\t2\t6\tchrA\t10\t14\ttd\t.\t+\t*\t1|0", "edits.bedpe:2: strand1 and strand2 must be '+' or '-'"),
    ("chrB\t2\t6\tchrA\t10\t14\ttd\t.\t+\t+\t0/1", "edits.bedpe:2: genotype '0/1': use one of 0|0, 1|0, 0|1, 1|1"),
    ("chrA\t2\t12\tchrA\t10\t14\ttd\t.\t+\t+\t1|0", "edits.bedpe:2 td: source and target overlap"),
    ("chrB\t2\t26\tchrA\t10\t14\ttd\t.\t+\t+\t1|0", "edits.bedpe:2 td: source end 26 is past the end of chrB (length 20)"),
    ("chrB\t2\t6\tchrY\t10\t14\ttd\t.\t+\t+\t1|0", "edits.bedpe:2 td: chromosome 'chrY' is in neither the reference nor the alias table"),
]


@pytest.mark.parametrize("line, message", EDIT_ERRORS)
def test_bad_edits_line_names_file_and_line(tmp_path, line, message):
    edits = tmp_path / "edits.bedpe"
    edits.write_text("#chrom1\tstart1\tend1\tchrom2\tstart2\tend2\tname\tscore\tstrand1\tstrand2\tgenotype\n" + line + "\n")
    with pytest.raises(InputError, match=re.escape(message)):
        run(tmp_path, [("chrA", 3, "s", "T", "C", "PASS", ".", "1|0")], edits=edits)


REJECTS = [
    ("filter", [("chrA", 3, "f", "T", "C", "LowQual", ".", "1|0")], Policy.from_config({}),
     [("chrA:3 f", 1, "filter", "FILTER=LowQual")]),
    ("missing_genotype", [("chrA", 3, "m", "T", "C", "PASS", ".", ".|1")], Policy.from_config({}),
     [("chrA:3 m", 1, "missing_genotype", "the genotype is missing (.) on this haplotype")]),
    # unphased: the ALT goes to haplotype 1 (policy), so the missing allele is haplotype 2's
    ("missing_unphased", [("chrA", 3, "m", "T", "C", "PASS", ".", "./1")], Policy.from_config({}),
     [("chrA:3 m", 2, "missing_genotype", "the genotype is missing (.) on this haplotype")]),
    ("unphased", [("chrA", 3, "u", "T", "C", "PASS", ".", "1/0")], Policy.from_config({"unphased": "skip"}),
     [("chrA:3 u", 1, "unphased", "unphased heterozygous genotype under policy unphased=skip"),
      ("chrA:3 u", 2, "unphased", "unphased heterozygous genotype under policy unphased=skip")]),
    ("ref_mismatch", [("chrA", 3, "s", "G", "C", "PASS", ".", "1|0")], Policy.from_config({"ref_mismatch": "skip"}),
     [("chrA:3 s", 1, "ref_mismatch", "REF 'G' does not match the reference")]),
    ("unknown_contig", [("chrZ", 3, "z", "A", "C", "PASS", ".", "0|1")], Policy.from_config({"unknown_contig": "skip"}),
     [("chrZ:3 z", 2, "unknown_contig", "chromosome 'chrZ' is in neither the reference nor the alias table")]),
    ("overlap", [("chrA", 6, "r1", "CAC", "C", "PASS", ".", "0|1"), ("chrA", 8, "r2", "C", "G", "PASS", ".", "1|1")], Policy.from_config({}),
     [("chrA:8 r2", 2, "overlap", "overlaps chrA:6 r1 on haplotype 2")]),
    ("unsupported_allele", [("chrA", 3, "c", "T", "<CNV>", "PASS", ".", "1|0")], Policy.from_config({}),
     [("chrA:3 c", 1, "unsupported_allele", "ALT <CNV> is not applied")]),
    ("spanning_deletion", [("chrA", 3, "st", "T", "*", "PASS", ".", "1|0")], Policy.from_config({}),
     [("chrA:3 st", 1, "spanning_deletion", "ALT * stands for a deletion written by another record")]),
    ("single_breakend", [("chrA", 3, "sb", "T", "TAAC.", "PASS", "SVTYPE=BND", "1|0")], Policy.from_config({}),
     [("chrA:3 sb", 1, "single_breakend", "single breakend: no mate to join to")]),
    ("ins_without_sequence", [("chrA", 3, "i", "T", "<INS>", "PASS", "SVTYPE=INS;SVLEN=50", "1|0")], Policy.from_config({}),
     [("chrA:3 i", 1, "ins_without_sequence", "<INS> without the inserted sequence (INFO/SVINSSEQ or INFO/INSSEQ)")]),
    ("no_change", [("chrA", 3, "n", "T", "T", "PASS", ".", "1|0")], Policy.from_config({}),
     [("chrA:3 n", 1, "no_change", "ALT equals REF")]),
    ("bnd_mate_mismatch", [("chrA", 10, "m1", "T", "T[chrB:11[", "PASS", "SVTYPE=BND", "1|0"),
                           ("chrB", 11, "m2", "G", "]chrA:10]G", "PASS", "SVTYPE=BND", "0|1")], Policy.from_config({}),
     [("chrA:10 m1", 1, "bnd_mate_mismatch", "the records of one breakend junction disagree on this haplotype"),
      ("chrB:11 m2", 2, "bnd_mate_mismatch", "the records of one breakend junction disagree on this haplotype")]),
    ("sv_crossing_cut", [("chrA", 5, "inv", "A", "<INV>", "PASS", "SVTYPE=INV;END=10", "1|0"),
                         ("chrA", 9, "del", "CTG", "C", "PASS", ".", "1|0")], Policy.from_config({}),
     [("chrA:9 del", 1, "overlap", "overlaps chrA:5 inv on haplotype 1")]),
]


@pytest.mark.parametrize("case, rows, policy, expected", REJECTS, ids=[r[0] for r in REJECTS])
def test_skipped_record_has_its_reason(tmp_path, case, rows, policy, expected):
    out = build(tmp_path, REF, rows, policy=policy, vcf=write_vcf(tmp_path / "in.vcf", REF, rows, contigs=WITH_Z))
    got = out.rejects[["record", "haplotype", "reason", "detail"]].values.tolist()
    assert [tuple(r) for r in got] == expected
    for record, hap, reason, _ in expected:
        assert out.count(hap, "skipped", reason=reason) >= 1


def test_policy_from_the_config_section(tmp_path):
    ref = write_fasta(tmp_path / "ref.fa", REF)
    rows = [("chrA", 3, "a", "T", "C", "q10", ".", "1/0")]
    vcf = write_vcf(tmp_path / "in.vcf", REF, rows, header=INFO_HEADER + ['##FILTER=<ID=q10,Description="q">'])
    policy = Policy.from_config({"filters": ["PASS", "q10"], "unphased": "both"})
    build_haplotypes(ref, vcf, "S1", tmp_path / "o" / "S1", policy=policy)
    summary = (tmp_path / "o" / "S1" / "summary.tsv").read_text().splitlines()
    assert summary == ["haplotype\tclass\toutcome\treason\tcount", "1\tsnv\tapplied\tunphased\t1", "2\tsnv\tapplied\tunphased\t1"]
    with pytest.raises(InputError, match="config variants unphased: 'random' is not one of"):
        Policy.from_config({"unphased": "random"})
    with pytest.raises(ValueError, match="policy unphased='random': choose one of hap1, both, skip"):
        Policy(**{**vars(Policy.from_config({})), "unphased": "random"})


def test_summary_by_class_counts_every_outcome(tmp_path):
    from hicmodels.variants.ledger import summary_by_class

    rows = [("chrA", 3, "a", "T", "C", "LowQual", ".", "1|0"), ("chrA", 8, "b", "C", "G", "PASS", ".", "1|1"),
            ("chrA", 12, "c", "A", "AG", "PASS", ".", "0|1")]
    out = build(tmp_path, REF, rows)
    wide = summary_by_class(out.summary)
    assert wide.loc["snv"].tolist() == [1, 1, 0, 1, 0, 1]
    assert wide.loc["insertion"].tolist() == [0, 0, 1, 1, 0, 0]
    assert wide.loc["total"].tolist() == [1, 1, 1, 2, 0, 1]
    assert list(wide.columns[:3]) == ["hap1 applied", "hap1 skipped", "hap1 not_carried"]
