"""Polymer simulation cost of the structure stage: the small preset, and the paper preset projected.

1. One training ensemble of ``structure.simulation`` at the schema defaults (the small preset:
   40 bins x 10 beads, 20 structures, G 1.0): wall and CPU seconds, per structure.
2. OpenMM Langevin steps at the paper's size (928 bins x 10 beads, G 1 and 2, in the 900 x 900 x
   2000 nm box): seconds per step after a short minimisation, projected to the paper's 2e6 steps
   per simulation, and per structure at its sampling every 1,000 steps (2,000 per simulation).

Usage::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/structure_simulation.py [--steps 300] [--threads 1]

Prints a markdown table for ``docs/benchmarks.md``.
"""

import argparse
import time

import numpy as np
import openmm

from hicmodels.config import resolve, section_schema
from hicmodels.structure import polymer
from hicmodels.structure.dataset import training_ensemble, unrestrained_bins

PAPER_STEPS, PAPER_SAMPLE_EVERY = 2_000_000, 1_000


def small_preset(threads):
    settings = resolve({"simulation": {"threads": threads, "replication_factors": [1.0]}}, section_schema("structure"),
                       "benchmark")["simulation"]
    wall, cpu = time.perf_counter(), time.process_time()
    training_ensemble(settings, 0, unrestrained_bins(settings), circular=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    steps = (settings["equilibration_steps"] + settings["structures"] * settings["sample_every"])
    return settings, wall, cpu, steps


def paper_step_seconds(replication_factor, steps, threads, settings):
    """Wall and CPU seconds per Langevin step of the paper-size chain (after 100 minimiser iterations)."""
    confinement = {"shape": "box", "size_nm": [900.0, 900.0, 2000.0]}
    topology = polymer.chain_topology(928 * 10, True, replication_factor)
    system = polymer.build_system(
        topology, bond_length_nm=settings["bond_length_nm"], bond_wiggle=settings["bond_wiggle"],
        repulsion_kT=settings["repulsion_kT"], confinement=confinement,
        wall_stiffness_kT=settings["wall_stiffness_kT"], temperature_k=settings["temperature_k"],
        bead_mass_amu=settings["bead_mass_amu"], restraints=np.empty((0, 2)), restraint_kT=0.0)
    start = polymer.initial_conformation(topology, settings["bond_length_nm"],
                                         polymer.shrink(confinement, settings["bond_length_nm"] / 2),
                                         np.random.default_rng(0))
    context, integrator = polymer.make_simulation(
        system, start, temperature_k=settings["temperature_k"], friction_per_ps=settings["friction_per_ps"],
        timestep_ps=settings["timestep_ps"], seed=0, threads=threads)
    openmm.LocalEnergyMinimizer.minimize(context, maxIterations=100)
    integrator.step(20)  # warm-up: neighbour lists
    wall, cpu = time.perf_counter(), time.process_time()
    integrator.step(steps)
    return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps, topology.n_beads


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="timed steps at the paper's size")
    parser.add_argument("--threads", type=int, default=1, help="OpenMM CPU threads")
    args = parser.parse_args()
    settings, wall, cpu, steps = small_preset(args.threads)
    n = settings["structures"]
    beads = settings["bins"] * settings["beads_per_bin"]
    print("| run | beads | steps | wall (s) | CPU (s) | wall per structure (s) |")
    print("|---|---|---|---|---|---|")
    print(f"| small preset ensemble ({n} structures, G 1.0) | {beads} | {steps:,} | {wall:.1f} | {cpu:.1f} | "
          f"{wall / n:.2f} |")
    for g in (1.0, 2.0):
        per_step, cpu_per_step, n_beads = paper_step_seconds(g, args.steps, args.threads, settings)
        total = per_step * PAPER_STEPS
        per_structure = total / (PAPER_STEPS // PAPER_SAMPLE_EVERY)
        print(f"| paper preset, G {g:.0f}, projected from {args.steps} steps ({per_step * 1e3:.2f} ms/step) | "
              f"{n_beads} | {PAPER_STEPS:,} | {total:,.0f} | {cpu_per_step * PAPER_STEPS:,.0f} | {per_structure:.1f} |")


if __name__ == "__main__":
    main()
