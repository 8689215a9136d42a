"""Known truth end to end: trained on synthetic chromosomes, the model recovers their sequence-caused structure.

One encoder-decoder (the ``synthetic`` preset) is trained through
:func:`hicmodels.training.train` on the noisy maps of chr1-chr11 (chr12
validates) and predicts chr13, which it has never seen. Its insulation profile
must follow the noise-free truth, its O/E map must beat the distance-decay
baseline, and deleting one boundary motif must merge the flanking domains in
the prediction as it does in the truth. The deletion goes through the
personal-genome path: a haplotype FASTA without the motif, reference ->
haplotype blocks, lifted windows, and stitching back onto the reference grid.
"""

import cooler
import numpy as np
import pandas as pd
import pysam
import pytest
import yaml

from hicmodels.simulation import synthetic_genome as synthetic
from hicmodels.hic.assemble import stitch_windows
from hicmodels.evaluation.baselines import baseline_band, distance_decay
from hicmodels.genome.liftover import BLOCK_COLUMNS
from hicmodels.genome.reference import chromsizes
from hicmodels.genome.windows import haplotype_windows, reference_windows
from hicmodels.hic.band import band_from_cooler, band_from_dense
from hicmodels.hic.cool import ExperimentalMap
from hicmodels.evaluation.metrics import compare, insulation
from hicmodels.modelling.prediction import predict
from hicmodels.modelling.store import read_predictions
from hicmodels.modelling.training import train

from conftest import REPO

pytestmark = pytest.mark.slow

BINSIZE, BINS, WIDTH, STEP = 128, 400, 32, 8  # 51 kb chromosomes, windows of 32 bins every 8 bins
INSULATION_WINDOW = 4  # bins; domains are 6-16 bins
TRAIN, VALIDATION, TEST = [f"chr{i}" for i in range(1, 12)], "chr12", "chr13"
TRAINING = {"epochs": 12, "batch_size": 8, "learning_rate": 0.003, "weight_decay": 0.0001, "seed": 0,
            "reverse_complement": True, "shift_bp": 20, "balance": True, "fold": None, "devices": 1, "workers": 0,
            "resume": False, "diffusion": {"epochs": 1, "batch_size": 8, "learning_rate": 0.001}}


def predicted_band(checkpoint, fasta, windows, sizes, out, blocks=None):
    """Predict windows, stitch them on the reference grid, return the test chromosome's band."""
    predict(checkpoint_path=checkpoint, fasta_path=fasta, windows=windows, out_path=out,
            settings={"batch_size": 16, "compile": False, "sampling_steps": None, "seed": 0, "samples": 1})
    ids, maps, _ = read_predictions(out)
    pixels, _, _ = stitch_windows(windows, ids, maps, sizes, BINSIZE, blocks, min_coverage=0.5)
    rows, cols, values = pixels[TEST]
    dense = np.full((BINS, BINS), np.nan)
    dense[rows, cols] = dense[cols, rows] = values
    return band_from_dense(dense, WIDTH)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    genome = synthetic.make_genome(n_chroms=13, nbins=BINS, binsize=BINSIZE, seed=0)
    paths = synthetic.write_genome(genome, BINSIZE, out, seed=0)
    sizes = chromsizes(paths["fasta"])
    no_exclusions = pd.DataFrame(columns=["chrom", "start", "end", "name"])
    windows = reference_windows(sizes, list(sizes.index), WIDTH * BINSIZE, STEP * BINSIZE, BINSIZE, no_exclusions,
                                {"test": [TEST], "validation": [VALIDATION]})
    experimental = ExperimentalMap(paths["observed"], {}, sizes)
    with open(REPO / "config" / "config.yaml") as handle:
        preset = yaml.safe_load(handle)["model_presets"]["synthetic"]
    checkpoint = train(fasta_path=paths["fasta"], experimental=experimental, windows=windows, model_config=preset,
                       training_config=TRAINING, checkpoint_path=out / "model.pt", log_path=out / "log.tsv")
    test_windows = reference_windows(sizes, [TEST], WIDTH * BINSIZE, 4 * BINSIZE, BINSIZE, no_exclusions, {})
    band = predicted_band(out / "model.pt", paths["fasta"], test_windows, sizes, out / "reference.h5")
    return {"out": out, "genome": genome, "paths": paths, "sizes": sizes, "windows": test_windows, "band": band,
            "experimental": experimental, "scale": checkpoint["contact_scale"]}


def test_held_out_insulation_follows_the_truth_and_oe_beats_distance_decay(trained):
    """Insulation is compared away from the chromosome ends (one window width): there the truth's
    insulation is ICE balancing's edge effect (end bins lack partners on one side), which no
    sequence model can see. O/E is compared over the whole chromosome."""
    truth = band_from_cooler(cooler.Cooler(str(trained["paths"]["truth"])), TEST, WIDTH)
    model = trained["band"]
    decay = distance_decay(trained["experimental"], TRAIN, WIDTH, trained["scale"])
    baseline = np.where(np.isfinite(model), baseline_band(decay, BINS), np.nan)
    scores = compare(model, truth, insulation_window=INSULATION_WINDOW)
    base = compare(baseline, truth, insulation_window=INSULATION_WINDOW)
    ins_model, ins_truth = insulation(model, INSULATION_WINDOW), insulation(truth, INSULATION_WINDOW)
    inner = np.isfinite(ins_model) & np.isfinite(ins_truth)
    inner[:WIDTH] = inner[-WIDTH:] = False
    interior = np.corrcoef(ins_model[inner], ins_truth[inner])[0, 1]
    print(f"model {scores}\nbaseline {base}\ninsulation Pearson away from the ends: {interior:.3f}")
    assert interior >= 0.8
    assert scores["pearson_oe"] > base["pearson_oe"] + 0.3


