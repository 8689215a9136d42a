"""Assembling window predictions into a genome-wide map in reference coordinates.

Each window's map is moved onto the reference bin grid through the
reference -> sequence mapping (identity for the reference, the haplotype's
chain otherwise; :func:`hicmodels.hic.rebin.window_to_reference`), then windows
are averaged where they overlap. Reference bins the haplotype lacks, or that no
window covers, are masked (NaN weight).

What a haplotype's windows hold beyond the reference-coordinate map:

- inserted (novel) bases have no reference bin: they are left out of the map
  and listed, with the window bins on them, by :func:`personal_sequence_table`;
- extra copies of reference bases (tandem and trans-duplications) land on the
  bins of their reference origin, where they are averaged with the primary
  copy (:func:`hicmodels.hic.rebin.window_to_reference`); they are listed too;
- parts of a window on another reference chromosome (across a translocation,
  a trans-duplicated copy) are left out of the window chromosome's map, which
  holds intra-chromosomal contacts only; they are counted per window and logged.
"""

import logging

import bioframe
import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import write_tsv
from ..genome.liftover import EXTRA_COLUMNS, identity_blocks, invert, personal_extras, read_chain
from ..modelling.store import read_model_moments, read_predictions, read_variances
from ..modelling.uncertainty import interval_bounds, variance_from_moments, z_score
from .cool import write_cool
from .rebin import resample, window_to_reference
from .stitch import ChromosomeStitcher, diagonal_coverage, full_band, within_band

log = logging.getLogger(__name__)

ELSEWHERE_COLUMNS = ["window_id", "chrom", "seq_chrom", "seq_start", "seq_end", "novel_bp", "other_chrom_bp", "other_chroms"]


