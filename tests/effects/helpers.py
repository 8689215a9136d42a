"""Toy predictors and a tiny genome for the variant-effect tests."""

import numpy as np

from hicmodels.effects.predictions import PredictionCache
from hicmodels.effects.run import score_cohort
from hicmodels.genome.fasta import IndexedFasta
from hicmodels.variants.policy import Policy
from hicmodels.variants.records import read_records

from variant_helpers import write_fasta, write_vcf

SETTINGS = {"classes": [], "min_size": 0, "regions_table": None, "max_variants": None,
            "backgrounds": ["reference", "haplotype"], "shifts": [0], "reverse_complement": False, "min_offset": 1,
            "insulation_window": 2, "di_window": 2, "triangle_bins": 2, "scc_h": 1}


class GCPredictor:
    """``M[i, j] = (1 + |i - j|)^-1 (1 + g_i g_j / b^2)``, ``g`` the G+C count of a bin: a map that tracks content."""

    def __init__(self, window_size=800, nbins=8):
        self.window_size, self.nbins, self.digest = window_size, nbins, "gc"
        self.calls = 0

    def gc(self, codes):
        b = self.window_size // self.nbins
        return ((codes == 1) | (codes == 2)).reshape(len(codes), self.nbins, b).sum(axis=2).astype(float)

    def __call__(self, codes):
        self.calls += 1
        b = self.window_size // self.nbins
        g = self.gc(codes)
        i = np.arange(self.nbins)
        distance = 1.0 / (1 + np.abs(np.subtract.outer(i, i)))
        return distance * (1 + g[:, :, None] * g[:, None, :] / b**2)


def random_sequence(length, seed=0):
    return "".join(np.random.default_rng(seed).choice(list("ACGT"), length))


def run(tmp_path, seqs, rows, samples=("S1",), predictor=None, **settings):
    """Score ``rows`` (VCF rows) of each sample with a toy predictor; returns (table, maps, cache, reference)."""
    fasta = write_fasta(tmp_path / "ref.fa", seqs)
    vcf = write_vcf(tmp_path / "in.vcf", seqs, rows, samples=samples)
    predictor = predictor or GCPredictor()
    reference = IndexedFasta(fasta)
    loaded = [{"name": s, "records": read_records(vcf, s).assign(source=vcf), "aliases": {},
               "policy": Policy.from_config({})} for s in samples]
    cache = PredictionCache(predictor, predictor.digest, 8)
    table, maps = score_cohort(loaded, reference, cache, predictor.window_size, predictor.nbins,
                               {**SETTINGS, **settings})
    return table, maps, cache, reference
