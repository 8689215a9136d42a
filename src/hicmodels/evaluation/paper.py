"""The figures of ``snakemake paper``, laid out as the papers this project implements show them.

Each figure function draws from numbers it is handed and writes them beside the image
(:func:`hicmodels.evaluation.plotting.save_figure`); the functions that compute those numbers from
coolers and predictions are here too, so that the TSVs can be checked against hand-made maps.

- :func:`example_windows`: HiCDiffusion Fig. 3 (upper part): example held-out windows, the
  experimental map beside every model's prediction on one colour scale.
- :func:`insulation_figure`: HiCDiffusion Fig. 4: maps with their insulation tracks underneath and
  the boundaries called on them (cooltools' diamond insulation and its Li-threshold boundaries,
  where the paper uses the same method through its own scripts).
- :func:`chromosome_metric_bars`: the per-chromosome metrics behind HiCDiffusion Fig. 3 (lower
  part), every model and baseline.
- :func:`contact_decay_figure`: P(s), contact frequency against genomic distance (the 3D-ensemble
  paper's Fig. 4a), of the experiment and every model.
- :func:`loops_figure`: loops called on the experiment and on every model (cooltools' HiCCUPS-like
  ``dots``, :mod:`.loops`) drawn on the maps of a held-out window, in the manner of MIX-HIC v2's
  Fig. 6 (predicted loops against the experiment's, recovered and missed ones marked), with each
  model's loop precision/recall/F1 (MIX-HIC v2 Table 3's metrics).
- :func:`haplotype_structural_variants`: HiCDiffusion Fig. 6 (a modelled trans-duplication) for the
  structural variants a sample carries: each haplotype in the reference's coordinates, its
  difference from the reference, and the haplotype in its own coordinates. Where the paper shows
  one edited sequence against the unedited one, this shows the personal genome's variants.
"""

import cooltools
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..hic.stitch import ChromosomeStitcher
from .folds import metric_columns
from .plotting import (
    CONTACTS_CMAP,
    DIFFERENCE_CMAP,
    colour_bar,
    draw_map,
    map_table,
    save_figure,
    shared_limits,
    symmetric_limits,
)

#: Example windows of :func:`example_windows` (HiCDiffusion Fig. 3 shows one; a few show the spread).
EXAMPLE_WINDOWS = 3
#: Bases drawn on each side of a structural variant (as the report's figure of the maps around SVs).
SV_FLANK_BP = 150_000


def _view(clr, chroms):
    """A cooltools view of whole chromosomes ``chroms`` (the cooler's names)."""
    return pd.DataFrame({"chrom": chroms, "start": 0, "end": [int(clr.chromsizes[c]) for c in chroms],
                         "name": chroms})


def contact_decay(clr, chroms, max_distance_bp):
    """P(s) of balanced contacts on ``chroms``, pooled over them (cooltools ``expected_cis``).

    Parameters
    ----------
    clr : cooler.Cooler
        With a ``weight`` column (predicted maps have one: 1, NaN for masked bins).
    chroms : list of str
        The cooler's chromosome names.
    max_distance_bp : int
        Farthest distance kept: a predicted map's ``max_predicted_distance_bp``, the bin distance of
        its farthest stored diagonal (:func:`hicmodels.hic.assemble.assemble_cool`).

    Returns
    -------
    DataFrame
        ``distance_bp``, ``n_valid`` (pixels between unmasked bins), ``mean_contact`` (balanced sum
        over ``n_valid``: absent pixels count as 0, as in cooltools) and ``relative``
        (``mean_contact`` over its value one bin apart, so curves on different scales compare).
    """
    expected = cooltools.expected_cis(clr, view_df=_view(clr, chroms), smooth=False, ignore_diags=0,
                                      clr_weight_name="weight")
    pooled = expected.groupby("dist_bp")[["n_valid", "balanced.sum"]].sum().reset_index()
    pooled = pooled[pooled["dist_bp"] <= max_distance_bp]
    mean = pooled["balanced.sum"] / pooled["n_valid"].where(pooled["n_valid"] > 0)
    one_bin = mean[pooled["dist_bp"] == clr.binsize]
    relative = mean / one_bin.iloc[0] if len(one_bin) and one_bin.iloc[0] > 0 else mean * np.nan
    return pd.DataFrame({"distance_bp": pooled["dist_bp"].astype(np.int64),
                         "n_valid": pooled["n_valid"].astype(np.int64),
                         "mean_contact": mean.to_numpy(), "relative": relative.to_numpy()})


