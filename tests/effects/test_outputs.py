"""The files a run writes: per-sample tables, the tabix-indexed cohort table, prediction counts, the figure."""

import numpy as np
import pandas as pd
import pysam

from hicmodels.effects import score_variant_effects
from hicmodels.effects.outputs import rank
from hicmodels.effects.run import COLUMNS
from hicmodels.errors import InputError

from effects_helpers import GCPredictor, random_sequence
from variant_helpers import write_fasta, write_vcf

SEQ = random_sequence(6000, seed=4)
SEQS = {"chr1": SEQ}
ROWS = [("chr1", 2001, "snv", SEQ[2000], "A" if SEQ[2000] != "A" else "C", "PASS", ".", "1|0", "1|1"),
        ("chr1", 3001, "multi", SEQ[3000], ",".join(b for b in "ACG" if b != SEQ[3000])[:3], "PASS", ".", "1|2",
         "0|0"),
        ("chr1", 4000, "del", SEQ[3999], "<DEL>", "PASS", "SVTYPE=DEL;END=4400;SVLEN=-400", "0|1", "1|1")]
SETTINGS = {"effects": {"classes": [], "min_size": 0, "regions": "", "max_variants": None,
                        "backgrounds": ["reference", "haplotype"], "shifts": [0, 50], "reverse_complement": True,
                        "min_offset": 1, "insulation_window": 2, "di_window": 2, "triangle_bins": 2, "scc_h": 1,
                        "top_n": 3},
            "variants": {"unphased": "hap1", "filters": ["PASS"], "filter_missing": "accept", "ref_mismatch": "error",
                         "overlap": "skip", "unknown_contig": "error"},
            "prediction": {"batch_size": 8, "compile": False, "sampling_steps": None, "seed": 0}}


def score(tmp_path, **kwargs):
    fasta = write_fasta(tmp_path / "ref.fa", SEQS)
    vcf = write_vcf(tmp_path / "in.vcf", SEQS, ROWS, samples=("A", "B"))
    samples = [{"name": n, "vcf": vcf, "vcf_sample": n} for n in ("A", "B")]
    return score_variant_effects(reference=fasta, samples=samples, settings=kwargs.pop("settings", SETTINGS),
                                 out_dir=tmp_path / "out", predictor=GCPredictor(), labels={"cell_line": "c",
                                                                                          "model": "m"}, **kwargs)


def test_tables_counts_and_figure(tmp_path):
    table, counts = score(tmp_path)
    out = tmp_path / "out"
    a = pd.read_csv(out / "A.tsv", sep="\t")
    assert list(a.columns) == ["cell_line", "model"] + COLUMNS and set(a["sample"]) == {"A"}
    # multi-allelic 1|2: each ALT scored on its own haplotype
    multi = a[a["variant"].str.contains("multi")]
    assert sorted(multi["haplotype"].unique()) == [1, 2] and multi["variant"].nunique() == 2
    assert (a["n_samples"] == 4).all() and a["scd_sd"].notna().all()  # 2 shifts x 2 strands
    assert set(a["genotype"]) <= {"1|0", "1|2", "0|1"}
    cohort = pysam.TabixFile(str(out / "cohort.tsv.gz"))
    hits = list(cohort.fetch("chr1", 3999, 4001))
    assert len(hits) == 3 * 2  # the deletion: A hap2, B hap1, B hap2; two backgrounds
    header = cohort.header[-1].split("\t")
    assert header[:3] == ["#chrom", "start", "end"] and "rank" in header
    assert (out / "top_variants.png").stat().st_size > 10_000
    c = pd.read_csv(out / "predictions.tsv", sep="\t").iloc[0]
    assert c["samples"] == 2 and c["made"] < c["requested"] <= c["naive"]


def test_rank_orders_by_scd_within_each_background():
    table = pd.DataFrame({"background": ["reference"] * 3 + ["haplotype"] * 2, "scd": [1.0, 3.0, np.nan, 2.0, 5.0],
                          "chrom": "c", "start": [1, 2, 3, 4, 5], "variant": "v", "sample": "s", "haplotype": 1})
    assert rank(table)["rank"].tolist() == [2, 1, 3, 2, 1]


def test_a_stale_personal_genome_is_refused(tmp_path):
    summary = tmp_path / "summary.tsv"
    summary.write_text("haplotype\tclass\toutcome\treason\tcount\n1\tsnv\tapplied\t.\t99\n")
    fasta = write_fasta(tmp_path / "ref.fa", SEQS)
    vcf = write_vcf(tmp_path / "in.vcf", SEQS, ROWS, samples=("A", "B"))
    try:
        score_variant_effects(reference=fasta, samples=[{"name": "A", "vcf": vcf, "vcf_sample": "A",
                                                         "summary": summary}],
                              settings=SETTINGS, out_dir=tmp_path / "out", predictor=GCPredictor())
    except InputError as err:
        assert "differ" in str(err)
    else:
        raise AssertionError("no error")
