"""The workflow seam of the structure generator: training arrays from ensemble files, the map region it is
conditioned on (at the model's bin count), and generated structures turned into an ensemble file."""

import numpy as np
import pandas as pd
import pysam
import pytest

from hicmodels.config import sampled_map
from hicmodels.errors import InputError
from hicmodels.hic.cool import write_cool, zoomify
from hicmodels.structure import training
from hicmodels.structure.dataset import training_arrays
from hicmodels.structure.ensemble import bin_contact_map
from hicmodels.structure.maps import map_uri, region_map

SIZES = pd.Series({"chrA": 10000, "chrB": 5000})


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    """A 1 kb .cool of chrA whose pixel (i, j) is 100 i + j (i <= j), its .mcool at 1 and 2 kb, FASTA, aliases."""
    tmp = tmp_path_factory.mktemp("maps")
    fasta = tmp / "ref.fa"
    fasta.write_text("".join(f">{c}\n{'ACGT' * (n // 4)}\n" for c, n in SIZES.items()))
    pysam.faidx(str(fasta))
    aliases = tmp / "aliases.tsv"
    aliases.write_text("canonical\talias\nchrA\tA\n")
    rows, cols = np.triu_indices(10)
    values = 100.0 * rows + cols + 1.0
    cool = tmp / "map.cool"
    write_cool(cool, SIZES, 1000, {"chrA": (rows, cols, values)}, {"chrA": np.ones(10, bool)})
    mcool = tmp / "map.mcool"
    zoomify(cool, mcool, [1000, 2000])
    dense = np.zeros((10, 10))
    dense[rows, cols] = values
    return {"cool": str(cool), "mcool": str(mcool), "fasta": str(fasta), "aliases": str(aliases),
            "dense": np.triu(dense) + np.triu(dense, 1).T}


def test_region_map_reads_the_region_at_the_models_bin_count(maps):
    contacts, bins, uri, sizes, circular = region_map(maps["cool"], maps["aliases"], maps["fasta"], "chrA", 2000,
                                                      6000, 4, circular_chroms=["chrA"])
    np.testing.assert_array_equal(contacts, maps["dense"][2:6, 2:6])
    assert bins["start"].tolist() == [2000, 3000, 4000, 5000] and bins["end"].tolist()[-1] == 6000
    assert uri == maps["cool"] and sizes["chrA"] == 10000
    assert not circular  # part of a circular chromosome: a linear chain
    whole = region_map(maps["cool"], maps["aliases"], maps["fasta"], "chrA", 0, 10000, 10, circular_chroms=["chrA"])
    np.testing.assert_array_equal(whole[0], maps["dense"])
    assert whole[4] and not region_map(maps["cool"], maps["aliases"], maps["fasta"], "chrA", 0, 10000, 10)[4]
    with pytest.raises(InputError, match=r"map\.cool: region chrA:2000-6000 is not 3 bins .*1000 bp"):
        region_map(maps["cool"], maps["aliases"], maps["fasta"], "chrA", 2000, 6000, 3)
    with pytest.raises(InputError, match="is not 4 bins"):  # start off the bin edges
        region_map(maps["cool"], maps["aliases"], maps["fasta"], "chrA", 2500, 6500, 4)
    with pytest.raises(InputError, match="'chrC' is not in the reference"):
        region_map(maps["cool"], maps["aliases"], maps["fasta"], "chrC", 0, 4000, 4)


def test_an_mcool_is_read_at_the_resolution_that_gives_the_bin_count(maps):
    assert map_uri(maps["mcool"], "chrA", 2000, 6000, 2, 10000) == f"{maps['mcool']}::/resolutions/2000"
    assert map_uri(maps["mcool"], "chrA", 2000, 6000, 4, 10000) == f"{maps['mcool']}::/resolutions/1000"
    given = f"{maps['mcool']}::/resolutions/1000"
    with pytest.raises(InputError, match="is not 2 bins"):  # a given resolution is kept
        map_uri(given, "chrA", 2000, 6000, 2, 10000)
    with pytest.raises(InputError, match=r"1000 bp, 2000 bp"):
        map_uri(maps["mcool"], "chrA", 2000, 6000, 3, 10000)


def _ensemble(n, beads_per_bin, offset, replicated):
    masks = np.array([np.ones(4, np.uint8), replicated])
    coords = np.arange(n * 4 * 3, dtype=np.float32).reshape(n, 4, 3) + offset
    return {"coordinates": coords, "daughter": -coords, "masks": masks, "contacts": np.full((2, 2), offset),
            "bins": pd.DataFrame({"chrom": "p", "start": [0, 10], "end": [10, 20]}), "beads_per_bin": beads_per_bin,
            "circular": True, "units": "nm", "contact_distance": 90.0}


