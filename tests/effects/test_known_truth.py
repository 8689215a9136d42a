"""Known truth: on the synthetic genome, SVs over boundary motifs outrank matched neutral SVs.

The "model" is the synthetic genome's own loop-extrusion truth applied to each
window's sequence (:class:`helpers.ExtrusionOracle`), so what is tested is the
engine: the variant applied to the right bases and strand, windows centred,
maps aligned and scored. The same ranking by a trained model is in
``tests/workflow/test_synthetic_benchmark.py`` (slow).
"""


from hicmodels.effects.predictions import PredictionCache
from hicmodels.effects.run import score_cohort
from hicmodels.genome.fasta import IndexedFasta
from hicmodels.simulation import synthetic_genome as synthetic
from hicmodels.variants.policy import Policy
from hicmodels.variants.records import read_records

from effects_helpers import SETTINGS, ExtrusionOracle, auroc, boundary_variants, matched_auroc
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
    for score in ("insulation", "scd"):
        matched, per_class = matched_auroc(table[score], effect, classes)
        pooled = auroc(table.loc[effect, score], table.loc[~effect, score])
        print(f"{score}: class-matched AUROC {matched:.3f} {per_class}, pooled {pooled:.3f} "
              f"({effect.sum()} boundary SVs vs {(~effect).sum()} neutral)")
        assert matched >= 0.9, score
    # the local insulation change separates every class
    assert min(matched_auroc(table["insulation"], effect, classes)[1].values()) >= 0.9
