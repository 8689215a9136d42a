"""Cooler I/O: experimental maps as model targets, predicted maps as ``.cool``/``.mcool``.

Contact values inside the package are balanced contacts rescaled so that the
genome-wide mean pixel is 1 (:func:`contact_scale`): a depth-free, count-like
scale on which ``log1p`` behaves as it does on counts. Models may instead be
trained on raw counts, rescaled the same way (``ExperimentalMap(balance=False)``). Predicted coolers store
these values as float ``count`` and carry a ``weight`` column that is 1 for
bins with predictions and NaN for masked bins (no window, or reference
sequence absent from the haplotype), so ``matrix(balance=True)`` returns the
masked map.
"""

import contextlib
import copy
import logging
import shutil
from pathlib import Path

import cooler
import h5py
import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import atomic_output
from ..genome.aliases import canonical_names
from .rebin import resample, split_at_bins

log = logging.getLogger(__name__)


# what h5py and cooler raise on a file that is not a cooler, or a damaged one
_READ_ERRORS = (OSError, KeyError, RuntimeError, ValueError, TypeError, IndexError)


@contextlib.contextmanager
def reading(path):
    """Turn h5py/cooler failures while reading ``path`` into :class:`InputError` naming it."""
    try:
        yield
    except InputError:
        raise
    except _READ_ERRORS as err:
        detail = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"not a cooler file or corrupt ({detail})", str(path).split("::")[0]) from err


def open_cooler(path):
    """A ``cooler.Cooler`` of ``path`` (``.cool`` or ``.mcool::/resolutions/N``), its tables checked readable.

    Raises
    ------
    InputError
        Naming the file when it is missing, not a cooler or corrupt.
    """
    file = str(path).split("::")[0]
    if not Path(file).exists():
        raise InputError("Hi-C map not found", file)
    with reading(path):
        clr = cooler.Cooler(str(path))
        clr.info, clr.chromsizes, clr.binsize  # noqa: B018 (read now, so damage shows here)
        clr.bins()[:1], clr.pixels()[:1]  # noqa: B018
    return clr


def _names(names):
    """``a..z`` of a long list of chromosome names, else the names."""
    names = list(names)
    return f"{names[0]}..{names[-1]}" if len(names) > 3 else ", ".join(names) if names else "none"


