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


def run(tmp_path, seqs, rows, samples=("S1",), predictor=None, read_tracks=None, **settings):
    """Score ``rows`` (VCF rows) of each sample with a toy predictor; returns (table, maps, cache, reference)."""
    fasta = write_fasta(tmp_path / "ref.fa", seqs)
    vcf = write_vcf(tmp_path / "in.vcf", seqs, rows, samples=samples)
    predictor = predictor or GCPredictor()
    reference = IndexedFasta(fasta)
    loaded = [{"name": s, "records": read_records(vcf, s).assign(source=vcf), "aliases": {},
               "policy": Policy.from_config({})} for s in samples]
    cache = PredictionCache(predictor, predictor.digest, 8)
    table, maps = score_cohort(loaded, reference, cache, predictor.window_size, predictor.nbins,
                               {**SETTINGS, **settings}, read_tracks)
    return table, maps, cache, reference


def auroc(positive, negative):
    """P(a positive scores above a negative), ties counting half."""
    positive, negative = np.asarray(positive, float), np.asarray(negative, float)
    greater = (positive[:, None] > negative[None, :]).mean()
    ties = (positive[:, None] == negative[None, :]).mean()
    return float(greater + 0.5 * ties)


def matched_auroc(values, effect, strata):
    """AUROC over the (effect, neutral) pairs of the same stratum (class and size), and per stratum."""
    values, effect, strata = np.asarray(values, float), np.asarray(effect, bool), np.asarray(strata)
    per, wins, total = {}, 0.0, 0
    for s in np.unique(strata):
        pos, neg = values[effect & (strata == s)], values[~effect & (strata == s)]
        if len(pos) and len(neg):
            per[str(s)] = auroc(pos, neg)
            wins, total = wins + per[str(s)] * len(pos) * len(neg), total + len(pos) * len(neg)
    return wins / total, per


def boundary_variants(genome, chrom, binsize, margin, span=2, seed=0):
    """VCF rows of ``span``-bin SVs over boundary motifs (true effects) and matched neutral ones.

    True: starting at a boundary bin (whose next ``span - 1`` bins hold no motif), a deletion
    (the boundary goes), a tandem duplication (a second boundary ``span`` bins on) or, for a
    boundary of one motif, an inversion (the motif flips, so it blocks the other side). Neutral:
    the same classes and sizes over bins two or more bins from any motif. With ``span`` even,
    REF and ALT windows centred on the variant keep their bins on the reference's bin edges.

    Returns
    -------
    rows : list of VCF rows (genotype 1|0)
    truth : dict
        variant id -> True (effect) or False (neutral).
    """
    g = genome[chrom]
    sequence, sites = g["sequence"], g["sites"]
    nbins = len(sequence) // binsize
    per_bin = sites.groupby("bin")["orientation"].agg("".join)
    motif_bins = set(per_bin.index)
    boundaries = [b for b in per_bin.index if margin <= b < nbins - margin - span
                  and not any(b + k in motif_bins for k in range(1, span))]
    quiet = [b for b in range(margin, nbins - margin - span)
             if not any(abs(b + k - m) <= 2 for m in motif_bins for k in range(span))]
    rng = np.random.default_rng(seed)
    events, truth, used = [], {}, set()
    pairs = 0
    for b in boundaries:
        if len(per_bin[b]) == 1:
            kind = "INV"
        else:
            kind, pairs = ("DEL", "DUP")[pairs % 2], pairs + 1
        events.append((b, kind, f"true_{kind.lower()}_{b}"))
        truth[events[-1][2]] = True
    for b, kind, name in list(events):
        free = [q for q in quiet if all(abs(q - u) > span for u in used)]
        q = int(rng.choice(free))
        used.add(q)
        events.append((q, kind, f"neutral_{kind.lower()}_{q}"))
        truth[events[-1][2]] = False
    vcf_rows = []
    for b, kind, name in sorted(events):
        start, size = b * binsize, span * binsize  # reference [start, start + size); POS: the base before it
        info = f"SVTYPE={kind};END={start + size};SVLEN={-size if kind == 'DEL' else size}"
        vcf_rows.append((chrom, start, name, sequence[start - 1], f"<{kind}>", "PASS", info, "1|0"))
    return vcf_rows, truth


class ExtrusionOracle:
    """The synthetic genome's own truth as a model: motifs found in the window's sequence, loop extrusion
    simulated on its bins (a fixed seed, so equal motif sets give equal maps)."""

    def __init__(self, window_size, nbins, snapshots=600):
        self.window_size, self.nbins, self.digest, self.snapshots = window_size, nbins, "oracle", snapshots

    def __call__(self, codes):
        import pandas as pd

        from hicmodels.genome.sequence import encode
        from hicmodels.simulation import synthetic_genome as synthetic

        forward, reverse = encode(synthetic.MOTIF), encode(synthetic.reverse_complement(synthetic.MOTIF))
        b = self.window_size // self.nbins
        maps = []
        for row in codes:
            windows = np.lib.stride_tricks.sliding_window_view(row, len(forward))
            hits = [(int(i) // b, o) for motif, o in ((forward, "+"), (reverse, "-"))
                    for i in np.flatnonzero((windows == motif).all(axis=1))]
            sites = pd.DataFrame(hits, columns=["bin", "orientation"])
            left, right = synthetic.extrude(sites, self.nbins, np.random.default_rng(0), snapshots=self.snapshots)
            maps.append(synthetic.expected_contacts(left, right, self.nbins))
        return np.array(maps)
