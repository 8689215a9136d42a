"""Generated versus simulated ensembles on held-out maps: the paper's Fig. 4 (section 5).

For each simulated test ensemble (never trained on), the generator samples as many structures as the
ensemble has, conditioned on the ensemble's contact map; both ensembles are then scored as paper
section 5 does: P(s) of their maps (Fig. 4a), the SCC of each map with the simulated map, and the mean
pairwise dRMSD with its perturbation baseline (Fig. 4b).
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..evaluation.plotting import save_figure
from .ensemble import contact_probability, summary
from .training import generated_ensemble


def compare_ensembles(bundle, test_ensembles, names, settings, seed, guidance, steps):
    """The Fig. 4 numbers of generated and simulated test ensembles as one long table.

    Parameters
    ----------
    bundle : dict
        A trained bundle with ``contact_distance`` and ``units`` (``structure train``).
    test_ensembles : list of dict
        Held-out ensembles (:func:`hicmodels.structure.io.read_ensemble`).
    names : list of str
        Their names in the table.
    settings : dict
        ``structure.metrics``.
    seed, guidance, steps
        As for :func:`hicmodels.structure.training.sample_ensemble` (ensemble ``k`` uses ``seed + k``).

    Returns
    -------
    pandas.DataFrame
        ``ensemble``, ``source`` (simulated, generated), ``metric`` (``contact_decay`` at
        ``separation_bins``, normalised to 1 at one bin; ``scc`` with the simulated map;
        ``drmsd_bonds`` and ``perturbation_drmsd_bonds``, the diversity and its baseline in the
        ensemble's mean bond lengths, so generated and simulated structures share a unit), ``value``.
    """
    rows = []
    for k, (name, simulated) in enumerate(zip(names, test_ensembles)):
        generated = generated_ensemble(bundle, simulated["contacts"], simulated["bins"], len(simulated["coordinates"]),
                                       seed + k, guidance, steps, name, simulated["circular"])
        for source, ensemble in (("simulated", {**simulated, "input_contacts": simulated["contacts"]}),
                                 ("generated", generated)):
            row = summary(ensemble, settings["scc_h"], settings["scc_max_offset"], settings["perturbation_sigma_bonds"])
            for metric in ("scc", "drmsd_bonds", "perturbation_drmsd_bonds"):
                rows.append({"ensemble": name, "source": source, "metric": metric, "separation_bins": np.nan,
                             "value": row[metric]})
            p = contact_probability(ensemble["contacts"], ensemble["circular"])
            for s in range(1, len(p)):
                rows.append({"ensemble": name, "source": source, "metric": "contact_decay", "separation_bins": s,
                             "value": p[s] / p[1] if p[1] > 0 else np.nan})
    return pd.DataFrame(rows)


def plot_comparison(table, out):
    """Fig. 4: (a) P(s) of simulated and generated maps per test ensemble; (b) SCC with the simulated map;
    (c) mean pairwise dRMSD of both and the perturbation baseline. PNG with ``table`` as its TSV."""
    fig, axes = plt.subplots(1, 3, figsize=(10.5, 3.2))
    colours = {"simulated": "0.3", "generated": "tab:red"}
    decay = table[table["metric"] == "contact_decay"]
    for (name, source), group in decay.groupby(["ensemble", "source"], sort=False):
        axes[0].loglog(group["separation_bins"], group["value"], color=colours[source], alpha=0.7,
                       linestyle="-" if source == "generated" else "--", label=source)
    handles, labels = axes[0].get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    axes[0].legend(unique.values(), unique.keys(), fontsize=7)
    axes[0].set_xlabel("separation (bins)", fontsize=8)
    axes[0].set_ylabel("P(s) / P(1 bin)", fontsize=8)
    axes[0].set_title("a  contact decay", fontsize=9, loc="left")
    scc = table[(table["metric"] == "scc") & (table["source"] == "generated")]
    axes[1].boxplot([scc["value"].to_numpy()], tick_labels=["generated"])
    axes[1].set_ylabel("SCC with the simulated map", fontsize=8)
    axes[1].set_title("b  SCC", fontsize=9, loc="left")
    series = [("simulated", "drmsd_bonds"), ("generated", "drmsd_bonds"), ("simulated", "perturbation_drmsd_bonds")]
    values = [table[(table["source"] == s) & (table["metric"] == m)]["value"].to_numpy() for s, m in series]
    axes[2].boxplot(values, tick_labels=["simulated", "generated", "perturbation"])
    axes[2].set_ylabel("mean pairwise dRMSD (bond lengths)", fontsize=8)
    axes[2].set_title("c  diversity", fontsize=9, loc="left")
    for ax in axes:
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    save_figure(fig, out, table)

