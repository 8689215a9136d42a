"""truvari bench on hand-made SV sets: per-class counts, and the same verdicts as the exact matching
of hicmodels.calling.accuracy where both apply."""

import json
import subprocess
import sys

import pysam
import pytest

from hicmodels.calling.accuracy import evaluate, read_variants
from hicmodels.calling.truvari import bench_command, bench_table, run_bench
from hicmodels.errors import InputError

SETTINGS = {"sv_tolerance_bp": 100, "sv_min_overlap": 0.5}
HEADER = """##fileformat=VCFv4.2
##contig=<ID=c,length=200000>
##contig=<ID=d,length=100000>
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="low">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="type">
##INFO=<ID=END,Number=1,Type=Integer,Description="end">
##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="length">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{sample}
"""


def sv_record(chrom, pos, ident, kind, end, gt, filt="PASS"):
    length = end - pos if kind != "DEL" else pos - end
    return f"{chrom}\t{pos}\t{ident}\tN\t<{kind}>\t60\t{filt}\tSVTYPE={kind};END={end};SVLEN={length}\tGT\t{gt}\n"


def write_vcf(path, sample, records):
    plain = str(path)[:-3]
    with open(plain, "w") as out:
        out.write(HEADER.format(sample=sample) + "".join(records))
    pysam.tabix_compress(plain, str(path), force=True)
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return path


@pytest.fixture
def sets(tmp_path):
    truth = write_vcf(tmp_path / "truth.vcf.gz", "truth_sample", [
        sv_record("c", 10_000, "t_del", "DEL", 30_000, "1|1"),      # found exactly
        sv_record("c", 50_000, "t_dup", "DUP", 65_000, "0|1"),      # found 40 bp off, genotype wrong
        sv_record("c", 100_000, "t_inv", "INV", 130_000, "1|1"),    # missed
        sv_record("d", 20_000, "t_del2", "DEL", 25_000, "0|1"),     # call 300 bp off (see below)
        sv_record("d", 60_000, "t_hom_ref", "DEL", 62_000, "0|0"),  # not carried: not scored
    ])
    calls = write_vcf(tmp_path / "calls.vcf.gz", "s1", [
        sv_record("c", 10_000, "c_del", "DEL", 30_000, "1/1"),
        sv_record("c", 50_040, "c_dup", "DUP", 65_040, "1/1"),
        sv_record("c", 150_000, "c_fp", "DEL", 160_000, "0/1"),     # false positive
        sv_record("c", 170_000, "c_lowqual", "DEL", 180_000, "0/1", "LowQual"),  # not PASS: not scored
        sv_record("d", 20_300, "c_del2", "DEL", 25_300, "0/1"),
    ])
    return truth, calls


def test_bench_table_counts_each_class(sets, tmp_path):
    truth, calls = sets
    run_bench(bench_command(truth, calls, tmp_path / "bench", SETTINGS, "truth_sample", "s1"))
    table = bench_table(tmp_path / "bench").set_index("class")
    assert table.loc["DEL", ["truth", "calls", "truth_matched", "calls_matched"]].tolist() == [2, 3, 2, 2]
    assert table.loc["DUP", ["truth", "calls", "truth_matched", "false_positives"]].tolist() == [1, 1, 1, 0]
    assert table.loc["INV", ["truth", "calls", "false_negatives"]].tolist() == [1, 0, 1]
    every = table.loc["all"]
    assert every[["truth", "calls", "truth_matched", "calls_matched"]].tolist() == [4, 4, 3, 3]
    assert every["recall"] == pytest.approx(0.75) and every["precision"] == pytest.approx(0.75)
    assert every["f1"] == pytest.approx(0.75) and every["genotype_concordance"] == pytest.approx(2 / 3)
    summary = json.loads((tmp_path / "bench" / "summary.json").read_text())
    assert summary["TP-base"] == 3 and summary["FN"] == 1 and summary["FP"] == 1


def test_same_verdicts_as_the_exact_matching_but_for_refdist(sets, tmp_path):
    """truvari's --refdist asks only that the call lie within that distance of the truth SV's span,
    not that each breakpoint does: the DEL on d, both breakpoints 300 bp off (reciprocal overlap 0.94),
    is a match for truvari and not for the exact matching (breakpoints within 100 bp)."""
    truth, calls = sets
    run_bench(bench_command(truth, calls, tmp_path / "bench", SETTINGS, "truth_sample", "s1"))
    by_truvari = bench_table(tmp_path / "bench").set_index("class")
    summary, _ = evaluate(read_variants(truth, "s1", fallback=True), read_variants(calls, "s1"),
                          SETTINGS["sv_tolerance_bp"], SETTINGS["sv_min_overlap"])
    exact = summary.set_index("class")
    columns = ["truth", "calls", "truth_matched", "calls_matched", "false_negatives", "false_positives"]
    for kind in ("DUP", "INV"):
        assert by_truvari.loc[kind, columns].tolist() == exact.loc[kind, columns].tolist(), kind
    assert exact.loc["DEL", columns].tolist() == [2, 3, 1, 1, 1, 2]
    assert by_truvari.loc["DEL", columns].tolist() == [2, 3, 2, 2, 0, 1]


def test_chromosomes_are_restricted_and_bad_output_is_named(sets, tmp_path):
    truth, calls = sets
    bed = tmp_path / "only_d.bed"
    bed.write_text("d\t0\t100000\n")
    run_bench(bench_command(truth, calls, tmp_path / "bench", SETTINGS, "truth_sample", "s1", bed))
    table = bench_table(tmp_path / "bench").set_index("class")
    assert table.loc["all", ["truth", "calls", "truth_matched"]].tolist() == [1, 1, 1]
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty"):
        bench_table(tmp_path / "empty")


def test_sv_bench_command(sets, tmp_path):
    truth, calls = sets
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">c\n" + "A" * 200_000 + "\n>d\n" + "A" * 100_000 + "\n")
    pysam.faidx(str(fasta))
    out = tmp_path / "qc" / "s1.sv_truvari.tsv"
    result = subprocess.run([sys.executable, "-m", "hicmodels", "calling", "sv-bench", "--truth", str(truth),
                             "--calls", str(calls), "--calls-sample", "s1", "--reference", str(fasta),
                             "--chromosomes", "c", "--table", str(out), "--summary", str(tmp_path / "s.json"),
                             "--config", json.dumps(SETTINGS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert lines[0].split("\t")[:3] == ["class", "truth", "calls"]
    assert lines[-1].split("\t")[:4] == ["all", "3", "3", "2"]
    assert json.loads((tmp_path / "s.json").read_text())["TP-base"] == 2
    assert sorted(p.name for p in out.parent.iterdir()) == ["s1.sv_truvari.tsv"]  # no temporaries left


def test_no_svs_at_all(tmp_path):
    records = ["c\t10\t.\tA\tT\t50\tPASS\t.\tGT\t0/1\n"]
    truth = write_vcf(tmp_path / "t.vcf.gz", "s1", records)
    calls = write_vcf(tmp_path / "c.vcf.gz", "s1", records)
    run_bench(bench_command(truth, calls, tmp_path / "bench", SETTINGS))
    table = bench_table(tmp_path / "bench")
    assert table["class"].tolist() == ["all"] and table.loc[0, ["truth", "calls"]].tolist() == [0, 0]
    assert table.loc[0, ["recall", "precision", "f1", "genotype_concordance"]].isna().all()
