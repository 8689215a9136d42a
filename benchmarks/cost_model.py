"""FLOPs per window (per structure) of each model family at its paper size, and CPU seconds of the small ones.

FLOPs are counted by ``torch.utils.flop_counter.FlopCounterMode`` on the meta device (no weights, no
memory; matmuls and convolutions only, as the counter does): one forward pass of batch 1 at the
family's window geometry. The diffusion stage is the encoder-decoder plus ``--steps`` U-Net calls;
a structure is ``--euler-steps`` CrossDiT calls (two with classifier-free guidance) after one Hi-C
encoding per map. With ``--cpu`` the families under 500 GFLOP per window are also run once on the CPU
with random weights (batch 1, after a warm-up) and their CPU seconds (``time.process_time``) printed;
the larger ones take minutes per window here and come from the measurements in docs/benchmarks.md.

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/cost_model.py --cpu --threads 1

Per haplotype the families predict a human haplotype's windows (3.1 Gb at the window preset's step:
6,200 windows of the ``human`` preset at 500 kb, 11,800 of Akita's at 262,144 bp, 12,400 MIX-HIC
windows at a 250 kb step along the diagonal) or, for the structure generator, one ensemble of
``--structures`` structures of one region. GPU hours assume ``--gpu-tflops`` sustained (an assumption,
not a measurement: no GPU run exists yet; ``benchmarks/models_gpu.py`` measures it). A sample is its
two haplotypes plus its share of the reference (predicted once per cohort); a cohort is
``--cohort`` samples.

One JSON line per family: ``gflop`` per window (or per structure), ``cpu_s`` when measured, and
GPU hours per haplotype, per sample and per cohort at the assumed rate.
"""

import argparse
import json
import os
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from hicmodels import models
from hicmodels.config import config_schema, read_yaml
from hicmodels.models.structure_diffusion import CrossDiT

ROOT = Path(__file__).resolve().parents[1]


def count(call):
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        call()
    return counter.get_total_flops()


def cpu_seconds(call):
    with torch.inference_mode():
        call()  # warm-up: oneDNN primitive creation
        start = time.process_time()
        call()
    return time.process_time() - start


GENOME_BP = 3.1e9


def families(presets, steps, euler_steps, structures):
    """(name, what one unit is, units per haplotype, build, call(model, device)) of each family at its paper
    geometry."""
    human = 2_097_152
    windows = round(GENOME_BP / 500_000, -2)  # the human window preset's step
    yield ("encoder-decoder (`human`)", "window of 2,097,152 bp", windows, lambda: models.build(presets["human"]),
           lambda m, d: m(torch.zeros(1, 5, human, device=d)))
    bins = human // 8192

    def diffusion(m, d):
        return m(torch.zeros(1, 5, human, device=d), noise=torch.zeros(1, steps, bins, bins, device=d))

    yield (f"diffusion stage ({steps} steps, `human`)", "window of 2,097,152 bp", windows,
           lambda: models.build(models.diffusion_config({**presets["human"],
                                                         "diffusion": {**presets["human"]["diffusion"],
                                                                       "timesteps": steps}})), diffusion)
    # the published checkpoints' sizes (what models/published.py reads from the files)
    corigami = {**presets["corigami"], "track_channels": 2, "hidden": 256, "decoder_hidden": 256,
                "transformer_layers": 8, "heads": 8, "feedforward": 512, "dropout": 0.1, "max_len": 256}
    yield ("C.Origami (published, 2 tracks)", "window of 2,097,152 bp", windows, lambda: models.build(corigami),
           lambda m, d: m(torch.zeros(1, 7, human, device=d)))
    akita = {**presets["akita"], "targets": 5, "crop": 32, "diagonal_offset": 2, "eps": 1e-3}
    akita_windows = round(GENOME_BP / 262_144, -2)
    yield ("Akita v1 (published, 5 targets)", "window of 1,048,576 bp", akita_windows, lambda: models.build(akita),
           lambda m, d: m(torch.zeros(1, 5, 1_048_576, device=d)))
    for name in ("akita_transformer", "akita_vae"):
        yield (f"Akita, `{name}`", "window of 1,048,576 bp", akita_windows,
               lambda name=name: models.build(presets[name]),
               lambda m, d: m(torch.zeros(1, 5, 1_048_576, device=d)))
    for name in ("mixhic", "mixhic_cage"):
        yield (f"MIX-HIC `{name}`, tracks only", "window (2 x 250 kb)", round(GENOME_BP / 250_000, -2),
               lambda name=name: models.build(presets[name]),
               lambda m, d: m(torch.zeros(1, 2, 5000, device=d)))
    for name, size in config_schema()["properties"]["structure_presets"]["default"].items():
        if name == "tiny":
            continue

        def structure(m, d, size=size):
            context = m.encoder(torch.zeros(1, 928, 928, device=d))
            x, t = torch.zeros(1, 928, 8, device=d), torch.zeros(1, device=d)
            for _ in range(2 * euler_steps):  # guidance: a conditional and an unconditional call per step
                m(x, t, context)

        yield (f"structure generator CrossDiT {name} (928 bins, {euler_steps} Euler steps, guided)", "structure",
               structures,
               lambda size=size: CrossDiT(bins=928, latent_channels=8, **size), structure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="diffusion sampling steps")
    parser.add_argument("--euler-steps", type=int, default=50, help="structure sampling steps (paper 4.3)")
    parser.add_argument("--cpu", action="store_true", help="also time the families under 500 GFLOP on the CPU")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--structures", type=int, default=500, help="structures per ensemble (paper 4.3)")
    parser.add_argument("--gpu-tflops", type=float, default=100.0, help="assumed sustained GPU rate, TFLOP/s")
    parser.add_argument("--cohort", type=int, default=100, help="samples per cohort")
    parser.add_argument("--only", nargs="*", help="families whose name contains one of these words")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    presets = read_yaml(ROOT / "config" / "config.yaml")["model_presets"]
    print(json.dumps({"load_average": os.getloadavg()[0], "threads": args.threads}), flush=True)
    for name, unit, per_haplotype, build, call in families(presets, args.steps, args.euler_steps, args.structures):
        if args.only and not any(word in name for word in args.only):
            continue
        with torch.device("meta"):  # tensors a forward pass makes without a device go to meta too
            model = build().eval()
            flops = count(lambda: call(model, torch.device("meta")))
        row = {"family": name, "unit": unit, "parameters": sum(p.numel() for p in model.parameters()),
               "gflop": round(flops / 1e9, 2), "per_haplotype": per_haplotype}
        haplotype = per_haplotype * flops / (args.gpu_tflops * 1e12) / 3600
        row.update({"gpu_h_haplotype": round(haplotype, 3), "gpu_h_sample": round(haplotype * (2 + 1 / args.cohort), 3),
                    "gpu_h_cohort": round(haplotype * (2 * args.cohort + 1), 1)})
        if args.cpu and flops < 500e9:
            torch.manual_seed(0)
            model = build().eval()
            row["cpu_s"] = round(cpu_seconds(lambda: call(model, torch.device("cpu"))), 3)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
