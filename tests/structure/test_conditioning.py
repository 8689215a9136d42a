"""The crosslinked-ensemble experiment's pieces: pairs, split, crosslinks kept while sampling, the score table."""

import numpy as np
import pandas as pd
import pytest

from hicmodels.config import resolve, section_schema
from hicmodels.structure import conditioning
from hicmodels.structure.dataset import unrestrained_bins
from hicmodels.structure.ensemble import map_scc
from hicmodels.structure.polymer import simulate


def simulation(**overrides):
    """``structure.simulation``: 8 free bins of 4 beads (2 kept), 12 structures, contacts within 2 bonds."""
    settings = {"bins": 8, "beads_per_bin": 4, "kept_beads_per_bin": 2, "equilibration_steps": 500,
                "sample_every": 100, "structures": 12, "confinement": {"size_nm": [1000.0, 1000.0, 1000.0]},
                "contact_distance_nm": 60.0, **overrides}
    return resolve({"simulation": settings}, section_schema("structure"), "structure")["simulation"]


def test_crosslink_pairs_by_hand():
    assert conditioning.crosslink_pairs(6, 4) == [(0, 4), (0, 5), (1, 5)]
    assert len(conditioning.crosslink_pairs(16, 4)) == 78  # 12 + 11 + ... + 1


def test_split_pairs_holds_out_a_seeded_disjoint_subset():
    pairs = conditioning.crosslink_pairs(16, 4)
    training, held_out = conditioning.split_pairs(pairs, 6, seed=0)
    assert len(held_out) == 6 and len(training) == 72 and not set(training) & set(held_out)
    assert sorted(training + held_out) == pairs and training == sorted(training) and held_out == sorted(held_out)
    assert conditioning.split_pairs(pairs, 6, seed=0) == (training, held_out)
    assert conditioning.split_pairs(pairs, 6, seed=1)[1] != held_out


def test_restraint_bins_bond_the_bins_centre_beads_and_stay_on_while_sampling():
    """Bins 1 and 6 of 4 beads: beads 6 and 26 held near the bond length through sampling (release_stages 0);
    without the crosslink the two are far apart."""
    base = dict(n_bins=8, beads_per_bin=4, kept_beads_per_bin=2, circular=False, replication_factor=1.0,
                bond_length_nm=30.0, bond_wiggle=0.1, repulsion_kT=3.0,
                confinement={"shape": "box", "size_nm": [1000.0, 1000.0, 1000.0]}, wall_stiffness_kT=100.0,
                temperature_k=300.0, bead_mass_amu=100.0, friction_per_ps=0.01, timestep_ps=5.0,
                equilibration_steps=500, release_steps=100, n_structures=20, sample_every=100, seed=2, threads=1,
                restraint_kT=20.0, keep_all_beads=True)
    linked = simulate(**base, release_stages=0, restraint_bins=[(1, 6)])
    assert linked["restraints"].tolist() == [[6, 26]]
    distance = np.linalg.norm(linked["parental"][:, 6] - linked["parental"][:, 26], axis=-1)
    # stiffness 20 kT / b^2: spread about b / sqrt(20) around b, always within the 2 b contact distance
    assert distance.mean() < 1.3 * 30.0 and distance.max() < 2 * 30.0
    free = simulate(**base, release_stages=0)
    assert np.linalg.norm(free["parental"][:, 6] - free["parental"][:, 26], axis=-1).mean() > 2 * distance.mean()
    # released in stages (the workflow's protocol), the same crosslink no longer holds while sampling
    released = simulate(**base, release_stages=2, restraint_bins=[(1, 6)])
    assert np.linalg.norm(released["parental"][:, 6] - released["parental"][:, 26], axis=-1).mean() > 2 * 30.0


def test_a_crosslinked_ensemble_has_its_loop_in_its_map():
    settings = simulation()
    bins = unrestrained_bins(settings)
    linked = conditioning.crosslinked_ensemble(settings, bins, [(1, 6)], seed=4)
    plain = conditioning.crosslinked_ensemble(settings, bins, [], seed=4)
    assert linked["coordinates"].shape == (12, 16, 3) and linked["source_map"] == "crosslinks 1-6"
    assert plain["source_map"] == "no crosslink"
    assert linked["masks"][1].sum() == 0 and not linked["circular"] and linked["contact_distance"] == 60.0
    # the map averages the bins' kept beads (1 and 3 of 4), one bond from the crosslinked centre beads (2):
    # about half of those pairs are in contact, above the pixels beside it; without the crosslink none is
    loop = linked["contacts"][1, 6]
    assert loop > 0.35 and loop > max(linked["contacts"][1, 5], linked["contacts"][2, 6])
    assert plain["contacts"][1, 6] < 0.1
    assert linked["contacts"][1, 6] == linked["contacts"][6, 1]


