"""Dry runs: a MIX-HIC entry beside the default sequence model plans its own rules, per cell line and genome."""

import re
import subprocess
import sys

import yaml

from conftest import REPO

MIXHIC_RULES = ("loop_labels", "pretrain_mixhic", "finetune_mixhic_map", "finetune_mixhic_head",
                "predict_mixhic_maps", "predict_mixhic_loops", "predict_mixhic_cage", "mixhic_test_metrics")


def planned_jobs(workdir, extra, *targets):
    """Rule -> job count of a dry run of the bundled config plus ``extra`` (of ``targets``; none: all)."""
    (workdir / "extra.yaml").write_text(yaml.safe_dump(extra))
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", *targets, "--snakefile", str(REPO / "Snakefile"), "--directory",
         str(REPO), "--configfile", str(REPO / "config" / "config.yaml"), str(workdir / "extra.yaml")],
        capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", result.stdout, flags=re.M)}


def test_a_mixhic_entry_beside_the_default_model(tmp_path):
    track = str(REPO / "resources" / "yeast" / "yeast.10kb.cool")  # any file: a dry run reads no track
    tracks = {"ctcf": track, "atac": track}
    extra = {"hic": {"cell_lines": {"yeast": {"cool": track, "tracks": tracks}}},
             "models": {"mix": {"preset": "mixhic_small", "windows": "mixhic", "inputs": ["tracks"]}}}
    jobs = planned_jobs(tmp_path, extra)
    # one cell line, no CAGE track; the reference and the 4 haplotypes of the 2 demo samples
    assert [jobs.get(rule, 0) for rule in MIXHIC_RULES] == [1, 1, 1, 1, 5, 5, 0, 1]
    # the sequence model keeps its rules; both entries' maps are assembled; one metrics table holds both
    assert (jobs["train_model"], jobs["predict_genomes"], jobs["link_predictions"]) == (1, 5, 5)
    assert (jobs["assemble_cool"], jobs["zoomify"], jobs["metrics"]) == (10, 10, 1)
    # the stage's inputs come from the epigenome stage, once per cell line and genome
    assert (jobs["track_store_reference"], jobs["track_store_haplotype"], jobs["hic_targets"]) == (1, 4, 1)
    extra["hic"]["cell_lines"]["yeast"]["tracks"] = {**tracks, "cage": track}
    jobs = planned_jobs(tmp_path, extra)
    assert (jobs["finetune_mixhic_head"], jobs["predict_mixhic_cage"]) == (2, 5)


def test_paper_of_a_mixhic_entry_brings_its_tables_2_to_4(tmp_path):
    track = str(REPO / "resources" / "yeast" / "yeast.10kb.cool")
    extra = {"hic": {"cell_lines": {"yeast": {"cool": track, "tracks": {"ctcf": track, "atac": track}}}},
             "models": {"mix": {"preset": "mixhic_small", "windows": "mixhic", "inputs": ["tracks"]}}}
    jobs = planned_jobs(tmp_path, extra, "paper")
    assert (jobs["paper_mixhic_tables"], jobs["mixhic_test_metrics"]) == (1, 1)
    assert jobs["paper_metrics_per_chromosome"] == 1 and "paper_akita_table" not in jobs
