"""Structural-variant intervals of a sample, for the SV figure."""

from hicmodels.variants.records import structural_variants_of

from conftest import REPO
from variant_helpers import write_vcf

DEMO = REPO / "resources" / "demo" / "demo.vcf.gz"


def test_demo_svs_are_the_planted_ones():
    het = structural_variants_of(DEMO, "demo_het", 20_000)
    assert het.values.tolist() == [
        ["chrIV", 702_345, 752_345, "DEL sv_del67 1|0"],
        ["chrVII", 601_234, 661_234, "INV sv_inv138 0|1"],
        ["chrXV", 503_210, 543_210, "DUP sv_dup328 1|0"],
    ]
    small = structural_variants_of(DEMO, "demo_hom", 5)
    assert len(small) == 39 and (small["label"].str.startswith("indel")).sum() == 36


def test_carried_records_only_through_aliases_and_insertions_at_their_junction(tmp_path):
    seqs = {"chrI": "A" * 200}
    rows = [
        ("1", 10, "del1", "A", "<DEL>", "PASS", "SVTYPE=DEL;END=60", "0|1"),
        ("1", 80, "ins1", "A", "<INS>", "PASS", f"SVTYPE=INS;SVINSSEQ={'C' * 30}", "1|1"),
        ("1", 120, "del2", "A", "<DEL>", "PASS", "SVTYPE=DEL;END=170", "0|0"),
        ("1", 180, "small", "AAAAAA", "A", "PASS", ".", "1|0"),
    ]
    vcf = write_vcf(tmp_path / "x.vcf", seqs, rows, contigs={"1": "A" * 200})
    got = structural_variants_of(vcf, "S1", 5, aliases={"1": "chrI"})
    assert got.values.tolist() == [
        ["chrI", 10, 60, "DEL del1 0|1"], ["chrI", 80, 80, "INS ins1 1|1"], ["chrI", 179, 185, "indel small 1|0"],
    ]
