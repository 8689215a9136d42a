"""Coverage QC of a sample's alignments: mean depth and the fraction of bases covered.

Depth is counted as mosdepth's fast mode does: each read adds one from its
first to its last aligned reference base (deletions and skips inside a read
count as covered; overlapping mates both count). Reads that are unmapped,
secondary, supplementary, QC-failed, duplicates or below a mapping quality are
left out, as the variant callers leave them out.
"""

import numpy as np
import pandas as pd
import pysam

SKIP_FLAGS = 0x4 | 0x100 | 0x200 | 0x400 | 0x800  # unmapped, secondary, QC fail, duplicate, supplementary


def depth_track(starts, ends, length):
    """Per-base depth of a chromosome from read intervals.

    Parameters
    ----------
    starts, ends : array of int
        0-based half-open reference spans of the reads.
    length : int

    Returns
    -------
    ndarray of int32, shape (length,)
    """
    change = np.bincount(np.asarray(starts, dtype=np.int64), minlength=length + 1)[: length + 1].astype(np.int64)
    change -= np.bincount(np.asarray(ends, dtype=np.int64), minlength=length + 1)[: length + 1]
    return np.cumsum(change[:length]).astype(np.int32)


def read_spans(bam, chrom, min_mapq):
    """Reference spans (starts, ends) of the reads counted on ``chrom``."""
    starts, ends = [], []
    for read in bam.fetch(chrom):
        if read.flag & SKIP_FLAGS or read.mapping_quality < min_mapq:
            continue
        starts.append(read.reference_start)
        ends.append(read.reference_end)
    return np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)


def coverage_table(bam, chromosomes, min_mapq, thresholds):
    """One row per chromosome and a last row ``all`` (the chromosomes together).

    Parameters
    ----------
    bam : pysam.AlignmentFile
        Indexed, coordinate-sorted alignments.
    chromosomes : list of str
    min_mapq : int
    thresholds : list of int

    Returns
    -------
    DataFrame
        ``chrom``, ``length``, ``reads``, ``mean_depth``, ``median_depth``,
        ``frac_ge_{t}`` (fraction of bases with depth >= t).
    """
    rows, histograms = [], []
    for chrom in chromosomes:
        starts, ends = read_spans(bam, chrom, min_mapq)
        counts = np.bincount(depth_track(starts, ends, bam.get_reference_length(chrom)))
        rows.append({"chrom": chrom, "reads": len(starts), **summarise_histogram(counts, thresholds)})
        histograms.append(counts)
    size = max(h.size for h in histograms)
    total = sum(np.pad(h, (0, size - h.size)) for h in histograms)
    rows.append({"chrom": "all", "reads": sum(r["reads"] for r in rows), **summarise_histogram(total, thresholds)})
    columns = ["chrom", "length", "reads", "mean_depth", "median_depth"] + [f"frac_ge_{t}" for t in thresholds]
    return pd.DataFrame(rows)[columns]


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


def open_alignments(path, reference):
    """Open a BAM, or a CRAM decoded with ``reference``."""
    return pysam.AlignmentFile(str(path), reference_filename=str(reference))
