"""benchmarks/models_gpu.py does not rot: its --smoke mode runs every measurement on the CPU; its projections."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from models_gpu import haplotype_windows, projection  # noqa: E402


def test_haplotype_windows_and_projection_by_hand():
    # 3.1 Gb in 2,097,152 bp windows every 500 kb: 1 + ceil(3,097,902,848 / 500,000) = 1 + 6,196
    assert haplotype_windows(3_100_000_000, 2_097_152, 500_000) == 6_197
    assert haplotype_windows(1_000, 4_096, 512) == 1  # shorter than one window: one window
    assert haplotype_windows(4_096 + 512, 4_096, 512) == 2
    # 7,200 windows at 2 windows/s: 1 hour per haplotype, 200 haplotypes per 100 samples
    assert projection(2.0, 7_200) == {"hours_per_haplotype": 1.0, "hours_per_100_samples": 200.0}


def test_smoke_mode_reports_every_measurement():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "models_gpu.py"), "--smoke"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    records = [json.loads(line) for line in run.stdout.splitlines()]
    variants = {r["variant"]: r for r in records if "variant" in r}
    assert set(variants) == {"fp32", "bf16", "bf16_channels_last", "bf16_channels_last_compile"}
    assert variants["fp32"]["max_abs_difference_vs_fp32"] == 0.0
    assert 0 < variants["bf16"]["max_abs_difference_vs_fp32"] < 0.5  # bf16 really ran, and near fp32
    assert [r["batch"] for r in records if "batch" in r] == [1, 2, 4]
    assert [r["diffusion"] for r in records if "diffusion" in r] == ["10:1", "3:0", "1:0"]
    summary = records[-1]
    assert summary["skipped"] == [] and summary["preset"] == "synthetic"
    # 3.1 Gb in the synthetic preset's 4,096 bp windows every 512 bp
    assert summary["haplotype_windows"] == 1 + -(-(3_100_000_000 - 4_096) // 512)
    best = summary["encoder_decoder"]["windows_per_s"]
    assert best == max(r["windows_per_s"] for r in records if "windows_per_s" in r and "diffusion" not in r)
    assert summary["encoder_decoder"]["hours_per_haplotype"] == pytest.approx(
        summary["haplotype_windows"] / best / 3600, rel=1e-3)
    matmul = records[0]["tflops"]
    fp32 = variants["fp32"]
    assert fp32["fraction_of_matmul"] == pytest.approx(
        fp32["windows_per_s"] * summary["gflop_per_window"] / 1e3 / matmul, rel=0.05)
