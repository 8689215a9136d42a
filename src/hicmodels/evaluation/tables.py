"""The papers' tables of ``snakemake paper``, laid out as the papers print them, with the papers' numbers beside.

- :func:`mixhic_tables`: MIX-HIC v2 (``papers/mixhic-v2``, section 5.1) Tables 2-4: Hi-C map
  prediction (R^2), loop detection (precision, recall, F1, AUROC), CAGE-seq expression (R^2), from
  the metrics the MIX-HIC stage writes per model (:func:`read_mixhic_metrics`).
- :func:`akita_table`: Lu et al.'s Table 1 (``papers/attention-to-bayes-akita-vae``, section 4:
  MSE, Pearson's R, Spearman's R of held-out maps) for the Akita-family entries, from the
  workflow's own metrics table (:mod:`.scoring`), and the coverage of their interval bounds
  (:func:`bound_coverage`) where the entry draws posterior-predictive samples.

Each table is one row per metric and a column per predictor, as Lu et al.'s Table 1 is printed;
MIX-HIC's tables (methods as rows, one metric or cell line per column) are transposed to that
layout so that the paper's own numbers can stand beside ours as reference columns. Those numbers
were measured on other data (GM12878 and K562; Akita's human/mouse maps), at other resolutions,
and are there to show the scale of the published results, not to be compared cell by cell. Each
table is written as a TSV and as Markdown (:func:`write_table`).
"""

import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import atomic_output, write_tsv
from .plotting import FLOAT_FORMAT
from .baselines import distance_decay
from .scoring import BASELINE, common_band, scored_bands, split_chromosomes

#: MIX-HIC v2 Tables 2-4: task of each table and the metrics it reports, in the paper's column order.
#: Pearson is not in the paper's Tables 2 and 4 (they give R^2 only); the MIX-HIC stage reports it too.
MIXHIC_TABLES = {2: ("hic", ("r2", "pearson")), 3: ("loops", ("precision", "recall", "f1", "auroc")),
                 4: ("cage", ("r2", "pearson"))}
MIXHIC_TITLES = {2: "Table 2: Hi-C contact map prediction (50 x 50 at 5 kb)",
                 3: "Table 3: chromatin loop detection",
                 4: "Table 4: CAGE-seq expression prediction"}
#: The paper's own numbers (MIX-HIC v2, section 5.1): its method's row of each table, on GM12878 and K562.
MIXHIC_PAPER = {
    (2, "r2"): ("MIX-HIC-Infer", 0.8724, 0.8001),
    (3, "precision"): ("MIX-HIC-Bimodal", 0.8505, 0.8521),
    (3, "recall"): ("MIX-HIC-Bimodal", 0.8337, 0.8027),
    (3, "f1"): ("MIX-HIC-Bimodal", 0.8420, 0.8267),
    (3, "auroc"): ("MIX-HIC-Bimodal", 0.9209, 0.9194),
    (4, "r2"): ("MIX-HIC-Bimodal", 0.8833, 0.9077),
}
MIXHIC_COLUMNS = ("table", "task", "predictor", "metric", "value")
MIXHIC_NOTE = ("paper_*: the paper's own method on GM12878 and K562 (MIX-HIC v2, section 5.1), another dataset, "
               "for scale only.")

#: Lu et al. Table 1: our metrics table's columns behind each of its rows (log1p contacts here, log O/E there).
AKITA_METRICS = {"mse": "mse_log1p", "pearson": "pearson_log1p", "spearman": "spearman_log1p"}
#: The paper's own numbers (Lu et al., section 4, Table 1), on Akita's human maps.
AKITA_PAPER = {"paper_transformer": {"mse": 0.177, "pearson": 0.396, "spearman": 0.384},
               "paper_vae": {"mse": 0.222, "pearson": 0.081, "spearman": 0.075}}
AKITA_TITLE = "Table 1 (Lu et al.): held-out maps"
AKITA_NOTES = ("mse, pearson, spearman: of log1p contacts on the test chromosomes (mean over them), as the metrics "
               "table; protocol window: HiCDiffusion's per-window means.",
               "coverage_<level>: fraction of the test chromosomes' experimental pixels inside the model's central "
               "interval of that nominal level (assemble.interval_level).",
               "paper_*: Lu et al. Table 1 (section 4), on Akita's human maps (log O/E): another dataset, "
               "for scale only.")


