"""Report figures of a structure ensemble, each PNG with the TSV of its numbers (``evaluation.plotting``).

- contact decay: P(s) of the input map and of the ensemble's map (paper Fig. 4a), circular
  separation for a circular chromosome;
- maps: the input map and the ensemble's map side by side on one colour scale, each divided by its
  mean contact one bin apart (the input's units, counts or balanced weights, are not the ensemble's
  contact frequencies: only so do equal colours compare);
- projection: the first structure projected on the xy and xz planes, coloured along the chain.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..evaluation.plotting import colour_bar, draw_map, map_table, save_figure, shared_limits
from .ensemble import contact_probability


def _maps(ensemble):
    """(label, map) of the input map (where there is one) and the ensemble's."""
    maps = [("ensemble", ensemble["contacts"])]
    if ensemble["input_contacts"] is not None:
        maps.insert(0, ("input", ensemble["input_contacts"]))
    return maps


def one_bin_scale(contacts, circular):
    """A map's mean contact one bin apart (NaN when it has none there: no such scale)."""
    p = contact_probability(contacts, circular)
    return p[1] if p[1] > 0 else np.nan


def contact_decay_table(ensemble):
    """P(s) of each map of the ensemble, normalised to 1 at one bin (as the paper's Fig. 4a compares shapes).

    A map without contacts one bin apart has no such scale: its column is NaN.
    """
    binsize = int(ensemble["bins"]["end"].iloc[0] - ensemble["bins"]["start"].iloc[0])
    columns = {}
    for label, contacts in _maps(ensemble):
        columns[label] = contact_probability(contacts, ensemble["circular"]) / one_bin_scale(contacts,
                                                                                           ensemble["circular"])
    separation = np.arange(len(next(iter(columns.values()))))
    return pd.DataFrame({"separation_bins": separation, "separation_bp": separation * binsize, **columns})


def plot_contact_decay(ensemble, out):
    table = contact_decay_table(ensemble)
    fig, ax = plt.subplots(figsize=(4, 3.2))
    shown = table[table["separation_bins"] > 0]
    for label in table.columns[2:]:
        ax.loglog(shown["separation_bp"], shown[label], label=label, marker=".")
    kind = "circular" if ensemble["circular"] else "linear"
    ax.set_xlabel(f"separation ({kind}, bp)", fontsize=8)
    ax.set_ylabel("P(s) / P(1 bin)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7)
    save_figure(fig, out, table)


def plot_maps(ensemble, out):
    bins = ensemble["bins"]
    chrom, start = str(bins["chrom"].iloc[0]), int(bins["start"].iloc[0])
    binsize = int(bins["end"].iloc[0] - start)
    maps = [(label, matrix / one_bin_scale(matrix, ensemble["circular"])) for label, matrix in _maps(ensemble)]
    limits = shared_limits([m for _, m in maps])
    fig, axes = plt.subplots(1, len(maps), figsize=(3.2 * len(maps) + 0.8, 3.2), squeeze=False)
    for ax, (label, matrix) in zip(axes[0], maps):
        image = draw_map(ax, matrix, chrom, start, binsize, limits, title=label)
    colour_bar(fig, image, axes[0], "contacts / mean contact one bin apart")
    table = pd.concat([map_table(matrix, chrom, start, binsize, map=label) for label, matrix in maps])
    save_figure(fig, out, table)


def plot_projection(ensemble, out):
    coords = np.asarray(ensemble["coordinates"][0], float)
    bead = np.arange(len(coords))
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.4))
    for ax, (a, b, names) in zip(axes, ((0, 1, "xy"), (0, 2, "xz"))):
        ax.plot(coords[:, a], coords[:, b], color="0.7", linewidth=0.5)
        points = ax.scatter(coords[:, a], coords[:, b], c=bead, cmap="viridis", s=6)
        ax.set_aspect("equal")
        ax.set_xlabel(f"{names[0]} ({ensemble['units']})", fontsize=8)
        ax.set_ylabel(f"{names[1]} ({ensemble['units']})", fontsize=8)
        ax.tick_params(labelsize=7)
    colour_bar(fig, points, axes, "bead along the chain")
    per_bin = ensemble["beads_per_bin"]
    table = pd.DataFrame({"bead": bead, "bin": bead // per_bin, "x": coords[:, 0], "y": coords[:, 1],
                          "z": coords[:, 2]})
    save_figure(fig, out, table)
