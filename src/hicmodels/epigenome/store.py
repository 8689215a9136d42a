"""Binned track stores: every track of a cell line averaged per bin over one genome, stored once.

MIX-HIC averages each epigenomic track over every 100 bp and transforms it with
``log(x + 1)`` (Section 3 and Appendix A.1 of the paper). The store holds exactly
that, for whole chromosomes, so training, prediction and figures slice windows
out of it (:meth:`TrackStore.window`) instead of re-reading bigWigs in every job.

Binning is :meth:`hicmodels.modelling.tracks.TrackSet.from_bigwigs`: a bin's
value is the mean over all its bases, where bases without data in the bigWig
(absent intervals, or intervals stored as NaN) count as 0, so a half-covered bin of signal ``s``
stores ``log1p(s / 2)``; a chromosome the bigWig lacks altogether is an error.
The last bin of a chromosome averages over the bases it has. A haplotype's
store is the reference store lifted through the haplotype's chain
(:meth:`~hicmodels.modelling.tracks.TrackSet.lifted`: each personal bin takes
the reference bin of its centre base; inserted sequence gets 0).

File layout (HDF5): one float32 dataset ``tracks/<chrom>`` of shape
``(tracks, bins)`` per chromosome; attributes ``format``, ``genome``,
``names`` (track order), ``bin_size``, ``transform`` (``"log1p"``) and
``sources`` (JSON: each input file and its SHA-256).
"""

import json
import logging

import h5py
import numpy as np

from ..errors import InputError
from ..files import atomic_output, file_sha256
from ..modelling.tracks import TrackSet

log = logging.getLogger(__name__)

FORMAT = "dna2hic track store 1"
TRANSFORM = "log1p"
_CHUNK_BINS = 1 << 14


def reference_tracks(paths, chroms, bin_size, aliases=None):
    """Every track of ``paths`` (name -> bigWig, in that order) binned over reference chromosomes."""
    return TrackSet.from_bigwigs(paths, list(paths), chroms, bin_size, aliases)


def sources(paths):
    """``[{"name", "path", "sha256"}, ...]`` of input files (name -> path), for the store's provenance."""
    return [{"name": name, "path": str(path), "sha256": file_sha256(path)} for name, path in paths.items()]


def write_track_store(path, tracks, genome, inputs):
    """Write a :class:`~hicmodels.modelling.tracks.TrackSet` as a track store, atomically.

    Parameters
    ----------
    path : str or Path
    tracks : TrackSet
        Values already transformed (``log1p``), shape (tracks, bins) per chromosome.
    genome : str
        ``reference`` or the haplotype's name.
    inputs : list of dict
        Provenance (:func:`sources`).
    """
    with atomic_output(path) as tmp, h5py.File(tmp, "w", track_order=True) as store:
        group = store.create_group("tracks", track_order=True)
        for chrom, values in tracks.values.items():
            if "/" in chrom:
                raise InputError(f"chromosome name {chrom!r} contains '/', which HDF5 cannot name a dataset with")
            group.create_dataset(chrom, data=np.asarray(values, np.float32), compression="gzip", shuffle=True,
                                 chunks=(len(tracks.names), min(_CHUNK_BINS, max(values.shape[1], 1))))
        store.attrs.update({"format": FORMAT, "genome": genome, "names": list(tracks.names),
                            "bin_size": int(tracks.binsize), "transform": TRANSFORM,
                            "sources": json.dumps(inputs)})
    log.info("%s: %d tracks %s on %d chromosomes, %d bp bins -> %s", genome, len(tracks.names), tracks.names,
             len(tracks.values), tracks.binsize, path)


class TrackStore:
    """An open track store (:func:`open_track_store`); close it, or use it as a context manager.

    Attributes
    ----------
    names : list of str
        Track order (the first axis of every window).
    bin_size : int
    chroms : dict
        Chromosome -> number of bins.
    genome, transform : str
    sources : list of dict
    """

    def __init__(self, path):
        self.path = str(path)
        try:
            self._file = h5py.File(self.path, "r")
        except FileNotFoundError:
            raise InputError("track store not found", self.path) from None
        except OSError as err:
            raise InputError(f"not a track store or corrupt ({str(err).splitlines()[0]})", self.path) from None
        attrs = self._file.attrs
        if attrs.get("format") != FORMAT or "tracks" not in self._file:
            self._file.close()
            raise InputError(f"not a track store (format {attrs.get('format')!r}, expected {FORMAT!r})", self.path)
        self.names = [str(n) for n in attrs["names"]]
        self.bin_size = int(attrs["bin_size"])
        self.genome, self.transform = str(attrs["genome"]), str(attrs["transform"])
        self.sources = json.loads(attrs["sources"])
        self.chroms = {chrom: data.shape[1] for chrom, data in self._file["tracks"].items()}

    def window(self, chrom, start, end):
        """Values (tracks, bins) of ``[start, end)``, ``start`` rounded down to a bin, ``(end - start) // bin_size`` bins.

        Bins beyond either chromosome end are 0, as bases without data are.
        """
        if chrom not in self.chroms:
            raise InputError(f"no chromosome {chrom!r} in the track store (it has {list(self.chroms)})", self.path)
        first, count = start // self.bin_size, (end - start) // self.bin_size
        out = np.zeros((len(self.names), count), np.float32)
        lo, hi = max(first, 0), min(first + count, self.chroms[chrom])
        if hi > lo:
            out[:, lo - first : hi - first] = self._file["tracks"][chrom][:, lo:hi]
        return out

    def trackset(self):
        """All chromosomes in memory as a :class:`~hicmodels.modelling.tracks.TrackSet` (for lifting)."""
        values = {chrom: data[:] for chrom, data in self._file["tracks"].items()}
        return TrackSet(self.names, self.bin_size, values)

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_track_store(path):
    """Open a track store for reading windows (:class:`TrackStore`)."""
    return TrackStore(path)


def lifted_tracks(reference, blocks, personal_sizes):
    """A reference store's tracks in a haplotype's coordinates (:meth:`TrackSet.lifted`).

    Parameters
    ----------
    reference : TrackStore
    blocks : DataFrame
        The haplotype's chain (:func:`hicmodels.genome.liftover.read_chain`).
    personal_sizes : dict
        Personal chromosome lengths (the chain's headers).

    Returns
    -------
    TrackSet
        On every personal chromosome that holds sequence of a stored reference chromosome,
        in the order of ``personal_sizes``.
    """
    from_stored = set(blocks.loc[blocks["chrom"].isin(list(reference.chroms)), "pchrom"])
    sizes = {chrom: length for chrom, length in personal_sizes.items() if chrom in from_stored}
    return reference.trackset().lifted(blocks, sizes)
