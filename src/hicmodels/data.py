"""Training examples: window sequences paired with experimental maps.

Targets are ``log1p`` of scaled balanced contacts (see :mod:`hicmodels.hic.cool`);
NaN marks masked pixels, which the loss ignores.
"""

import numpy as np
import torch

from .genome.sequence import fetch_codes, one_hot, reverse_complement


def load_examples(fasta, experimental, windows, nbins, scale):
    """Sequence codes and log1p targets for each window.

    Parameters
    ----------
    fasta : pysam.FastaFile
    experimental : hicmodels.hic.cool.ExperimentalMap
    windows : DataFrame
        Reference window rows (``chrom``, ``start``, ``end``).
    nbins : int
        Bins per window on the model's grid.
    scale : float
        Contact scale of the experimental map.

    Returns
    -------
    codes : ndarray of uint8, shape (n, length)
    targets : ndarray of float32, shape (n, nbins, nbins)
    """
    codes = np.stack([fetch_codes(fasta, w.chrom, w.start, w.end) for w in windows.itertuples()])
    targets = np.stack([
        np.log1p(experimental.window(w.chrom, w.start, w.end, nbins, scale)) for w in windows.itertuples()
    ]).astype(np.float32)
    return codes, targets


class WindowDataset(torch.utils.data.Dataset):
    """One-hot windows and targets, with optional augmentation.

    Parameters
    ----------
    codes, targets : ndarray
        From :func:`load_examples`.
    reverse_complement : bool
        Randomly reverse-complement the sequence and flip the map on both axes.
    shift : int
        Randomly roll the sequence by up to this many bases (padding with N),
        well below a bin, so the target stays valid.
    seed : int
    """

    def __init__(self, codes, targets, reverse_complement=False, shift=0, seed=0):
        self.codes, self.targets = codes, targets
        self.reverse_complement, self.shift = reverse_complement, shift
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return len(self.codes)

    def __getitem__(self, index):
        codes, target = self.codes[index], self.targets[index]
        if self.shift:
            offset = int(self.rng.integers(-self.shift, self.shift + 1))
            codes = np.roll(codes, offset)
            if offset > 0:
                codes[:offset] = 4
            elif offset < 0:
                codes[offset:] = 4
        if self.reverse_complement and self.rng.random() < 0.5:
            codes, target = reverse_complement(codes), target[::-1, ::-1]
        return torch.from_numpy(one_hot(codes)), torch.from_numpy(np.ascontiguousarray(target))