class ExperimentalMap:
    """An experimental cooler seen through the reference's chromosome names.

    Parameters
    ----------
    path : str
        ``.cool`` or ``.mcool::/resolutions/N`` URI.
    aliases : dict
        alias -> canonical name (:func:`hicmodels.genome.aliases.read_aliases`).
    reference_sizes : Series
        Reference chromosome sizes; the cooler's chromosomes are renamed onto
        these, the rest dropped (and logged).
    balance : bool
        Balanced contacts (needs the ``weight`` column) or raw counts.
    """

    def __init__(self, path, aliases, reference_sizes, balance=True):
        self.clr = open_cooler(path)
        if balance and "weight" not in self.clr.bins().columns:
            raise InputError("the cooler has no 'weight' column: run 'cooler balance' first", path)
        self.path, self.balance = str(path), balance
        self.binsize = int(self.clr.binsize)
        renamed, dropped = canonical_names(self.clr.chromnames, aliases, reference_sizes.index)
        self.cool_name = {ref: name for name, ref in renamed.items()}
        for name in dropped:
            log.warning("%s: chromosome %r has no counterpart in the reference: dropped", path, name)
        for name, ref in renamed.items():
            if name != ref:
                log.info("%s: chromosome %r read as %r", path, name, ref)
            cool_len, ref_len = int(self.clr.chromsizes[name]), int(reference_sizes[ref])
            if cool_len != ref_len:
                log.info("%s: %s is %d bp in the cooler and %d bp in the reference", path, ref, cool_len, ref_len)
        self.dropped = dropped
        missing = [c for c in reference_sizes.index if c not in self.cool_name]
        if not self.cool_name:
            raise InputError(self._absent(list(reference_sizes.index)), path)
        if missing:
            log.warning("%s: reference chromosomes absent from the cooler: %s", path, ", ".join(missing))

    def _absent(self, chroms):
        """The message for reference chromosomes ``chroms`` that the cooler lacks."""
        s = "s" if len(chroms) > 1 else ""
        return (f"chromosome name{s} {_names(chroms)} of the FASTA not found in the cooler, which has "
                f"{_names(self.clr.chromnames)}; add them to reference.chrom_aliases")

    def cool_chrom(self, chrom):
        """The cooler's name of reference chromosome ``chrom``.

        Raises
        ------
        InputError
            If neither the name nor an alias of it is in the cooler.
        """
        if chrom not in self.cool_name:
            raise InputError(self._absent([chrom]), self.path)
        return self.cool_name[chrom]

    def chromosome_bins(self, chrom):
        """Global bin index range ``(lo, hi)`` of a reference chromosome."""
        name = self.cool_chrom(chrom)
        with reading(self.path):
            return self.clr.extent(name)

    def band(self, chrom, width):
        """Balanced band of reference chromosome ``chrom`` (:func:`hicmodels.hic.band.band_from_cooler`)."""
        from .band import band_from_cooler

        name = self.cool_chrom(chrom)
        with reading(self.path):
            return band_from_cooler(self.clr, name, width)

    def contacts(self, chrom, lo=None, hi=None):
        """Balanced (NaN for masked bins) or raw matrix of chromosome bins ``lo:hi``."""
        first, last = self.chromosome_bins(chrom)
        lo = first if lo is None else first + lo
        hi = last if hi is None else first + hi
        with reading(self.path):
            return self.clr.matrix(balance=self.balance)[lo:hi, lo:hi]

    def contact_scale(self, chroms):
        """Factor making the mean balanced (or raw) pixel over ``chroms`` (cis and trans) equal 1."""
        extents = [self.chromosome_bins(c) for c in chroms]
        with reading(self.path):
            weights = self.clr.bins()["weight"][:].to_numpy() if self.balance else np.ones(len(self.clr.bins()))
            keep = np.zeros(len(weights), bool)
            for lo, hi in extents:
                keep[lo:hi] = True
            keep &= np.isfinite(weights)
            total = 0.0
            for chunk in _pixel_chunks(self.clr):
                b1, b2 = chunk["bin1_id"].to_numpy(), chunk["bin2_id"].to_numpy()
                inside = keep[b1] & keep[b2]
                value = chunk["count"].to_numpy()[inside] * weights[b1[inside]] * weights[b2[inside]]
                total += 2 * value.sum() - value[b1[inside] == b2[inside]].sum()
        if total <= 0:
            raise InputError("no contacts on the chosen chromosomes", self.path)
        return keep.sum() ** 2 / total

    def counts_view(self):
        """The same cooler read as raw counts (what Akita's adaptive coarse-graining counts)."""
        view = copy.copy(self)
        view.balance = False
        return view

    def window(self, chrom, start, end, nbins, scale):
        """Scaled balanced (or raw) map of ``chrom:start-end`` on ``nbins`` equal bins.

        When the window's bins coincide with the cooler's, pixels are copied;
        otherwise the map is resampled by base-pair overlap
        (:func:`hicmodels.hic.rebin.resample`), a model bin needing at least
        half its bases in finite cooler bins. Bins past the end of the
        cooler's chromosome are NaN.
        """
        lo_bin, hi_bin = start // self.binsize, -(-end // self.binsize)
        first, last = self.chromosome_bins(chrom)
        available = last - first
        block = np.full((hi_bin - lo_bin, hi_bin - lo_bin), np.nan)
        top = min(hi_bin, available)
        if top > lo_bin:
            block[: top - lo_bin, : top - lo_bin] = self.contacts(chrom, lo_bin, top)
        block *= scale
        if (end - start) == nbins * self.binsize and start % self.binsize == 0:
            return block
        edges = np.linspace(start, end, nbins + 1).round().astype(np.int64)
        offset = lo_bin * self.binsize
        cool_bin, model_bin, bp = split_at_bins(np.arange(nbins), edges[:-1] - offset, edges[1:] - offset, self.binsize)
        weights = np.zeros((nbins, hi_bin - lo_bin))
        np.add.at(weights, (model_bin, cool_bin), bp)
        return resample(block, weights, np.diff(edges), min_coverage=0.5)


