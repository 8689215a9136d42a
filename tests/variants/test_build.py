"""Each variant class on a tiny hand-made reference, expected haplotypes written out.

Reference (1-based positions in comments; chain checks use 0-based):

    chrA  GATTACACCT GAAGTCCGTA     1 G  2 A  3 T  4 T  5 A  6 C  7 A  8 C  9 C 10 T
                                   11 G 12 A 13 A 14 G 15 T 16 C 17 C 18 G 19 T 20 A
    chrB  CTTGAGCAAT GCCGATTAGC     1 C  2 T  3 T  4 G  5 A  6 G  7 C  8 A  9 A 10 T
                                   11 G 12 C 13 C 14 G 15 A 16 T 17 T 18 A 19 G 20 C
"""

import pandas as pd
import pytest

from hicmodels.genome.liftover import lift_positions, mark_copies
from hicmodels.variants import Policy
from variant_helpers import build, chain_check, deleted

A = "GATTACACCTGAAGTCCGTA"
B = "CTTGAGCAATGCCGATTAGC"
REF = {"chrA": A, "chrB": B}


def test_snv_goes_to_the_phased_haplotype_only(tmp_path):
    out = build(tmp_path, REF, [("chrA", 3, "s1", "T", "C", "PASS", ".", "1|0")])
    assert out.hap[1] == {"chrA": "GACTACACCTGAAGTCCGTA", "chrB": B}
    assert out.hap[2] == REF
    assert chain_check(REF, out.hap[1], out.blocks[1]) == [("chrA", 2, "C", "T")]
    assert chain_check(REF, out.hap[2], out.blocks[2]) == []
    assert out.count(1, "applied", "snv") == 1 and out.count(2, "not_carried", "snv") == 1


def test_mnv_substitutes_base_for_base(tmp_path):
    out = build(tmp_path, REF, [("chrA", 6, "m1", "CAC", "GTT", "PASS", ".", "0|1")])
    assert out.hap[2]["chrA"] == "GATTAGTTCTGAAGTCCGTA"
    assert chain_check(REF, out.hap[2], out.blocks[2]) == [("chrA", 5, "G", "C"), ("chrA", 6, "T", "A"), ("chrA", 7, "T", "C")]
    assert out.count(2, "applied", "mnv") == 1


def test_insertion_after_its_anchor_base(tmp_path):
    out = build(tmp_path, REF, [("chrA", 10, "i1", "T", "TGGG", "PASS", ".", "1|1")])
    for hap in (1, 2):
        assert out.hap[hap]["chrA"] == "GATTACACCTGGGGAAGTCCGTA"
        assert chain_check(REF, out.hap[hap], out.blocks[hap]) == []
        a = out.blocks[hap][out.blocks[hap]["chrom"] == "chrA"]
        assert a[["start", "end", "pstart", "pend"]].values.tolist() == [[0, 10, 0, 10], [10, 20, 13, 23]]


def test_deletion_keeps_its_anchor_base(tmp_path):
    out = build(tmp_path, REF, [("chrB", 4, "d1", "GAGC", "G", "PASS", ".", "1|1")])
    assert out.hap[1]["chrB"] == "CTTGAATGCCGATTAGC"
    assert deleted(REF, out.blocks[1]) == {"chrB": [4, 5, 6]}
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []


def test_complex_replacement_claims_no_base_correspondence(tmp_path):
    out = build(tmp_path, REF, [("chrB", 12, "c1", "CCGA", "TT", "PASS", ".", "1|0")])
    assert out.hap[1]["chrB"] == "CTTGAGCAATGTTTTAGC"
    b = out.blocks[1][out.blocks[1]["chrom"] == "chrB"]
    assert b[["start", "end", "pstart", "pend"]].values.tolist() == [[0, 11, 0, 11], [15, 20, 13, 18]]
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []
    assert out.count(1, "applied", "complex") == 1


def test_multiallelic_record_is_split_per_alt(tmp_path):
    out = build(tmp_path, REF, [("chrA", 3, "ma", "T", "C,G", "PASS", ".", "1|2")])
    assert out.hap[1]["chrA"][:4] == "GACT"
    assert out.hap[2]["chrA"][:4] == "GAGT"
    assert out.count(1, "applied", "snv") == 1 and out.count(1, "not_carried", "snv") == 1


