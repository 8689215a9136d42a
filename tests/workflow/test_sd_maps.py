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
