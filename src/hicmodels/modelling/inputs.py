"""Model examples: window sequences (and tracks) paired with experimental maps.

Targets are ``log1p`` of scaled contacts, balanced or raw (see
:mod:`hicmodels.hic.cool`), on the model's bin grid: when the cooler's
resolution differs from the model's bins, the map is resampled by base-pair
overlap (:meth:`hicmodels.hic.cool.ExperimentalMap.window`). NaN marks masked
pixels, which the losses ignore.
"""

import numpy as np
import torch

from ..genome.sequence import one_hot, reverse_complement


def load_targets(experimental, windows, nbins, scale):
    """``log1p`` targets of reference windows, shape (n, nbins, nbins), float32.

    Parameters
    ----------
    experimental : hicmodels.hic.cool.ExperimentalMap
    windows : DataFrame
        Reference window rows (``chrom``, ``start``, ``end``).
    nbins : int
        Bins per window on the model's grid.
    scale : float
        Contact scale of the experimental map.
    """
    maps = [np.log1p(experimental.window(w.chrom, w.start, w.end, nbins, scale)) for w in windows.itertuples()]
    return np.stack(maps).astype(np.float32) if maps else np.empty((0, nbins, nbins), np.float32)


class WindowDataset(torch.utils.data.Dataset):
    """Window inputs (uint8 codes, binned tracks) and optional targets.

    Parameters
    ----------
    genome : hicmodels.genome.sequence.GenomeCodes
        The genome the windows' ``seq_*`` columns refer to.
    windows : DataFrame
        Window table rows; sequence and tracks from ``seq_chrom/seq_start/seq_end``.
    targets : ndarray, optional
        From :func:`load_targets`, one per window.
    tracks : hicmodels.modelling.tracks.TrackSet, optional
        In the coordinates of ``genome`` (:meth:`~hicmodels.modelling.tracks.TrackSet.lifted` for a haplotype).
    reverse_complement : bool
        Reverse-complement half of the windows at random, flipping tracks along
        the sequence and the map on both axes.
    shift : int
        Move each window by a random offset of up to this many bases (less than
        a bin, so the target stays valid); sequence past a chromosome end is N.

    Notes
    -----
    An index may come with its own seed, as :class:`EpochSampler` yields
    ``(index, seed)``: the shift and reverse complement are then drawn from
    that seed alone, so an epoch's augmentation depends on (seed, epoch) and
    not on workers or on what ran before (a resumed run repeats it exactly).
    A plain index draws from torch's global generator.
    """

    def __init__(self, genome, windows, targets=None, tracks=None, reverse_complement=False, shift=0):
        self.genome, self.targets, self.tracks = genome, targets, tracks
        self.rows = list(windows[["seq_chrom", "seq_start", "seq_end"]].itertuples(index=False))
        self.reverse_complement, self.shift = reverse_complement, shift

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        generator = None
        if isinstance(index, (tuple, list)):
            index, seed = index
            generator = torch.Generator().manual_seed(int(seed))
        seq_chrom, seq_start, seq_end = self.rows[index]
        offset = int(torch.randint(-self.shift, self.shift + 1, (), generator=generator)) if self.shift else 0
        codes = self.genome.fetch(seq_chrom, seq_start + offset, seq_end + offset)
        tracks = (self.tracks.window(seq_chrom, seq_start + offset, seq_end + offset) if self.tracks
                  else np.zeros((0, 0), np.float32))
        target = self.targets[index] if self.targets is not None else None
        if self.reverse_complement and torch.rand((), generator=generator) < 0.5:
            codes, tracks = reverse_complement(codes), tracks[:, ::-1]
            target = target[..., ::-1, ::-1] if target is not None else None  # one map or one per target
        item = {"codes": torch.from_numpy(codes), "tracks": torch.from_numpy(np.ascontiguousarray(tracks)),
                "index": index}
        if target is not None:
            item["target"] = torch.from_numpy(np.ascontiguousarray(target))
        return item


def epoch_seed(seed, epoch, *more):
    """A 63-bit seed for epoch ``epoch`` (and batch, ...) of a run seeded ``seed``: independent streams."""
    entropy = [int(seed) & 0xFFFFFFFF, int(epoch), *(int(x) for x in more)]
    return int(np.random.SeedSequence(entropy).generate_state(2, np.uint64)[0] >> 1)


class EpochSampler(torch.utils.data.Sampler):
    """Shuffled ``(index, seed)`` pairs, a function of ``(seed, epoch)`` only.

    The order and the per-example augmentation seeds of an epoch are drawn
    from :func:`epoch_seed`, so a run interrupted in any epoch and resumed
    from the end of the one before repeats that epoch exactly. The epoch is
    set through :meth:`set_epoch` (by Lightning and by the training loop)
    before the epoch's iterator draws.
    """

    def __init__(self, length, seed):
        self.length, self.seed, self.epoch = int(length), int(seed), 0

    def set_epoch(self, epoch):
        self.epoch = int(epoch)

    def __len__(self):
        return self.length

    def __iter__(self):
        generator = torch.Generator().manual_seed(epoch_seed(self.seed, self.epoch))
        order = torch.randperm(self.length, generator=generator).tolist()
        seeds = torch.randint(0, 2**62, (self.length,), generator=generator).tolist()
        yield from zip(order, seeds)


def model_input(batch, track_bin=1):
    """A batch as the model's input (batch, 5 + tracks, length), built on the batch's device.

    The one-hot sequence is followed by the tracks, each value repeated over
    the ``track_bin`` bases of its bin.
    """
    x = one_hot(batch["codes"])
    tracks = batch["tracks"]
    if tracks.shape[1]:
        x = torch.cat([x, tracks.float().repeat_interleave(track_bin, dim=-1)], dim=1)
    return x
