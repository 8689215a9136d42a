"""Known truth: on the synthetic genome, SVs over boundary motifs outrank matched neutral SVs, and the
haplotype background changes a score where a second variant interacts (a planted case).

The "model" is the synthetic genome's own loop-extrusion truth applied to each
window's sequence (:class:`helpers.ExtrusionOracle`), so what is tested is the
engine: the variant applied to the right bases and strand, windows centred,
maps aligned and scored. The same ranking by a trained model is in
``tests/workflow/test_synthetic_benchmark.py`` (slow).
"""

import pytest

from hicmodels.effects.predictions import PredictionCache
from hicmodels.effects.run import score_cohort
from hicmodels.genome.fasta import IndexedFasta
from hicmodels.simulation import synthetic_genome as synthetic
from hicmodels.variants.policy import Policy
from hicmodels.variants.records import read_records

from effects_helpers import SETTINGS, ExtrusionOracle, auroc, boundary_variants, matched_auroc, random_sequence, run
from variant_helpers import write_fasta, write_vcf

BINSIZE, WIDTH = 128, 32


def test_boundary_svs_outrank_neutral_svs(tmp_path):
    genome = synthetic.make_genome(n_chroms=1, nbins=240, binsize=BINSIZE, seed=3)
    rows, truth = boundary_variants(genome, "chr1", BINSIZE, margin=WIDTH // 2 + 2)
    seqs = {"chr1": genome["chr1"]["sequence"]}
    vcf = write_vcf(tmp_path / "in.vcf", seqs, rows)
    reference = IndexedFasta(write_fasta(tmp_path / "ref.fa", seqs))
    oracle = ExtrusionOracle(WIDTH * BINSIZE, WIDTH)
    cache = PredictionCache(oracle, oracle.digest, 16)
    sample = {"name": "S1", "records": read_records(vcf, "S1").assign(source=vcf), "aliases": {},
              "policy": Policy.from_config({})}
    table, _ = score_cohort([sample], reference, cache, WIDTH * BINSIZE, WIDTH,
                            {**SETTINGS, "backgrounds": ["reference"], "insulation_window": 4})
    table = table[table["haplotype"] == 1]
    assert (table["status"] == "ok").all() and len(table) == len(truth)
    effect = table["variant"].str.split().str[1].map(truth).astype(bool).to_numpy()
    classes = table["class"].to_numpy()
    assert effect.sum() >= 15 and (~effect).sum() == effect.sum()
    assert {c: (classes[effect] == c).sum() for c in ("sv_del", "sv_inv", "sv_dup")} == {
        c: (classes[~effect] == c).sum() for c in ("sv_del", "sv_inv", "sv_dup")}
    for score in ("insulation", "scd", "scd_oe"):
        matched, per_class = matched_auroc(table[score], effect, classes)
        pooled = auroc(table.loc[effect, score], table.loc[~effect, score])
        print(f"{score}: class-matched AUROC {matched:.3f} {per_class}, pooled {pooled:.3f} "
              f"({effect.sum()} boundary SVs vs {(~effect).sum()} neutral)")
        assert matched >= 0.9, score
        if score == "scd_oe":  # against each window's own decay, the classes' geometric floors are gone
            assert pooled >= 0.9
    # the local insulation change separates every class
    assert min(matched_auroc(table["insulation"], effect, classes)[1].values()) >= 0.9


def test_haplotype_background_unmasks_a_redundant_boundary_motif(tmp_path):
    """A planted interaction with a known answer. A boundary bin holds two copies of the forward motif
    (either blocks extrusion alone: the truth model's barriers are per bin); a haplotype carries two
    substitutions, one destroying each copy. Alone on the reference, destroying copy 1 changes nothing
    (the other copy still blocks): every score is exactly 0. In its haplotype, copy 2 is already gone,
    so destroying copy 1 removes the boundary: the scores are those of removing the last copy from a
    reference that lacks copy 2 (computed separately), the boundary weakens (``insulation_centre > 0``)
    and contacts across it rise (``triangle > 0``)."""
    size = WIDTH * BINSIZE
    motif, reverse = synthetic.MOTIF, synthetic.reverse_complement(synthetic.MOTIF)
    copy1, copy2 = 6000, 5980  # copy 2 ends one base before copy 1; both in window bin 15 of copy 1's windows
    window = copy1 + len(motif) // 2 - size // 2  # start of the windows centred on copy 1
    sites = {copy1: motif, copy2: motif, window + 4 * BINSIZE + 30: reverse, window + 24 * BINSIZE + 30: reverse}
    seq = list(random_sequence(3 * size, seed=11))
    for position, bases in sites.items():
        seq[position : position + len(bases)] = bases
    seq = "".join(seq)
    assert {(p - window) // BINSIZE for p in (copy1, copy2)} == {15}
    gone1, gone2 = random_sequence(len(motif), seed=21), random_sequence(len(motif), seed=22)
    first = ("chr1", copy1 + 1, "copy1", motif, gone1, "PASS", ".", "1|0")
    second = ("chr1", copy2 + 1, "copy2", motif, gone2, "PASS", ".", "1|0")
    oracle = ExtrusionOracle(size, WIDTH)
    (tmp_path / "both").mkdir()
    (tmp_path / "without2").mkdir()
    table, _, _, _ = run(tmp_path / "both", {"chr1": seq}, [second, first], predictor=oracle, insulation_window=4)
    scores = table[table["variant"].str.contains("copy1")].set_index("background")
    names = ["mse", "scd", "insulation", "insulation_centre", "triangle", "di", "decay"]
    assert (scores.loc["reference", names] == 0).all()
    lacking = seq[:copy2] + gone2 + seq[copy2 + len(motif) :]
    alone, _, _, _ = run(tmp_path / "without2", {"chr1": lacking}, [first], predictor=oracle, insulation_window=4)
    expected = alone.set_index("background").loc["reference"]
    for name in names:
        assert scores.loc["haplotype", name] == pytest.approx(expected[name]), name
    assert scores.loc["haplotype", "scd"] > 0.5
    assert scores.loc["haplotype", "insulation_centre"] > 0 and scores.loc["haplotype", "triangle"] > 0