def test_training_arrays_pair_each_structure_with_its_ensembles_map():
    first, second = _ensemble(3, 2, 0.0, [0, 0, 0, 0]), _ensemble(2, 2, 100.0, [1, 1, 0, 0])
    coords, mask, maps, map_index = training_arrays([first, second])
    assert coords.shape == (5, 2, 4, 3) and mask.shape == (5, 2, 4)
    np.testing.assert_array_equal(coords[3, 0], second["coordinates"][0])
    np.testing.assert_array_equal(coords[3, 1], second["daughter"][0])
    np.testing.assert_array_equal(mask[:3, 1], 0)
    np.testing.assert_array_equal(mask[3:, 1], [[1, 1, 0, 0]] * 2)
    assert map_index.tolist() == [0, 0, 0, 1, 1] and maps[1, 0, 0] == 100.0
    with pytest.raises(InputError, match="training ensemble 1: beads_per_bin 1"):
        training_arrays([first, _ensemble(2, 1, 0.0, [0, 0, 0, 0])])


def test_generated_ensemble_keeps_parental_beads_and_votes_the_daughter_mask(monkeypatch):
    rng = np.random.default_rng(0)
    xyz = rng.normal(scale=50.0, size=(4, 2, 4, 3))
    present = np.ones((4, 2, 4), bool)
    present[0, 0, 1] = False  # a parental bead called absent: kept all the same
    present[:, 1, 2:] = False  # daughter beads 2, 3 absent everywhere
    present[:2, 1, 0] = False  # daughter bead 0 in 2 of 4 structures: in the mask (half is enough)
    present[1:, 1, 1] = False  # daughter bead 1 in 1 of 4 structures: not in the mask
    calls = []

    def decoded(bundle, hic_map, n, seed, guidance, steps, batch_size):
        calls.append((n, seed, guidance, steps))
        return xyz, present

    monkeypatch.setattr(training, "_decoded", decoded)
    bundle = {"vae_config": {"copies": 2, "beads_per_bin": 2}, "contact_distance": 60.0, "units": "nm"}
    bins = pd.DataFrame({"chrom": "c", "start": [0, 10], "end": [10, 20]})
    hic = np.ones((2, 2))
    out = training.generated_ensemble(bundle, hic, bins, 4, seed=5, guidance=1.5, steps=2, source_map="m",
                                      circular=False)
    np.testing.assert_array_equal(out["coordinates"], xyz[:, 0])
    np.testing.assert_array_equal(out["masks"], [[1, 1, 1, 1], [1, 0, 0, 0]])
    np.testing.assert_array_equal(out["daughter"][2:, 0], xyz[2:, 1, 0])
    np.testing.assert_array_equal(out["daughter"][:2, 0], xyz[:2, 0, 0])  # unreplicated there: on its parent
    np.testing.assert_array_equal(out["daughter"][:, 1:], 0.0)
    np.testing.assert_array_equal(out["contacts"], bin_contact_map(xyz[:, 0], 60.0, 2))
    assert out["input_contacts"] is hic and out["seed"] == 5 and out["contact_distance"] == 60.0
    assert calls == [(4, 5, 1.5, 2)]


def test_sampled_map_names_split_at_a_model_entry():
    models = {"yeast": {}, "yeast_big": {}}
    assert sampled_map("experimental", models) is None
    assert sampled_map("yeast_reference", models) == ("yeast", "reference")
    assert sampled_map("yeast_big_reference", models) == ("yeast_big", "reference")
    assert sampled_map("yeast_het.hap2", models) == ("yeast", "het.hap2")
    for bad in ("akita_reference", "yeast_het.hap3", "yeast_big_x.hap1"):  # the last: two model entries fit
        with pytest.raises(InputError, match="structure.sample.maps"):
            sampled_map(bad, models)


def _simulated(seed, n_bins=6, per_bin=2, n=4):
    coords = np.cumsum(np.random.default_rng(seed).normal(size=(n, n_bins * per_bin, 3)), axis=1)
    return {"coordinates": coords, "daughter": np.zeros_like(coords), "masks": np.ones((2, n_bins * per_bin), np.uint8),
            "contacts": bin_contact_map(coords, 1.5, per_bin), "input_contacts": None, "circular": False,
            "bins": pd.DataFrame({"chrom": "p", "start": np.arange(n_bins) * 10, "end": np.arange(1, n_bins + 1) * 10})}


