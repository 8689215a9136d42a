"""Diffusion sampling steps vs held-out quality and time: the DDPM chain against DDIM strides (eta 0 or 1).

Reads a finished workflow run (``results/``) whose model entry has a trained diffusion stage
(``diffusion.pt`` beside ``model.pt``, or ``--diffusion``). For each sampler setting
``steps:eta:seed`` the test chromosome's windows are predicted (:func:`hicmodels.modelling.prediction.predict`
with ``sampling_steps``, ``sampling_eta`` and ``seed``), assembled and scored as the workflow's
``assemble_cool`` and ``metrics`` rules do (:func:`hicmodels.evaluation.scoring.evaluate_checkpoint`), next
to the encoder-decoder alone. ``10:1:0`` is the DDPM chain as trained (10 timesteps); the same chain from
another seed shows how much one draw's metrics move by chance.

    PYTHONPATH=src python benchmarks/diffusion_steps.py --results results --model yeast --threads 2 \\
        --settings 10:1:0,10:1:1,10:0:0,5:0:0,3:0:0,2:0:0,1:0:0

Prints one TSV: predictor, steps, eta, seed, the metrics, seconds to predict the windows (those include
reading the genome and writing the file, and move with the machine's load). ``--timing`` instead times
the model alone: seconds per window of the encoder-decoder and of each sampler setting on a batch of
random windows, repeats interleaved so that load hits every setting alike (median).
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

from hicmodels.evaluation.scoring import side_by_side
from hicmodels.modelling.checkpoints import load_checkpoint
from hicmodels.genome.sequence import one_hot
from hicmodels.modelling.prediction import load_model
from yeast_stages import HeldOutRun  # benchmarks/ is the script's directory


def settings_list(text):
    """``"10:1:0,3:0:0"`` -> ``[(10, 1.0, 0), (3, 0.0, 0)]`` (steps, eta, seed)."""
    return [(int(s), float(e), int(d)) for s, e, d in (item.split(":") for item in text.split(","))]


def sampler_seconds(checkpoint_path, settings, threads, batch_size=8, repeats=3):
    """Median seconds per window: ``encoder_decoder`` (the conditioning pass alone) and each (steps, eta)."""
    torch.set_num_threads(threads)
    checkpoint = load_checkpoint(checkpoint_path)
    model = load_model(checkpoint, torch.device("cpu"), False, checkpoint_path)
    nbins = checkpoint["window_size"] // checkpoint["bin_size"]
    generator = torch.Generator().manual_seed(0)
    x = one_hot(torch.randint(0, 4, (batch_size, checkpoint["window_size"]), generator=generator, dtype=torch.uint8))
    noise = torch.randn(batch_size, model.timesteps, nbins, nbins, generator=generator)
    calls = {"encoder_decoder": lambda: model.condition(x)}
    calls.update({f"{steps}:{eta:g}": (lambda steps=steps, eta=eta: model(x, noise=noise[:, :steps], eta=eta))
                  for steps, eta, _ in settings})
    seconds = {name: [] for name in calls}
    with torch.inference_mode():
        for _ in range(repeats + 1):  # the first round warms up
            for name, call in calls.items():
                start = time.perf_counter()
                call()
                seconds[name].append((time.perf_counter() - start) / batch_size)
    return {name: statistics.median(runs[1:]) for name, runs in seconds.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--model", help="model entry (default: the first of models)")
    parser.add_argument("--diffusion", help="diffusion checkpoint (default: diffusion.pt in the model's directory)")
    parser.add_argument("--settings", type=settings_list, default=settings_list("10:1:0,10:1:1,10:0:0,5:0:0,3:0:0,2:0:0,1:0:0"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cell-line", help="default: the first of hic.cell_lines")
    parser.add_argument("--timing", action="store_true", help="time the model alone (no metrics)")
    args = parser.parse_args()
    run = HeldOutRun(args.results, args.config, args.model, args.cell_line)
    if args.timing:
        seconds = sampler_seconds(Path(args.diffusion or run.model_dir / "diffusion.pt"), args.settings, args.threads)
        print("setting\tseconds_per_window")
        for name, value in seconds.items():
            print(f"{name}\t{value:.4f}")
        return
    experimental = run.experimental()
    runs = [("encoder_decoder", run.model_dir / "model.pt", None)]
    runs += [(f"diffusion_{steps}_{eta:g}_{seed}", Path(args.diffusion or run.model_dir / "diffusion.pt"),
              (steps, eta, seed)) for steps, eta, seed in args.settings]
    tables, rows = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, sampler in runs:
            settings = dict(run.config["prediction"])
            if sampler:
                settings.update(sampling_steps=sampler[0], sampling_eta=sampler[1], seed=sampler[2])
            tables[name], seconds = run.score(name, path, settings, args.threads, experimental, tmp)
            steps, eta, seed = sampler or ("", "", "")
            rows[name] = {"steps": steps, "eta": eta, "seed": seed, "predict_seconds": seconds}
            print(f"# {name}: {seconds} s", flush=True)
    table = pd.DataFrame(side_by_side(tables))
    table = table.join(pd.DataFrame([rows.get(p, {}) for p in table["predictor"]], index=table.index))
    print(table.to_csv(sep="\t", index=False, float_format="%.4f"), end="")


if __name__ == "__main__":
    main()
