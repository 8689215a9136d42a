"""The yeast ablation over test folds as markdown (docs/results.md, "Yeast ablation over three test folds").

Reads the fold metrics tables that ``benchmarks/ablation_yeast_folds.yaml`` makes, pools them with
:func:`hicmodels.evaluation.folds.fold_tables` (the ``snakemake folds`` pooling) and prints, per
protocol, each predictor's value on each fold and its mean +- SD over the folds, on how many folds
each model beats distance decay on O/E Pearson, SCC and insulation (each, and all three at once),
and the CPU seconds of each model's trainings from the Snakemake benchmark files.

    PYTHONPATH=src python benchmarks/ablation_yeast_folds.py --results results --folds 12 1 14
"""

import argparse
from pathlib import Path

import pandas as pd
import yaml

from hicmodels.config import leave_one_out
from hicmodels.evaluation.folds import fold_tables

#: The metrics of the ablation table: beyond distance decay (O/E, SCC) and insulation.
METRICS = {"pearson_oe": "O/E Pearson", "scc": "SCC (hicrep)", "pearson_insulation": "insulation Pearson"}


def cell(values):
    """``a, b, c (mean +- sd)`` of one predictor's metric over the folds (no mean from one fold); blank when all NaN."""
    values = pd.Series(values, dtype=float)
    if values.isna().all():
        return ""
    folds = ", ".join("n/a" if pd.isna(v) else f"{v:.3f}" for v in values)
    if values.count() < 2:  # no spread from one fold
        return folds
    return f"{folds} (**{values.mean():.3f} +- {values.std(ddof=1):.3f}**)"


def markdown(per_fold, folds):
    """One markdown table per protocol: a row per predictor, a column per metric.

    A baseline scored on several models' pixels (``distance_decay@<model>``) is one row per distinct
    set of values, named after the models whose pixels give them.
    """
    lines = []
    for protocol, rows in per_fold.groupby("protocol", sort=False, dropna=False):
        lines += [f"\nprotocol `{protocol}`, values on folds {', '.join(map(str, folds))}:\n",
                  "| predictor | " + " | ".join(METRICS.values()) + " |",
                  "|---|" + "---:|" * len(METRICS)]
        cells = {}  # row label -> cells, in first-seen order; baselines with equal cells share a row
        for predictor, group in rows.groupby("predictor", sort=False):
            group = group.set_index("fold").reindex(folds)
            values = tuple(cell(group[m]) for m in METRICS)
            baseline, _, model = predictor.partition("@")
            if baseline in BASELINES and model:
                label = next((k for k, v in cells.items() if v == values and k.startswith(f"{baseline} (")), None)
                if label:
                    cells[label[:-1] + f", {model})"] = cells.pop(label)
                    continue
                predictor = f"{baseline} ({model})"
            cells[predictor] = values
        lines += [f"| `{label}` | " + " | ".join(values) + " |" for label, values in cells.items()]
    return "\n".join(lines)


BASELINES = ("distance_decay", "gc_content", "poly_at_tracts")


def beats_decay(per_fold):
    """Per predictor and protocol, on how many folds it beats distance decay on all three metrics at once.

    Each model is compared with the decay baseline scored on its own pixels (``distance_decay@<model>``
    where models' pixels differ, :func:`hicmodels.evaluation.scoring.side_by_side`). Decay's O/E
    Pearson is 0 by construction and its insulation profile is flat (Pearson undefined, counted as
    0): beating it there means a positive correlation; on SCC, a higher value than decay's on the
    same fold and protocol.
    """
    names = per_fold["predictor"]
    models = per_fold[~names.str.split("@").str[0].isin(BASELINES)]
    rows = []
    for (predictor, protocol), group in models.groupby(["predictor", "protocol"], sort=False):
        own = f"distance_decay@{predictor}"
        decay = per_fold[(names == (own if (names == own).any() else "distance_decay"))
                         & (per_fold["protocol"] == protocol)].set_index("fold")[list(METRICS)].fillna(0.0)
        wins = group[list(METRICS)].to_numpy() > decay.loc[group["fold"]].to_numpy()  # NaN compares False
        rows.append({"predictor": predictor, "protocol": protocol, "folds": len(group),
                     **{name: int(wins[:, k].sum()) for k, name in enumerate(METRICS.values())},
                     "all three": int(wins.all(axis=1).sum())})
    return pd.DataFrame(rows)


def training_cpu(results, folds):
    """CPU seconds (and wall seconds) of each model's trainings per fold, from the benchmark files."""
    rows = []
    for fold in folds:
        for path in sorted(Path(results, "benchmarks/folds").glob(f"train_*/fold{fold}/yeast/*.tsv")):
            bench = pd.read_csv(path, sep="\t")
            rows.append({"fold": fold, "stage": path.parts[-4], "model": path.stem,
                         "cpu_s": bench["cpu_time"].iloc[0], "wall_s": bench["s"].iloc[0]})
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--config", default="config/config.yaml", help="the run's config (reference.chromosomes)")
    parser.add_argument("--folds", type=int, nargs="+", required=True)
    args = parser.parse_args()
    with open(args.config) as handle:
        chromosomes = yaml.safe_load(handle)["reference"]["chromosomes"]
    tables = [(fold, leave_one_out(chromosomes, fold)["validation"][0],
               pd.read_csv(Path(args.results, f"folds/fold{fold}/cell_lines/yeast/metrics/test_metrics.tsv"),
                           sep="\t"))
              for fold in args.folds]
    per_fold, _ = fold_tables(tables)
    print(markdown(per_fold, args.folds))
    print("\nfolds on which each model beats distance decay:\n")
    wins = beats_decay(per_fold)
    print("| " + " | ".join(wins.columns) + " |\n|" + "---|" * len(wins.columns))
    for row in wins.itertuples(index=False):
        print("| " + " | ".join(map(str, row)) + " |")
    cpu = training_cpu(args.results, args.folds)
    if not cpu.empty:
        print("\n" + cpu.to_string(index=False))
        print("\n" + cpu.groupby(["stage", "model"])[["cpu_s", "wall_s"]].sum().to_string())


if __name__ == "__main__":
    main()