def insulation_track(clr, chroms, window_bins, ignore_diags=2):
    """Diamond insulation and boundaries of ``chroms`` (cooltools ``insulation``, Li threshold).

    Parameters
    ----------
    window_bins : int
        Diamond size in bins (config ``metrics.insulation_window``, as the metrics use).

    Returns
    -------
    DataFrame
        ``chrom`` (the cooler's name), ``start``, ``end``, ``log2_insulation``, ``boundary_strength``
        and ``is_boundary``.
    """
    window_bp = int(window_bins * clr.binsize)
    table = cooltools.insulation(clr, [window_bp], view_df=_view(clr, chroms), ignore_diags=ignore_diags,
                                 clr_weight_name="weight", verbose=False)
    return pd.DataFrame({"chrom": table["chrom"].astype(str), "start": table["start"], "end": table["end"],
                         "log2_insulation": table[f"log2_insulation_score_{window_bp}"],
                         "boundary_strength": table[f"boundary_strength_{window_bp}"],
                         "is_boundary": table[f"is_boundary_{window_bp}"].astype(bool)})


def personal_region_map(windows, window_ids, maps, pchrom, pstart, pend, binsize):
    """A haplotype's predicted map of ``pchrom:pstart-pend`` in its own (personal) coordinates.

    Window maps are placed by the personal sequence they read (``seq_chrom``, ``seq_start``) and
    averaged where they overlap, as the reference-coordinate assembly does, but without going
    through the chain. Window starts are not on the region's bin grid: each window bin goes to the
    nearest region bin (less than half a bin off).

    Parameters
    ----------
    windows : DataFrame
        The haplotype's window table (:mod:`hicmodels.genome.windows`).
    window_ids, maps : arrays
        Its predictions (:func:`hicmodels.modelling.store.read_predictions`).
    binsize : int
        The predictions' bin size.

    Returns
    -------
    ndarray
        Symmetric map of ``ceil((pend - pstart) / binsize)`` bins; NaN where no window reached.
    """
    nbins = -(-(pend - pstart) // binsize)
    stitcher = ChromosomeStitcher(nbins)
    seq = windows.set_index("window_id").loc[list(window_ids), ["seq_chrom", "seq_start"]]
    for (chrom, seq_start), matrix in zip(seq.itertuples(index=False), maps):
        if chrom != pchrom:
            continue
        target = np.floor((seq_start + np.arange(matrix.shape[0]) * binsize - pstart) / binsize + 0.5).astype(np.int64)
        inside = (target >= 0) & (target < nbins)
        if inside.any():
            stitcher.add(target[inside], matrix[np.ix_(inside, inside)].astype(np.float64))
    rows, cols, values, _ = stitcher.result()
    out = np.full((nbins, nbins), np.nan)
    out[rows, cols] = values
    out[cols, rows] = values
    return out


def example_windows(regions, maps, binsize, path):
    """HiCDiffusion Fig. 3 (upper part): example windows, experiment beside every model, log1p contacts.

    Parameters
    ----------
    regions : DataFrame
        ``chrom``, ``start``, ``end`` of each example window (one row of panels each).
    maps : dict
        Panel label (``"experiment"`` first, then the models) -> list of matrices, one per region,
        on one contact scale; drawn as log1p with one colour scale per row.
    binsize : int
    """
    labels = list(maps)
    fig, axes = plt.subplots(len(regions), len(labels), figsize=(2.7 * len(labels) + 0.8, 2.6 * len(regions)),
                             squeeze=False, layout="constrained")
    tables = []
    for row, region in enumerate(regions.itertuples()):
        shown = {label: np.log1p(maps[label][row]) for label in labels}
        limits = shared_limits(shown.values())
        for col, label in enumerate(labels):
            image = draw_map(axes[row, col], shown[label], region.chrom, region.start, binsize, limits,
                             title=label if row == 0 else None)
            tables.append(map_table(shown[label], region.chrom, region.start, binsize, window=row, panel=label))
        colour_bar(fig, image, axes[row, :], "log1p(contacts)")
    fig.suptitle("Held-out example windows (one colour scale per row)", fontsize=9)
    save_figure(fig, path, pd.concat(tables, ignore_index=True))


def insulation_figure(region, maps, tracks, binsize, path):
    """HiCDiffusion Fig. 4: maps of a region with their insulation tracks and boundaries underneath.

    Parameters
    ----------
    region : tuple
        ``(chrom, start, end)`` drawn.
    maps : dict
        Label (``"experiment"`` first) -> matrix of the region (log1p drawn, one colour scale).
    tracks : DataFrame
        ``predictor`` (the labels of ``maps``), ``chrom``, ``start``, ``end``, ``log2_insulation``,
        ``is_boundary`` over the held-out chromosomes (written as the figure's TSV); the title gives
        each model's Pearson correlation with the experiment's track over all of them.
    """
    chrom, start, end = region
    labels = list(maps)
    shown = {label: np.log1p(maps[label]) for label in labels}
    limits = shared_limits(shown.values())
    fig, axes = plt.subplots(2, len(labels), figsize=(2.9 * len(labels) + 0.8, 4.6), squeeze=False,
                             height_ratios=[3, 1.2], sharex="col", layout="constrained")
    experiment = tracks[tracks["predictor"] == labels[0]].set_index(["chrom", "start"])["log2_insulation"]
    for col, label in enumerate(labels):
        image = draw_map(axes[0, col], shown[label], chrom, start, binsize, limits, title=label)
        axes[0, col].set_xlabel("")
        mine = tracks[tracks["predictor"] == label]
        here = mine[(mine["chrom"] == chrom) & (mine["start"] >= start) & (mine["end"] <= end)]
        centre = (here["start"] + here["end"]) / 2
        ax = axes[1, col]
        if col:
            reference = experiment.reindex(list(zip(here["chrom"], here["start"])))
            ax.plot(centre, reference.to_numpy(), color="0.6", lw=1, label=labels[0])
            paired = mine.set_index(["chrom", "start"])["log2_insulation"].to_frame("model").join(experiment)
            paired = paired.dropna()
            r = np.corrcoef(paired["model"], paired["log2_insulation"])[0, 1] if len(paired) > 2 else np.nan
            axes[0, col].set_title(f"{label}\ninsulation r = {r:.2f}", fontsize=8)
        ax.plot(centre, here["log2_insulation"], color="C3", lw=1, label=label)
        boundaries = here[here["is_boundary"]]
        ax.plot((boundaries["start"] + boundaries["end"]) / 2, boundaries["log2_insulation"], "s", color="C1", ms=4,
                label="boundary")
        ax.axhline(0, color="k", lw=0.4)
        ax.set_xlim(start, end)
        ax.set_xlabel(chrom, fontsize=8)
        ax.tick_params(labelsize=7)
        if col == 0:
            ax.set_ylabel("log2 insulation", fontsize=8)
        ax.legend(fontsize=6, loc="lower right")
    colour_bar(fig, image, axes[0, :], "log1p(contacts)")
    fig.suptitle("Insulation and boundaries (cooltools diamond insulation, Li threshold)", fontsize=9)
    save_figure(fig, path, tracks.reset_index(drop=True))


def chromosome_metric_bars(table, path):
    """Every metric per held-out chromosome, a bar per model and baseline (and protocol, when given).

    Parameters
    ----------
    table : DataFrame
        A metrics table (``hicmodels evaluation metrics``); columns are read by name, so added
        metrics and a ``protocol`` column are drawn too. A metric without any value (loops or
        compartments on maps too narrow for them) gets no panel and no rows in the TSV.
    """
    series = table["predictor"].astype(str)
    if "protocol" in table.columns:
        series = series + " (" + table["protocol"].astype(str) + ")"
    long = table.assign(series=series).melt(id_vars=["series", "chrom"], value_vars=metric_columns(table),
                                            var_name="metric", value_name="value")
    long = long[long.groupby("metric")["value"].transform(lambda values: values.notna().any())]
    metrics, chroms = list(dict.fromkeys(long["metric"])), list(dict.fromkeys(long["chrom"]))
    names = list(dict.fromkeys(long["series"]))
    drawn = long[["metric", "chrom", "series", "value"]].rename(columns={"series": "predictor"})
    if not metrics:  # every metric NaN (e.g. maps too small to score): say so instead of failing the paper target
        fig, ax = plt.subplots(figsize=(4, 1), layout="constrained")
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no metric has a value on any held-out chromosome", ha="center", va="center", fontsize=9)
        save_figure(fig, path, drawn)
        return
    fig, axes = plt.subplots(len(metrics), 1, figsize=(1.2 + 0.9 * len(chroms) * max(len(names), 2) / 2,
                                                      1.9 * len(metrics)), squeeze=False, sharex=True,
                             layout="constrained")
    width = 0.8 / len(names)
    for ax, metric in zip(axes[:, 0], metrics):
        part = long[long["metric"] == metric].set_index(["series", "chrom"])["value"]
        for k, name in enumerate(names):
            heights = [part.get((name, chrom), np.nan) for chrom in chroms]
            ax.bar(np.arange(len(chroms)) + k * width, np.nan_to_num(heights), width, label=name, color=f"C{k}")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_ylabel(metric, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[-1, 0].set_xticks(np.arange(len(chroms)) + 0.4 - width / 2, chroms)
    axes[0, 0].legend(fontsize=7, ncols=min(len(names), 4), loc="lower left", bbox_to_anchor=(0, 1.02))
    fig.suptitle("Metrics per held-out chromosome (missing values drawn as 0)", fontsize=9)
    save_figure(fig, path, drawn)


def contact_decay_figure(curves, path):
    """P(s): contact frequency against distance, each map relative to its value one bin apart (log-log).

    Parameters
    ----------
    curves : DataFrame
        ``predictor`` and the columns of :func:`contact_decay`.
    """
    fig, ax = plt.subplots(figsize=(4.6, 3.6), layout="constrained")
    for k, (name, curve) in enumerate(curves.groupby("predictor", sort=False)):
        shown = curve[(curve["distance_bp"] > 0) & (curve["relative"] > 0)]
        ax.loglog(shown["distance_bp"], shown["relative"], "o-" if k == 0 else ".-", ms=3, lw=1, color=f"C{k}",
                  label=name)
    ax.set_xlabel("genomic distance s (bp)")
    ax.set_ylabel("P(s) / P(one bin)")
    ax.legend(fontsize=7)
    ax.set_title("Contact decay on the held-out chromosome(s)", fontsize=9)
    save_figure(fig, path, curves.reset_index(drop=True))


def loops_figure(region, maps, calls, scores, binsize, path, note=""):
    """Loops of the experiment and every model on the maps of one region.

    Parameters
    ----------
    region : tuple
        ``(chrom, start, end)`` drawn.
    maps : dict
        Label (``"experiment"`` first) -> matrix of the region (log1p drawn, one colour scale).
    calls : DataFrame
        ``predictor``, BEDPE columns, ``score``, ``matched`` of every call on the held-out
        chromosomes (:func:`hicmodels.evaluation.scoring.loop_calls`; written as the TSV). The
        experiment's loops are drawn on every panel as circles (filled: recovered by some model),
        a model's own calls as crosses.
    scores : DataFrame
        ``predictor``, ``loop_precision``, ``loop_recall``, ``loop_f1`` (per chromosome; the titles
        give their means).
    note : str
        Shown under the maps (why no loops were called, when so).
    """
    chrom, start, end = region
    labels = list(maps)
    shown = {label: np.log1p(maps[label]) for label in labels}
    limits = shared_limits(shown.values())
    fig, axes = plt.subplots(1, len(labels), figsize=(2.9 * len(labels) + 0.8, 3.2), squeeze=False,
                             layout="constrained")
    here = calls[(calls["chrom1"] == chrom) & (calls["start1"] >= start) & (calls["end2"] <= end)]
    centre = binsize / 2
    truth = here[here["predictor"] == labels[0]]
    mean = scores.groupby("predictor", sort=False)[["loop_precision", "loop_recall", "loop_f1"]].mean()
    for ax, label in zip(axes[0], labels):
        title = label
        if label in mean.index:
            p, r, f = mean.loc[label]
            title = f"{label}\nP {p:.2f} R {r:.2f} F1 {f:.2f}"
        image = draw_map(ax, shown[label], chrom, start, binsize, limits, title=title)
        for matched, face in ((True, "C2"), (False, "none")):
            mine = truth[truth["matched"] == matched]
            ax.scatter(mine["start2"] + centre, mine["start1"] + centre, s=40, facecolors=face, edgecolors="C2",
                       linewidths=1.2, label=f"experiment ({'recovered' if matched else 'missed'})")
        if label != labels[0]:
            own = here[here["predictor"] == label]
            ax.scatter(own["start1"] + centre, own["start2"] + centre, marker="x", s=30, color="k", linewidths=1,
                       label="called on this map")
        ax.set_xlim(start, end)
        ax.set_ylim(end, start)
    axes[0, -1].legend(fontsize=6, loc="lower left")
    colour_bar(fig, image, axes[0, :], "log1p(contacts)")
    fig.suptitle("Loops (cooltools dots, HiCCUPS kernels; experiment above the diagonal, calls below)"
                 + (f"\n{note}" if note else ""), fontsize=9)
    save_figure(fig, path, calls.reset_index(drop=True))


def haplotype_structural_variants(variants, path):
    """HiCDiffusion Fig. 6 for a sample's structural variants: reference coordinates and the haplotype's own.

    Parameters
    ----------
    variants : list of dict
        One per variant (a row of panels): ``label``; ``chrom``, ``start``, ``binsize``,
        ``edges`` (the variant's reference bp) and ``reference`` (the predicted reference map);
        ``haplotypes``: label -> dict with ``matrix`` (reference coordinates), and ``personal``:
        ``None`` or dict with ``chrom``, ``start``, ``matrix`` and ``edges`` (the variant's span in
        the haplotype's coordinates).
    """
    haps = list(variants[0]["haplotypes"]) if variants else []
    ncols = 1 + 3 * len(haps)
    fig, axes = plt.subplots(max(len(variants), 1), ncols, figsize=(2.7 * ncols + 1, 2.8 * max(len(variants), 1)),
                             squeeze=False, layout="constrained")
    tables = []
    for row, sv in enumerate(variants):
        chrom, start, binsize = sv["chrom"], sv["start"], sv["binsize"]
        reference = np.log1p(sv["reference"])
        in_reference = {h: np.log1p(v["matrix"]) for h, v in sv["haplotypes"].items()}
        personal = {h: v["personal"] for h, v in sv["haplotypes"].items()}
        contacts = [reference, *in_reference.values(), *(np.log1p(p["matrix"]) for p in personal.values() if p)]
        limits = shared_limits(contacts)
        differences = {h: m - reference for h, m in in_reference.items()}
        diff_limits = symmetric_limits(differences.values())
        panels = [(reference, chrom, start, sv["edges"], "reference", limits, CONTACTS_CMAP, "reference")]
        for h in haps:
            panels.append((in_reference[h], chrom, start, sv["edges"], f"{h} (reference coords)", limits,
                           CONTACTS_CMAP, "reference"))
        for h in haps:
            panels.append((differences[h], chrom, start, sv["edges"], f"{h} - reference", diff_limits,
                           DIFFERENCE_CMAP, "reference"))
        for h in haps:
            p = personal[h]
            if p is not None:
                panels.append((np.log1p(p["matrix"]), p["chrom"], p["start"], p["edges"], f"{h} (own coords)",
                               limits, CONTACTS_CMAP, h))
            else:
                panels.append((None, None, None, None, f"{h}: flanks not on one personal chromosome", None, None, h))
        images = {}
        for col, (matrix, mchrom, mstart, edges, title, lims, cmap, coords) in enumerate(panels):
            ax = axes[row, col]
            if matrix is None:
                ax.set_axis_off()
                ax.set_title(title, fontsize=7)
                continue
            images[cmap] = draw_map(ax, matrix, mchrom, mstart, binsize, lims, cmap, title)
            for edge in edges:
                ax.axvline(edge, color="k", lw=0.6, ls=":")
                ax.axhline(edge, color="k", lw=0.6, ls=":")
            tables.append(map_table(matrix, mchrom, mstart, binsize, variant=sv["label"], panel=title,
                                    coordinates=coords))
        axes[row, 0].set_ylabel(sv["label"], fontsize=7)
        colour_bar(fig, images[CONTACTS_CMAP], axes[row, :], "log1p(contacts)")
        if DIFFERENCE_CMAP in images:
            colour_bar(fig, images[DIFFERENCE_CMAP], axes[row, 1 + len(haps): 1 + 2 * len(haps)], "difference")
    if not variants:
        axes[0, 0].text(0.5, 0.5, "no structural variants", ha="center", va="center")
        axes[0, 0].set_axis_off()
    fig.suptitle("Structural variants in reference and haplotype coordinates (dotted: the variant's span)",
                 fontsize=9)
    columns = ["variant", "panel", "coordinates", "chrom", "start1", "start2", "value"]
    save_figure(fig, path, pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns))


def region_matrix(clr, chrom, start, end):
    """Balanced matrix of ``chrom:start-end`` (clipped to the chromosome)."""
    return clr.matrix(balance=True).fetch(f"{chrom}:{max(start, 0)}-{min(end, int(clr.chromsizes[chrom]))}")


def structural_variant_panels(svs, reference, haplotypes, flank):
    """The numbers of :func:`haplotype_structural_variants` for a sample's structural variants.

    Parameters
    ----------
    svs : DataFrame
        ``chrom``, ``start``, ``end``, ``label`` (:func:`hicmodels.variants.records.structural_variants_of`).
    reference : cooler.Cooler
        The predicted reference map.
    haplotypes : dict
        Label -> dict with ``cool`` (the haplotype's reference-coordinate map), ``blocks`` (its chain,
        :func:`hicmodels.genome.liftover.read_chain`), ``windows``, ``window_ids``, ``maps`` and
        ``binsize`` (its window table and predictions).
    flank : int
        Bases drawn on each side of a variant.
    """
    from ..genome.liftover import lift_positions

    binsize = int(reference.binsize)
    variants = []
    for sv in svs.itertuples():
        lo = max(sv.start - flank, 0)
        lo -= lo % binsize
        hi = min(sv.end + flank, int(reference.chromsizes[sv.chrom]))
        entry = {"label": f"{sv.label} {sv.chrom}:{sv.start:,}-{sv.end:,}", "chrom": sv.chrom, "start": lo,
                 "binsize": binsize, "edges": [sv.start, sv.end],
                 "reference": region_matrix(reference, sv.chrom, lo, hi),
                 "haplotypes": {}}
        for label, hap in haplotypes.items():
            # the flanks and the variant's edges: the bases just outside it, which every haplotype keeps
            pchrom, ppos = lift_positions(hap["blocks"], sv.chrom, [lo, hi - 1, max(sv.start - 1, 0), sv.end])
            personal = None
            if pchrom[0] is not None and len(set(pchrom)) == 1 and ppos[1] > ppos[0] and hap["binsize"] == binsize:
                pstart = int(ppos[0])
                matrix = personal_region_map(hap["windows"], hap["window_ids"], hap["maps"], pchrom[0], pstart,
                                             int(ppos[1]) + 1, hap["binsize"])
                personal = {"chrom": pchrom[0], "start": pstart, "matrix": matrix,
                            "edges": [int(ppos[2]) + 1, int(ppos[3])]}
            entry["haplotypes"][label] = {"matrix": region_matrix(hap["cool"], sv.chrom, lo, hi), "personal": personal}
        variants.append(entry)
    return variants
