"""Prediction jobs on a simulated yeast cohort: CPU and wall time per grouping, byte identity, float16 error.

``setup`` simulates the cohort (``hicmodels simulation simulate-sample``: SNVs, indels and SVs on the
given chromosomes, the truth VCF as the sample's input) and writes its sample sheet and config;
``run`` removes the predictions and predicts every genome with ``snakemake`` (any checkout's
Snakefile: the code before and after a change, back to back), keeping the predictions, the
``benchmark:`` files and the wall time and load of the run under ``DIR/runs/NAME``; ``summary``
prints, per run, jobs, the sum of the predict jobs' wall (``s``) and CPU (``cpu_time``) seconds and
the run's wall time, and how many of its per-genome files are byte-identical to the first run's;
``float16`` compares two runs' stored maps (max absolute and relative error) and metrics tables
(runs made with ``--metrics``).

    PYTHONPATH=src python benchmarks/prediction_jobs.py setup --dir /tmp/cohort --samples 20 \\
        --chromosomes chrI chrIII chrVI chrIX
    PYTHONPATH=src python benchmarks/prediction_jobs.py run --dir /tmp/cohort --name before --snakefile OLD/Snakefile
    PYTHONPATH=src python benchmarks/prediction_jobs.py run --dir /tmp/cohort --name after41 --snakefile Snakefile \\
        --set genomes_per_job=41
    PYTHONPATH=src python benchmarks/prediction_jobs.py summary --dir /tmp/cohort before after41
    PYTHONPATH=src python benchmarks/prediction_jobs.py float16 --dir /tmp/cohort float32 float16
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pysam
import yaml

ROOT = Path(__file__).resolve().parents[1]
MODEL = "results/cell_lines/yeast/models/yeast"
METRICS = "results/cell_lines/yeast/metrics/test_metrics.tsv"


def setup(args):
    out = Path(args.dir)
    (out / "samples").mkdir(parents=True, exist_ok=True)
    fasta = out / "sacCer3.fa"  # simulate-sample reads an indexed plain FASTA
    with pysam.FastxFile(str(ROOT / "resources/yeast/sacCer3.fa.gz")) as records, open(fasta, "w") as plain:
        for record in records:
            plain.write(f">{record.name}\n{record.sequence}\n")
    pysam.faidx(str(fasta))
    rows = []
    for i in range(1, args.samples + 1):
        subprocess.run([sys.executable, "-m", "hicmodels", "simulation", "simulate-sample", "--fasta", str(fasta),
                        "--out-dir", str(out / "samples"), "--name", f"s{i}", "--depth", "0.1", "--snvs", "100",
                        "--indels", "20", "--chromosomes", *args.chromosomes, "--seed", str(i)], check=True)
        rows.append({"sample": f"s{i}", "vcf": f"samples/s{i}.truth.vcf.gz", "vcf_sample": f"s{i}"})
    pd.DataFrame(rows).to_csv(out / "samples.tsv", sep="\t", index=False)
    config = {"samples": "samples.tsv",
              "reference": {"fasta": str(ROOT / "resources/yeast/sacCer3.fa.gz"), "assembly": "sacCer3",
                            "chrom_aliases": str(ROOT / "resources/yeast/chrom_aliases.tsv"),
                            "chromosomes": args.chromosomes},
              "hic": {"cell_lines": {"yeast": {"cool": str(ROOT / "resources/yeast/yeast.10kb.cool")}},
                      "test_chromosomes": args.chromosomes[-1:], "validation_chromosomes": args.chromosomes[-2:-1]},
              "training": {"epochs": 1}, "assemble": {"bin_size": 10000, "resolutions": [10000, 20000]}}
    (out / "config.yaml").write_text(yaml.safe_dump(config))


def genomes(directory):
    sheet = pd.read_csv(Path(directory) / "samples.tsv", sep="\t")
    return ["reference", *(f"{s}.hap{h}" for s in sheet["sample"] for h in (1, 2))]


def run(args):
    out = Path(args.dir)
    for stale in (f"{MODEL}/predictions", "results/benchmarks/predict", "results/benchmarks/link_predictions"):
        shutil.rmtree(out / stale, ignore_errors=True)
    snakefile = Path(args.snakefile).resolve()
    extra = out / f"{args.name}.yaml"
    extra.write_text(yaml.safe_dump({"prediction": {k: int(v) if v.isdigit() else v
                                                    for k, v in (s.split("=") for s in args.set)}}))
    targets = [f"{MODEL}/predictions/{g}.h5" for g in genomes(out)[:args.genomes]]
    if args.metrics:  # the test chromosome's metrics of the reference's assembled map
        shutil.rmtree(out / "results/cell_lines/yeast/metrics", ignore_errors=True)
        shutil.rmtree(out / MODEL / "maps", ignore_errors=True)
        targets.append(METRICS)
    load, start = os.getloadavg(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "snakemake", *targets, "--snakefile", str(snakefile), "--directory", str(out),
                    "--cores", str(args.cores), "--rerun-triggers", "mtime", "--configfile",
                    str(snakefile.parent / "config/config.yaml"), str(out / "config.yaml"), str(extra)],
                   check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    wall = time.perf_counter() - start
    keep = out / "runs" / args.name
    shutil.rmtree(keep, ignore_errors=True)
    shutil.copytree(out / "results/benchmarks/predict", keep / "bench")
    for path in (out / MODEL / "predictions").glob("*.h5"):
        shutil.copy(path, keep / path.name)
    if args.metrics:
        shutil.copy(out / METRICS, keep / "test_metrics.tsv")
    (keep / "run.json").write_text(json.dumps({"wall_s": wall, "load_start": load, "load_end": os.getloadavg()}))


def summary(args):
    runs = Path(args.dir) / "runs"
    names = [path.stem for path in (runs / args.runs[0]).glob("*.h5")]
    first = {g: hashlib.sha256((runs / args.runs[0] / f"{g}.h5").read_bytes()).hexdigest() for g in names}
    for name in args.runs:
        tables = [pd.read_csv(path, sep="\t") for path in sorted((runs / name / "bench").rglob("*.tsv"))]
        jobs = pd.concat(tables)
        common = [g for g in names if (runs / name / f"{g}.h5").exists()]
        same = sum(hashlib.sha256((runs / name / f"{g}.h5").read_bytes()).hexdigest() == first[g] for g in common)
        row = {"run": name, "predict_jobs": len(tables), "sum_s": round(jobs["s"].sum(), 1),
               "sum_cpu_time": round(jobs["cpu_time"].sum(), 1),
               f"files_identical_to_{args.runs[0]}": f"{same} of {len(common)}"}
        info = runs / name / "run.json"
        if info.exists():
            row.update(json.loads(info.read_text()))
        print(json.dumps(row))


def float16(args):
    runs = Path(args.dir) / "runs"
    full, half = (runs / name for name in args.runs)
    worst_abs = worst_rel = 0.0
    for path in sorted(full.glob("*.h5")):
        with h5py.File(path) as a, h5py.File(half / path.name) as b:
            x, y = a["maps"][:].astype(np.float64), b["maps"][:].astype(np.float64)
        finite = np.isfinite(x)
        worst_abs = max(worst_abs, float(np.abs(x - y)[finite].max(initial=0)))
        worst_rel = max(worst_rel, float((np.abs(x - y) / np.maximum(np.abs(x), 1e-30))[finite & (x != 0)].max()))
        print(json.dumps({"file": path.name, "bytes_float32": path.stat().st_size,
                          "bytes_float16": (half / path.name).stat().st_size, "max_value": float(np.nanmax(x))}))
    print(json.dumps({"max_abs_error": worst_abs, "max_rel_error": worst_rel}))
    a, b = (pd.read_csv(d / "test_metrics.tsv", sep="\t") for d in (full, half))
    numeric = a.select_dtypes("number").columns
    print(json.dumps({"metrics_max_abs_difference": float((a[numeric] - b[numeric]).abs().max().max())}))
    print(pd.concat({args.runs[0]: a, args.runs[1]: b}).to_string())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True)
    p = commands.add_parser("setup")
    p.add_argument("--dir", required=True)
    p.add_argument("--samples", type=int, default=20)
    p.add_argument("--chromosomes", nargs="+", default=["chrI", "chrIII", "chrVI", "chrIX"],
                   help="modelled chromosomes; the last is the test chromosome, the one before it validation")
    p.set_defaults(call=setup)
    p = commands.add_parser("run")
    p.add_argument("--dir", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--snakefile", required=True, help="the checkout to measure (its config/config.yaml is the base)")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="prediction settings")
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--genomes", type=int, help="predict only the first N genomes (default: all)")
    p.add_argument("--metrics", action="store_true", help="also assemble the reference and score it (metrics rule)")
    p.set_defaults(call=run)
    for name, call in (("summary", summary), ("float16", float16)):
        p = commands.add_parser(name)
        p.add_argument("--dir", required=True)
        p.add_argument("runs", nargs="+")
        p.set_defaults(call=call)
    args = parser.parse_args()
    args.call(args)


if __name__ == "__main__":
    main()
