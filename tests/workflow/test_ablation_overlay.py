"""The yeast ablation's config overlay (benchmarks/ablation_yeast_folds.yaml) still validates and plans what
docs/results.md says ran: every entry trained, predicting and scored in each of the three test folds."""

import re
import subprocess
import sys

from conftest import REPO

FOLDS = (14, 12, 1)
ENTRIES = ["yeast", "yeast_norc", "yeast_s1", "yeast_norc_s1", "yeast_narrow", "yeast_narrow_s1", "yeast_w400", "akita_yeast_oe",
           "akita_yeast_log", "yeast_diff", "yeast_s1_diff"]


def test_the_ablation_overlay_plans_every_entry_in_three_folds():
    targets = [f"results/folds/fold{fold}/cell_lines/yeast/metrics/test_metrics.tsv" for fold in FOLDS]
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "-p", "--snakefile", str(REPO / "Snakefile"), "--directory",
         str(REPO), "--configfile", str(REPO / "config" / "config.yaml"),
         str(REPO / "benchmarks" / "ablation_yeast_folds.yaml"), "--", *targets],
        capture_output=True, text=True, cwd=REPO)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", log[log.index("Job stats"):], flags=re.M))
    assert int(jobs["train_model_fold"]) == len(ENTRIES) * len(FOLDS)
    assert int(jobs["train_diffusion_fold"]) == 2 * len(FOLDS) and int(jobs["metrics_fold"]) == len(FOLDS)
    metrics = [line for line in log.splitlines() if "hicmodels evaluation metrics" in line]
    assert len(metrics) == len(FOLDS)
    for fold, command in zip(sorted(FOLDS), sorted(metrics, key=lambda c: int(re.search(r"folds/fold(\d+)/", c)[1]))):
        assert sorted(re.findall(r"--model (\w+) ", command)) == sorted(ENTRIES)
        # the 400 kb entry is scored on its own windows, the others on the default 200 kb ones
        assert f"yeast_w400/model.pt results/folds/fold{fold}/windows/yeast_w400/reference.tsv" in command
        assert f"yeast_narrow/model.pt results/folds/fold{fold}/windows/yeast/reference.tsv" in command
    # the diffusion entries predict with their diffusion stage, the others with the encoder-decoder
    predictors = re.findall(r"predict --checkpoint results/folds/fold\d+/cell_lines/yeast/models/(\w+)/(\w+)\.pt", log)
    assert sorted(set(predictors)) == sorted({(e, "diffusion" if e.endswith("_diff") else "model") for e in ENTRIES})
