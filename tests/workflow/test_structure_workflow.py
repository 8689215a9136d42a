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
    assert jobs["structure_metrics"] == 1 and "prepare_reference" not in jobs
    region = {"cell_line": "yeast", "chrom": "chrIII", "start": 0, "end": 100000}
    jobs = planned(tmp_path, _paths(tmp_path, {"structure": {"simulation": {"region": region}}}), "structure")
    assert jobs["prepare_reference"] == 1  # the region's map is read through the reference's names


@pytest.mark.slow
def test_snakemake_structure_simulates_restrained_ensembles_reproducibly(tmp_path):
    region = {"cell_line": "yeast", "chrom": "chrIII", "start": 100000, "end": 200000}
    extra = _paths(tmp_path, {"structure": {"simulation": {"region": region, **TINY}}})
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