@pytest.mark.parametrize("info", ["SVTYPE=DEL;END=9", "SVTYPE=DEL;SVLEN=-4"])
def test_symbolic_deletion(tmp_path, info):
    out = build(tmp_path, REF, [("chrA", 5, "sv1", "A", "<DEL>", "PASS", info, "1|0")])
    assert out.hap[1]["chrA"] == "GATTATGAAGTCCGTA"
    assert deleted(REF, out.blocks[1]) == {"chrA": [5, 6, 7, 8]}
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []
    assert out.count(1, "applied", "sv_del") == 1


def test_tandem_duplication_second_copy_is_marked(tmp_path):
    out = build(tmp_path, REF, [("chrA", 5, "dup1", "A", "<DUP>", "PASS", "SVTYPE=DUP;END=8", "0|1")])
    assert out.hap[2]["chrA"] == "GATTACACCACCTGAAGTCCGTA"
    assert chain_check(REF, out.hap[2], out.blocks[2]) == []
    marked = mark_copies(out.blocks[2])
    a = marked[marked["chrom"] == "chrA"]
    assert a[["start", "end", "pstart", "pend", "copy"]].values.tolist() == [
        [0, 8, 0, 8, 0], [8, 20, 11, 23, 0], [5, 8, 8, 11, 1],
    ]
    assert lift_positions(marked, "chrA", [6])[1].tolist() == [6]


def test_inversion_reverse_complements_in_place(tmp_path):
    out = build(tmp_path, REF, [("chrA", 5, "inv1", "A", "<INV>", "PASS", "SVTYPE=INV;END=10", "1|0")])
    assert out.hap[1]["chrA"] == "GATTAAGGTGGAAGTCCGTA"
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []
    minus = out.blocks[1][out.blocks[1]["strand"] == "-"]
    assert minus[["chrom", "start", "end", "pstart", "pend"]].values.tolist() == [["chrA", 5, 10, 5, 10]]


@pytest.mark.parametrize(
    "alt, info, cls",
    [
        ("<INS>", "SVTYPE=INS;SVINSSEQ=AAAA", "sv_ins"),
        ("<INS>", "SVTYPE=INS;INSSEQ=AAAA", "sv_ins"),
        ("TAAAA", "SVTYPE=INS", "insertion"),
    ],
)
def test_insertion_sequence_from_alt_or_info(tmp_path, alt, info, cls):
    out = build(tmp_path, REF, [("chrB", 10, "ins1", "T", alt, "PASS", info, "1|1")])
    assert out.hap[1]["chrB"] == "CTTGAGCAATAAAAGCCGATTAGC"
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []
    assert out.count(1, "applied", cls) == 1


def test_reciprocal_translocation_makes_two_derivatives(tmp_path):
    rows = [
        ("chrA", 10, "tA1", "T", "T[chrB:11[", "PASS", "SVTYPE=BND", "1|0"),
        ("chrA", 11, "tA2", "G", "]chrB:10]G", "PASS", "SVTYPE=BND", "1|0"),
        ("chrB", 10, "tB2", "T", "T[chrA:11[", "PASS", "SVTYPE=BND", "1|0"),
        ("chrB", 11, "tB1", "G", "]chrA:10]G", "PASS", "SVTYPE=BND", "1|0"),
    ]
    out = build(tmp_path, REF, rows)
    assert out.hap[1] == {"der_chrA+chrB": "GATTACACCTGCCGATTAGC", "der_chrB+chrA": "CTTGAGCAATGAAGTCCGTA"}
    assert out.hap[2] == REF
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []
    assert deleted(REF, out.blocks[1]) == {}
    assert out.count(1, "applied", "bnd") == 4


def test_breakend_pair_inversion_keeps_the_chromosome_name(tmp_path):
    rows = [
        ("chrA", 5, "i1", "A", "A]chrA:10]", "PASS", "SVTYPE=BND", "1|1"),
        ("chrA", 6, "i2", "C", "[chrA:11[C", "PASS", "SVTYPE=BND", "1|1"),
        ("chrA", 10, "i3", "T", "T]chrA:5]", "PASS", "SVTYPE=BND", "1|1"),
        ("chrA", 11, "i4", "G", "[chrA:6[G", "PASS", "SVTYPE=BND", "1|1"),
    ]
    out = build(tmp_path, REF, rows)
    assert out.hap[1] == {"chrA": "GATTAAGGTGGAAGTCCGTA", "chrB": B}
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []


