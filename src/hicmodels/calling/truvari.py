"""SV call accuracy with truvari (``truvari bench``), beside the exact matching of :mod:`.accuracy`.

``truvari bench`` is run with the matching settings of ``calling.evaluation``
translated to its options: breakpoints within ``sv_tolerance_bp``
(``--refdist``), reciprocal overlap and size ratio at least ``sv_min_overlap``
(``--pctovl``, ``--pctsize``), no sequence comparison (``--pctseq 0``: delly's
calls are symbolic), SVs of at least :data:`.accuracy.SV_MIN_SIZE` bp in both
sets (``--sizemin``, ``--sizefilt``) and no upper size limit, PASS records only,
genotypes without the ALT left out of both sets, one call per truth SV
(``--pick single``). Its four VCFs (tp-base, fn, tp-comp, fp) are counted per
SV class.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pysam

from ..errors import InputError
from .accuracy import SV_CLASSES, SV_MIN_SIZE, classify

TRUVARI_COLUMNS = ["class", "truth", "calls", "truth_matched", "calls_matched", "false_negatives",
                   "false_positives", "recall", "precision", "f1", "genotype_concordance"]


def bench_command(truth, calls, out_dir, settings, truth_sample=None, calls_sample=None, include_bed=None):
    """The ``truvari bench`` command line (a list) for :func:`run_bench`."""
    command = [sys.executable, "-m", "truvari", "bench", "-b", str(truth), "-c", str(calls), "-o", str(out_dir),
               "--passonly", "--no-ref", "a", "--pick", "single", "--pctseq", "0",
               "--refdist", str(settings["sv_tolerance_bp"]), "--pctovl", str(settings["sv_min_overlap"]),
               "--pctsize", str(settings["sv_min_overlap"]), "--sizemin", str(SV_MIN_SIZE),
               "--sizefilt", str(SV_MIN_SIZE), "--sizemax", "-1"]
    if truth_sample is not None:
        command += ["--bSample", truth_sample]
    if calls_sample is not None:
        command += ["--cSample", calls_sample]
    if include_bed is not None:
        command += ["--includebed", str(include_bed)]
    return command


def run_bench(command, log_path=None):
    """Run ``truvari bench``; its own log goes to ``log_path`` (or is raised with the error)."""
    result = subprocess.run(command, capture_output=True, text=True)
    if log_path is not None:
        Path(log_path).write_text(result.stdout + result.stderr)
    if result.returncode:
        raise RuntimeError(f"truvari bench failed (exit {result.returncode}):\n{result.stderr[-2000:]}")


def count_classes(path):
    """SV records per class in one of truvari's output VCFs (one per ALT allele)."""
    counts = {}
    with pysam.VariantFile(str(path)) as vcf:
        has_svtype = "SVTYPE" in vcf.header.info
        for record in vcf:
            svtype = record.info.get("SVTYPE") if has_svtype else None
            for alt in record.alts or ():
                kind = classify(record.ref.upper(), alt.upper(), svtype, SV_MIN_SIZE)
                counts[kind] = counts.get(kind, 0) + 1
    return counts


def bench_table(out_dir):
    """Per-class table of a ``truvari bench`` output directory, and a last row ``all``.

    Returns
    -------
    DataFrame
        :data:`TRUVARI_COLUMNS`; ``truth``/``calls`` count the SVs truvari compared
        (PASS, carried, within the size range); ``genotype_concordance`` (truvari's
        ``gt_concordance``) only in the row ``all``.
    """
    out_dir = Path(out_dir)
    try:
        parts = {name: count_classes(out_dir / f"{name}.vcf.gz") for name in ("tp-base", "fn", "tp-comp", "fp")}
        summary = json.loads((out_dir / "summary.json").read_text())
    except (OSError, ValueError) as err:
        raise InputError(f"not a complete truvari bench output: {err}", out_dir) from None
    order = list(SV_CLASSES)
    kinds = sorted(set().union(*parts.values()), key=lambda k: (order.index(k) if k in order else 99, k))
    rows = [_row(kind, *(parts[name].get(kind, 0) for name in ("tp-base", "fn", "tp-comp", "fp")))
            for kind in kinds]
    every = _row("all", summary["TP-base"], summary["FN"], summary["TP-comp"], summary["FP"])
    if summary["TP-comp"]:  # truvari states 0 when nothing matched
        every["genotype_concordance"] = summary.get("gt_concordance", np.nan)
    return pd.DataFrame([*rows, every], columns=TRUVARI_COLUMNS)


def _row(kind, tp_base, fn, tp_comp, fp):
    truth, calls = tp_base + fn, tp_comp + fp
    recall = tp_base / truth if truth else np.nan
    precision = tp_comp / calls if calls else np.nan
    f1 = 2 * recall * precision / (recall + precision) if truth and calls and recall + precision else np.nan
    return {"class": kind, "truth": truth, "calls": calls, "truth_matched": tp_base, "calls_matched": tp_comp,
            "false_negatives": fn, "false_positives": fp, "recall": recall, "precision": precision, "f1": f1,
            "genotype_concordance": np.nan}
