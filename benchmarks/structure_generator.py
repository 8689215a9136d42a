"""Training and sampling time of the structure VAE and CrossDiT on the CPU, and parameter counts of the presets.

Trains the tiny preset on Gaussian-chain ensembles (the known-truth setting of
``tests/structure/test_structure_generator.py``), samples ensembles for held-out maps, and counts the
parameters of every ``structure_presets`` entry at the paper's map size (928 bins) on the meta device
(nothing allocated), next to paper table 1:

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/structure_generator.py --threads 1

Prints JSON lines; the load average at the start is in the first (the cores are shared).
"""

import argparse
import json
import os
import time

import numpy as np
import torch

from hicmodels.config import config_schema
from hicmodels.models.structure_diffusion import CrossDiT, StructureVAE, backbone_parameters
from hicmodels.simulation.gaussian_chain import ensemble_pairs
from hicmodels.structure.training import sample_ensemble, train_generator, train_vae

PAPER_PARAMETERS = {"S": 45e6, "L": 634e6}  # table 1


class Clock:
    """Wall and CPU seconds since it was made (CPU time is the comparable number on shared cores)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self):
        return [round(time.perf_counter() - self.wall, 1), round(time.process_time() - self.cpu, 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--bins", type=int, default=16)
    parser.add_argument("--ensembles", type=int, default=240)
    parser.add_argument("--structures", type=int, default=16, help="training structures per ensemble")
    parser.add_argument("--sample", type=int, default=500, help="structures per sampled ensemble (paper 4.3: 500)")
    parser.add_argument("--vae-epochs", type=int, default=8)
    parser.add_argument("--generator-epochs", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    defaults = config_schema()["properties"]
    presets = defaults["structure_presets"]["default"]
    print(json.dumps({"load_average": os.getloadavg()[0], "threads": args.threads}))

    for name, preset in presets.items():
        with torch.device("meta"):
            model = CrossDiT(bins=928, latent_channels=8, **preset)
        total = sum(p.numel() for p in model.parameters())
        print(json.dumps({"preset": name, "parameters": total, "backbone_parameters": backbone_parameters(model),
                          "paper": PAPER_PARAMETERS.get(name)}))
    with torch.device("meta"):
        vae = StructureVAE(copies=2, beads_per_bin=2, hidden=128, latent_channels=8, blocks=8, kernel_size=3,
                           circular=True)
    print(json.dumps({"vae_paper_layout_encoder_parameters": sum(p.numel() for p in vae.encoder.parameters()),
                      "paper": 3.6e6}))

    structures, maps, _ = ensemble_pairs(args.ensembles, args.structures, args.bins, 1, threshold=2.0, seed=0,
                                         loop_stiffness=8.0, min_separation=4, exact_maps=True)
    coords = structures.reshape(-1, 1, args.bins, 3)
    mask = np.ones(coords.shape[:3])
    vae_settings = dict(hidden=32, latent_channels=4, blocks=2, kernel_size=3, mask_weight=1.0, kl_weight=5e-3,
                        epochs=args.vae_epochs, batch_size=64, learning_rate=2e-3)
    clock = Clock()
    bundle, _ = train_vae(coords, mask, vae_settings, beads_per_bin=1, circular=False, seed=0)
    vae_seconds = clock.read()
    generator_settings = dict(condition_dropout=0.1, epochs=args.generator_epochs, batch_size=64, learning_rate=2e-3)
    clock = Clock()
    bundle, _ = train_generator(coords, mask, maps, np.repeat(np.arange(args.ensembles), args.structures), bundle,
                                presets["tiny"], generator_settings, seed=0)
    generator_seconds = clock.read()
    timings = {}
    for guidance in (1.0, 1.5):  # 1: one model call per step; otherwise two
        clock = Clock()
        sample_ensemble(bundle, maps[0], args.sample, seed=0, guidance=guidance, steps=50, batch_size=args.sample)
        timings[guidance] = clock.read()
    print(json.dumps({"training_structures": len(coords), "bins": args.bins, "vae_epochs": args.vae_epochs,
                      "vae_wall_cpu_s": vae_seconds, "generator_epochs": args.generator_epochs,
                      "generator_wall_cpu_s": generator_seconds, "sampled_structures": args.sample,
                      "sampling_wall_cpu_s_guidance_1": timings[1.0], "sampling_wall_cpu_s_guidance_1.5": timings[1.5],
                      "load_average_end": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
