"""Epigenome tracks (CTCF, ATAC...) from bigWig files, binned for the sequence + tracks model.

Each track is read once per chromosome with pyBigWig, bases without data
count as 0, and the mean over each ``binsize`` bases is stored as
``log1p(mean)`` (C.Origami's transform). The model sees them as extra input
channels beside the one-hot sequence, each value repeated over its bin's bases
(:func:`hicmodels.modelling.inputs.model_input`). Tracks are measured on the reference; a
haplotype reads them through its chain (:meth:`TrackSet.lifted`), so each
value stays beside the sequence it was measured on across indels and SVs.
"""

import contextlib
import logging
import os

import numpy as np
import pyBigWig

from ..errors import InputError
from ..genome.aliases import canonical_names
from ..genome.liftover import invert, lift_positions

log = logging.getLogger(__name__)

_CHUNK_BINS = 1 << 16


def parse_tracks(items):
    """``["ctcf=path.bw", ...]`` (command line) -> ``{"ctcf": "path.bw", ...}``."""
    tracks = {}
    for item in items or []:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise InputError(f"track {item!r} is not NAME=PATH")
        tracks[name] = path
    return tracks


@contextlib.contextmanager
def open_bigwig(path):
    """An open pyBigWig handle of ``path``; failures are an :class:`InputError` naming the file.

    pyBigWig returns ``None`` or raises a bare ``RuntimeError`` for a file it
    cannot read; reading a damaged file fails later, also with a
    ``RuntimeError``: both become "not a bigWig file or corrupt".
    """
    if not os.path.exists(path):
        raise InputError("bigWig not found", path)
    try:
        bw = pyBigWig.open(str(path))
    except (RuntimeError, OSError) as err:
        raise InputError(f"not a bigWig file or corrupt ({err})", path) from None
    if bw is None:
        raise InputError("not a bigWig file or corrupt", path)
    try:
        if not bw.isBigWig():
            raise InputError("a bigBed file, not a bigWig", path)
        if not bw.chroms():
            raise InputError("not a bigWig file or corrupt (no chromosomes in its header)", path)
        yield bw
    except (RuntimeError, OSError) as err:
        raise InputError(f"not a bigWig file or corrupt ({err})", path) from None
    finally:
        bw.close()


