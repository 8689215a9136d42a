"""Planted variants: sequence-resolved SV forms, random SV layout, the simulated read sample."""

import subprocess

import numpy as np
import pandas as pd
import pysam
import pytest

from hicmodels.simulation.samples import (
    TRUTH_COLUMNS,
    explicit_structural_variant,
    random_structural_variants,
    simulated_sample,
    structural_variant,
    write_vcf,
)

COMPLEMENT = str.maketrans("ACGT", "TGCA")


@pytest.fixture
def genome(tmp_path):
    rng = np.random.default_rng(11)
    seqs = {"a": "".join(rng.choice(list("ACGT"), 40_000)), "b": "".join(rng.choice(list("ACGT"), 30_000))}
    path = tmp_path / "genome.fa"
    path.write_text("".join(f">{name}\n{seq}\n" for name, seq in seqs.items()))
    pysam.faidx(str(path))
    return path, seqs


def consensus(fasta_path, vcf, sample, hap):
    out = subprocess.run(["bcftools", "consensus", "-f", str(fasta_path), "-s", sample, "-H", str(hap), str(vcf)],
                         capture_output=True, text=True, check=True).stdout
    seqs, name = {}, None
    for line in out.splitlines():
        if line.startswith(">"):
            name = line[1:].split()[0]
            seqs[name] = ""
        else:
            seqs[name] += line
    return seqs


def test_explicit_forms_make_the_expected_haplotype(genome, tmp_path):
    path, seqs = genome
    with pysam.FastaFile(str(path)) as fasta:
        svs = [structural_variant(fasta, "DEL", "a", 1_000, 3_000),
               structural_variant(fasta, "INV", "a", 10_000, 14_000),
               structural_variant(fasta, "DUP", "b", 5_000, 6_500)]
        rows = pd.DataFrame([explicit_structural_variant(fasta, sv) for sv in svs])
        rows.insert(0, "id", ["d", "i", "u"])
        write_vcf(rows[TRUTH_COLUMNS], pd.DataFrame({"s": ["1|1"] * 3}), fasta, tmp_path / "x.vcf.gz")
    assert [r["pos"] for r in svs] == [1_000, 10_000, 5_000]  # POS: the base before the event (1-based)
    assert [r["end"] for r in svs] == [3_000, 14_000, 6_500]
    a, b = seqs["a"], seqs["b"]
    expected_a = a[:1_000] + a[3_000:10_000] + a[10_000:14_000][::-1].translate(COMPLEMENT) + a[14_000:]
    expected_b = b[:6_500] + b[5_000:6_500] + b[6_500:]
    got = consensus(path, tmp_path / "x.vcf.gz", "s", 1)
    assert got == {"a": expected_a, "b": expected_b}


def test_random_svs_are_spaced_sized_and_inside(genome):
    path, _ = genome
    with pysam.FastaFile(str(path)) as fasta:
        svs = random_structural_variants(fasta, 2, np.random.default_rng(0), sizes=(500, 2_000), spacing=3_000,
                                         margin=1_000)
        assert sorted(t for t, *_ in svs) == ["DEL", "DEL", "DUP", "DUP", "INV", "INV"]
        for svtype, chrom, start, end, gt in svs:
            assert 500 <= end - start <= 2_000
            assert 1_000 <= start and end <= fasta.get_reference_length(chrom) - 1_000
            assert gt in ("1|1", "0|1", "1|0")
        for i, (_, c1, s1, e1, _) in enumerate(svs):
            for _, c2, s2, e2, _ in svs[i + 1:]:
                assert c1 != c2 or s2 - e1 > 3_000 or s1 - e2 > 3_000
        with pytest.raises(ValueError, match="no room"):
            random_structural_variants(fasta, 5, np.random.default_rng(0), sizes=(500, 2_000), spacing=30_000,
                                       margin=1_000)


def test_simulated_sample_truth_and_reads(genome, tmp_path):
    path, seqs = genome
    svs = [("DEL", "a", 5_000, 7_000, "1|1"), ("INV", "a", 20_000, 23_000, "0|1"), ("DUP", "b", 10_000, 11_000, "1|0")]
    planted = simulated_sample(path, tmp_path / "out", "sim", depth=4, seed=5, n_snv=40, n_indel=10, svs=svs,
                               hom_fraction=0.5)
    assert planted["type"].value_counts().to_dict() == {"SNV": 40, "DEL": 6, "INS": 5, "INV": 1, "DUP": 1}
    assert set(planted["gt"]) <= {"0|1", "1|0", "1|1"}
    with pysam.VariantFile(str(tmp_path / "out" / "sim.truth.vcf.gz")) as vcf:
        assert list(vcf.header.samples) == ["sim"]
        records = list(vcf)
    symbolic = [(r.chrom, r.pos, r.stop, r.alts[0], r.samples["sim"]["GT"]) for r in records if r.alts[0][0] == "<"]
    assert symbolic == [("a", 5_000, 7_000, "<DEL>", (1, 1)), ("a", 20_000, 23_000, "<INV>", (0, 1)),
                        ("b", 10_000, 11_000, "<DUP>", (1, 0))]
    assert len(records) == 53
    # The haplotypes carry the SVs: read pairs per chromosome follow their lengths (2 kb deleted on
    # both haplotypes of a, 1 kb duplicated on haplotype 1 of b); insertions/deletions shift them by a few bp.
    pairs = pd.Series([name.split(":")[:2] for name in _names(tmp_path / "out" / "sim_1.fq.gz")]).str.join(":")
    counts = pairs.value_counts()
    per_bp = 2 / 300  # depth / 2 per haplotype, 2 x 150 bp per pair
    assert counts["hap1:a"] == pytest.approx(38_000 * per_bp, abs=1)
    assert counts["hap2:a"] == pytest.approx(38_000 * per_bp, abs=1)
    assert counts["hap1:b"] == pytest.approx(31_000 * per_bp, abs=1)
    assert counts["hap2:b"] == pytest.approx(30_000 * per_bp, abs=1)


def _names(path):
    with pysam.FastxFile(str(path)) as fq:
        return [record.name for record in fq]


def test_cohort_genotypes_follow_the_neutral_spectrum():
    from hicmodels.simulation.samples import cohort_genotypes

    gts = cohort_genotypes(4000, 20, np.random.default_rng(0))
    assert gts.shape == (4000, 20) and set(np.unique(gts)) <= {"0|0", "0|1", "1|0", "1|1"}
    counts = (np.char.count(gts, "1")).sum(axis=1)
    assert counts.min() >= 1 and counts.max() <= 39
    # P(k) ~ 1/k over k = 1..39: singletons are 1 / H(39) = 23.5% of sites, k = 2 half as many
    assert abs((counts == 1).mean() - 1 / np.sum(1 / np.arange(1, 40))) < 0.02
    assert abs((counts == 2).mean() / (counts == 1).mean() - 0.5) < 0.08
