"""The report figure: the top variants' REF, ALT and difference maps, score distributions, a per-sample summary."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..files import atomic_output  # noqa: E402
from .outputs import RANK_SCORE  # noqa: E402


def plot_top_variants(table, maps, binsize, out_path, top_n=6, background="reference"):
    """Top ``top_n`` distinct variants by :data:`.outputs.RANK_SCORE` in ``background``: REF, ALT, ALT - REF.

    Parameters
    ----------
    table : DataFrame
        :func:`.run.score_cohort` rows.
    maps : list
        Per row of ``table`` (same order), ``(grid_start, ref, alt)`` or ``None``.
    binsize : int
        Grid bin size, for the axis coordinates.
    """
    rows = table.reset_index(drop=True)
    pick = rows[(rows["background"] == background) & (rows["status"] == "ok")]
    pick = pick.sort_values(RANK_SCORE, ascending=False).drop_duplicates("variant").head(top_n)
    n = max(len(pick), 1)
    fig, axes = plt.subplots(n + 1, 3, figsize=(10.5, 3.2 * (n + 1)), squeeze=False)
    for k, (i, row) in enumerate(pick.iterrows()):
        start, ref, alt = maps[i]
        extent = [start / 1e3, (start + binsize * ref.shape[0]) / 1e3] * 2
        extent = [extent[0], extent[1], extent[3], extent[2]]
        logs = [np.log1p(ref), np.log1p(alt)]
        vmax = np.nanmax([np.nanmax(m) if np.isfinite(m).any() else 0 for m in logs]) or 1.0
        diff = logs[1] - logs[0]
        lim = np.nanmax(np.abs(diff)) if np.isfinite(diff).any() else 1.0
        for ax, matrix, title, cmap, lo, hi in (
            (axes[k, 0], logs[0], "REF", "Reds", 0, vmax), (axes[k, 1], logs[1], "ALT", "Reds", 0, vmax),
            (axes[k, 2], diff, "ALT - REF", "RdBu_r", -lim or -1, lim or 1),
        ):
            image = ax.imshow(matrix, cmap=cmap, vmin=lo, vmax=hi, extent=extent, interpolation="nearest")
            fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="log1p contacts" if k == 0 else None)
            ax.set_title(f"{title}: {row['variant'][:40]}" if title == "REF" else title, fontsize=8)
            ax.set_xlabel(f"{row['chrom']} (kb)", fontsize=7)
            ax.tick_params(labelsize=6)
        axes[k, 2].text(0.02, 0.02, f"{row['class']}, {row['size']} bp, {RANK_SCORE} {row[RANK_SCORE]:.3g}",
                        transform=axes[k, 2].transAxes, fontsize=7)
    summary_ax = axes[n, 2]
    summary_ax.set_axis_off()
    lines = ["per sample: rows, variants, top variant by " + RANK_SCORE]
    for sample, part in rows[rows["background"] == background].groupby("sample", sort=True):
        top = part.sort_values(RANK_SCORE, ascending=False).iloc[0]
        lines.append(f"{sample}: {len(part)}, {part['variant'].nunique()}, {top['variant'][:28]} ({top[RANK_SCORE]:.3g})")
    summary_ax.text(0, 1, "\n".join(lines[:16]), va="top", fontsize=7, family="monospace",
                    transform=summary_ax.transAxes)
    for ax, score in zip(axes[n, :2], (RANK_SCORE, "insulation")):
        for bg in sorted(rows["background"].unique()):
            values = rows.loc[rows["background"] == bg, score].dropna()
            if len(values):
                ax.hist(values, bins=30, alpha=0.6, label=bg)
        ax.set_title(f"{score}, all rows", fontsize=8)
        ax.legend(fontsize=6)
    if not len(pick):
        for ax in axes[0]:
            ax.set_axis_off()
        axes[0, 0].text(0.5, 0.5, "no variant scored", ha="center")
    fig.tight_layout()
    with atomic_output(out_path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