def bin_bigwig(path, chrom, binsize):
    """``log1p`` of the mean signal in each ``binsize`` bin of one bigWig chromosome.

    Parameters
    ----------
    path : str
        bigWig file.
    chrom : str
        Chromosome as the bigWig names it.
    binsize : int

    Returns
    -------
    ndarray of float32, shape (ceil(length / binsize),)
        The last bin may be partial; its mean is over the bases it has.
    """
    with open_bigwig(path) as bw:
        length = bw.chroms(chrom)
        nbins = -(-length // binsize)
        out = np.empty(nbins, dtype=np.float32)
        for lo in range(0, nbins, _CHUNK_BINS):
            hi = min(lo + _CHUNK_BINS, nbins)
            start, end = lo * binsize, min(hi * binsize, length)
            values = np.nan_to_num(bw.values(chrom, start, end, numpy=True), nan=0.0)
            if values.min() < 0:
                raise InputError(f"negative signal in {chrom}:{start}-{end}; tracks must be >= 0", path)
            padded = np.zeros((hi - lo) * binsize)
            padded[: len(values)] = values
            counts = np.full(hi - lo, binsize, dtype=np.float64)
            counts[-1] = end - (hi - 1) * binsize
            out[lo:hi] = np.log1p(padded.reshape(hi - lo, binsize).sum(axis=1) / counts)
    return out


class TrackSet:
    """Binned tracks of some chromosomes, in a fixed track order.

    Parameters
    ----------
    names : list of str
        The tracks the model reads, in its channel order.
    binsize : int
        Bases per track value.
    values : dict
        Chromosome -> float32 array (tracks, bins).
    """

    def __init__(self, names, binsize, values):
        self.names, self.binsize, self.values = list(names), binsize, values

    @classmethod
    def from_bigwigs(cls, paths, names, chroms, binsize, aliases=None):
        """Bin each track's bigWig over reference chromosomes.

        Parameters
        ----------
        paths : dict
            Track name -> bigWig path.
        names : list of str
            The tracks the model reads, in its channel order.
        chroms : list of str
            Reference chromosome names to bin (each bigWig's own length is used).
        binsize : int
            Bases per track value.
        aliases : dict, optional
            alias -> reference name (:func:`hicmodels.genome.aliases.read_aliases`)
            for bigWigs that name chromosomes differently.
        """
        missing = [n for n in names if n not in paths]
        if missing:
            raise InputError(f"the model reads tracks {list(names)}; no bigWig given for {missing}")
        binned = []
        for name in names:
            with open_bigwig(paths[name]) as bw:
                renamed, _ = canonical_names(bw.chroms(), aliases or {}, chroms)
            own = {ref: bw_name for bw_name, ref in renamed.items()}
            absent = [c for c in chroms if c not in own]
            if absent:
                raise InputError(f"track {name!r} has no chromosomes {absent}", paths[name])
            binned.append({c: bin_bigwig(paths[name], own[c], binsize) for c in chroms})
            log.info("track %s: %s, mean log1p signal per %d bp bin", name, paths[name], binsize)
        values = {}
        for chrom in chroms:
            values[chrom] = np.zeros((len(binned), max(len(b[chrom]) for b in binned)), np.float32)
            for i, b in enumerate(binned):
                values[chrom][i, : len(b[chrom])] = b[chrom]
        return cls(names, binsize, values)

    def lifted(self, blocks, personal_sizes):
        """The tracks in a haplotype's coordinates, on the same bins.

        Each personal bin takes the reference bin of the base at its centre
        (through the chain, either strand: signals have no orientation);
        bins whose centre is inserted sequence, or lies on a reference
        chromosome without track data, get 0, as bases without data do.

        Parameters
        ----------
        blocks : DataFrame
            Reference -> personal mapping (:func:`hicmodels.genome.liftover.read_chain`).
        personal_sizes : dict
            Lengths of the personal chromosomes to cover.
        """
        to_reference = invert(blocks)
        lifted = {}
        for pchrom, length in personal_sizes.items():
            nbins = -(-int(length) // self.binsize)
            centres = np.minimum(np.arange(nbins) * self.binsize + self.binsize // 2, int(length) - 1)
            lifted[pchrom] = self._at(*lift_positions(to_reference, pchrom, centres))
        return TrackSet(self.names, self.binsize, lifted)

    def lifted_window(self, to_reference, pchrom, start, count):
        """Values (tracks, count) of ``count`` bins from a personal ``start`` (any base, not only a bin edge).

        Each bin takes the reference bin of the base at its centre, as in
        :meth:`lifted`; ``to_reference`` maps personal to reference
        coordinates (:func:`hicmodels.genome.liftover.invert` of a chain's
        blocks). For the windows of variant effects, which start where the
        variant puts them.
        """
        centres = int(start) + np.arange(count) * self.binsize + self.binsize // 2
        return self._at(*lift_positions(to_reference, pchrom, centres))

    def _at(self, rchrom, rpos):
        """Values (tracks, positions) of the reference bins holding ``rpos``; 0 where unmapped or off the data."""
        values = np.zeros((len(self.names), len(rpos)), np.float32)
        for chrom in set(rchrom[rpos >= 0]) & set(self.values):
            here = np.flatnonzero((rchrom == chrom) & (rpos >= 0))
            source = self.values[chrom]
            ref_bins = rpos[here] // self.binsize
            inside = ref_bins < source.shape[1]
            values[:, here[inside]] = source[:, ref_bins[inside]]
        return values

    def window(self, chrom, start, end):
        """Values (tracks, (end - start) // binsize) from ``start`` rounded down to a bin; 0 off the data."""
        first, count = start // self.binsize, (end - start) // self.binsize
        values = self.values[chrom]
        out = np.zeros((len(self.names), count), np.float32)
        lo, hi = max(first, 0), min(first + count, values.shape[1])
        if hi > lo:
            out[:, lo - first : hi - first] = values[:, lo:hi]
        return out
