"""Dry runs of `snakemake paper`: the bundled config's figures, and the tables and figures that come with model
entries or stages (Lu et al.'s Table 1 for an Akita entry, the 3D-ensemble paper's Fig. 4 for held-out ensembles)."""

import re
import subprocess
import sys

import yaml

from conftest import REPO

FIGURE_RULES = {"paper_example_windows": 1, "paper_insulation": 1, "paper_loops": 1, "paper_contact_decay": 1,
                "paper_metrics_per_chromosome": 1, "paper_structural_variants": 2, "paper": 1}


def dry_run(workdir, extra):
    """Rule -> job count and the log of a dry run of `paper` with the bundled config plus ``extra``."""
    (workdir / "extra.yaml").write_text(yaml.safe_dump(extra))
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "paper", "-n", "-p", "--snakefile", str(REPO / "Snakefile"),
         "--directory", str(REPO), "--configfile", str(REPO / "config" / "config.yaml"), str(workdir / "extra.yaml")],
        capture_output=True, text=True, cwd=REPO)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    jobs = {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", log[log.index("Job stats"):], flags=re.M)}
    return jobs, log


def test_paper_on_the_default_config_plans_the_figures_only(tmp_path):
    jobs, log = dry_run(tmp_path, {})
    assert {rule: jobs.get(rule) for rule in FIGURE_RULES} == FIGURE_RULES
    # no Akita or MIX-HIC entry, no held-out structure ensembles: none of their tables or figures
    assert not {"paper_akita_table", "paper_mixhic_tables", "figure_structure_generated_vs_simulated"} & set(jobs)


def test_an_akita_entry_brings_table1_with_the_coverage_of_its_interval_bounds(tmp_path):
    akita = {"models": {"vae": {"preset": "akita_synthetic", "windows": "synthetic"}},
             "prediction": {"samples": 4},
             "assemble": {"bin_size": 10000, "resolutions": [10000, 20000], "interval_level": 0.9}}
    jobs, log = dry_run(tmp_path, akita)
    assert jobs["paper_akita_table"] == 1 and jobs["assemble_bounds"] == 1  # the reference's bounds only
    command = next(line for line in log.splitlines() if "evaluation table-akita" in line)
    assert "--model vae --bounds vae results/cell_lines/yeast/models/vae/maps/reference.lower.cool" in command
    assert "--model yeast" not in command and "--cool resources/yeast/yeast.10kb.cool" in command
    assert "results/cell_lines/yeast/paper/table1_akita.md" in command
    # one draw: no posterior predictive, no bounds, the table without its coverage row
    jobs, log = dry_run(tmp_path, {**akita, "prediction": {"samples": 1}})
    command = next(line for line in log.splitlines() if "evaluation table-akita" in line)
    assert jobs["paper_akita_table"] == 1 and "assemble_bounds" not in jobs and "--bounds" not in command


def test_held_out_structure_ensembles_bring_the_generated_vs_simulated_figure(tmp_path):
    jobs, log = dry_run(tmp_path, {"structure": {"generator": {"test_ensembles": 1}, "simulation": {"ensembles": 3}}})
    assert jobs["figure_structure_generated_vs_simulated"] == 1 and jobs["simulate_structures"] == 3
    assert "results/structure/paper/fig4_generated_vs_simulated.tsv" in log
