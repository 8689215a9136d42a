"""A genome's MIX-HIC-InferMap predictions from its track store alone: maps, loop scores and CAGE.

- Maps: every ``ok`` window of the genome's window table (the same tables,
  and for a haplotype the same lifted windows, as the sequence models) is a
  diagonal window, x = y = the window's sequence; the ``hic`` head's log1p
  map is turned into contacts on the checkpoint's contact scale and
  symmetrised (a diagonal window's true map is symmetric; the head's output
  need not be), and written as the predictions file the ``hic assemble``
  command stitches into reference coordinates
  (:mod:`hicmodels.modelling.store`).
- Loops: every labelled candidate (:mod:`.labels`, reference bins) is
  scored by the loop head's probability, its anchors lifted into the
  genome (haplotypes: through the chain, :func:`hicmodels.genome.liftover.lift_positions`);
  the BEDPE is in reference coordinates. Candidates with a deleted anchor are left out.
- CAGE: the cage head's 2 x ``map_bins`` values of each diagonal window
  (x and y halves are the same bins: averaged), moved onto the reference bins
  through the window's lift (:func:`hicmodels.hic.rebin.window_to_reference`)
  and averaged over windows weighted by the bases they share; bins no window
  covers are left out of the bigWig.
"""

import logging

import numpy as np
import pandas as pd

from ..files import write_tsv
from ..genome.liftover import identity_blocks, invert, lift_positions
from ..hic.rebin import window_to_reference
from ..modelling.mixhic import predict
from ..modelling.store import VALUE_NAMES, write_predictions
from .samples import loop_windows, window_samples

log = logging.getLogger(__name__)


def diagonal_windows(windows, map_bins, binsize):
    """The ``ok`` windows of a window table as samples windows (x = y = the sequence read)."""
    todo = windows[windows["status"] == "ok"].reset_index(drop=True)
    wrong = todo[todo["seq_end"] - todo["seq_start"] != map_bins * binsize]
    if len(wrong):
        raise ValueError(f"window {wrong['window_id'].iloc[0]} is not {map_bins} bins of {binsize} bp")
    return todo, pd.DataFrame({"chrom": todo["seq_chrom"], "x_start": todo["seq_start"], "y_start": todo["seq_start"]})


def predict_maps(checkpoint, store, windows, batch_size):
    """Window ids and contact maps ``(n, bins, bins)`` of a genome's ``ok`` windows (module docstring)."""
    config = checkpoint["model_config"]
    bins = config["map_bins"]
    todo, pairs = diagonal_windows(windows, bins, checkpoint["bin_size"])
    if todo.empty:
        log.warning("no window to predict (%d not ok)", len(windows))
        return todo["window_id"].to_numpy(), np.zeros((0, bins, bins), np.float32)
    tracks = window_samples(store, config["tracks"], pairs, bins, checkpoint["bin_size"])["tracks"]
    logs = predict(checkpoint, tracks, batch_size=batch_size).astype(np.float64)
    maps = np.clip(np.expm1(logs), 0, None)
    maps = (maps + maps.transpose(0, 2, 1)) / 2
    log.info("predicted %d windows (%d not ok: skipped)", len(todo), len(windows) - len(todo))
    return todo["window_id"].to_numpy(), maps.astype(np.float32)


def write_map_predictions(path, checkpoint, checkpoint_sha256, store, windows, batch_size):
    """:func:`predict_maps` as a predictions file (the attributes ``hic assemble`` reads)."""
    ids, maps = predict_maps(checkpoint, store, windows, batch_size)
    attrs = {"contact_scale": checkpoint["contact_scale"], "bin_size": checkpoint["bin_size"],
             "architecture": "mixhic", "values": VALUE_NAMES["log1p_contacts"],
             "checkpoint_sha256": checkpoint_sha256}
    write_predictions(path, ids, maps, attrs)


