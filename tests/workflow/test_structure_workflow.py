"""The structure stage in the workflow: opt-in target `structure`, its dry-run plans and a tiny real run."""

import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO

TINY = {"ensembles": 2, "structures": 5, "beads_per_bin": 4, "kept_beads_per_bin": 2, "equilibration_steps": 300,
        "release_stages": 2, "release_steps": 50, "sample_every": 100,
        "confinement": {"size_nm": [150.0, 150.0, 330.0]}}


def snakemake(workdir, extra, *args):
    (workdir / "extra.yaml").write_text(yaml.safe_dump(extra))
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(REPO / "config" / "config.yaml"), str(workdir / "extra.yaml"), "--cores", "2", *args]
    # rules call `python`: the one of this environment, as in an activated venv
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)


def planned(workdir, extra, *targets):
    result = snakemake(workdir, extra, "-n", *targets)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", result.stdout, flags=re.M)}


def _paths(workdir, extra):
    """Absolute paths to the bundled yeast data and demo sample (the stage reads no sample), and ``extra``."""
    resources = REPO / "resources"
    (workdir / "samples.tsv").write_text(f"sample\tvcf\tvcf_sample\nhet\t{resources}/demo/demo.vcf.gz\tdemo_het\n")
    return {"samples": str(workdir / "samples.tsv"),
            "reference": {"fasta": f"{resources}/yeast/sacCer3.fa.gz",
                          "chrom_aliases": f"{resources}/yeast/chrom_aliases.tsv",
                          "chromosomes": yaml.safe_load((REPO / "config" / "config.yaml").read_text())["reference"][
                              "chromosomes"]},
            "hic": {"cell_lines": {"yeast": {"cool": f"{resources}/yeast/yeast.10kb.cool"}}}, **extra}


def test_structure_is_opt_in_and_plans_one_simulation_per_ensemble(tmp_path):
    assert not {"simulate_structures", "structure_metrics"} & set(planned(tmp_path, _paths(tmp_path, {})))
    jobs = planned(tmp_path, _paths(tmp_path, {"structure": {"simulation": {"ensembles": 3}}}), "structure")
    assert jobs["simulate_structures"] == 3 and jobs["figure_structure_ensemble"] == 3
    assert jobs["structure_metrics"] == 1
    # one model, one sampled ensemble (the default region on the experimental map), which reads the reference
    assert jobs["train_structure_model"] == 1 and jobs["sample_structure"] == 1 and jobs["prepare_reference"] == 1
    maps = {"sample": {"maps": ["experimental", "yeast_reference"],
                       "regions": [{"chrom": "chrIV", "start": 0, "end": 400000},
                                   {"chrom": "chrV", "start": 0, "end": 400000}]}}
    jobs = planned(tmp_path, _paths(tmp_path, {"structure": maps}), "structure")
    assert jobs["sample_structure"] == 4 and jobs["figure_sampled_structure"] == 4
    assert jobs["zoomify"] == 1  # the predicted map of model yeast's reference genome
    region = {"cell_line": "yeast", "chrom": "chrIII", "start": 0, "end": 100000}
    jobs = planned(tmp_path, _paths(tmp_path, {"structure": {"simulation": {"region": region}}}), "structure")
    assert jobs["prepare_reference"] == 1  # the region's map is read through the reference's names


@pytest.mark.slow
def test_snakemake_structure_simulates_restrained_ensembles_reproducibly(tmp_path):
    region = {"cell_line": "yeast", "chrom": "chrIII", "start": 100000, "end": 200000}
    # no region sampled: the simulations alone (the generator has its own test below)
    extra = _paths(tmp_path, {"structure": {"simulation": {"region": region, **TINY}, "sample": {"regions": []}}})
    result = snakemake(tmp_path, extra, "structure")
    assert result.returncode == 0, result.stderr[-5000:]
    out = tmp_path / "results" / "structure" / "simulated"
    metrics = pd.read_csv(out / "metrics.tsv", sep="\t")
    assert len(metrics) == 2 and np.isfinite(metrics["scc"]).all()
    assert (metrics["replicated_fraction"].tolist()) == [0.0, 0.5]  # G 1.0, then 1.5
    for index in (0, 1):
        for figure in ("contact_decay", "maps", "projection"):
            assert (out / "figures" / f"ensemble_{index}_{figure}.png").exists()
            assert (out / "figures" / f"ensemble_{index}_{figure}.tsv").exists()
        assert (tmp_path / "logs" / "structure" / "simulate" / f"{index}.log").exists()
        assert (tmp_path / "results" / "benchmarks" / "structure" / f"simulate_{index}.tsv").exists()
    first = (out / "ensemble_0.h5").read_bytes()
    again = snakemake(tmp_path, extra, "structure", "--forcerun", "simulate_structures")
    assert again.returncode == 0, again.stderr[-3000:]
    assert (out / "ensemble_0.h5").read_bytes() == first
    report = snakemake(tmp_path, extra, "structure", "--report", str(tmp_path / "report.html"))
    assert report.returncode == 0, report.stderr[-3000:]


# tiny generator: a few epochs on the 2 x 5 simulated structures; 4 Euler steps
TINY_GENERATOR = {"vae": {"hidden": 16, "blocks": 1, "epochs": 2, "batch_size": 5},
                  "generator": {"preset": "tiny", "epochs": 2, "batch_size": 5, "steps": 4},
                  "sample": {"regions": [{"chrom": "chrIII", "start": 100000, "end": 200000}],
                             "structures": 6}}


