"""Reference preparation: chromosome sizes, excluded regions, BED files.

The reference FASTA itself is recompressed and indexed by
:func:`hicmodels.genome.fasta.write_bgzip_fasta`.
"""

import logging

import bioframe
import numpy as np
import pandas as pd
import pysam

from ..errors import InputError
from ..files import write_tsv

log = logging.getLogger(__name__)

BED_COLUMNS = ["chrom", "start", "end", "name"]


def chromsizes(fasta):
    """Chromosome sizes of an indexed FASTA, in file order, as a Series.

    Raises
    ------
    InputError
        If the FASTA (or its index) cannot be read, or a chromosome has 0 bases.
    """
    try:
        with pysam.FastaFile(str(fasta)) as fa:
            sizes = pd.Series(dict(zip(fa.references, fa.lengths)), name="length", dtype=np.int64)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the indexed FASTA: {err}", fasta) from None
    empty = sizes.index[sizes.to_numpy() == 0].tolist()
    if empty:
        raise InputError(f"chromosome {empty[0]!r} has 0 bases" + (f" (and {len(empty) - 1} more)" if len(empty) > 1
                         else "") + ": remove it from the FASTA", fasta)
    return sizes


def write_chromsizes(sizes, path):
    write_tsv(sizes, path, index=True, header=False)


def runs_of_n(sequence, min_length):
    """Start/end of runs of N (either case) at least ``min_length`` long.

    Parameters
    ----------
    sequence : bytes or str
    min_length : int

    Returns
    -------
    starts, ends : ndarray of int64
    """
    seq = np.frombuffer(sequence.encode() if isinstance(sequence, str) else sequence, dtype=np.uint8)
    is_n = (seq == ord("N")) | (seq == ord("n"))
    edges = np.diff(np.concatenate([[0], is_n.view(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    keep = ends - starts >= min_length
    return starts[keep].astype(np.int64), ends[keep].astype(np.int64)


def excluded_regions(fasta, min_n_run, telomere_bp=0, centromeres=None, centromere_pad=0):
    """Regions no genome window may overlap.

    Parameters
    ----------
    fasta : path
        Indexed reference FASTA.
    min_n_run : int
        Runs of N at least this long are excluded.
    telomere_bp : int
        Bases excluded at each chromosome end.
    centromeres : DataFrame, optional
        ``chrom``, ``start``, ``end`` of centromeres, padded by ``centromere_pad``.

    Returns
    -------
    DataFrame
        ``chrom``, ``start``, ``end``, ``name`` (``N_run``, ``telomere`` or
        ``centromere``), sorted, overlapping regions of the same name merged.
    """
    parts = []
    with pysam.FastaFile(str(fasta)) as fa:
        sizes = dict(zip(fa.references, fa.lengths))
        for chrom in fa.references:
            starts, ends = runs_of_n(fa.fetch(chrom).encode(), min_n_run)
            parts.append(pd.DataFrame({"chrom": chrom, "start": starts, "end": ends, "name": "N_run"}))
    if telomere_bp > 0:
        rows = []
        for chrom, size in sizes.items():
            rows += [(chrom, 0, min(telomere_bp, size)), (chrom, max(size - telomere_bp, 0), size)]
        parts.append(pd.DataFrame(rows, columns=BED_COLUMNS[:3]).assign(name="telomere"))
    if centromeres is not None and len(centromeres):
        unknown = sorted(set(centromeres["chrom"]) - set(sizes))
        if unknown:
            raise InputError(f"centromeres on chromosomes not in the reference: {unknown}")
        cen = centromeres[["chrom", "start", "end"]].copy()
        cen["start"] = (cen["start"] - centromere_pad).clip(lower=0)
        cen["end"] = np.minimum(cen["end"] + centromere_pad, cen["chrom"].map(sizes))
        parts.append(cen.assign(name="centromere"))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("chrom", "name") else np.int64) for c in BED_COLUMNS})
    regions = bioframe.merge(pd.concat(parts, ignore_index=True), on=["name"])[BED_COLUMNS]
    order = regions["chrom"].map({c: i for i, c in enumerate(sizes)})
    return regions.assign(_order=order).sort_values(["_order", "start", "end"]).drop(columns="_order").reset_index(drop=True)


def read_bed(path, columns=3):
    """Read the first ``columns`` BED columns, with a clear error on malformed lines."""
    names = BED_COLUMNS[:columns]
    rows = []
    with open(path) as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < columns:
                raise InputError(f"expected at least {columns} tab-separated fields", path, lineno)
            try:
                start, end = int(fields[1]), int(fields[2])
            except ValueError as err:
                raise InputError("start/end must be integers", path, lineno) from err
            if start < 0 or end < start:
                raise InputError(f"invalid interval {start}-{end}", path, lineno)
            rows.append([fields[0], start, end, *fields[3:columns]])
    return pd.DataFrame(rows, columns=names).astype({"start": np.int64, "end": np.int64})


def write_bed(regions, path):
    write_tsv(regions, path, header=False)
