"""What every Hi-C figure shares: genomic axes, colour bars, shared and symmetric colour scales, and
the figure's numbers written as a TSV beside its image.

A figure written to ``<stem>.png`` has its data in ``<stem>.tsv`` (:func:`data_path`). Both are
deterministic: the PNG carries no software or date metadata, and the TSV is written with a fixed
float format, so two runs on the same inputs give the same bytes.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import EngFormatter  # noqa: E402

from ..files import atomic_output, write_tsv  # noqa: E402

#: Colour map of contact maps (sequential, white at zero).
CONTACTS_CMAP = "Reds"
#: Colour map of differences between maps (diverging, white at zero; used with symmetric limits).
DIFFERENCE_CMAP = "RdBu_r"
#: Float format of the TSVs beside figures (fixed, so reruns give identical bytes).
FLOAT_FORMAT = "%.6g"


def data_path(path):
    """The TSV holding a figure's numbers: the image's path with the suffix ``.tsv``."""
    return Path(path).with_suffix(".tsv")


def save_figure(fig, path, table):
    """Write ``fig`` as a PNG at ``path`` and ``table`` at :func:`data_path` (both atomically).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Closed after writing.
    path : str or Path
        PNG written.
    table : DataFrame
        The numbers drawn, written with :data:`FLOAT_FORMAT`.
    """
    save_png(fig, path)
    write_tsv(table, data_path(path), float_format=FLOAT_FORMAT)


def save_png(fig, path):
    """Write ``fig`` as a PNG at ``path`` atomically, then close it."""
    with atomic_output(path, suffix=".png") as tmp:
        # no "Software" text chunk: it names the matplotlib version, and the PNG should depend on the data only
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png", metadata={"Software": None})
    plt.close(fig)


def shared_limits(matrices, percentile=99):
    """``(0, vmax)`` for maps compared side by side: the ``percentile`` of all their finite pixels pooled.

    One scale for all of them, so that equal colours mean equal contacts in every panel.
    """
    finite = np.concatenate([np.asarray(m, float)[np.isfinite(m)] for m in matrices])
    vmax = float(np.percentile(finite, percentile)) if finite.size else 1.0
    return 0.0, vmax if vmax > 0 else 1.0


def symmetric_limits(matrices):
    """``(-a, a)`` for difference maps: ``a`` is the largest absolute finite value of any of them.

    Symmetric limits put zero at the diverging colour map's white, so gains and losses read alike.
    """
    finite = np.concatenate([np.abs(np.asarray(m, float)[np.isfinite(m)]) for m in matrices])
    limit = float(finite.max()) if finite.size else 0.0
    return -limit if limit > 0 else -1.0, limit if limit > 0 else 1.0


def genomic_axes(ax, chrom, start, end, x=True, y=True):
    """Genomic coordinates (``kb``/``Mb``) on a map's axes, the chromosome named in the label."""
    formatter = EngFormatter(unit="b", places=0, sep="")
    if x:
        ax.xaxis.set_major_formatter(formatter)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
        ax.set_xlabel(chrom, fontsize=8)
    if y:
        ax.yaxis.set_major_formatter(formatter)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
    ax.tick_params(labelsize=7)


def draw_map(ax, matrix, chrom, start, binsize, limits, cmap=CONTACTS_CMAP, title=None):
    """Draw a square map of ``chrom`` from ``start`` on genomic axes (bp) and return the image.

    Parameters
    ----------
    matrix : ndarray, shape (n, n)
        Bin ``i`` covers ``start + i * binsize`` to ``start + (i + 1) * binsize``; NaN is drawn white.
    limits : tuple
        ``(vmin, vmax)`` (:func:`shared_limits`, :func:`symmetric_limits`).
    """
    end = start + matrix.shape[0] * binsize
    image = ax.imshow(matrix, cmap=cmap, vmin=limits[0], vmax=limits[1], interpolation="none",
                      extent=(start, end, end, start))
    genomic_axes(ax, chrom, start, end)
    if title:
        ax.set_title(title, fontsize=8)
    return image


def colour_bar(fig, image, axes, label):
    """One colour bar for ``axes`` (a panel or a row of panels sharing ``image``'s scale)."""
    bar = fig.colorbar(image, ax=axes, fraction=0.046 if np.ndim(axes) == 0 else 0.02, pad=0.02)
    bar.set_label(label, fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return bar


def map_table(matrix, chrom, start, binsize, **labels):
    """A map's upper triangle (diagonal included) as rows ``labels..., chrom, start1, start2, value``.

    Masked pixels (NaN) are kept, so the TSV says which pixels were drawn white.
    """
    i, j = np.triu_indices(matrix.shape[0])
    table = pd.DataFrame({"chrom": chrom, "start1": start + i * binsize, "start2": start + j * binsize,
                          "value": np.asarray(matrix, float)[i, j]})
    for position, (key, value) in enumerate(labels.items()):
        table.insert(position, key, value)
    return table
