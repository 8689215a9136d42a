"""The structure stage's commands end to end on tiny settings: unrestrained and restrained by the yeast map."""

import json

import cooler
import gemmi
import numpy as np
import pandas as pd
import pytest

from hicmodels.cli import main
from hicmodels.structure.ensemble import bin_contact_map
from hicmodels.structure.io import read_ensemble

YEAST = "resources/yeast"
TINY = {"beads_per_bin": 4, "kept_beads_per_bin": 2, "structures": 6, "equilibration_steps": 300, "release_stages": 2,
        "release_steps": 50, "sample_every": 100, "confinement": {"size_nm": [150.0, 150.0, 330.0]}}


def _simulate(tmp_path, name, simulation, circular=(), extra=()):
    settings = {"structure": {"simulation": simulation, "metrics": {"mmcif_structures": 2}}, "circular": list(circular)}
    files = {"out": tmp_path / f"{name}.h5", "cool": tmp_path / f"{name}.cool", "cif": tmp_path / f"{name}.cif"}
    code = main(["structure", "simulate", "--index", "0", "--out", str(files["out"]), "--cool-out", str(files["cool"]),
                 "--mmcif", str(files["cif"]), "--config", json.dumps(settings), *extra])
    return code, files


def test_simulate_metrics_and_plot_an_unrestrained_ring(tmp_path):
    code, files = _simulate(tmp_path, "ring", {"bins": 10, "bin_size": 1000, "circular": True, **TINY})
    assert code == 0
    ensemble = read_ensemble(files["out"])
    assert ensemble["coordinates"].shape == (6, 20, 3) and ensemble["circular"] and ensemble["units"] == "nm"
    assert ensemble["bins"]["chrom"].unique().tolist() == ["polymer"] and ensemble["bins"]["end"].iloc[-1] == 10000
    assert np.array_equal(ensemble["contacts"], bin_contact_map(ensemble["coordinates"], 90.0, 2))
    clr = cooler.Cooler(str(files["cool"]))
    assert clr.binsize == 1000 and np.allclose(clr.matrix(balance=False)[:], ensemble["contacts"])
    assert len(gemmi.read_structure(str(files["cif"]))) == 2
    # same seed and thread count: the same bytes
    _, again = _simulate(tmp_path, "again", {"bins": 10, "bin_size": 1000, "circular": True, **TINY})
    assert files["out"].read_bytes() == again["out"].read_bytes()

    table = tmp_path / "metrics.tsv"
    assert main(["structure", "metrics", "--ensembles", str(files["out"]), "--out", str(table)]) == 0
    row = pd.read_csv(table, sep="\t").iloc[0]
    assert np.isnan(row["scc"])  # no input map
    assert row["perturbation_drmsd_bonds"] == pytest.approx(0.2, abs=0.02)  # 2 sigma, sigma 0.1 bonds
    assert row["mean_pairwise_drmsd"] > 2 * row["perturbation_drmsd"]  # dynamics gives diverse structures

    out = {k: tmp_path / f"{k}.png" for k in ("decay", "maps", "projection")}
    assert main(["structure", "plot", "--ensemble", str(files["out"]), "--contact-decay", str(out["decay"]),
                 "--maps", str(out["maps"]), "--projection", str(out["projection"])]) == 0
    decay = pd.read_csv(tmp_path / "decay.tsv", sep="\t")
    assert decay["separation_bins"].max() == 5  # circular: half of 10 bins


def test_simulate_restrained_by_a_region_of_the_yeast_map(tmp_path, yeast_fasta, monkeypatch):
    monkeypatch.chdir(pytest.importorskip("pathlib").Path(__file__).resolve().parents[2])
    region = {"cell_line": "yeast", "chrom": "chrIII", "start": 100000, "end": 200000}
    extra = ["--cool", f"{YEAST}/yeast.10kb.cool", "--fasta", str(yeast_fasta), "--aliases", f"{YEAST}/chrom_aliases.tsv"]
    code, files = _simulate(tmp_path, "region", {"region": region, **TINY}, circular=["chrIII"], extra=extra)
    assert code == 0
    ensemble = read_ensemble(files["out"])
    # a part of a chromosome listed as circular is still a linear chain
    assert not ensemble["circular"]
    assert ensemble["bins"]["start"].tolist() == list(range(100000, 200000, 10000))
    clr = cooler.Cooler(f"{YEAST}/yeast.10kb.cool")
    name = [c for c in clr.chromnames if c.lower().endswith("iii") or c in ("chr3", "III")][0]
    expected = clr.matrix(balance=True).fetch(f"{name}:100000-200000")
    assert np.allclose(ensemble["input_contacts"], expected, equal_nan=True)
    written = cooler.Cooler(str(files["cool"]))
    assert np.allclose(written.matrix(balance=False).fetch("chrIII:100000-200000"), ensemble["contacts"])
    assert ensemble["source_map"].endswith("::chrIII:100000-200000")
    table = tmp_path / "metrics.tsv"
    assert main(["structure", "metrics", "--ensembles", str(files["out"]), "--out", str(table)]) == 0
    assert np.isfinite(pd.read_csv(table, sep="\t")["scc"].item())


def test_a_region_off_the_maps_bins_is_refused_in_one_line(tmp_path, yeast_fasta, monkeypatch, capsys):
    monkeypatch.chdir(pytest.importorskip("pathlib").Path(__file__).resolve().parents[2])
    region = {"cell_line": "yeast", "chrom": "chrIII", "start": 100500, "end": 200000}
    extra = ["--cool", f"{YEAST}/yeast.10kb.cool", "--fasta", str(yeast_fasta), "--aliases", f"{YEAST}/chrom_aliases.tsv"]
    code, files = _simulate(tmp_path, "bad", {"region": region, **TINY}, extra=extra)
    assert code == 2 and not files["out"].exists()
    assert "must be bin edges of the map's 10000 bp bins" in capsys.readouterr().err.strip().splitlines()[-1]
