"""Dry runs: sd maps are made for models with posterior-predictive draws only, and the default run is unchanged."""

import re
import subprocess
import sys

import pytest
import yaml

from conftest import REPO


def planned_jobs(workdir, extra):
    """Rule -> job count of a dry run of the bundled config plus ``extra``."""
    (workdir / "extra.yaml").write_text(yaml.safe_dump(extra))
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--snakefile", str(REPO / "Snakefile"), "--directory", str(REPO),
         "--configfile", str(REPO / "config" / "config.yaml"), str(workdir / "extra.yaml")],
        capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", result.stdout, flags=re.M)}


@pytest.mark.parametrize("samples, vae_sd_maps", [(1, 0), (4, 5)])
def test_sd_maps_for_the_variational_model_when_sampled(tmp_path, samples, vae_sd_maps):
    """The reference and 4 demo haplotypes: one sd map each for the VAE entry, none for the yeast model."""
    jobs = planned_jobs(tmp_path, {"models": {"vae": {"preset": "akita_synthetic", "windows": "synthetic"}},
                                   "prediction": {"samples": samples}})
    assert jobs.get("assemble_sd", 0) == vae_sd_maps and jobs.get("zoomify_sd", 0) == vae_sd_maps
    assert jobs["assemble_cool"] == 10  # two models, five genomes


@pytest.mark.parametrize("samples, level, bound_maps", [(4, None, 0), (1, 0.9, 0), (4, 0.9, 5)])
def test_interval_bounds_only_on_request_for_sampled_models(tmp_path, samples, level, bound_maps):
    """assemble.interval_level set and samples > 1: a lower and an upper map per genome of the VAE entry."""
    jobs = planned_jobs(tmp_path, {"models": {"vae": {"preset": "akita_synthetic", "windows": "synthetic"}},
                                   "prediction": {"samples": samples},
                                   "assemble": {"bin_size": 10000, "resolutions": [10000, 20000, 40000, 80000, 160000],
                                                "interval_level": level}})
    assert jobs.get("assemble_bounds", 0) == bound_maps and jobs.get("zoomify_bound", 0) == 2 * bound_maps


def test_a_joint_akita_entry_trains_once_for_every_cell_line(tmp_path):
    """joint: one training on both cell lines' maps, a select_target per cell line; the yeast entry as before."""
    preset = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["model_presets"]["akita_synthetic"]
    jobs = planned_jobs(tmp_path, {
        "hic": {"cell_lines": {"yeast": {"cool": "resources/yeast/yeast.10kb.cool"},
                               "yeast_b": {"cool": "resources/yeast/yeast.10kb.cool"}},
                "test_chromosomes": ["chrXIII"], "validation_chromosomes": ["chrXV"]},
        "model_presets": {"akita_two": {**preset, "targets": 2}},
        "models": {"both": {"preset": "akita_two", "windows": "synthetic", "joint": True}}})
    assert jobs["train_joint_model"] == 1 and jobs["select_target"] == 2
    assert jobs["train_model"] == 2  # the yeast entry, per cell line
    assert jobs["predict_genomes"] == 20 and jobs["assemble_cool"] == 20  # 2 models x 2 cell lines x 5 genomes
