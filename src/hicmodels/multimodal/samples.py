"""MIX-HIC's arrays (:mod:`hicmodels.modelling.mixhic`) from the epigenome stage's files.

A window pairs an x and a y segment of ``map_bins`` bins (section 3): its
tracks are the stored log1p means per 100 bp of x then y (A.1), its map the
balanced contacts between them on the model's contact scale, log1p, and its
CAGE values log1p of the CAGE track's mean per bin, x bins then y bins (the
paper's 100 values). Tracks come from a track store
(:mod:`hicmodels.epigenome.store`), maps from the Hi-C targets
(:mod:`hicmodels.epigenome.targets`), loop windows from a labels table
(:mod:`.labels`).
"""

import numpy as np
import pandas as pd

from ..errors import InputError


def track_rows(store, names):
    """Positions of ``names`` in a track store's tracks.

    Raises
    ------
    InputError
        Naming the store when it lacks a track.
    """
    missing = [n for n in names if n not in store.names]
    if missing:
        raise InputError(f"no tracks {missing} in the track store (it has {store.names})", store.path)
    return [store.names.index(n) for n in names]


def pair_tracks(store, rows, chrom, x_start, y_start, length):
    """``(len(rows), 2 * length / bin)``: the stored tracks ``rows`` over ``[x_start, +length)`` then ``[y_start, +length)``."""
    x = store.window(chrom, x_start, x_start + length)[rows]
    y = store.window(chrom, y_start, y_start + length)[rows]
    return np.concatenate([x, y], axis=1)


def bin_means(store, row, chrom, start, nbins, binsize):
    """log1p of the mean signal of stored track ``row`` in ``nbins`` bins of ``binsize`` from ``start``.

    The store holds log1p of 100 bp means; a bin's mean is the mean of its
    values' ``expm1`` (the 100 bp bins tile it).
    """
    values = np.expm1(store.window(chrom, start, start + nbins * binsize)[row].astype(np.float64))
    return np.log1p(values.reshape(nbins, -1).mean(axis=1))


def window_samples(store, names, windows, map_bins, binsize, cage=None):
    """Tracks (and CAGE values) of windows ``chrom``, ``x_start``, ``y_start`` (bp).

    Parameters
    ----------
    store : TrackStore
    names : list of str
        The tracks the model reads, in its order.
    windows : DataFrame
        ``chrom``, ``x_start``, ``y_start``.
    map_bins, binsize : int
        Bins per segment and their size (bp).
    cage : str, optional
        The stored track whose per-bin means are the ``cage`` array.

    Returns
    -------
    dict
        ``tracks`` ``(n, len(names), 2 * map_bins * binsize / store.bin_size)``
        float32 and, with ``cage``, ``cage`` ``(n, 2 * map_bins)``.
    """
    rows, length = track_rows(store, names), map_bins * binsize
    if length % store.bin_size:
        raise InputError(f"{length} bp segments are not a whole number of the store's {store.bin_size} bp bins",
                         store.path)
    width = 2 * length // store.bin_size
    tracks = np.zeros((len(windows), len(rows), width), np.float32)
    cages = np.zeros((len(windows), 2 * map_bins), np.float32)
    cage_row = track_rows(store, [cage])[0] if cage else None
    for i, (chrom, x, y) in enumerate(windows[["chrom", "x_start", "y_start"]].itertuples(index=False)):
        tracks[i] = pair_tracks(store, rows, chrom, int(x), int(y), length)
        if cage:
            cages[i] = np.concatenate([bin_means(store, cage_row, chrom, int(x), map_bins, binsize),
                                       bin_means(store, cage_row, chrom, int(y), map_bins, binsize)])
    return {"tracks": tracks, **({"cage": cages} if cage else {})}


def map_samples(store, names, maps, windows, contact_scale, binsize, cage=None):
    """:func:`window_samples` of the Hi-C targets' kept windows, with ``hic`` = log1p(map x ``contact_scale``).

    ``distance`` is each window's y - x start in bins (the distance-decay
    baseline's offsets).
    """
    map_bins = maps.shape[1]
    samples = window_samples(store, names, windows, map_bins, binsize, cage)
    samples["hic"] = np.log1p(np.asarray(maps, np.float64) * contact_scale).astype(np.float32)
    samples["distance"] = ((windows["y_start"] - windows["x_start"]) // binsize).to_numpy()
    return samples


def loop_windows(labels, map_bins, binsize):
    """Windows of labelled anchor pairs: x centred on ``bin1``, y on ``bin2`` (the simulation's layout)."""
    half = map_bins // 2
    return pd.DataFrame({"chrom": labels["chrom"].to_numpy(), "x_start": (labels["bin1"] - half).to_numpy() * binsize,
                         "y_start": (labels["bin2"] - half).to_numpy() * binsize})


def loop_samples(store, names, labels, map_bins, binsize):
    """Tracks and ``loop`` labels of a labels table's windows; ``hic`` zeros (see below).

    The loop head is fine-tuned as MIX-HIC-InferMap, which never reads the
    map; :func:`hicmodels.modelling.mixhic.finetune` still takes a ``hic``
    column, so it gets zeros rather than maps cut for nothing.
    """
    samples = window_samples(store, names, loop_windows(labels, map_bins, binsize), map_bins, binsize)
    samples["loop"] = labels["label"].to_numpy(np.float32)
    samples["hic"] = np.zeros((len(labels), map_bins, map_bins), np.float32)
    return samples


def split_rows(chroms, splits):
    """``train`` / ``validation`` / ``test`` of each chromosome in ``chroms`` (``splits``: test and validation lists)."""
    chroms = pd.Series(np.asarray(chroms, dtype=object))
    return np.where(chroms.isin(splits["test"]), "test",
                    np.where(chroms.isin(splits["validation"]), "validation", "train"))


def subset(samples, mask):
    """The rows ``mask`` of every array of a sample dict."""
    return {k: v[mask] for k, v in samples.items()}