def read_mixhic_metrics(path):
    """The MIX-HIC stage's ``test_metrics_mixhic.tsv``, checked.

    Columns ``table`` (2, 3, 4), ``task`` (``hic``, ``loops``, ``cage``, the table's), ``predictor``
    (the model's name, or ``distance_decay`` for its Hi-C baseline), ``metric`` (one the table
    reports, :data:`MIXHIC_TABLES`) and ``value``; one row per (table, predictor, metric).

    Raises
    ------
    InputError
        Naming the file and the line of the first bad row.
    """
    table = pd.read_csv(path, sep="\t", dtype={"table": str, "predictor": str, "task": str, "metric": str})
    missing = [c for c in MIXHIC_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"not a MIX-HIC metrics table: no column {', '.join(missing)}", path)
    values = pd.to_numeric(table["value"], errors="coerce")
    for line, row in enumerate(table.itertuples(index=False), start=2):  # line 1 is the header
        if row.table not in {str(number) for number in MIXHIC_TABLES}:
            raise InputError(f"table {row.table!r} is not one of {sorted(MIXHIC_TABLES)}", path, line)
        task, metrics = MIXHIC_TABLES[int(row.table)]
        if row.task != task:
            raise InputError(f"task {row.task!r} is not table {row.table}'s ({task!r})", path, line)
        if row.metric not in metrics:
            raise InputError(f"metric {row.metric!r} is not one of table {row.table}'s {list(metrics)}", path, line)
        if np.isnan(values.iloc[line - 2]) and not pd.isna(row.value):
            raise InputError(f"value {row.value!r} is not a number", path, line)
    repeated = table.duplicated(["table", "predictor", "metric"])
    if repeated.any():
        line = int(np.flatnonzero(repeated)[0]) + 2
        raise InputError("a second row of the same table, predictor and metric", path, line)
    return table[list(MIXHIC_COLUMNS)].assign(table=table["table"].astype(int), value=values)


def mixhic_tables(tables):
    """MIX-HIC v2 Tables 2-4 of one run's MIX-HIC entries, the paper's numbers beside them.

    Parameters
    ----------
    tables : dict
        Model name -> its :func:`read_mixhic_metrics` table, in config order.

    Returns
    -------
    DataFrame
        One row per (table, metric) in the paper's order: ``table``, ``task``, ``metric``, a column per
        predictor (the models, then the baselines: a baseline that differs between models' tables gets
        one column per model, ``distance_decay@<model>``), then ``paper_method``, ``paper_GM12878``,
        ``paper_K562`` (the paper's method's row; empty where the paper reports no such number).
    """
    values = {}
    for name, table in tables.items():
        for predictor, rows in table.groupby("predictor", sort=False):
            values.setdefault(predictor, {})[name] = {(r.table, r.metric): r.value for r in rows.itertuples()}
    columns = {}
    for predictor, by_model in values.items():
        first = pd.Series(next(iter(by_model.values()))).sort_index()
        if all(pd.Series(v).sort_index().equals(first) for v in by_model.values()):
            columns[predictor] = next(iter(by_model.values()))
        else:
            columns.update({f"{predictor}@{model}": v for model, v in by_model.items()})
    models = [c for c in columns if c in tables]
    order = models + [c for c in columns if c not in tables]
    rows = []
    for number, (task, metrics) in MIXHIC_TABLES.items():
        for metric in metrics:
            paper = MIXHIC_PAPER.get((number, metric), ("", np.nan, np.nan))
            if not any((number, metric) in columns[c] for c in order) and np.isnan(paper[1]):
                continue
            rows.append({"table": number, "task": task, "metric": metric,
                         **{c: columns[c].get((number, metric), np.nan) for c in order},
                         "paper_method": paper[0], "paper_GM12878": paper[1], "paper_K562": paper[2]})
    return pd.DataFrame(rows)


def bound_coverage(lower, upper, truth, min_offset, max_offset):
    """Fraction of the experimental pixels inside their predicted interval ``[lower, upper]``.

    Calibration of a stochastic model's interval bounds (``assemble.interval_level``,
    :func:`hicmodels.modelling.uncertainty.interval_bounds`): a calibrated central interval of
    nominal level 0.9 holds 90% of the true pixels. The bounds are monotone transforms of Gaussian
    bounds in model space, so this is the coverage :func:`hicmodels.modelling.uncertainty.interval_coverage`
    measures there.

    Parameters
    ----------
    lower, upper, truth : ndarray, shape (n, width)
        Bands on the same bins and scale (:func:`hicmodels.evaluation.scoring.scored_bands`).
    min_offset, max_offset : int
        Offsets scored, as the pixel-wise metrics.

    Returns
    -------
    coverage : float
        NaN without a pixel finite in all three bands.
    n_pixels : int
    """
    offsets = np.arange(truth.shape[1])
    use = (np.isfinite(lower) & np.isfinite(upper) & np.isfinite(truth) & (offsets >= min_offset)
           & (offsets <= max_offset))
    if not use.any():
        return np.nan, 0
    inside = (lower[use] <= truth[use]) & (truth[use] <= upper[use])
    return float(np.mean(inside)), int(use.sum())


