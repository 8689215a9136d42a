"""Does the structure generator read its map on MD data? Crosslinked OpenMM ensembles, held-out crosslinks.

Runs :func:`hicmodels.structure.conditioning.crosslink_experiment` (tiny preset, 1 thread): one
OpenMM simulation per training ensemble, each with a crosslink at its own bin pair kept on while
sampling; held-out pairs never trained on; the generated ensemble's SCC with each held-out map next
to the same model without the map (guidance 0), the best-matching training map and the plain
polymer. Also the diversity (mean pairwise dRMSD) of one generated ensemble against the
perturbation baseline:

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/structure_conditioning.py --out /tmp/conditioning.tsv

Prints the steps' CPU seconds, the table and its means; writes the table to ``--out``.
"""

import argparse
import json
import os

import torch

from hicmodels.config import config_schema, resolve, section_schema
from hicmodels.files import write_tsv
from hicmodels.structure.conditioning import crosslink_experiment
from hicmodels.structure.ensemble import summary
from hicmodels.structure.training import generated_ensemble

# A free linear chain of 16 bins x 4 beads (2 kept), in a box far larger than the chain (no
# confinement to blur the loops), a structure every 100 steps; contacts within 2 bond lengths.
SIMULATION = {"bins": 16, "beads_per_bin": 4, "kept_beads_per_bin": 2, "equilibration_steps": 1000,
              "sample_every": 100, "confinement": {"size_nm": [1000.0, 1000.0, 1000.0]}, "contact_distance_nm": 60.0}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=32, help="structures per simulated ensemble")
    parser.add_argument("--repeats", type=int, default=2, help="training ensembles per crosslinked pair")
    parser.add_argument("--held-out", type=int, default=6)
    parser.add_argument("--held-out-structures", type=int, default=None,
                        help="structures per held-out (and plain) ensemble; default --structures")
    parser.add_argument("--min-separation", type=int, default=4)
    parser.add_argument("--vae-epochs", type=int, default=8)
    parser.add_argument("--generator-epochs", type=int, default=40)
    parser.add_argument("--sampled", type=int, default=200, help="structures generated per held-out map")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(json.dumps({"load_average": os.getloadavg()[0], **vars(args)}), flush=True)
    structure = resolve({"simulation": {**SIMULATION, "structures": args.structures},
                         "vae": {"hidden": 32, "latent_channels": 4, "blocks": 2, "epochs": args.vae_epochs,
                                 "batch_size": 64, "learning_rate": 2e-3},
                         "generator": {"preset": "tiny", "epochs": args.generator_epochs, "batch_size": 64,
                                       "learning_rate": 2e-3}},
                        section_schema("structure"), "structure")
    preset = config_schema()["properties"]["structure_presets"]["default"]["tiny"]
    metrics = structure["metrics"]
    table, run = crosslink_experiment(
        structure["simulation"], structure["vae"], structure["generator"], preset, min_separation=args.min_separation,
        held_out=args.held_out, held_out_structures=args.held_out_structures, repeats=args.repeats, seed=args.seed,
        sampled=args.sampled,
        steps=structure["generator"]["steps"], scc_h=metrics["scc_h"], scc_max_offset=SIMULATION["bins"] - 2,
        progress=lambda line: print(line, flush=True))
    write_tsv(table, args.out)
    print(table.round(3).to_string(index=False))
    print(json.dumps({k: round(float(table[k].mean()), 3) for k in
                      ("conditional", "unconditional", "best_training_map", "plain_polymer")}))
    first = run["held_out"][0]
    generated = generated_ensemble(run["bundle"], first["contacts"], first["bins"], 50, args.seed, 1.0,
                                   structure["generator"]["steps"], first["source_map"], False)
    row = summary(generated, metrics["scc_h"], metrics["scc_max_offset"], metrics["perturbation_sigma_bonds"])
    simulated = summary(first, metrics["scc_h"], metrics["scc_max_offset"], metrics["perturbation_sigma_bonds"])
    print(json.dumps({"generated_drmsd_bonds": round(row["drmsd_bonds"], 3),
                      "perturbation_drmsd_bonds": round(row["perturbation_drmsd_bonds"], 3),
                      "simulated_drmsd_bonds": round(simulated["drmsd_bonds"], 3)}))


if __name__ == "__main__":
    main()
