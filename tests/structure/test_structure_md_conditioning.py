"""Known truth on MD data: a generator trained on OpenMM polymers with one crosslink each follows the maps of
crosslinks it never saw, better than the same model without the map and than the plain polymer
(hicmodels.structure.conditioning; docs/benchmarks.md, "Structure generator on MD data")."""

import pytest
import torch

from hicmodels.config import config_schema, resolve, section_schema
from hicmodels.structure.conditioning import crosslink_experiment

pytestmark = pytest.mark.slow

BINS = 16
# benchmarks/structure_conditioning.py's setting, fewer structures
STRUCTURE = {"simulation": {"bins": BINS, "beads_per_bin": 4, "kept_beads_per_bin": 2, "equilibration_steps": 1000,
                            "sample_every": 100, "structures": 16, "contact_distance_nm": 60.0,
                            "confinement": {"size_nm": [1000.0, 1000.0, 1000.0]}},
             "vae": {"hidden": 32, "latent_channels": 4, "blocks": 2, "epochs": 8, "batch_size": 64,
                     "learning_rate": 2e-3},
             "generator": {"preset": "tiny", "epochs": 40, "batch_size": 64, "learning_rate": 2e-3}}


@pytest.fixture(scope="module")
def experiment():
    torch.set_num_threads(1)
    structure = resolve(STRUCTURE, section_schema("structure"), "structure")
    preset = config_schema()["properties"]["structure_presets"]["default"]["tiny"]
    return crosslink_experiment(structure["simulation"], structure["vae"], structure["generator"], preset,
                                min_separation=4, held_out=6, repeats=1, seed=0, sampled=200, steps=50, scc_h=1,
                                scc_max_offset=BINS - 2)


def test_generated_ensembles_follow_held_out_crosslinks(experiment):
    """Mean SCC over the 6 held-out maps (h 1, offsets 1-14): the conditioned ensembles above the same model with
    the map dropped (guidance 0, what it learnt of the polymer in general) and above the plain polymer (no
    crosslink) by 0.3 or more (measured: 0.504 vs 0.078 and 0.107). Not asserted: the best-matching training
    map, picked with the held-out map itself (an oracle nearest neighbour), which at this size (maps of 16
    structures) is above the generator, 0.635; with 32 structures per map (the benchmark) the two are level."""
    table, _ = experiment
    print(table.round(3).to_string(index=False))
    mean = table[["conditional", "unconditional", "best_training_map", "plain_polymer"]].mean()
    print(mean.round(3).to_dict())
    assert mean["conditional"] > max(mean["unconditional"], mean["plain_polymer"]) + 0.3


def test_generated_ensembles_are_as_diverse_as_simulated_ones(experiment):
    """Paper 5: mean pairwise dRMSD of 50 generated structures far above the perturbation baseline (one structure
    with noise of 0.1 bond lengths per coordinate) and of the order of the simulated held-out ensemble's own."""
    from hicmodels.structure.ensemble import summary
    from hicmodels.structure.training import generated_ensemble

    _, run = experiment
    simulated = run["held_out"][0]
    generated = generated_ensemble(run["bundle"], simulated["contacts"], simulated["bins"], 50, 0, 1.0, 50,
                                   simulated["source_map"], False)
    row, truth = (summary(e, 1, BINS - 2, 0.1) for e in (generated, simulated))
    print({key: round(row[key], 3) for key in ("drmsd_bonds", "perturbation_drmsd_bonds")}, round(truth["drmsd_bonds"], 3))
    assert row["drmsd_bonds"] > 3 * row["perturbation_drmsd_bonds"]
    assert 0.5 < row["drmsd_bonds"] / truth["drmsd_bonds"] < 2.0
