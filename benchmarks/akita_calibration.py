"""Calibration and Lu et al.'s Table 1 for the small Akita presets on a held-out synthetic chromosome.

Trains ``akita_synthetic`` (transformer trunk + variational layer) and the
same preset without the variational layer (``latent`` removed: the
transformer trunk alone) on chr1-chr4 of a synthetic genome (6 chromosomes of
240 bins of 128 bp, seed 2), chr5 validating, and predicts every window of
chr6 (never seen) in the model's space, log O/E (Akita's targets,
:mod:`hicmodels.modelling.targets`). For the VAE it draws ``--samples``
latent samples per window (seeded as prediction does).

Reported, on the cropped upper triangle from diagonal 2 of every window:

- Table 1 (Lu et al. section 4: MSE, Pearson, Spearman) for the transformer,
  the VAE's first draw, its ``--samples``-draw mean and its latent mean,
  HiCDiffusion's encoder-decoder (preset ``synthetic``, trained on log1p
  contacts; its maps put through Akita's transform), its diffusion stage
  (``--diffusion-epochs``; one draw and the mean of ``--samples`` draws'
  contacts, as prediction stores them), and the distance-decay baseline
  (log O/E 0 everywhere);
- calibration of the VAE (and of the diffusion stage's draws): the fraction of target pixels inside the central
  Gaussian interval mean +- z sd of the draws at 50/80/90/95%, and the
  Spearman correlation of sd with the absolute error
  (:func:`hicmodels.modelling.uncertainty.interval_coverage`), for the
  latent draws alone and with the likelihood's noise added to each draw (as
  prediction does; its variance is the latent-mean MSE on the validation
  chromosome, :func:`hicmodels.modelling.training.noise_variance`).

    PYTHONPATH=src python benchmarks/akita_calibration.py --out /tmp/akita_calibration --samples 20

(``--transformer-epochs 12 --vae-epochs 8`` by default; a checkpoint already
in ``--out`` is reused.) ``--paper-training``: the transformer and the VAE
train with the ``training`` of the paper-size presets ``akita_transformer``
and ``akita_vae`` (Lu et al. A.4: SGD with momentum, gradient clipping,
stochastic weight averaging, shifts of 11 bp) instead of AdamW, keeping this
run's epochs and batch size.

One JSON line per result.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy import stats

from hicmodels import models
from hicmodels.cli.common import experimental_map
from hicmodels.config import read_yaml
from hicmodels.genome.reference import chromsizes
from hicmodels.genome.sequence import GenomeCodes
from hicmodels.genome.windows import reference_windows
from hicmodels.modelling.checkpoints import load_checkpoint
from hicmodels.modelling.inputs import WindowDataset, model_input
from hicmodels.modelling.prediction import draw_seed, likelihood_noise, seeded_normal, window_noise
from hicmodels.modelling.targets import akita_target, window_targets
from hicmodels.modelling.training import noise_variance, train, train_diffusion
from hicmodels.modelling.uncertainty import interval_coverage, sample_moments
from hicmodels.simulation import synthetic_genome as synthetic

REPO = Path(__file__).resolve().parents[1]
BINSIZE, BINS = 128, 32


def table1(predicted, truth):
    use = np.isfinite(predicted) & np.isfinite(truth)
    p, t = predicted[use], truth[use]
    return {"mse": float(np.mean((p - t) ** 2)), "pearson": float(stats.pearsonr(p, t).statistic),
            "spearman": float(stats.spearmanr(p, t).statistic), "n_pixels": int(use.sum())}


def as_log_oe(contacts, diagonal_offset, like):
    """Contact maps through Akita's transform (counts ample: no coarse-graining), NaN where ``like`` is."""
    oe = np.stack([akita_target(m, np.full(m.shape, 1e6), diagonal_offset) for m in contacts])
    oe[~np.isfinite(like)] = np.nan
    return oe


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--transformer-epochs", type=int, default=12)
    parser.add_argument("--vae-epochs", type=int, default=8)
    parser.add_argument("--encoder-decoder-epochs", type=int, default=12)
    parser.add_argument("--diffusion-epochs", type=int, default=6)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--paper-training", action="store_true",
                        help="train the Akita models as A.4 says (the paper presets' training), not with AdamW")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    presets = read_yaml(REPO / "config" / "config.yaml")["model_presets"]
    preset = presets["akita_synthetic"]
    paths = synthetic.write_genome(synthetic.make_genome(n_chroms=6, nbins=240, binsize=BINSIZE, seed=2), BINSIZE,
                                   args.out)
    sizes = chromsizes(paths["fasta"])
    windows = reference_windows(sizes, list(sizes.index), BINS * BINSIZE, 4 * BINSIZE, BINSIZE,
                                pd.DataFrame(columns=["chrom", "start", "end", "name"]),
                                {"test": ["chr6"], "validation": ["chr5"]})
    (args.out / "aliases.tsv").write_text("canonical\talias\nchr1\t1\n")
    experimental = experimental_map(paths["observed"], args.out / "aliases.tsv", paths["fasta"], True)
    training = {"batch_size": 8, "learning_rate": 0.003, "weight_decay": 0.0001, "seed": 0,
                "reverse_complement": True, "shift_bp": 10, "balance": True, "fold": None, "devices": 1,
                "workers": 0, "resume": False}
    test = windows[windows["split"] == "test"]
    codes = GenomeCodes.from_fasta(paths["fasta"], args.out / "genome.npy", ["chr6"])
    batch = next(iter(torch.utils.data.DataLoader(WindowDataset(codes, test), batch_size=len(test))))
    x = model_input(batch)
    ids = list(test["window_id"])
    transformer_config = {k: v for k, v in preset.items() if k not in ("latent", "beta")}
    results = {}
    for name, config, epochs, paper in (("transformer", transformer_config, args.transformer_epochs,
                                         "akita_transformer"), ("vae", preset, args.vae_epochs, "akita_vae")):
        path = args.out / f"{name}.pt"
        paper_training = {k: v for k, v in presets[paper]["training"].items() if k not in ("epochs", "batch_size")}
        if path.exists():  # trained by an earlier run with the same settings
            checkpoint = load_checkpoint(path)
        else:
            checkpoint = train(fasta_path=paths["fasta"], experimental=experimental, windows=windows,
                               model_config=config, training_config={
                                   **training, **(paper_training if args.paper_training else {}), "epochs": epochs},
                               checkpoint_path=path, log_path=args.out / f"{name}.tsv", threads=args.threads)
        model = models.build(checkpoint["model_config"])
        model.load_state_dict(checkpoint["state_dict"])
        model.eval()
        truth = window_targets(experimental, test, BINS, checkpoint["contact_scale"], config)
        with torch.no_grad():
            results[name] = model(x).numpy()
            if name == "vae":
                latent = config["latent"]
                latent_draws = np.stack([model(x, noise=seeded_normal(ids, (latent, BINS), draw_seed(0, k))).numpy()
                                         for k in range(args.samples)])
                if "noise_variance" not in checkpoint:  # a checkpoint trained before training stored it
                    validation = windows[windows["split"] == "validation"]
                    val_codes = GenomeCodes.from_fasta(paths["fasta"], args.out / "val.npy", ["chr5"])
                    val_set = WindowDataset(val_codes, validation, window_targets(
                        experimental, validation, BINS, checkpoint["contact_scale"], config))
                    checkpoint["noise_variance"] = noise_variance(config, checkpoint["state_dict"], val_set, 8)
                noise_sd = float(np.sqrt(checkpoint["noise_variance"]))
                draws = np.stack([latent_draws[k] + noise_sd * likelihood_noise(ids, BINS, draw_seed(0, k)).numpy()
                                  for k in range(args.samples)])
    # HiCDiffusion's encoder-decoder (preset synthetic) learns log1p contacts: its maps go through Akita's
    # transform (counts ample: no coarse-graining) so that it is scored on the same log O/E pixels
    ed_config = presets["synthetic"]
    ed_path = args.out / "encoder_decoder.pt"
    ed = load_checkpoint(ed_path) if ed_path.exists() else train(
        fasta_path=paths["fasta"], experimental=experimental, windows=windows, model_config=ed_config,
        training_config={**training, "epochs": args.encoder_decoder_epochs}, checkpoint_path=ed_path,
        log_path=args.out / "encoder_decoder.tsv", threads=args.threads)
    ed_model = models.build(ed["model_config"])
    ed_model.load_state_dict(ed["state_dict"])
    with torch.no_grad():
        contacts = np.expm1(ed_model.eval()(x).numpy()).clip(min=1e-6)
    ed_oe = as_log_oe(contacts, preset["diagonal_offset"], results["transformer"])
    # its diffusion stage on the residual (the preset's U-Net and 10-step chain), sampled as prediction does:
    # draw k's noise seeded (0/k, window id); the stored map is the mean of the draws' contacts
    diffusion_path = args.out / "diffusion.pt"
    diffusion = load_checkpoint(diffusion_path) if diffusion_path.exists() else train_diffusion(
        fasta_path=paths["fasta"], experimental=experimental, windows=windows, encoder_decoder_path=ed_path,
        training_config={**training, "diffusion": {"epochs": args.diffusion_epochs, "batch_size": 4,
                                                   "learning_rate": 0.001}},
        checkpoint_path=diffusion_path, log_path=args.out / "diffusion.tsv", threads=args.threads)
    diffusion_model = models.build(diffusion["model_config"])
    diffusion_model.load_state_dict(diffusion["state_dict"])
    steps = diffusion["model_config"]["timesteps"]
    with torch.no_grad():
        diffusion_draws = np.stack([np.expm1(diffusion_model.eval()(
            x, noise=window_noise(ids, steps, BINS, draw_seed(0, k))).numpy()).clip(min=1e-6)
            for k in range(args.samples)])
    rows = {"distance decay (log O/E 0)": np.where(np.isfinite(results["transformer"]), 0.0, np.nan),
            "transformer": results["transformer"], "transformer + VAE, 1 sample": latent_draws[0],
            f"transformer + VAE, mean of {args.samples}": latent_draws.mean(axis=0),
            "transformer + VAE, latent mean": results["vae"],
            "encoder-decoder (synthetic preset, log1p -> log O/E)": ed_oe,
            "encoder-decoder + diffusion, 1 sample": as_log_oe(diffusion_draws[0], preset["diagonal_offset"],
                                                               results["transformer"]),
            f"encoder-decoder + diffusion, mean of {args.samples}": as_log_oe(
                diffusion_draws.mean(axis=0), preset["diagonal_offset"], results["transformer"])}
    for name, predicted in rows.items():
        print(json.dumps({"model": name, **table1(predicted, truth)}))
    diffusion_oe = np.stack([as_log_oe(d, preset["diagonal_offset"], results["transformer"]) for d in diffusion_draws])
    for name, sampled in (("transformer + VAE, latent draws only", latent_draws),
                          ("transformer + VAE, latent draws + likelihood noise", draws),
                          ("encoder-decoder + diffusion, noise seeds (log O/E of each draw)", diffusion_oe)):
        mean, variance = sample_moments(sampled)
        calibration = interval_coverage(mean, np.sqrt(variance), truth)
        print(json.dumps({"calibration": name, "samples": args.samples,
                          "noise_variance": checkpoint["noise_variance"],
                          "coverage": {str(k): v for k, v in calibration["coverage"].items()},
                          "spearman_sd_error": calibration["spearman_sd_error"], "n_pixels": calibration["n_pixels"],
                          "median_sd": float(np.nanmedian(np.sqrt(variance)))}))


if __name__ == "__main__":
    main()
