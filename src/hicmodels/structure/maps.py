"""The Hi-C map a structure ensemble is conditioned on: a region of a ``.cool``/``.mcool`` at a model's bin count.

A structure generator is trained on maps of a fixed number of bins (its training ensembles'), so a
region is read at the resolution that splits it into exactly that many bins: the ``.cool``'s own, or,
for an ``.mcool`` given without a resolution, the one of its ``/resolutions/*`` that fits.
"""

import numpy as np
import pandas as pd

from ..errors import InputError


def mcool_resolutions(path):
    """The resolutions (bp) of an ``.mcool``'s ``/resolutions`` group, ascending; empty for a plain ``.cool``."""
    import cooler

    from ..hic.cool import reading

    with reading(path):
        if not cooler.fileops.is_multires_file(str(path)):
            return []
        return sorted(int(uri.rsplit("/", 1)[1]) for uri in cooler.fileops.list_coolers(str(path)))


def region_bins(chrom, start, end, binsize, chrom_size):
    """The bin table of ``chrom:start-end`` at ``binsize``, or None when start/end are not its bin edges.

    The end may be the chromosome's end (its last bin is shorter).
    """
    if start % binsize or (end % binsize and end != chrom_size) or not 0 <= start < end <= chrom_size:
        return None
    starts = np.arange(start, end, binsize, dtype=np.int64)
    return pd.DataFrame({"chrom": chrom, "start": starts, "end": np.minimum(starts + binsize, end)})


def map_uri(path, chrom, start, end, n_bins, chrom_size):
    """The cooler URI of ``path`` whose bins split ``chrom:start-end`` into ``n_bins`` bins.

    Parameters
    ----------
    path : str
        ``.cool``, ``.mcool`` (a resolution is chosen) or ``.mcool::/resolutions/N`` (kept).

    Raises
    ------
    InputError
        Naming the map when no resolution gives ``n_bins`` bins with start and end on bin edges.
    """
    from ..hic.cool import open_cooler

    file = str(path).split("::")[0]
    if "::" in str(path) or not mcool_resolutions(file):
        candidates = [(str(path), int(open_cooler(path).binsize))]
    else:
        candidates = [(f"{file}::/resolutions/{r}", r) for r in mcool_resolutions(file)]
    for uri, binsize in candidates:
        bins = region_bins(chrom, start, end, binsize, chrom_size)
        if bins is not None and len(bins) == n_bins:
            return uri
    sizes = ", ".join(f"{b} bp" for _, b in candidates)
    raise InputError(f"region {chrom}:{start}-{end} is not {n_bins} bins (the structure model's) at the map's "
                     f"resolution ({sizes}) within {chrom} ({chrom_size} bp); choose a region of {n_bins} whole bins",
                     file)


def region_map(path, aliases, fasta, chrom, start, end, n_bins, circular_chroms=()):
    """The balanced contacts, bins and topology of ``chrom:start-end`` of a map at ``n_bins`` bins.

    Parameters
    ----------
    path : str
        ``.cool``/``.mcool`` (see :func:`map_uri`), read through the reference's chromosome names.
    aliases : str
        Chromosome alias table.
    fasta : str
        Reference FASTA (chromosome names and sizes).
    circular_chroms : list of str
        Circular chromosomes (``reference.circular``): a region is a ring when it is all of one.

    Returns
    -------
    contacts : numpy.ndarray
        (n_bins, n_bins) balanced contacts, NaN for masked bins.
    bins : pandas.DataFrame
        ``chrom``, ``start``, ``end``.
    uri : str
        The cooler read (with the chosen resolution).
    sizes : pandas.Series
        The reference's chromosome sizes.
    circular : bool
        The region is a whole circular chromosome.
    """
    from ..genome.aliases import read_aliases
    from ..genome.reference import chromsizes
    from ..hic.cool import ExperimentalMap

    sizes = chromsizes(fasta)
    if chrom not in sizes.index:
        raise InputError(f"region {chrom}:{start}-{end}: chromosome {chrom!r} is not in the reference", fasta)
    uri = map_uri(path, chrom, start, end, n_bins, int(sizes[chrom]))
    experiment = ExperimentalMap(uri, read_aliases(aliases), sizes, balance=True)
    bins = region_bins(chrom, start, end, experiment.binsize, int(sizes[chrom]))
    lo = start // experiment.binsize
    circular = chrom in circular_chroms and start == 0 and end == sizes[chrom]
    return experiment.contacts(chrom, lo, lo + n_bins), bins, uri, sizes, circular
