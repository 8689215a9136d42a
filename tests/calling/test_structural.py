"""FILTER values added to delly-like SV calls."""

import pandas as pd
import pysam
import pytest

from hicmodels.calling.structural import filter_sv_calls, sv_filters
from hicmodels.errors import InputError


def calls(*rows):
    columns = ["chrom", "pos", "end", "svtype", "ct", "svlen", "qual", "filters", "carried", "ft"]
    return pd.DataFrame([dict(zip(columns, r)) for r in rows], columns=columns)


def test_size_and_genotype_filters():
    table = calls(
        ("c", 100, 5_100, "DEL", "3to5", 0, 500.0, (), True, "PASS"),
        ("c", 100, 140, "DEL", "3to5", 0, 500.0, (), True, "PASS"),       # 40 bp
        ("c", 100, 101, "INS", "NtoN", 30, 500.0, (), True, "PASS"),      # 30 bp inserted
        ("c", 100, 101, "INS", "NtoN", 80, 500.0, (), True, "PASS"),
        ("c", 100, 101, "BND", "3to5", 0, 500.0, (), True, "PASS"),       # no size
        ("c", 100, 9_000, "DUP", "5to3", 0, 500.0, (), False, "PASS"),    # 0/0
        ("c", 100, 9_000, "DUP", "5to3", 0, 500.0, (), True, "LowQual"),  # per-sample filter
    )
    assert sv_filters(table, min_size=50, junction_bp=1000) == [
        [], ["SvSize"], ["SvSize"], [], [], ["SvGenotype"], ["SvGenotype"]]


def test_inversion_junctions_pair_and_the_worse_is_marked():
    table = calls(
        ("c", 1_000, 31_000, "INV", "3to3", 0, 800.0, (), True, "PASS"),
        ("c", 1_002, 31_001, "INV", "5to5", 0, 900.0, (), True, "PASS"),      # better QUAL: kept
        ("c", 50_000, 56_000, "INV", "3to3", 0, 700.0, (), True, "PASS"),     # kept: mate has LowQual
        ("c", 50_001, 56_001, "INV", "5to5", 0, 990.0, ("LowQual",), True, "PASS"),
        ("c", 80_000, 90_000, "INV", "3to3", 0, 500.0, (), True, "PASS"),     # tie: the 3to3 is kept
        ("c", 80_001, 90_000, "INV", "5to5", 0, 500.0, (), True, "PASS"),
        ("c", 200_000, 230_000, "INV", "5to5", 0, 500.0, (), True, "PASS"),   # mate too far: single
        ("c", 201_500, 230_000, "INV", "3to3", 0, 500.0, (), True, "PASS"),
        ("d", 1_000, 31_000, "INV", "5to5", 0, 500.0, (), True, "PASS"),      # other chromosome
    )
    added = sv_filters(table, min_size=50, junction_bp=1000)
    assert [i for i, a in enumerate(added) if "InvMate" in a] == [0, 3, 5]


def test_a_record_pairs_once_with_its_closest_mate():
    table = calls(
        ("c", 1_000, 31_000, "INV", "3to3", 0, 100.0, (), True, "PASS"),
        ("c", 1_500, 31_500, "INV", "5to5", 0, 900.0, (), True, "PASS"),
        ("c", 1_001, 31_001, "INV", "5to5", 0, 50.0, (), True, "PASS"),  # closest to the 3to3, worse
    )
    assert sv_filters(table, min_size=50, junction_bp=1000) == [[], [], ["InvMate"]]


HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="Poor quality">
##contig=<ID=c,length=100000>
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="type">
##INFO=<ID=END,Number=1,Type=Integer,Description="end">
##INFO=<ID=CT,Number=1,Type=String,Description="connection">
##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="insertion length">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=FT,Number=1,Type=String,Description="Per-sample filter">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS
"""


def test_filter_sv_calls_keeps_every_record(tmp_path):
    lines = [
        "c\t999\tDEL1\tA\t<DEL>\t900\tPASS\tSVTYPE=DEL;END=6000;CT=3to5\tGT:FT\t1/1:PASS",
        "c\t10000\tDEL2\tA\t<DEL>\t30\tLowQual\tSVTYPE=DEL;END=10030;CT=3to5\tGT:FT\t0/1:LowQual",
        "c\t20000\tINV1\tA\t<INV>\t800\tPASS\tSVTYPE=INV;END=50000;CT=3to3\tGT:FT\t0/1:PASS",
        "c\t20001\tINV2\tA\t<INV>\t700\tPASS\tSVTYPE=INV;END=50001;CT=5to5\tGT:FT\t0/1:PASS",
    ]
    (tmp_path / "delly.vcf").write_text(HEADER + "\n".join(lines) + "\n")
    out = tmp_path / "sv.vcf.gz"
    counts = filter_sv_calls(tmp_path / "delly.vcf", out, None, min_size=50, junction_bp=1000)
    assert counts.to_dict() == {"InvMate": 1, "LowQual;SvSize;SvGenotype": 1, "PASS": 2}
    with pysam.VariantFile(str(out)) as vcf:
        assert {"SvSize", "SvGenotype", "InvMate"} <= set(vcf.header.filters)
        assert "shorter than 50 bp" in vcf.header.filters["SvSize"].description
        got = [(r.id, list(r.filter.keys())) for r in vcf.fetch("c")]  # indexed
    assert got == [("DEL1", ["PASS"]), ("DEL2", ["LowQual", "SvSize", "SvGenotype"]), ("INV1", ["PASS"]),
                   ("INV2", ["InvMate"])]
    with pytest.raises(InputError, match="sample 'T' not in the VCF"):
        filter_sv_calls(tmp_path / "delly.vcf", tmp_path / "x.vcf.gz", "T", 50, 1000)
    assert not (tmp_path / "x.vcf.gz").exists()