def test_single_junction_with_inserted_bases_leaves_capped_fragments(tmp_path):
    rows = [
        ("chrA", 10, "f1", "T", "TTTT[chrB:11[", "PASS", "SVTYPE=BND", "0|1"),
        ("chrB", 11, "f2", "G", "]chrA:10]TTTG", "PASS", "SVTYPE=BND", "0|1"),
    ]
    out = build(tmp_path, REF, rows)
    assert out.hap[2] == {
        "der_chrA+chrB": "GATTACACCT" + "TTT" + "GCCGATTAGC",
        "der_chrA": "GAAGTCCGTA",
        "der_chrB": "CTTGAGCAAT",
    }
    assert chain_check(REF, out.hap[2], out.blocks[2]) == []


def test_repeated_derivative_names_are_numbered(tmp_path):
    rows = [
        ("chrA", 5, "j1", "A", "A[chrB:11[", "PASS", "SVTYPE=BND", "1|0"),
        ("chrA", 15, "j2", "T", "T[chrB:16[", "PASS", "SVTYPE=BND", "1|0"),
    ]
    out = build(tmp_path, REF, rows)
    assert out.hap[1] == {
        "der_chrA+chrB": "GATTA" + "GCCGA",
        "der_chrA+chrB.2": "CACCTGAAGT" + "TTAGC",
        "der_chrA": "CCGTA",
        "der_chrB": "CTTGAGCAAT",
    }
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []


def test_breakend_deletion_drops_the_piece_between(tmp_path):
    out = build(tmp_path, REF, [("chrA", 5, "bd", "A", "A[chrA:11[", "PASS", "SVTYPE=BND", "1|0")])
    assert out.hap[1]["chrA"] == "GATTAGAAGTCCGTA"
    assert deleted(REF, out.blocks[1]) == {"chrA": [5, 6, 7, 8, 9]}


def test_breakend_back_to_an_earlier_base_is_a_tandem_duplication(tmp_path):
    out = build(tmp_path, REF, [("chrA", 8, "bdup", "C", "C[chrA:6[", "PASS", "SVTYPE=BND", "1|0")])
    assert out.hap[1]["chrA"] == "GATTACACCACCTGAAGTCCGTA"
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []


@pytest.mark.parametrize(
    "alts, pasted",
    [
        (("T[chrB:3[", "]chrB:6]T"), "TGAG"),  # source chrB 3-6 (TGAG) over chrA 11-14
        (("T]chrB:6]", "[chrB:3[T"), "CTCA"),  # the same, reverse-complemented
    ],
)
def test_breakend_pair_through_a_source_is_a_trans_duplication(tmp_path, alts, pasted):
    rows = [
        ("chrA", 10, "td1", "T", alts[0], "PASS", "SVTYPE=BND", "1|0"),
        ("chrA", 15, "td2", "T", alts[1], "PASS", "SVTYPE=BND", "1|0"),
    ]
    out = build(tmp_path, REF, rows)
    assert out.hap[1] == {"chrA": "GATTACACCT" + pasted + "TCCGTA", "chrB": B}
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []
    assert deleted(REF, out.blocks[1]) == {"chrA": [10, 11, 12, 13]}
    assert out.count(1, "applied", "trans_dup") == 2
    marked = mark_copies(out.blocks[1])
    assert marked.loc[marked["copy"] == 1, ["chrom", "start", "end", "pchrom", "pstart", "pend"]].values.tolist() == [
        ["chrB", 2, 6, "chrA", 10, 14]
    ]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("chrB\t2\t6\tchrA\t10\t14\ttd\t.\t+\t+\t1|0", {"chrA": "GATTACACCT" + "TGAG" + "TCCGTA", "chrB": B}),
        ("chrB\t2\t6\tchrA\t10\t14\ttd\t.\t+\t-\t1|0", {"chrA": "GATTACACCT" + "CTCA" + "TCCGTA", "chrB": B}),
        ("chrB\t2\t6\tchrA\t10\t10\ttd\t.\t+\t+\t1|0", {"chrA": "GATTACACCT" + "TGAG" + "GAAGTCCGTA", "chrB": B}),
        ("chrA\t0\t3\tchrA\t15\t18\ttd\t.\t+\t+\t1|0", {"chrA": "GATTACACCTGAAGT" + "GAT" + "TA", "chrB": B}),
        ("B\t2\t6\tA\t10\t14\ttd\t.\t+\t+\t1|0", {"chrA": "GATTACACCT" + "TGAG" + "TCCGTA", "chrB": B}),
    ],
)
def test_edits_file_trans_duplication(tmp_path, line, expected):
    edits = tmp_path / "edits.bedpe"
    edits.write_text("#chrom1\tstart1\tend1\tchrom2\tstart2\tend2\tname\tscore\tstrand1\tstrand2\tgenotype\n" + line + "\n")
    aliases = tmp_path / "aliases.tsv"
    aliases.write_text("canonical\talias\nchrA\tA\nchrB\tB\n")
    out = build(tmp_path, REF, [("chrB", 20, "x", "C", "G", "PASS", ".", "0|1")], edits=edits, aliases=aliases)
    assert out.hap[1] == expected
    assert out.hap[2]["chrB"] == B[:19] + "G"
    assert chain_check(REF, out.hap[1], out.blocks[1]) == []
    assert out.count(1, "applied", "trans_dup") == 1 and out.count(2, "not_carried", "trans_dup") == 1


def test_small_variants_inside_inversions_and_duplications_follow_them(tmp_path):
    out = build(tmp_path, REF, [
        ("chrA", 5, "inv", "A", "<INV>", "PASS", "SVTYPE=INV;END=10", "1|0"),
        ("chrA", 7, "snv", "A", "G", "PASS", ".", "1|0"),
        ("chrB", 5, "dup", "A", "<DUP>", "PASS", "SVTYPE=DUP;END=8", "1|0"),
        ("chrB", 7, "snv2", "C", "T", "PASS", ".", "1|0"),
    ])
    assert out.hap[1]["chrA"] == "GATTA" + "AGGCG" + "GAAGTCCGTA"
    assert out.hap[1]["chrB"] == "CTTGA" + "GTA" + "GTA" + "ATGCCGATTAGC"
    assert chain_check(REF, out.hap[1], out.blocks[1]) == [("chrA", 6, "C", "T"), ("chrB", 6, "T", "C"), ("chrB", 6, "T", "C")]


@pytest.mark.parametrize(
    "mode, hap1, hap2",
    [
        ("hap1", "GACTAGACCTGGAGTCCGTA", "GACTACACCTGGAGACCGTA"),
        ("both", "GACTAGACCTGGAGTCCGTA", "GACTAGACCTGGAGACCGTA"),
        ("skip", "GACTACACCTGGAGTCCGTA", "GACTACACCTGGAGACCGTA"),
    ],
)
def test_genotypes_route_alleles_to_haplotypes(tmp_path, mode, hap1, hap2):
    rows = [
        ("chrA", 3, "hom", "T", "C", "PASS", ".", "1|1"),
        ("chrA", 6, "unph", "C", "G", "PASS", ".", "0/1"),
        ("chrA", 9, "miss", "C", "A", "PASS", ".", "./."),
        ("chrA", 12, "hapl", "A", "G", "PASS", ".", "1"),
        ("chrA", 15, "half", "T", "A", "PASS", ".", ".|1"),
        ("chrA", 18, "ref", "G", "C", "PASS", ".", "0|0"),
    ]
    out = build(tmp_path, REF, rows, policy=Policy.from_config({"unphased": mode}))
    assert out.hap[1]["chrA"] == hap1
    assert out.hap[2]["chrA"] == hap2
    placed = {"hap1": (1, 0), "both": (1, 1), "skip": (0, 0)}[mode]
    assert (out.count(1, "applied", reason="unphased"), out.count(2, "applied", reason="unphased")) == placed
    assert out.count(1, "skipped", reason="missing_genotype") == 2
    assert out.count(2, "skipped", reason="missing_genotype") == 1
    assert out.count(1, "skipped", reason="unphased") == (1 if mode == "skip" else 0)
    assert out.count(1, "not_carried") == 1
    rejects = out.rejects
    assert rejects.loc[rejects["reason"] == "missing_genotype", ["record", "haplotype"]].values.tolist() == [
        ["chrA:9 miss", 1], ["chrA:9 miss", 2], ["chrA:15 half", 1],
    ]


