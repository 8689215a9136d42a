"""All folds (`snakemake folds`): dry runs count the jobs of every leave-one-chromosome-out fold."""

import os
import re
import subprocess
import sys

import yaml

from conftest import REPO

CHROMOSOMES = ["chrIII", "chrIV", "chrVII", "chrXIII", "chrXV"]


def dry_run(workdir, *targets, diffusion=False):
    """Job counts per rule and the shell commands of a dry run on the bundled data with 5 chromosomes."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["reference"]["chromosomes"] = CHROMOSOMES
    config["models"] = {"yeast": {"preset": "yeast", "windows": "yeast", "diffusion": diffusion},
                        "seed1": {"preset": "yeast", "windows": "yeast", "training": {"seed": 1}}}
    demo = REPO / "resources" / "demo" / "demo.vcf.gz"
    (workdir / "samples.tsv").write_text(f"sample\tvcf\tvcf_sample\nhet\t{demo}\tdemo_het\n")
    config["samples"] = str(workdir / "samples.tsv")
    config["reference"]["fasta"] = str(REPO / config["reference"]["fasta"])
    config["reference"]["chrom_aliases"] = str(REPO / config["reference"]["chrom_aliases"])
    for line in config["hic"]["cell_lines"].values():
        line["cool"] = str(REPO / line["cool"])
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", *targets, "-n", "-p", "--snakefile", str(REPO / "Snakefile"),
         "--directory", str(workdir), "--configfile", str(workdir / "config.yaml")],
        capture_output=True, text=True, env=env, cwd=workdir)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    log = result.stdout + result.stderr
    counts = dict(re.findall(r"^([a-z_]+)\s+(\d+)$", log.split("Job stats:")[1].split("Reasons")[0], re.M))
    return {rule: int(n) for rule, n in counts.items() if rule != "total"}, log


def test_folds_train_and_score_every_model_in_every_fold(tmp_path):
    counts, log = dry_run(tmp_path, "folds")
    folds, models = len(CHROMOSOMES), 2
    assert counts == {"prepare_reference": 1, "windows_fold": folds, "train_model_fold": folds * models,
                      "predict_fold": folds * models, "assemble_fold": folds * models, "metrics_fold": folds,
                      "fold_metrics": 1, "folds": 1}
    # each fold's windows: test chromosome i, validation i + 1, the last fold validated on the one before
    splits = re.findall(r'"test": \["(\w+)"\], "validation": \["(\w+)"\]\}\' --out results/folds/fold(\d)/', log)
    assert sorted((int(f), t, v) for t, v, f in splits) == [
        (0, "chrIII", "chrIV"), (1, "chrIV", "chrVII"), (2, "chrVII", "chrXIII"), (3, "chrXIII", "chrXV"),
        (4, "chrXV", "chrXIII")]
    assert "--fold 4 chrXIII results/folds/fold4/cell_lines/yeast/metrics/test_metrics.tsv" in log
    assert "--windows results/folds/fold2/windows/yeast/reference.tsv" in log


def test_folds_train_the_diffusion_stage_where_an_entry_has_it(tmp_path):
    counts, log = dry_run(tmp_path, "folds", diffusion=True)
    assert counts["train_diffusion_fold"] == len(CHROMOSOMES)  # the yeast entry's, not seed1's
    assert "--checkpoint results/folds/fold0/cell_lines/yeast/models/yeast/diffusion.pt" in log


def test_folds_and_paper_are_not_part_of_the_default_run(tmp_path):
    counts, _ = dry_run(tmp_path)
    assert not [rule for rule in counts if rule.endswith("_fold") or rule.startswith("paper") or rule == "folds"]
    assert counts["train_model"] == 2