def held_out_coverage(lower_path, upper_path, checkpoint, windows, experimental, min_offset):
    """:func:`bound_coverage` of a model's interval-bound reference maps over its test chromosomes' pixels.

    The bounds are scored as :func:`hicmodels.evaluation.scoring.evaluate_checkpoint` scores the
    mean map: one model window wide, cut at the bounds' stored band, the experiment on the
    checkpoint's contact scale, an O/E model's bounds times the training chromosomes' P(s).

    Parameters
    ----------
    lower_path, upper_path : str
        The reference's ``.lower.cool`` and ``.upper.cool``.
    checkpoint : dict
        The model's checkpoint (``window_size``, ``bin_size``, ``contact_scale``).
    windows : DataFrame
        Its reference window table (``split`` names the test and training chromosomes).
    experimental : hicmodels.hic.cool.ExperimentalMap
    min_offset : int
        Config ``metrics.min_offset``.

    Returns
    -------
    coverage : float
    n_pixels : int
    """
    width = int(checkpoint["window_size"]) // int(checkpoint["bin_size"])
    last = common_band([lower_path, upper_path])
    last = width - 1 if last is None else min(last, width - 1)
    scale = float(checkpoint["contact_scale"])
    decay = distance_decay(experimental, split_chromosomes(windows, "train"), width, scale)
    truths, lowers, uppers = [], [], []
    for chrom in split_chromosomes(windows, "test"):
        truth, lower = scored_bands(lower_path, experimental, chrom, width, scale, decay, last)
        _, upper = scored_bands(upper_path, experimental, chrom, width, scale, decay, last)
        n = min(len(lower), len(upper))
        truths.append(truth[:n]), lowers.append(lower[:n]), uppers.append(upper[:n])
    return bound_coverage(np.concatenate(lowers), np.concatenate(uppers), np.concatenate(truths), min_offset, last)


def akita_table(metrics, models, coverage=None):
    """Lu et al.'s Table 1 for the Akita-family entries, from a cell line's metrics table.

    Parameters
    ----------
    metrics : DataFrame
        The metrics table (``evaluation metrics``: ``predictor``, ``chrom``, ``protocol`` and the
        metric columns).
    models : list of str
        The Akita-family entries, in config order.
    coverage : dict, optional
        Model name -> ``{"level": nominal level, "coverage": fraction, "n_pixels": int}``
        (:func:`bound_coverage` over the test chromosomes' pixels), for entries with interval bounds.

    Returns
    -------
    DataFrame
        Rows ``protocol`` x ``metric``: for each protocol of the metrics table (``chromosome``:
        whole stitched chromosomes; ``window``: HiCDiffusion's per-window means) ``mse``,
        ``pearson`` and ``spearman`` (:data:`AKITA_METRICS`: the log1p-contact metrics, each the
        mean over the test chromosomes' rows), and, with ``coverage``, a ``chromosome`` row
        ``coverage_<level>``. Columns: ``protocol``, ``metric``, a column per model, the
        distance-decay baseline(s) scored with them, ``paper_transformer``, ``paper_vae``.

    Notes
    -----
    The paper computes its metrics on Akita's targets (log O/E, section 4); here they are the
    metrics table's, on log1p of contacts (an O/E model's maps times the training P(s)), so that
    the Akita entries stand beside every other model and the baseline on one scale.
    """
    baselines = [p for p in dict.fromkeys(metrics["predictor"])
                 if p == BASELINE or any(p == f"{BASELINE}@{m}" for m in models)]
    predictors = [*models, *baselines]
    protocols = list(dict.fromkeys(metrics["protocol"])) if "protocol" in metrics else ["chromosome"]
    rows = []
    for protocol in protocols:
        here = metrics[metrics["protocol"] == protocol] if "protocol" in metrics else metrics
        means = here[here["predictor"].isin(predictors)].groupby("predictor")[list(AKITA_METRICS.values())].mean()
        for metric, column in AKITA_METRICS.items():
            rows.append({"protocol": protocol, "metric": metric,
                         **{p: means[column].get(p, np.nan) for p in predictors},
                         **{paper: numbers[metric] for paper, numbers in AKITA_PAPER.items()}})
    for level in sorted({c["level"] for c in (coverage or {}).values()}):
        rows.append({"protocol": "chromosome", "metric": f"coverage_{level:g}",
                     **{p: coverage[p]["coverage"] if p in coverage and coverage[p]["level"] == level else np.nan
                        for p in predictors},
                     **dict.fromkeys(AKITA_PAPER, np.nan)})
    return pd.DataFrame(rows, columns=["protocol", "metric", *predictors, *AKITA_PAPER])


def markdown(table, title, notes=()):
    """``table`` as a Markdown section: a heading, a pipe table (numbers as in the TSV, empty for NaN), notes."""
    def cell(value):
        if isinstance(value, float):
            return "" if np.isnan(value) else FLOAT_FORMAT % value
        return str(value)

    lines = [f"## {title}", "", "| " + " | ".join(table.columns) + " |",
             "|" + "|".join("---" for _ in table.columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines + [""] + [f"{note}" for note in notes] + [""])


def write_table(table, tsv_path, markdown_path, sections):
    """Write ``table`` as TSV (:data:`~hicmodels.evaluation.plotting.FLOAT_FORMAT`) and as Markdown.

    Parameters
    ----------
    sections : list of (str, DataFrame, list of str)
        The Markdown: a title, the rows of ``table`` shown under it, and notes under the table.
    """
    write_tsv(table, tsv_path, float_format=FLOAT_FORMAT)
    with atomic_output(markdown_path) as tmp:
        tmp.write_text("\n".join(markdown(part, title, notes) for title, part, notes in sections))