def test_overlapping_record_on_the_same_haplotype_is_rejected(tmp_path):
    out = build(tmp_path, REF, [
        ("chrA", 6, "r1", "CAC", "C", "PASS", ".", "1|1"),
        ("chrA", 7, "r2", "A", "T", "PASS", ".", "1|0"),
        ("chrA", 9, "r3", "C", "G", "PASS", ".", "1|1"),
    ])
    assert out.hap[1]["chrA"] == out.hap[2]["chrA"] == "GATTAC" + "G" + "TGAAGTCCGTA"
    assert out.rejects[["record", "haplotype", "reason", "detail"]].values.tolist() == [
        ["chrA:7 r2", 1, "overlap", "overlaps chrA:6 r1 on haplotype 1"]
    ]


def test_alt_takes_the_case_of_a_soft_masked_reference(tmp_path):
    ref = {"chrC": "acgtacgtac"}
    out = build(tmp_path, ref, [("chrC", 3, "lc", "G", "TT", "PASS", ".", "1|1")])
    assert out.hap[1]["chrC"] == "acttacgtac"[:2] + "tt" + "tacgtac"


@pytest.mark.parametrize(
    "policy, applied",
    [(Policy.from_config({}), ["PASS", "."]), (Policy.from_config({"filter_missing": "reject"}), ["PASS"]),
     (Policy.from_config({"filters": "any"}), ["PASS", ".", "LowQual"])],
)
def test_filter_policy(tmp_path, policy, applied):
    rows = [
        ("chrA", 3, "p", "T", "C", "PASS", ".", "1|1"),
        ("chrA", 6, "m", "C", "G", ".", ".", "1|1"),
        ("chrA", 9, "q", "C", "A", "LowQual", ".", "1|1"),
    ]
    out = build(tmp_path, REF, rows, policy=policy)
    changed = {pos: f for pos, f in ((2, "PASS"), (5, "."), (8, "LowQual")) if out.hap[1]["chrA"][pos] != A[pos]}
    assert sorted(changed.values()) == sorted(applied)
    filtered = out.rejects[out.rejects["reason"] == "filter"]
    assert len(filtered) == 2 * (3 - len(applied))
    if "LowQual" not in applied:
        assert "FILTER=LowQual" in filtered["detail"].tolist()


def test_outputs_are_indexed_and_summary_agrees_with_rejects(tmp_path):
    out = build(tmp_path, REF, [
        ("chrA", 3, "a", "T", "C", "PASS", ".", "1|0"),
        ("chrA", 6, "b", "C", "<CNV>", "PASS", ".", "1|1"),
    ])
    for hap in (1, 2):
        fasta = out.paths[f"hap{hap}_fasta"]
        assert fasta.with_name(fasta.name + ".fai").exists() and fasta.with_name(fasta.name + ".gzi").exists()
    skipped = out.summary[out.summary["outcome"] == "skipped"]
    assert skipped[["haplotype", "class", "reason", "count"]].values.tolist() == [
        [1, "symbolic", "unsupported_allele", 1], [2, "symbolic", "unsupported_allele", 1],
    ]
    assert len(out.rejects) == skipped["count"].sum()
    assert isinstance(out.summary, pd.DataFrame)


def test_writing_logs_each_haplotypes_chromosome_count(tmp_path, caplog):
    caplog.set_level("INFO", logger="hicmodels.variants.sequences")
    build(tmp_path, REF, [("chrA", 3, "s1", "T", "C", "PASS", ".", "1|0")])
    done = [m.split(",")[0] for m in caplog.messages if m.startswith("writing hap") and "2/2" in m]
    assert done == ["writing hap1 chromosomes: 2/2 (100%)", "writing hap2 chromosomes: 2/2 (100%)"]
