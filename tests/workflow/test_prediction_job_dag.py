"""Prediction jobs in the workflow: prediction.genomes_per_job genomes per job, each genome's file at its path."""

import re
import subprocess
import sys

import pytest
import yaml

from conftest import REPO

MODEL = "results/cell_lines/yeast/models/yeast"


def dry_run(workdir, extra, *targets):
    (workdir / "extra.yaml").write_text(yaml.safe_dump(extra))
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", *targets, "--snakefile", str(REPO / "Snakefile"), "--directory", str(REPO),
         "--configfile", str(REPO / "config" / "config.yaml"), str(workdir / "extra.yaml")],
        capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def jobs_of(log, rule):
    """(input, output, shell command) of each job of ``rule`` in a dry run's log."""
    blocks = re.findall(rf"^rule {rule}:\n((?:    .*\n)+)(Shell command: .*)?", log, flags=re.M)
    return [(re.search(r"^    input: (.*)$", b, re.M).group(1), re.search(r"^    output: (.*)$", b, re.M).group(1),
             command) for b, command in blocks]


@pytest.mark.parametrize("per_job, groups", [
    (1, [["reference"], ["demo_het.hap1"], ["demo_het.hap2"], ["demo_hom.hap1"], ["demo_hom.hap2"]]),
    (3, [["reference", "demo_het.hap1", "demo_het.hap2"], ["demo_hom.hap1", "demo_hom.hap2"]]),
    (9, [["reference", "demo_het.hap1", "demo_het.hap2", "demo_hom.hap1", "demo_hom.hap2"]]),
])
def test_genomes_per_job_groups_the_reference_then_the_sheets_haplotypes(tmp_path, per_job, groups):
    log = dry_run(tmp_path, {"prediction": {"genomes_per_job": per_job}})
    jobs = {output: (inputs, command) for inputs, output, command in jobs_of(log, "predict_genomes")}
    assert sorted(jobs) == sorted(f"{MODEL}/predictions/jobs/{i}" for i in range(len(groups)))
    for i, group in enumerate(groups):
        inputs, command = jobs[f"{MODEL}/predictions/jobs/{i}"]
        fastas = ["results/reference/genome.fa.gz" if g == "reference" else
                  f"results/personal/{g.replace('.hap', '/hap')}.fa.gz" for g in group]
        chains = ["-" if g == "reference" else f"results/personal/{g.replace('.hap', '/hap')}.chain" for g in group]
        assert f"--fasta {' '.join(fastas)} --windows " in command
        assert f"--windows {' '.join(f'results/windows/yeast/{g}.tsv' for g in group)} " in command
        assert f"--out {' '.join(f'{MODEL}/predictions/jobs/{i}/{g}.h5' for g in group)} " in command
        assert (f"--chain {' '.join(chains)} " in command) == (group != ["reference"])
        assert inputs.split(", ")[:1 + len(group)] == [f"{MODEL}/model.pt", *fastas]
    # each genome's file, where the assemble rules read it, comes from its own group's directory
    links = {output: inputs for inputs, output, _ in jobs_of(log, "link_predictions")}
    assert links == {f"{MODEL}/predictions/{g}.h5": f"{MODEL}/predictions/jobs/{i}"
                     for i, group in enumerate(groups) for g in group}
    assert len(jobs_of(log, "assemble_cool")) == 5


def test_folds_predict_the_reference_in_one_job_of_their_own(tmp_path):
    log = dry_run(tmp_path, {"prediction": {"genomes_per_job": 3}}, "folds")
    folds = jobs_of(log, "predict_fold")
    assert folds and all(re.search(r"--fasta results/reference/genome.fa.gz --windows \S+/reference.tsv --out "
                                   r"results/folds/fold\d+/cell_lines/yeast/models/yeast/predictions/reference.h5",
                                   command) for _, _, command in folds)