def stitch_windows(windows, window_ids, maps, chromsizes, binsize, blocks, min_coverage):
    """Average window maps on the reference grid.

    Parameters
    ----------
    windows : DataFrame
        Window table (:mod:`hicmodels.genome.windows`).
    window_ids, maps : arrays
        Predictions (:func:`hicmodels.modelling.store.read_predictions`).
    chromsizes : Series
        Reference chromosome sizes.
    binsize : int
        Reference bin size of the output.
    blocks : DataFrame or None
        Reference -> haplotype mapping; ``None`` for reference windows.
    min_coverage : float
        A reference bin is kept for a window only if at least this fraction of
        its bases is present in the window's sequence.

    Returns
    -------
    pixels : dict
        chrom -> (rows, cols, values), chromosome-local upper-triangle pixels.
    valid : dict
        chrom -> boolean mask of bins that received predictions.
    elsewhere : DataFrame
        :data:`ELSEWHERE_COLUMNS`, one row per window with bases outside its
        chromosome's map: ``novel_bp`` inserted bases, ``other_chrom_bp``
        bases from other reference chromosomes (``other_chroms``, with their
        bases, e.g. ``chrII:30000``).
    """
    to_reference = identity_blocks(chromsizes) if blocks is None else invert(blocks)
    by_id = windows.set_index("window_id")
    nbins_of = {c: -(-int(n) // binsize) for c, n in chromsizes.items()}
    stitchers, valid, elsewhere = {}, {}, []
    for window_id, matrix in zip(window_ids, maps):
        w = by_id.loc[window_id]
        chrom = w["chrom"]
        if chrom not in stitchers:
            stitchers[chrom] = ChromosomeStitcher(nbins_of[chrom])
            valid[chrom] = np.zeros(nbins_of[chrom], bool)
        seq = (w["seq_chrom"], int(w["seq_start"]), int(w["seq_end"]))
        ref_bins, weights, pieces = window_to_reference(to_reference, *seq, matrix.shape[0], chrom, binsize)
        here = (pieces["pchrom"] == chrom).to_numpy()
        lengths = np.minimum((ref_bins + 1) * binsize, chromsizes[chrom]) - ref_bins * binsize
        on_reference = resample(matrix.astype(np.float64), weights, lengths, min_coverage)
        stitchers[chrom].add(ref_bins, on_reference)
        valid[chrom][ref_bins[np.isfinite(on_reference).any(axis=1)]] = True
        bp = pieces["pend"] - pieces["pstart"]
        novel = seq[2] - seq[1] - int(bp.sum())
        other = bp[~here].groupby(pieces["pchrom"][~here], sort=False).sum()
        if novel or len(other):
            elsewhere.append((window_id, chrom, *seq, novel, int(other.sum()),
                              ",".join(f"{c}:{n}" for c, n in other.items()) or "."))
    pixels = {}
    for chrom, stitcher in stitchers.items():
        rows, cols, values, _ = stitcher.result()
        pixels[chrom] = (rows, cols, values)
        log.info("%s: %d of %d bins predicted", chrom, valid[chrom].sum(), len(valid[chrom]))
    elsewhere = pd.DataFrame(elsewhere, columns=ELSEWHERE_COLUMNS)
    _log_elsewhere(elsewhere)
    return pixels, valid, elsewhere


def _log_elsewhere(elsewhere):
    novel = elsewhere[elsewhere["novel_bp"] > 0]
    if len(novel):
        log.info("%d windows hold %d inserted bases in all, which have no reference bin (see the "
                 "personal-sequence table)", len(novel), novel["novel_bp"].sum())
    other = elsewhere[elsewhere["other_chrom_bp"] > 0]
    for row in other.itertuples(index=False):
        log.warning("window %s (%s:%d-%d): %d bp from other reference chromosomes (%s) left out of the %s map",
                    row.window_id, row.seq_chrom, row.seq_start, row.seq_end, row.other_chrom_bp, row.other_chroms,
                    row.chrom)
    if len(other):
        log.warning("%d windows: %d bp from other reference chromosomes left out of the cis maps", len(other),
                    other["other_chrom_bp"].sum())


def personal_sequence_table(windows, window_ids, nbins, blocks, personal_sizes):
    """Inserted bases and extra copies of a haplotype, with the predicted window bins on them.

    Parameters
    ----------
    windows : DataFrame
        Window table of the haplotype.
    window_ids : array of str
        The predicted windows.
    nbins : int
        Bins of a window's map.
    blocks : DataFrame or None
        Reference -> haplotype mapping (chain order); ``None`` gives an empty table.
    personal_sizes : dict or Series
        Haplotype chromosome sizes.

    Returns
    -------
    DataFrame
        :data:`~hicmodels.genome.liftover.EXTRA_COLUMNS` (``kind`` ``novel``:
        not in the reference-coordinate map; ``extra_copy``: averaged into
        the bins of ``chrom:start-end`` where the window lies on that
        chromosome), plus ``windows`` (how many predicted windows read some of
        it) and ``window_bins`` (``window_id[first-last]`` for each, the bins
        of the window's map overlapping it, 0-based; ``.`` if none).
    """
    columns = EXTRA_COLUMNS + ["windows", "window_bins"]
    if blocks is None:
        return pd.DataFrame({c: [] for c in columns})
    extras = personal_extras(blocks, personal_sizes)
    predicted = windows[windows["window_id"].isin(set(window_ids))]
    seqs = pd.DataFrame({"chrom": predicted["seq_chrom"].to_numpy(), "start": predicted["seq_start"].to_numpy(),
                         "end": predicted["seq_end"].to_numpy(), "window_id": predicted["window_id"].to_numpy()})
    spans = extras[["pchrom", "pstart", "pend"]].set_axis(["chrom", "start", "end"], axis=1)
    hits = bioframe.overlap(spans, seqs, how="inner", return_index=True, suffixes=("", "_w"))
    labels = [[] for _ in range(len(extras))]
    for i, a, b, s, e, wid in zip(hits["index"], hits["start"], hits["end"], hits["start_w"], hits["end_w"],
                                  hits["window_id_w"]):
        edges = np.linspace(s, e, nbins + 1).round().astype(np.int64)
        first = int(np.searchsorted(edges[1:], a, side="right"))
        last = int(np.searchsorted(edges[:-1], b, side="left")) - 1
        labels[i].append(f"{wid}[{first}-{last}]")
    return extras.assign(windows=[len(x) for x in labels],
                         window_bins=[";".join(x) if x else "." for x in labels])[columns]


def assemble_cool(windows, window_ids, maps, chromsizes, binsize, out_path, blocks, min_coverage, metadata,
                  assembly=None, *, band_min_predicted):
    """Stitch predictions, keep the band every position is predicted in, and write a ``.cool``.

    Diagonals are kept from the main one out to the last one with at least
    ``band_min_predicted`` of its pairs of valid bins predicted
    (:func:`~hicmodels.hic.stitch.full_band`); pixels farther out are dropped.
    Dropped rather than weighted: a reader that takes an unstored pixel for
    zero (``cooltools expected-cis``, insulation) then sees the predicted
    values and no fall of P(s) where fewer windows reach, and every stored
    pixel is a mean of predictions, not a rescaled one.

    The metadata gets ``max_predicted_distance_bp`` (bin distance of the
    farthest stored diagonal), ``band_diagonals`` (diagonals stored,
    the main one included), ``band_min_predicted`` and ``diagonal_coverage``
    (per diagonal as stitched, before the cut: the fraction of pairs of valid
    bins predicted).

    Returns
    -------
    DataFrame
        The windows with bases outside their chromosome's map
        (:data:`ELSEWHERE_COLUMNS`).
    """
    pixels, valid, elsewhere = stitch_windows(windows, window_ids, maps, chromsizes, binsize, blocks, min_coverage)
    last, band = predicted_band(pixels, valid, binsize, band_min_predicted)
    write_cool(out_path, chromsizes, binsize, within_band(pixels, last), valid, {**(metadata or {}), **band}, assembly)
    return elsewhere


def predicted_band(pixels, valid, binsize, band_min_predicted):
    """Last diagonal kept by :func:`assemble_cool` and the band's metadata, from stitched pixels."""
    possible, predicted = diagonal_coverage(pixels, valid)
    last = full_band(possible, predicted, band_min_predicted)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(possible > 0, predicted / np.maximum(possible, 1), 0.0)
    log.info("diagonals 0-%d kept (at least %.3g of their pairs predicted), %d farther ones dropped; "
             "fraction predicted per diagonal: %s", last, band_min_predicted, len(possible) - 1 - last,
             " ".join(f"{f:.3f}" for f in fraction))
    return last, {"max_predicted_distance_bp": int(max(last, 0) * binsize), "band_diagonals": last + 1,
                  "band_min_predicted": float(band_min_predicted),
                  "diagonal_coverage": [round(float(f), 6) for f in fraction]}


def stitched_moments(windows, window_ids, means, variances, chromsizes, settings, blocks):
    """Stitch per-window means and variances by the law of total variance, cut to the means' band.

    Means and second moments ``v + m^2`` are stitched alike (overlap-weighted
    averages), and the variance is their difference from the squared mean
    (:mod:`hicmodels.modelling.uncertainty`).

    Returns
    -------
    mean, variance : dict
        chrom -> (rows, cols, values), the same pixels, within the band.
    valid : dict
        chrom -> bins predicted.
    band : dict
        The band's metadata (:func:`predicted_band`).
    """
    second = variances.astype(np.float64) + np.square(means.astype(np.float64))
    stitched = {}
    for name, values in (("mean", means), ("second", second)):
        stitched[name], valid, _ = stitch_windows(windows, window_ids, values, chromsizes, settings["bin_size"], blocks,
                                                  settings["min_coverage"])
    # the mean's band: the same stitched pixels as the mean map's, a NaN variance exactly where the mean is NaN
    last, band = predicted_band(stitched["mean"], valid, settings["bin_size"], settings["band_min_predicted"])
    variance = {chrom: (rows, cols, variance_from_moments(mean, stitched["second"][chrom][2]))
                for chrom, (rows, cols, mean) in stitched["mean"].items()}
    return within_band(stitched["mean"], last), within_band(variance, last), valid, band


def _write_uncertainty(predictions_path, windows, ids, maps, attrs, chromsizes, settings, blocks, metadata, assembly,
                       sd_out_path, bound_paths):
    """Write the sd map and the interval bounds a predictions file's draws give (see :func:`assemble_genome`)."""
    variances = read_variances(predictions_path)
    if variances is None:
        raise InputError("the predictions hold one draw per window, no variances: predict with prediction.samples "
                         "> 1 and a stochastic model (variational Akita, diffusion)", predictions_path)
    binsize, samples = settings["bin_size"], int(attrs["samples"])
    if sd_out_path:
        _, variance, valid, band = stitched_moments(windows, ids, maps, variances, chromsizes, settings, blocks)
        values = f"posterior-predictive standard deviation of: {metadata['values']}"
        write_cool(sd_out_path, chromsizes, binsize, {c: (r, k, np.sqrt(v)) for c, (r, k, v) in variance.items()},
                   valid, {**metadata, **band, "values": values, "samples": samples}, assembly)
    if bound_paths:
        level = settings["interval_level"]
        moments = read_model_moments(predictions_path)
        if level is None or moments is None:
            raise InputError("interval bounds need assemble.interval_level and predictions with model-space moments "
                             "(predicted with prediction.samples > 1 by this version)", predictions_path)
        space = attrs["model_space"]
        mean, variance, valid, band = stitched_moments(windows, ids, *moments, chromsizes, settings, blocks)
        bounds = {c: interval_bounds(m, variance[c][2], level, space) for c, (_, _, m) in mean.items()}
        for side, path in zip(("lower", "upper"), bound_paths):
            values = (f"{side} bound of the central {level:g} posterior-predictive interval (Gaussian in model space "
                      f"{space}: mean {'-' if side == 'lower' else '+'} {z_score(level):.4f} sd, transformed) of: "
                      f"{metadata['values']}")
            chosen = {c: (r, k, bounds[c][side == "upper"]) for c, (r, k, _) in mean.items()}
            write_cool(path, chromsizes, binsize, chosen, valid,
                       {**metadata, **band, "values": values, "samples": samples, "interval_level": float(level)},
                       assembly)


def assemble_genome(*, predictions_path, windows, chromsizes, settings, out_path, chain_path=None,
                    personal_sequence_path=None, model=None, cell_line=None, assembly=None, sd_out_path=None,
                    bound_paths=None):
    """A genome's window predictions -> its reference-coordinate ``.cool`` (and personal-sequence table).

    Parameters
    ----------
    predictions_path : path
        Predictions (:func:`hicmodels.modelling.store.read_predictions`).
    windows : DataFrame
        The genome's window table.
    chromsizes : Series
        Reference chromosome sizes (names and lengths of the output).
    settings : dict
        Config section ``assemble``: ``bin_size``, ``min_coverage``, ``band_min_predicted``, ``interval_level``
        (nominal level of the interval bounds).
    out_path : path or None
        ``.cool`` written (None: only the standard deviation's).
    chain_path : path, optional
        Reference -> haplotype chain, for a haplotype's predictions.
    personal_sequence_path : path, optional
        TSV written: :func:`personal_sequence_table` (header only without a chain).
    model, cell_line, assembly : str, optional
        Model entry, cell line and genome assembly names, stored in the cooler.
    sd_out_path : path, optional
        ``.cool`` of the per-pixel posterior-predictive standard deviation,
        on the same bins (predictions made with ``prediction.samples`` > 1).
    bound_paths : (path, path), optional
        ``.cool`` files of the lower and upper bounds of the central
        ``interval_level`` posterior-predictive interval, same bins and band.

    Notes
    -----
    The cooler's metadata says what made it and what its values are:
    ``model``, ``cell_line``, ``architecture``, ``checkpoint_sha256``,
    ``values``, ``contact_scale``, ``haplotype_chain`` and the band
    (:func:`assemble_cool`: ``max_predicted_distance_bp``, ``band_diagonals``,
    ``diagonal_coverage``).

    The standard deviation is stitched by the law of total variance: a
    stitched pixel is the overlap-weighted mixture of the window pixels
    behind it (windows, and window bins resampled onto a reference bin), so
    its variance is the stitched mean of the second moments ``v + m^2``
    minus the squared stitched mean (:mod:`hicmodels.modelling.uncertainty`);
    it is cut to the mean map's band.

    The interval bounds are Gaussian in the model's output space, from the
    draws' model-space mean and variance stitched the same way, mapped to
    stored values by the output transform
    (:func:`hicmodels.modelling.uncertainty.interval_bounds`).
    """
    ids, maps, attrs = read_predictions(predictions_path)
    blocks, _, personal_sizes = read_chain(chain_path) if chain_path else (None, None, None)
    metadata = {"predicted_by": "hicmodels", "model": model, "cell_line": cell_line,
                "architecture": attrs.get("architecture"), "checkpoint_sha256": attrs.get("checkpoint_sha256"),
                "values": attrs.get("values", "balanced contacts scaled to a genome-wide mean of 1"),
                **{key: attrs[key] for key in ("source_format", "source_sha256") if key in attrs},
                "contact_scale": float(attrs["contact_scale"]),
                "haplotype_chain": str(chain_path) if chain_path else None}
    if out_path:
        assemble_cool(windows, ids, maps, chromsizes, settings["bin_size"], out_path, blocks,
                      settings["min_coverage"], metadata, assembly, band_min_predicted=settings["band_min_predicted"])
    if sd_out_path or bound_paths:
        _write_uncertainty(predictions_path, windows, ids, maps, attrs, chromsizes, settings, blocks, metadata,
                           assembly, sd_out_path, bound_paths)
    if personal_sequence_path:
        table = personal_sequence_table(windows, ids, maps.shape[1], blocks, personal_sizes)
        write_tsv(table, personal_sequence_path)
        for kind, part in table.groupby("kind"):
            log.info("%d %s stretches (%d bp), %d of them read by predicted windows", len(part), kind,
                     (part["pend"] - part["pstart"]).sum(), (part["windows"] > 0).sum())
