"""Figures for the report: predicted vs experimental maps, maps around SVs, metrics."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..files import atomic_output  # noqa: E402


def _save(fig, path):
    with atomic_output(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png")
    plt.close(fig)


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
    fig, axes = plt.subplots(2, len(pick), figsize=(2.6 * len(pick), 5.4), squeeze=False)
    for col, w in enumerate(pick.itertuples()):
        nbins = (w.end - w.start) // experimental.binsize
        truth = np.log1p(experimental.window(w.chrom, w.start, w.end, nbins, scale))
        model = np.log1p(_region_matrix(predicted, w.chrom, w.start, w.end))
        vmax = np.nanpercentile(truth, 99)
        for row, (matrix, label) in enumerate(((truth, "experimental"), (model, "predicted"))):
            ax = axes[row, col]
            ax.imshow(matrix, cmap="Reds", vmin=0, vmax=vmax, interpolation="none")
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(label)
        axes[0, col].set_title(f"{w.chrom}:{w.start / 1e3:.0f}-{w.end / 1e3:.0f} kb", fontsize=8)
    fig.suptitle("Held-out windows, log1p(scaled balanced contacts)")
    _save(fig, path)


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
    fig, axes = plt.subplots(max(len(svs), 1), ncols, figsize=(2.5 * ncols, 2.6 * max(len(svs), 1)), squeeze=False)
    for row, sv in enumerate(svs.itertuples()):
        lo, hi = sv.start - flank, sv.end + flank
        lo = max(lo - lo % reference.binsize, 0)
        ref = np.log1p(_region_matrix(reference, sv.chrom, lo, hi))
        panels = [(ref, "reference", "Reds", (0, np.nanpercentile(ref, 99)))]
        for label, clr in haplotypes.items():
            panels.append((np.log1p(_region_matrix(clr, sv.chrom, lo, hi)), label, "Reds", panels[0][3]))
        diffs = {label: np.log1p(_region_matrix(clr, sv.chrom, lo, hi)) - ref for label, clr in haplotypes.items()}
        finite = np.concatenate([d[np.isfinite(d)] for d in diffs.values()])
        limit = max(np.abs(finite).max() if finite.size else 0, 1e-3)  # one scale: haplotypes comparable
        for label, diff in diffs.items():
            panels.append((diff, f"{label} - reference", "RdBu_r", (-limit, limit)))
        for col, (matrix, title, cmap, (vmin, vmax)) in enumerate(panels):
            ax = axes[row, col]
            ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="none")
            edges = [(sv.start - lo) / reference.binsize - 0.5, (sv.end - lo) / reference.binsize - 0.5]
            for edge in edges:
                ax.axvline(edge, color="k", lw=0.6, ls=":")
                ax.axhline(edge, color="k", lw=0.6, ls=":")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title, fontsize=8)
        axes[row, 0].set_ylabel(f"{sv.label}\n{sv.chrom}:{sv.start:,}-{sv.end:,}", fontsize=8)
    if not len(svs):
        axes[0, 0].text(0.5, 0.5, "no structural variants", ha="center", va="center")
    fig.suptitle("Predicted maps around structural variants (masked bins white)")
    _save(fig, path)


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
    _save(fig, path)


def metrics_bars(table, path):
    """Bars of each metric per predictor (mean over scored chromosomes)."""
    names = ["pearson_log1p", "spearman_log1p", "pearson_oe", "scc", "pearson_insulation"]
    mean = table.groupby("predictor")[names].mean()
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
    _save(fig, path)
