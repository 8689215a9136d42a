"""Figures for the report: predicted vs experimental maps, maps around SVs, metrics."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .plotting import (  # noqa: E402
    DIFFERENCE_CMAP, colour_bar, draw_map, save_png, shared_limits, symmetric_limits,
)


def _region_matrix(clr, chrom, start, end):
    return clr.matrix(balance=True).fetch(f"{chrom}:{max(start, 0)}-{min(end, clr.chromsizes[chrom])}")


def test_windows(predicted, experimental, windows, scale, path, max_windows=6):
    """Experimental (top) and predicted (bottom) log1p maps of test windows.

    Parameters
    ----------
    predicted : cooler.Cooler
        Predicted reference map.
    experimental : hicmodels.hic.cool.ExperimentalMap
    windows : DataFrame
        Test windows (``chrom``, ``start``, ``end``); up to ``max_windows``
        evenly spaced ones are drawn.
    scale : float
        Contact scale putting the experimental map on the predicted scale.
    """
    pick = windows.iloc[np.unique(np.linspace(0, len(windows) - 1, min(max_windows, len(windows))).astype(int))]
    fig, axes = plt.subplots(2, len(pick), figsize=(2.8 * len(pick) + 0.8, 5.6), squeeze=False, layout="constrained")
    for col, w in enumerate(pick.itertuples()):
        nbins = (w.end - w.start) // experimental.binsize
        truth = np.log1p(experimental.window(w.chrom, w.start, w.end, nbins, scale))
        model = np.log1p(_region_matrix(predicted, w.chrom, w.start, w.end))
        limits = shared_limits([truth, model])  # experiment and prediction of a window on one scale
        for row, (matrix, label) in enumerate(((truth, "experimental"), (model, "predicted"))):
            image = draw_map(axes[row, col], matrix, w.chrom, w.start, experimental.binsize, limits)
            if col == 0:
                axes[row, col].set_ylabel(label)
        colour_bar(fig, image, axes[:, col], "log1p(contacts)")
    fig.suptitle("Held-out windows, log1p(scaled balanced contacts)")
    save_png(fig, path)


def structural_variants(reference, haplotypes, svs, path, flank=150_000):
    """Reference, haplotype and difference maps around each structural variant.

    Parameters
    ----------
    reference : cooler.Cooler
        Predicted reference map.
    haplotypes : dict
        Label -> predicted haplotype cooler (reference coordinates).
    svs : DataFrame
        ``chrom``, ``start``, ``end`` (0-based), ``label``.
    """
    ncols = 1 + 2 * len(haplotypes)
    fig, axes = plt.subplots(max(len(svs), 1), ncols, figsize=(2.7 * ncols + 1, 2.8 * max(len(svs), 1)),
                             squeeze=False, layout="constrained")
    for row, sv in enumerate(svs.itertuples()):
        lo, hi = sv.start - flank, sv.end + flank
        lo = max(lo - lo % reference.binsize, 0)
        ref = np.log1p(_region_matrix(reference, sv.chrom, lo, hi))
        maps = {label: np.log1p(_region_matrix(clr, sv.chrom, lo, hi)) for label, clr in haplotypes.items()}
        limits = shared_limits([ref, *maps.values()])
        diffs = {label: matrix - ref for label, matrix in maps.items()}
        diff_limits = symmetric_limits(diffs.values())  # one scale: haplotypes comparable
        panels = [(ref, "reference", "Reds", limits)] + [(m, label, "Reds", limits) for label, m in maps.items()]
        panels += [(d, f"{label} - reference", DIFFERENCE_CMAP, diff_limits) for label, d in diffs.items()]
        images = {}
        for col, (matrix, title, cmap, limits_) in enumerate(panels):
            ax = axes[row, col]
            images[cmap] = draw_map(ax, matrix, sv.chrom, lo, reference.binsize, limits_, cmap, title)
            for edge in (sv.start, sv.end):
                ax.axvline(edge, color="k", lw=0.6, ls=":")
                ax.axhline(edge, color="k", lw=0.6, ls=":")
        axes[row, 0].set_ylabel(f"{sv.label}\n{sv.chrom}:{sv.start:,}-{sv.end:,}", fontsize=8)
        colour_bar(fig, images["Reds"], axes[row, : 1 + len(haplotypes)], "log1p(contacts)")
        colour_bar(fig, images[DIFFERENCE_CMAP], axes[row, 1 + len(haplotypes):], "difference")
    if not len(svs):
        axes[0, 0].text(0.5, 0.5, "no structural variants", ha="center", va="center")
    fig.suptitle("Predicted maps around structural variants (masked bins white)")
    save_png(fig, path)


def personal_summary(summary, sample, path):
    """Tables of what became of a sample's records: counts per class and haplotype, and skip reasons.

    Parameters
    ----------
    summary : DataFrame
        ``summary.tsv`` of the personal-genome step
        (:data:`hicmodels.variants.ledger.SUMMARY_COLUMNS`).
    """
    from ..variants.ledger import summary_by_class

    counts = summary_by_class(summary)
    skipped = summary[summary["outcome"] == "skipped"].sort_values(["haplotype", "class", "reason"])
    reasons = [[f"hap{h}", c, r, f"{n:,}"] for h, c, r, n in skipped[["haplotype", "class", "reason", "count"]].values]
    heights = [len(counts) + 2, max(len(reasons), 1) + 2]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 0.22 * sum(heights)), gridspec_kw={"height_ratios": heights})
    for ax in (top, bottom):
        ax.axis("off")
    cells = [[f"{v:,}" for v in row] for row in counts.to_numpy()]
    table = top.table(cellText=cells, rowLabels=counts.index.tolist(),
                      colLabels=[c.replace("_", " ") for c in counts.columns], loc="upper center", cellLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    top.set_title(f"{sample}: records per class and haplotype", fontsize=9)
    if reasons:
        table = bottom.table(cellText=reasons, colLabels=["haplotype", "class", "reason", "records"], loc="upper center",
                             cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(8)
        bottom.set_title("skipped records by reason (rows of rejects.tsv)", fontsize=9)
    else:
        bottom.text(0.5, 0.5, "no record was skipped", ha="center", va="center", fontsize=9)
    save_png(fig, path)


BAR_METRICS = ["pearson_log1p", "spearman_log1p", "pearson_oe", "scc", "pearson_insulation"]


def mean_per_predictor(table, names=BAR_METRICS):
    """Mean of each metric per predictor over the stitched-chromosome rows (``protocol`` ``chromosome``).

    Per-window rows average other units (windows, not chromosomes); mixing them in would count each
    chromosome twice.
    """
    if "protocol" in table.columns:
        table = table[table["protocol"] == "chromosome"]
    return table.groupby("predictor", sort=False)[names].mean()


def metrics_bars(table, path):
    """Bars of each metric per predictor (mean over scored chromosomes)."""
    names = BAR_METRICS
    mean = mean_per_predictor(table, names)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    width = 0.8 / len(mean)
    for i, (predictor, values) in enumerate(mean.iterrows()):
        ax.bar(np.arange(len(names)) + i * width, values.fillna(0).to_numpy(), width, label=predictor)
    ax.set_xticks(np.arange(len(names)) + 0.4 - width / 2)
    ax.set_xticklabels(names, fontsize=8)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylabel("correlation")
    ax.legend(fontsize=8)
    ax.set_title(f"Held-out chromosome(s): {', '.join(table['chrom'].unique())}")
    save_png(fig, path)