def test_conditioning_scores_reads_the_generator_with_and_without_the_map(monkeypatch):
    """A stand-in generator that returns the input map with guidance 1 and the plain map with guidance 0:
    the conditional column is the input map's SCC with itself, the unconditional one the plain map's, and the
    best training map is the training map equal to the input."""
    rng = np.random.default_rng(0)
    maps = rng.random((4, 8, 8))
    maps = (maps + maps.transpose(0, 2, 1)) / 2
    plain = maps[0]
    bins = pd.DataFrame({"chrom": "polymer", "start": np.arange(8), "end": np.arange(1, 9)})
    held_out = [{"contacts": maps[k], "bins": bins, "source_map": f"map {k}"} for k in (2, 3)]
    calls = []

    def fake(bundle, hic_map, bins_, n, seed, guidance, steps, source_map, circular):
        calls.append((n, seed, guidance, steps, source_map, circular))
        return {"contacts": hic_map if guidance == 1.0 else plain}

    monkeypatch.setattr(conditioning, "generated_ensemble", fake)
    table = conditioning.conditioning_scores({}, held_out, maps[:3], plain, 7, 10, 5, 1, 6)
    assert calls == [(7, 10, 1.0, 5, "map 2", False), (7, 10, 0.0, 5, "map 2", False),
                     (7, 11, 1.0, 5, "map 3", False), (7, 11, 0.0, 5, "map 3", False)]
    assert table["ensemble"].tolist() == ["map 2", "map 3"]
    for k, row in zip((2, 3), table.itertuples()):
        assert row.conditional == pytest.approx(map_scc(maps[k], maps[k], 1, 6))
        assert row.unconditional == pytest.approx(map_scc(plain, maps[k], 1, 6))
        assert row.plain_polymer == row.unconditional
        training = [map_scc(m, maps[k], 1, 6) for m in maps[:3]]
        assert row.best_training_map == pytest.approx(max(training))
        assert row.best_training_index == int(np.argmax(training))
    assert table.loc[0, "best_training_index"] == 2  # map 2 is itself a training map


def test_crosslink_experiment_trains_on_the_other_pairs_and_scores_the_held_out_ones():
    """6 bins, pairs at least 4 apart: (0, 4), (0, 5), (1, 5); one held out, the other two simulated twice each;
    the held-out ensemble and the plain polymer have their own structure count."""
    import torch

    from hicmodels.config import config_schema

    torch.set_num_threads(1)
    structure = resolve({"simulation": {"bins": 6, "beads_per_bin": 2, "kept_beads_per_bin": 1, "structures": 3,
                                        "equilibration_steps": 50, "sample_every": 10, "contact_distance_nm": 60.0},
                         "vae": {"hidden": 8, "latent_channels": 2, "blocks": 1, "epochs": 1, "batch_size": 4},
                         "generator": {"preset": "tiny", "epochs": 1, "batch_size": 4}},
                        section_schema("structure"), "structure")
    lines = []
    table, run = conditioning.crosslink_experiment(
        structure["simulation"], structure["vae"], structure["generator"], config_schema()["properties"][
            "structure_presets"]["default"]["tiny"], min_separation=4, held_out=1, repeats=2, seed=0, sampled=4,
        steps=2, scc_h=0, scc_max_offset=4, held_out_structures=5, progress=lines.append)
    held_out = conditioning.split_pairs(conditioning.crosslink_pairs(6, 4), 1, seed=0)[1][0]
    assert table["ensemble"].tolist() == [f"crosslinks {held_out[0]}-{held_out[1]}"]
    assert len(run["training_maps"]) == 4 and run["held_out"][0]["coordinates"].shape == (5, 6, 3)
    assert run["plain"]["source_map"] == "no crosslink" and len(run["plain"]["coordinates"]) == 5
    assert lines[0].startswith("simulated 4 training ensembles x 3 structures, 2 x 5:")
    assert run["bundle"]["contact_distance"] == 60.0 and run["bundle"]["units"] == "nm"