def test_compare_ensembles_scores_generated_against_the_simulated_map(monkeypatch, tmp_path):
    from hicmodels.structure import comparison
    from hicmodels.structure.ensemble import contact_probability, summary

    simulated = [_simulated(1), _simulated(2)]
    calls = []

    def fake(bundle, hic_map, bins, n, seed, guidance, steps, source_map, circular):
        calls.append((n, seed, guidance, steps, circular))
        ensemble = _simulated(seed + 100)
        return {**ensemble, "input_contacts": hic_map}

    monkeypatch.setattr(comparison, "generated_ensemble", fake)
    settings = {"scc_h": 0, "scc_max_offset": 3, "perturbation_sigma_bonds": 0.1}
    table = comparison.compare_ensembles({}, simulated, ["a", "b"], settings, seed=7, guidance=2.0, steps=3)
    assert calls == [(4, 7, 2.0, 3, False), (4, 8, 2.0, 3, False)]  # ensemble k: seed + k, as many structures
    value = table.set_index(["ensemble", "source", "metric", "separation_bins"])["value"].sort_index()
    generated = {**_simulated(108), "input_contacts": simulated[1]["contacts"]}
    expected = summary(generated, 0, 3, 0.1)
    assert value["b", "generated", "scc", np.nan] == pytest.approx(expected["scc"])
    assert value["b", "generated", "drmsd_bonds", np.nan] == pytest.approx(expected["drmsd_bonds"])
    own = summary({**simulated[0], "input_contacts": simulated[0]["contacts"]}, 0, 3, 0.1)
    assert value["a", "simulated", "scc", np.nan] == pytest.approx(1.0)  # its own map
    assert value["a", "simulated", "perturbation_drmsd_bonds", np.nan] == pytest.approx(own["perturbation_drmsd_bonds"])
    p = contact_probability(simulated[0]["contacts"], False)
    np.testing.assert_allclose(value.loc["a", "simulated", "contact_decay"].to_numpy(), p[1:] / p[1])
    comparison.plot_comparison(table, tmp_path / "fig4.png")
    assert (tmp_path / "fig4.png").exists() and len(pd.read_csv(tmp_path / "fig4.tsv", sep="\t")) == len(table)


def test_train_then_sample_commands_and_the_one_line_bin_check(tmp_path, yeast_fasta, capsys):
    import json
    from pathlib import Path

    from hicmodels.cli import main
    from hicmodels.structure.io import read_ensemble
    from hicmodels.structure.training import load_bundle

    yeast = Path(__file__).resolve().parents[2] / "resources" / "yeast"
    region = {"cell_line": "yeast", "chrom": "chrIII", "start": 100000, "end": 200000}
    simulation = {"region": region, "beads_per_bin": 4, "kept_beads_per_bin": 2, "structures": 4,
                  "equilibration_steps": 200, "release_stages": 1, "release_steps": 50, "sample_every": 50,
                  "confinement": {"size_nm": [150.0, 150.0, 330.0]}}
    settings = {"structure": {"simulation": simulation, "vae": {"hidden": 8, "blocks": 1, "epochs": 1},
                              "generator": {"preset": "tiny", "epochs": 1, "steps": 2},
                              "sample": {"structures": 3}}, "circular": []}
    maps = ["--cool", str(yeast / "yeast.10kb.cool"), "--fasta", str(yeast_fasta), "--aliases",
            str(yeast / "chrom_aliases.tsv")]
    h5 = tmp_path / "ensemble_0.h5"
    assert main(["structure", "simulate", "--index", "0", "--out", str(h5), "--cool-out", str(tmp_path / "e.cool"),
                 "--mmcif", str(tmp_path / "e.cif"), "--config", json.dumps(settings), *maps]) == 0
    model = tmp_path / "model.pt"
    presets = {"tiny": {"depth": 1, "dim": 8, "heads": 2, "encoder_depth": 1, "mlp_ratio": 2.0}}
    train = {"structure": settings["structure"], "structure_presets": presets}
    assert main(["structure", "train", "--ensembles", str(h5), "--out", str(model), "--threads", "1",
                 "--config", json.dumps(train)]) == 0
    bundle = load_bundle(model)
    assert bundle["generator_config"]["bins"] == 10 and bundle["contact_distance"] == 90.0 and bundle["units"] == "nm"
    out = {name: tmp_path / f"s.{name}" for name in ("h5", "cool", "cif", "tsv")}

    def sample(start, end):
        return main(["structure", "sample", "--model", str(model), *maps, "--chrom", "chrIII", "--start", str(start),
                     "--end", str(end), "--out", str(out["h5"]), "--cool-out", str(out["cool"]), "--mmcif",
                     str(out["cif"]), "--metrics", str(out["tsv"]), "--threads", "1", "--config", json.dumps(settings)])

    assert sample(200000, 300000) == 0  # another region of the same 10 bins
    ensemble = read_ensemble(out["h5"])
    assert ensemble["coordinates"].shape == (3, 20, 3) and ensemble["bins"]["start"].iloc[0] == 200000
    assert ensemble["source_map"].endswith("yeast.10kb.cool::chrIII:200000-300000")
    assert pd.read_csv(out["tsv"], sep="\t")["start"].tolist() == [200000]
    out["h5"].unlink()
    assert sample(100000, 300000) == 2 and not out["h5"].exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert "yeast.10kb.cool: region chrIII:100000-300000 is not 10 bins" in err[-1]
    assert sample(300000, 400000) == 2  # past the chromosome's end (316620 bp)
    assert "within chrIII (316620 bp)" in capsys.readouterr().err.strip().splitlines()[-1]
