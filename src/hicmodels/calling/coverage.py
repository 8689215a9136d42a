"""Coverage QC of a sample's alignments from mosdepth's per-base depth.

The ``mosdepth`` rule runs ``mosdepth --fast-mode -Q <min MAPQ> -F 3844``: each
read adds one from its first to its last aligned reference base (deletions and
skips inside a read count as covered; overlapping mates both count), and reads
that are unmapped, secondary, QC-failed, duplicates, supplementary (flags 3844)
or below the mapping quality are left out, as the variant callers leave them
out. This module turns its run-length encoded ``<prefix>.per-base.bed.gz`` into
per-chromosome depth histograms and the coverage table; read counts come from
``samtools view -c`` with the same filters (mosdepth does not count reads).
"""

import numpy as np
import pandas as pd
import pysam

from ..errors import InputError

SKIP_FLAGS = 0x4 | 0x100 | 0x200 | 0x400 | 0x800  # unmapped, secondary, QC fail, duplicate, supplementary
PER_BASE_COLUMNS = ["chrom", "start", "end", "depth"]


def depth_histograms(path, chromosomes, chunksize=2_000_000):
    """Bases at each depth, per chromosome, from a mosdepth per-base BED.

    Parameters
    ----------
    path : str
        ``<prefix>.per-base.bed.gz``: chrom, start, end, depth (runs of equal depth).
    chromosomes : list of str
        Chromosomes kept; every one must be in the file.
    chunksize : int
        Rows read at a time (memory stays constant in the file's size).

    Returns
    -------
    dict
        Chromosome -> ndarray of int64, ``h[d]``: bases at depth ``d``.
    """
    keep = set(chromosomes)
    histograms = {}
    try:
        reader = pd.read_csv(path, sep="\t", header=None, names=PER_BASE_COLUMNS, chunksize=chunksize,
                             dtype={"chrom": str, "start": np.int64, "end": np.int64, "depth": np.int64})
        for chunk in reader:
            chunk = chunk[chunk["chrom"].isin(keep)]
            for chrom, rows in chunk.groupby("chrom", sort=False):
                counts = np.bincount(rows["depth"].to_numpy(), weights=(rows["end"] - rows["start"]).to_numpy())
                counts = np.rint(counts).astype(np.int64)
                histograms[chrom] = _add(histograms.get(chrom, np.zeros(0, np.int64)), counts)
    except (OSError, ValueError, EOFError) as err:
        raise InputError(f"cannot read mosdepth's per-base depth: {err}", path) from None
    missing = [c for c in chromosomes if c not in histograms]
    if missing:
        raise InputError(f"no depth for {', '.join(missing)}", path)
    return histograms


def count_reads(path, reference, chromosomes, min_mapq, threads=1):
    """Reads counted on each chromosome (``samtools view -c`` with the coverage filters)."""
    counts = {}
    for chrom in chromosomes:
        out = pysam.view("-c", "-@", str(threads), "-F", str(SKIP_FLAGS), "-q", str(min_mapq), "-T", str(reference),
                         str(path), chrom)
        counts[chrom] = int(out.strip())
    return counts


def coverage_table(histograms, reads, chromosomes, thresholds, lengths=None):
    """One row per chromosome and a last row ``all`` (the chromosomes together).

    Parameters
    ----------
    histograms : dict
        Chromosome -> bases at each depth (:func:`depth_histograms`).
    reads : dict
        Chromosome -> reads counted.
    chromosomes : list of str
    thresholds : list of int
    lengths : dict, optional
        Chromosome lengths the histograms must add up to (a truncated per-base
        file raises ValueError).

    Returns
    -------
    DataFrame
        ``chrom``, ``length``, ``reads``, ``mean_depth``, ``median_depth``,
        ``frac_ge_{t}`` (fraction of bases with depth >= t).
    """
    rows = []
    for chrom in chromosomes:
        if lengths is not None and int(histograms[chrom].sum()) != int(lengths[chrom]):
            raise ValueError(f"{chrom}: depth for {int(histograms[chrom].sum())} bases, length {int(lengths[chrom])}")
        rows.append({"chrom": chrom, "reads": int(reads[chrom]), **summarise_histogram(histograms[chrom], thresholds)})
    total = np.zeros(0, np.int64)
    for chrom in chromosomes:
        total = _add(total, histograms[chrom])
    rows.append({"chrom": "all", "reads": sum(r["reads"] for r in rows), **summarise_histogram(total, thresholds)})
    columns = ["chrom", "length", "reads", "mean_depth", "median_depth"] + [f"frac_ge_{t}" for t in thresholds]
    return pd.DataFrame(rows)[columns]


def _add(a, b):
    """Sum of two histograms of different lengths."""
    size = max(a.size, b.size)
    return np.pad(a, (0, size - a.size)) + np.pad(b, (0, size - b.size))


def summarise_histogram(histogram, thresholds):
    """Mean, median and fraction of bases at or above each threshold.

    Parameters
    ----------
    histogram : array of int
        ``histogram[d]``: bases at depth ``d``.
    thresholds : list of int

    Returns
    -------
    dict
        ``length``, ``mean_depth``, ``median_depth`` (the lower median: the
        least depth that half of the bases do not exceed), ``frac_ge_{t}``.
    """
    histogram = np.asarray(histogram, dtype=np.int64)
    length = int(histogram.sum())
    depths = np.arange(histogram.size)
    row = {"length": length, "mean_depth": float((depths * histogram).sum() / length) if length else 0.0}
    row["median_depth"] = int(np.searchsorted(np.cumsum(histogram), length / 2)) if length else 0
    for t in thresholds:
        row[f"frac_ge_{t}"] = float(histogram[t:].sum() / length) if length else 0.0
    return row
