"""Predictions made vs naive for a simulated cohort: variant-effect scoring with content-keyed reuse.

The demo VCF's sites (``resources/demo/demo.vcf.gz``) get new genotypes for ``--samples`` samples,
ALT counts drawn from the neutral site-frequency spectrum
(:func:`hicmodels.simulation.samples.cohort_genotypes`), and every applied variant of every
haplotype is scored in both backgrounds. The model is replaced by a stand-in that returns a
constant map (predictions are counted, not timed: keys depend on the windows' sequence only),
unless ``--checkpoint`` names a real one or ``--untrained-preset`` builds one: the config's model and
window preset of that name with random weights (seed 0), which costs what the trained model costs
(the forward pass does not depend on the weights' values). Seconds per variant: wall and CPU time of
the scoring, and of the model's forward passes within it.

    PYTHONPATH=src python benchmarks/variant_effects_cohort.py --samples 20 --chromosomes chrI chrII chrIII
    PYTHONPATH=src python benchmarks/variant_effects_cohort.py --samples 1 --chromosomes chrI chrII chrIII \
        --untrained-preset yeast --threads 2
"""

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import torch

from hicmodels import models
from hicmodels.config import read_yaml
from hicmodels.effects.outputs import prediction_counts
from hicmodels.effects.predictions import ModelPredictor, PredictionCache
from hicmodels.effects.run import score_cohort
from hicmodels.genome.aliases import read_aliases
from hicmodels.genome.fasta import IndexedFasta, write_bgzip_fasta
from hicmodels.modelling.checkpoints import save_checkpoint
from hicmodels.simulation.samples import cohort_genotypes
from hicmodels.variants.policy import Policy
from hicmodels.variants.records import read_records

REPO = Path(__file__).resolve().parents[1]
DEFAULTS = {"classes": [], "min_size": 0, "regions_table": None, "max_variants": None,
            "backgrounds": ["reference", "haplotype"], "shifts": [0], "reverse_complement": False, "min_offset": 1,
            "insulation_window": 3, "di_window": 3, "triangle_bins": 3, "scc_h": 1}


class Constant:
    """Stands in for the yeast model's geometry (200 kb, 20 bins): a constant map, for counting."""

    window_size, nbins, digest = 200_000, 20, "constant"

    def __call__(self, codes):
        return np.ones((len(codes), self.nbins, self.nbins))


class Timed:
    """A predictor whose calls are timed (wall and CPU seconds)."""

    def __init__(self, predictor):
        self.predictor, self.wall, self.cpu, self.windows = predictor, 0.0, 0.0, 0
        self.window_size, self.nbins, self.digest = predictor.window_size, predictor.nbins, predictor.digest

    def __call__(self, codes):
        wall, cpu = time.perf_counter(), time.process_time()
        maps = self.predictor(codes)
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        self.windows += len(codes)
        return maps


def untrained_checkpoint(name, config_path, path):
    """A checkpoint of the config's model preset ``name`` with random weights, on its window preset ``name``."""
    config = read_yaml(config_path)
    preset, window = config["model_presets"][name], config["window_presets"][name]
    torch.manual_seed(0)
    model = models.build(preset)
    save_checkpoint({"model_config": preset, "state_dict": model.state_dict(), "contact_scale": 1.0,
                     "bin_size": window["size"] // window["bins"], "window_size": window["size"]}, path)
    return path


def cohort_vcf(out, n_samples, chromosomes, seed):
    """The demo sites on ``chromosomes`` with simulated genotypes: a bgzipped, indexed VCF."""
    demo = REPO / "resources" / "demo" / "demo.vcf.gz"
    header = subprocess.run(["bcftools", "view", "-h", "-s", "demo_het", str(demo)], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    body = subprocess.run(["bcftools", "view", "-H", "-s", "demo_het", str(demo)], capture_output=True, text=True,
                          check=True).stdout.splitlines()
    body = [line.split("\t")[:9] for line in body if line.split("\t")[0] in chromosomes]
    gts = cohort_genotypes(len(body), n_samples, np.random.default_rng(seed))
    names = [f"sim{i}" for i in range(n_samples)]
    header[-1] = "\t".join(header[-1].split("\t")[:9] + names)
    plain = out / "cohort.vcf"
    plain.write_text("\n".join(header + ["\t".join(r + list(g)) for r, g in zip(body, gts)]) + "\n")
    pysam.tabix_compress(str(plain), f"{plain}.gz", force=True)
    pysam.tabix_index(f"{plain}.gz", preset="vcf", force=True)
    return f"{plain}.gz", names


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--chromosomes", nargs="+", default=["chrI", "chrII", "chrIII"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", help="a real dna2hic checkpoint (predictions timed)")
    parser.add_argument("--untrained-preset", help="time this model preset of --config with random weights")
    parser.add_argument("--config", default=str(REPO / "config" / "config.yaml"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        vcf, names = cohort_vcf(Path(scratch), args.samples, args.chromosomes, args.seed)
        checkpoint = args.checkpoint
        if args.untrained_preset:
            checkpoint = untrained_checkpoint(args.untrained_preset, args.config, Path(scratch) / "model.pt")
        predictor = Timed(ModelPredictor(checkpoint, {"compile": False, "sampling_steps": None, "seed": 0},
                                         args.threads) if checkpoint else Constant())
        write_bgzip_fasta(REPO / "resources" / "yeast" / "sacCer3.fa.gz", Path(scratch) / "genome.fa.gz")
        reference = IndexedFasta(Path(scratch) / "genome.fa.gz", cache=4)
        aliases = read_aliases(REPO / "resources" / "yeast" / "chrom_aliases.tsv")
        policy = Policy.from_config({})
        samples = [{"name": n, "records": read_records(vcf, n).assign(source=vcf), "aliases": aliases,
                    "policy": policy} for n in names]
        cache = PredictionCache(predictor, predictor.digest, 8)
        start, cpu = time.perf_counter(), time.process_time()
        table, _ = score_cohort(samples, reference, cache, predictor.window_size, predictor.nbins, DEFAULTS)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    counts = prediction_counts(cache, len(names), table)
    per_background = []
    for background in DEFAULTS["backgrounds"]:
        rows = table[table["background"] == background]
        per_background.append((background, len(rows), rows["variant"].nunique()))
    pd.set_option("display.width", 200)
    print(counts.to_string(index=False))
    print("rows per background (rows, distinct variants):", per_background)
    print(f"{seconds:.1f} s wall for {len(table)} rows")
    variants = table["variant"].nunique()
    print(f"{variants} distinct variants, {len(table)} rows: {seconds / variants:.2f} s wall and {cpu / variants:.2f} "
          f"CPU-s per variant, {seconds / len(table):.3f} s wall per row; model: {predictor.windows} windows in "
          f"{predictor.wall:.1f} s wall, {predictor.cpu:.1f} CPU-s ({predictor.wall / max(predictor.windows, 1):.3f} "
          "s per window)")


if __name__ == "__main__":
    main()
