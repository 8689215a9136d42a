"""Cohort mode: samples and cell lines are added in config only; the SLURM job count follows a formula.

Dry runs with ``--profile profiles/slurm`` (no SLURM needed), counted the way
``.ci/slurm/run_workflow.sh`` counts them: one SLURM job per top-level rule job
and per group job, ``rule all`` runs in the Snakemake process.
"""

import os
import re
import subprocess
import sys

import pytest
import yaml

from conftest import REPO

GPU_RULES = ("train_model", "train_diffusion", "predict_genomes", "variant_effects")
LOCAL_RULES = ("all", "link_predictions")  # run in the Snakemake process, no SLURM job


def dry_run(workdir, n_samples, n_cell_lines, diffusion=False, n_models=1):
    demo = REPO / "resources" / "demo" / "demo.vcf.gz"
    rows = [f"s{i}\t{demo}\tdemo_{'het' if i % 2 else 'hom'}" for i in range(n_samples)]
    (workdir / "samples.tsv").write_text("sample\tvcf\tvcf_sample\n" + "\n".join(rows) + "\n")
    cool = str(REPO / "resources" / "yeast" / "yeast.10kb.cool")
    cohort = {
        "samples": str(workdir / "samples.tsv"),
        "reference": {"fasta": str(REPO / "resources/yeast/sacCer3.fa.gz"),
                      "chrom_aliases": str(REPO / "resources/yeast/chrom_aliases.tsv")},
        "hic": {"cell_lines": {f"line{i}": {"cool": cool} for i in range(n_cell_lines)}},
    }
    (workdir / "cohort.yaml").write_text(yaml.safe_dump(cohort))
    # config files are merged key by key: without this, the default cell line would stay
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["hic"]["cell_lines"] = {}
    config["models"]["yeast"]["diffusion"] = diffusion
    for seed in range(1, n_models):  # more entries of the model zoo: the same preset, other seeds
        config["models"][f"seed{seed}"] = {"preset": "yeast", "windows": "yeast", "training": {"seed": seed}}
    (workdir / "base.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DNA2HIC_SLURM_PARTITION", None)
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
         "--profile", str(REPO / "profiles" / "slurm"),
         "--configfile", str(workdir / "base.yaml"), str(workdir / "cohort.yaml")],
        capture_output=True, text=True, env=env, cwd=workdir)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def slurm_jobs(log):
    """(SLURM jobs, GPU jobs) of a dry run's log."""
    rules = re.findall(r"^rule ([A-Za-z0-9_]+):$", log, flags=re.M)
    groups = re.findall(r"^\[.*\] Group job ", log, flags=re.M)
    return len(rules) - sum(rules.count(r) for r in LOCAL_RULES) + len(groups), sum(rule in GPU_RULES for rule in rules)


@pytest.mark.parametrize("n_samples, n_cell_lines, n_models", [(1, 1, 1), (3, 1, 1), (2, 2, 1), (2, 1, 2)])
def test_slurm_jobs_of_a_cohort(tmp_path, n_samples, n_cell_lines, n_models):
    log = dry_run(tmp_path, n_samples, n_cell_lines, n_models=n_models)
    jobs, gpu_jobs = slurm_jobs(log)
    # shared: the reference group, per sample its haplotype group and summary figure;
    # per cell line: the metrics group (every model side by side); per cell line and model:
    # training, reference prediction, test-window figure, the reference maps group, variant
    # effects (every sample in one job), and per sample 2 predictions, 2 maps groups and 1 SV figure
    assert jobs == 1 + 2 * n_samples + n_cell_lines * (1 + n_models * (5 + 5 * n_samples))
    assert gpu_jobs == n_cell_lines * n_models * (3 + 2 * n_samples)
    trained = re.findall(r"^    output: (results/cell_lines/\S+/model\.pt)", log, flags=re.M)
    assert sorted(trained) == sorted(f"results/cell_lines/line{c}/models/{m}/model.pt" for c in range(n_cell_lines)
                                     for m in ["yeast", *(f"seed{s}" for s in range(1, n_models))])


def test_diffusion_stage_adds_one_gpu_job_per_cell_line(tmp_path):
    log = dry_run(tmp_path, 1, 2, diffusion=True)
    jobs, gpu_jobs = slurm_jobs(log)
    assert (jobs, gpu_jobs) == (1 + 2 + 2 * (1 + 5 + 5) + 2, 2 * (3 + 2) + 2)
    requests = re.findall(r"^rule train_diffusion:\n(?:    .*\n)*?    resources: (.*)$", log, flags=re.M)
    assert len(requests) == 2 and all("gpu=1" in r.split(", ") for r in requests)


def test_cell_line_names_are_checked(tmp_path):
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["hic"]["cell_lines"] = {"bad name": {"cool": "resources/yeast/yeast.10kb.cool"}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--snakefile", str(REPO / "Snakefile"),
         "--configfile", str(tmp_path / "config.yaml"), "--cores", "1"],
        capture_output=True, text=True, cwd=REPO)
    assert result.returncode != 0
    assert "bad name" in result.stdout + result.stderr