def loop_scores(checkpoint, store, labels, blocks=None, batch_size=64):
    """BEDPE (reference coordinates) of the labelled candidates with the loop head's probability.

    Parameters
    ----------
    checkpoint : dict
        The loop head (:func:`hicmodels.modelling.mixhic.finetune`, task ``loop``).
    store : TrackStore
        The genome's tracks.
    labels : DataFrame
        :data:`hicmodels.multimodal.labels.LABEL_COLUMNS` (reference bins).
    blocks : DataFrame, optional
        The haplotype's chain blocks (reference -> haplotype); None for the reference.

    Returns
    -------
    DataFrame
        ``chrom1 start1 end1 chrom2 start2 end2 name score``: name ``loop`` or
        ``negative`` (the label), score the probability.
    """
    config, binsize = checkpoint["model_config"], checkpoint["bin_size"]
    windows = loop_windows(labels, config["map_bins"], binsize)
    keep = np.ones(len(labels), bool)
    if blocks is not None:  # move each window by its anchor's lift (the window keeps its length in the haplotype)
        centre = binsize // 2
        for column, anchor in (("x_start", "bin1"), ("y_start", "bin2")):
            for chrom, rows in labels.groupby("chrom", sort=False).groups.items():
                reference = labels.loc[rows, anchor].to_numpy() * binsize + centre
                pchrom, ppos = lift_positions(blocks, chrom, reference)
                same = (ppos >= 0) & (pchrom == chrom)
                keep[rows] &= same
                windows.loc[rows, column] = np.where(same, windows.loc[rows, column] + ppos - reference, 0)
        if (~keep).any():
            log.info("%d of %d candidates have an anchor deleted or moved to another chromosome: left out",
                     int((~keep).sum()), len(keep))
    labels, windows = labels[keep].reset_index(drop=True), windows[keep].reset_index(drop=True)
    tracks = window_samples(store, config["tracks"], windows, config["map_bins"], binsize)["tracks"]
    scores = predict(checkpoint, tracks, batch_size=batch_size) if len(tracks) else np.zeros(0)
    return pd.DataFrame({"chrom1": labels["chrom"], "start1": labels["bin1"] * binsize,
                         "end1": (labels["bin1"] + 1) * binsize, "chrom2": labels["chrom"],
                         "start2": labels["bin2"] * binsize, "end2": (labels["bin2"] + 1) * binsize,
                         "name": np.where(labels["label"] == 1, "loop", "negative"), "score": scores.astype(float)})


def write_loops(table, path):
    """A loop-score table as headerless BEDPE."""
    write_tsv(table, path, header=False, float_format="%.6g")


def cage_track(checkpoint, store, windows, chromsizes, blocks=None, batch_size=64):
    """Predicted CAGE per reference bin: ``{chrom: (bins,) float with NaN where no window lands}`` (module docstring)."""
    config, binsize = checkpoint["model_config"], checkpoint["bin_size"]
    bins = config["map_bins"]
    todo, pairs = diagonal_windows(windows, bins, binsize)
    tracks = window_samples(store, config["tracks"], pairs, bins, binsize)["tracks"]
    outputs = predict(checkpoint, tracks, batch_size=batch_size) if len(tracks) else np.zeros((0, 2 * bins))
    values = np.expm1(outputs.astype(np.float64))
    values = np.clip((values[:, :bins] + values[:, bins:]) / 2, 0, None)
    to_reference = identity_blocks(chromsizes) if blocks is None else invert(blocks)
    sums = {c: np.zeros(-(-int(n) // binsize)) for c, n in chromsizes.items()}
    weights = {c: np.zeros_like(s) for c, s in sums.items()}
    for row, window_values in zip(todo.itertuples(index=False), values):
        ref_bins, overlap, _ = window_to_reference(to_reference, row.seq_chrom, row.seq_start, row.seq_end, bins,
                                                   row.chrom, binsize)
        sums[row.chrom][ref_bins] += overlap @ window_values
        weights[row.chrom][ref_bins] += np.asarray(overlap.sum(axis=1)).ravel()
    return {c: np.where(weights[c] > 0, sums[c] / np.where(weights[c] > 0, weights[c], 1), np.nan) for c in sums}