@pytest.mark.slow
def test_snakemake_structure_trains_and_samples_an_ensemble_for_the_experimental_map(tmp_path):
    import cooler

    from hicmodels.structure.ensemble import map_scc
    from hicmodels.structure.io import read_ensemble

    region = {"cell_line": "yeast", "chrom": "chrIII", "start": 100000, "end": 200000}
    # 3 ensembles: 2 to train on, the last held out for the generated-vs-simulated figure (paper Fig. 4)
    generator = {**TINY_GENERATOR, "generator": {**TINY_GENERATOR["generator"], "test_ensembles": 1}}
    extra = _paths(tmp_path, {"structure": {"simulation": {"region": region, **TINY, "ensembles": 3}, **generator}})
    result = snakemake(tmp_path, extra, "structure")
    assert result.returncode == 0, result.stderr[-5000:]
    out = tmp_path / "results" / "structure" / "ensembles" / "yeast" / "experimental"
    ensemble = read_ensemble(out / "chrIII_100000-200000.h5")
    # 6 structures of the region's 10 bins of 10 kb, 2 kept beads each
    assert ensemble["coordinates"].shape == (6, 20, 3) and ensemble["daughter"].shape == (6, 20, 3)
    assert ensemble["contacts"].shape == (10, 10) and ensemble["input_contacts"].shape == (10, 10)
    assert ensemble["bins"]["start"].tolist() == list(range(100000, 200000, 10000))
    assert not ensemble["circular"] and ensemble["units"] == "nm"
    clr = cooler.Cooler(str(out / "chrIII_100000-200000.cool"))
    np.testing.assert_allclose(clr.matrix(balance=False).fetch("chrIII:100000-200000"), ensemble["contacts"])
    assert (out / "chrIII_100000-200000.cif").read_text().count("HETATM") >= 3 * 20  # 3 models of 20 beads
    metrics = pd.read_csv(out / "chrIII_100000-200000.metrics.tsv", sep="\t")
    assert len(metrics) == 1 and np.isfinite(metrics["scc"]).all() and metrics["structures"].tolist() == [6]
    for figure in ("contact_decay", "maps", "projection"):
        assert (out / "figures" / f"chrIII_100000-200000_{figure}.png").exists()
    for log in ("train.log", "sample/yeast/experimental/chrIII_100000-200000.log"):
        assert (tmp_path / "logs" / "structure" / log).exists()
    assert (tmp_path / "results" / "benchmarks" / "structure" / "train.tsv").exists()
    assert "VAE: 10 structures of 2 ensembles" in (tmp_path / "logs" / "structure" / "train.log").read_text()
    fig4 = pd.read_csv(tmp_path / "results" / "structure" / "paper" / "fig4_generated_vs_simulated.tsv", sep="\t")
    assert set(fig4["ensemble"]) == {"results/structure/simulated/ensemble_2.h5"}
    scc = fig4[(fig4["metric"] == "scc")].set_index("source")["value"]
    held_out = read_ensemble(tmp_path / "results" / "structure" / "simulated" / "ensemble_2.h5")["contacts"]
    # the simulated map with itself (hicrep's SCC: below 1 where a stratum is constant)
    assert scc["simulated"] == pytest.approx(map_scc(held_out, held_out, 1, 10), abs=1e-6)
    assert np.isfinite(scc["generated"])
    model = (tmp_path / "results" / "structure" / "model.pt").read_bytes()
    first = ensemble["coordinates"]
    again = snakemake(tmp_path, extra, "structure", "--forcerun", "train_structure_model")
    assert again.returncode == 0, again.stderr[-3000:]
    assert (tmp_path / "results" / "structure" / "model.pt").read_bytes() == model
    assert read_ensemble(out / "chrIII_100000-200000.h5")["coordinates"].tobytes() == first.tobytes()


def test_structure_on_the_default_yeast_predictions_plans_the_ensemble_and_its_figures(tmp_path):
    """README "On the default predictions": `structure.sample.maps: [yeast_reference]` on the default region
    (chrIV:400000-800000, 40 bins of 10 kb like the default 40 training bins) trains the yeast model, predicts
    the reference, assembles its .mcool and samples the ensemble's HDF5, .cool, mmCIF, metrics and figures."""
    extra = _paths(tmp_path, {"structure": {"sample": {"maps": ["yeast_reference"]}}})
    jobs = planned(tmp_path, extra, "structure")
    assert jobs["train_model"] == 1 and jobs["predict_genomes"] == 1 and jobs["assemble_cool"] == 1
    assert jobs["zoomify"] == 1 and jobs["sample_structure"] == 1 and jobs["figure_sampled_structure"] == 1
    out = "results/structure/ensembles/yeast/yeast_reference"
    files = [f"{out}/chrIV_400000-800000.{ext}" for ext in ("h5", "cool", "cif", "metrics.tsv")]
    files += [f"{out}/figures/chrIV_400000-800000_{figure}.png" for figure in ("contact_decay", "maps", "projection")]
    # the files themselves as targets: each is one rule's output (a typo in a path has no rule and fails)
    jobs = planned(tmp_path, extra, *files)
    assert jobs["sample_structure"] == 1 and jobs["figure_sampled_structure"] == 1 and jobs["zoomify"] == 1