def _pixel_chunks(clr, chunksize=5_000_000):
    n = clr.info["nnz"]
    for lo in range(0, n, chunksize):
        yield clr.pixels()[lo : min(lo + chunksize, n)]


def reference_bins(chromsizes, binsize):
    """Bin table of the reference (``chrom``, ``start``, ``end``), cooler order."""
    return cooler.binnify(chromsizes, binsize)


# What the weight column of a predicted map means, stored as its HDF5 attributes: cooltools reads
# ignore_diags from there, and cooler's balance=True multiplies by it (divisive_weights false).
WEIGHT_ATTRS = {
    "ignore_diags": 0, "cis_only": True, "divisive_weights": False, "converged": True,
    "description": "predicted maps are balanced already: the weight is 1 for predicted bins and NaN for masked ones "
                   "(sequence absent from the genome, or no window); in an .mcool, n / n_predicted base bins",
}


def write_cool(path, chromsizes, binsize, pixels, valid, metadata=None, assembly=None):
    """Write a predicted map as a ``.cool``.

    Parameters
    ----------
    path : str
    chromsizes : Series
        Reference chromosome sizes (names and order of the reference FASTA).
    binsize : int
    pixels : dict
        chrom -> (rows, cols, values), chromosome-local bin indices, upper triangle.
    valid : dict
        chrom -> boolean array over the chromosome's bins; False bins get NaN weight.
    metadata : dict, optional
        Stored as the cooler's JSON metadata.
    assembly : str, optional
        Genome assembly name (cooler's ``genome-assembly``).
    """
    bins = reference_bins(chromsizes, binsize)
    offsets = np.concatenate([[0], np.cumsum(bins.groupby("chrom", sort=False, observed=True).size())])
    chrom_offset = dict(zip(chromsizes.index, offsets[:-1]))
    weight = np.full(len(bins), np.nan)
    for chrom, mask in valid.items():
        lo = chrom_offset[chrom]
        weight[lo : lo + len(mask)] = np.where(mask, 1.0, np.nan)
    bins["weight"] = weight

    def chunks():
        for chrom in chromsizes.index:
            if chrom not in pixels:
                continue
            rows, cols, values = pixels[chrom]
            lo = chrom_offset[chrom]
            yield pd.DataFrame({"bin1_id": rows + lo, "bin2_id": cols + lo, "count": values})

    # cooler's own scratch files go in a folder named like the output's temporary, so that a
    # killed run's leftovers are removed by the next write too (files.remove_stale_temporaries)
    with atomic_output(path, suffix=".cool") as tmp:
        scratch = Path(f"{tmp}.parts")
        scratch.mkdir()
        try:
            cooler.create_cooler(
                str(tmp), bins, chunks(), dtypes={"count": np.float64}, ordered=True,
                metadata=metadata or {}, assembly=assembly, temp_dir=str(scratch),
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        with h5py.File(tmp, "r+") as store:
            store["bins/weight"].attrs.update(WEIGHT_ATTRS)


def zoomify(cool_path, mcool_path, resolutions, pixels_per_chunk=5_000_000):
    """Aggregate a predicted ``.cool`` into a multi-resolution ``.mcool``.

    Counts are summed into coarser bins, as for experimental maps. Each
    resolution gets a ``weight`` column: NaN for bins with no valid base-level
    bin, else ``n / n_valid`` so that ``balance=True`` extrapolates partially
    masked bins to their full size; with :data:`WEIGHT_ATTRS`. The base
    cooler's metadata and assembly name are copied to every resolution.

    The band stays honest at every resolution: a coarse pixel at diagonal
    ``d`` (``f`` base bins per coarse bin) sums base diagonals up to
    ``f * d + f - 1``, so only coarse diagonals with
    ``f * d + f - 1 <= D`` (``D``: the base map's last stored diagonal,
    metadata ``band_diagonals``) are kept; a partly summed one would show as
    a fall of P(s). Each resolution's metadata gives its own
    ``max_predicted_distance_bp`` and ``band_diagonals``. A map without
    ``band_diagonals`` keeps all its pixels.
    """
    base = open_cooler(cool_path)
    with reading(cool_path):
        base_weight = base.bins()["weight"][:]
        base_bins = base.bins()[["chrom", "start"]][:]
    metadata = base.info.get("metadata") or {}
    # a map without a stated band (not assembled here) keeps every pixel at every level
    last_base = int(metadata["band_diagonals"]) - 1 if "band_diagonals" in metadata else None
    with atomic_output(mcool_path, suffix=".mcool") as tmp:
        scratch = Path(f"{tmp}.parts")
        scratch.mkdir()
        try:
            aggregated = scratch / "all_diagonals.mcool"
            cooler.zoomify_cooler(str(cool_path), str(aggregated), sorted(resolutions), chunksize=10_000_000,
                                  dtypes={"count": np.float64})
            for resolution in sorted(resolutions):
                source = cooler.Cooler(f"{aggregated}::resolutions/{resolution}")
                factor = int(resolution) // int(base.binsize)
                bins = source.bins()[["chrom", "start", "end"]][:]
                bins["weight"] = _coarse_weight(base_bins, base_weight, bins, base.binsize, factor)
                if last_base is None:
                    last, band = len(bins), metadata
                else:
                    last = (last_base + 1) // factor - 1
                    band = {**metadata, "max_predicted_distance_bp": int(max(last, 0) * resolution),
                            "band_diagonals": last + 1}
                cooler.create_cooler(
                    f"{tmp}::resolutions/{resolution}", bins, _band_chunks(source, last, pixels_per_chunk),
                    dtypes={"count": np.float64}, ordered=True, mode="a", metadata=band,
                    assembly=base.info.get("genome-assembly"), temp_dir=str(scratch),
                )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        with h5py.File(tmp, "r+") as store:
            store.attrs.update({"format": "HDF5::MCOOL", "format-version": 2})
            for resolution in store["resolutions"]:
                store["resolutions"][resolution]["bins/weight"].attrs.update(WEIGHT_ATTRS)


def _band_chunks(clr, last_diagonal, pixels_per_chunk):
    selector = clr.pixels()
    for lo in range(0, clr.info["nnz"], pixels_per_chunk):
        chunk = selector[lo : lo + pixels_per_chunk]
        yield chunk[chunk["bin2_id"] - chunk["bin1_id"] <= last_diagonal]


def _coarse_weight(fine_bins, fine_weight, coarse_bins, binsize, factor):
    valid = np.isfinite(fine_weight.to_numpy())
    coarse_index = fine_bins["start"].to_numpy() // (binsize * factor)
    chrom_codes = pd.factorize(fine_bins["chrom"])[0]
    key = pd.MultiIndex.from_arrays([chrom_codes, coarse_index])
    counts = pd.DataFrame({"n": 1, "valid": valid.astype(int)}, index=key).groupby(level=[0, 1]).sum()
    ratio = np.where(counts["valid"] > 0, counts["n"] / counts["valid"].clip(lower=1), np.nan)
    if len(ratio) != len(coarse_bins):
        raise RuntimeError("coarse bin table does not match the aggregation of the base bins")
    return ratio