def test_deleting_a_boundary_motif_merges_the_flanking_domains(trained):
    chrom = trained["genome"][TEST]
    sites = chrom["sites"]
    pairs = sites.groupby("bin")["orientation"].agg("".join)
    bins = pairs[(pairs == "-+") & (pairs.index > WIDTH) & (pairs.index < BINS - WIDTH)].index
    boundary = int(bins[np.argmin(np.abs(bins - BINS // 2))])
    drop = sites.index[(sites["bin"] == boundary) & (sites["orientation"] == "-")][0]
    start, length = int(sites.loc[drop, "start"]), len(synthetic.MOTIF)
    size = BINS * BINSIZE

    # truth: the same loop-extrusion simulation with and without the barrier
    def truth_insulation(barriers):
        left, right = synthetic.extrude(barriers, BINS, np.random.default_rng(1), snapshots=2000)
        return insulation(band_from_dense(synthetic.expected_contacts(left, right, BINS), WIDTH), INSULATION_WINDOW)

    truth_before, truth_after = truth_insulation(sites), truth_insulation(sites.drop(index=drop))
    near = np.arange(boundary - 1, boundary + 2)
    at = near[np.argmin(truth_before[near])]
    truth_rise = truth_after[at] - truth_before[at]

    # model: a haplotype lacking the motif, through lifted windows and back onto the reference grid
    fasta = trained["out"] / "haplotype.fa"
    sequence = chrom["sequence"][:start] + chrom["sequence"][start + length :]
    fasta.write_text(f">{TEST}\n{sequence}\n")
    pysam.faidx(str(fasta))
    blocks = pd.DataFrame([(TEST, 0, start, TEST, 0, start, "+"),
                           (TEST, start + length, size, TEST, start, size - length, "+")], columns=BLOCK_COLUMNS)
    lifted = haplotype_windows(trained["windows"], blocks, pd.Series({TEST: size - length}))
    after = predicted_band(trained["out"] / "model.pt", fasta, lifted, trained["sizes"], trained["out"] / "hap.h5",
                           blocks)
    model_rise = insulation(after, INSULATION_WINDOW)[at] - insulation(trained["band"], INSULATION_WINDOW)[at]
    print(f"boundary bin {boundary}: insulation rise truth {truth_rise:.3f}, model {model_rise:.3f}")
    assert truth_rise > 0.2
    assert model_rise >= 0.5 * truth_rise


def test_variant_effect_scores_rank_boundary_svs_above_neutral_ones(trained):
    """The trained model through the variant-effect engine (:mod:`hicmodels.effects`): SVs over boundary
    motifs of the held-out chromosome against class- and size-matched neutral SVs
    (``tests/effects/effects_helpers.py``), variant alone on the reference."""
    import sys

    from hicmodels.effects.predictions import ModelPredictor, PredictionCache
    from hicmodels.effects.run import score_cohort
    from hicmodels.genome.fasta import IndexedFasta
    from hicmodels.variants.policy import Policy
    from hicmodels.variants.records import read_records

    sys.path.insert(0, str(REPO / "tests" / "effects"))
    from effects_helpers import SETTINGS, auroc, boundary_variants, matched_auroc
    from variant_helpers import write_vcf

    rows, truth = boundary_variants(trained["genome"], TEST, BINSIZE, margin=WIDTH // 2 + 2)
    seqs = {c: g["sequence"] for c, g in trained["genome"].items()}
    vcf = write_vcf(trained["out"] / "effects.vcf", seqs, rows)
    predictor = ModelPredictor(trained["out"] / "model.pt", {"compile": False, "sampling_steps": None, "seed": 0, "samples": 1})
    cache = PredictionCache(predictor, predictor.digest, 16)
    sample = {"name": "S1", "records": read_records(vcf, "S1").assign(source=vcf), "aliases": {},
              "policy": Policy.from_config({})}
    table, _ = score_cohort([sample], IndexedFasta(trained["paths"]["fasta"]), cache, predictor.window_size,
                            predictor.nbins, {**SETTINGS, "backgrounds": ["reference"],
                                              "insulation_window": INSULATION_WINDOW})
    table = table[table["haplotype"] == 1]
    effect = table["variant"].str.split().str[1].map(truth).astype(bool).to_numpy()
    classes = table["class"].to_numpy()
    results = {}
    for score in ("insulation", "scd", "scd_oe"):
        matched, per_class = matched_auroc(table[score], effect, classes)
        results[score] = matched
        print(f"{score}: class-matched AUROC {matched:.3f} {per_class}, pooled "
              f"{auroc(table.loc[effect, score], table.loc[~effect, score]):.3f} "
              f"({effect.sum()} boundary SVs vs {(~effect).sum()} neutral)")
    assert results["insulation"] >= 0.9 and results["scd"] >= 0.9
