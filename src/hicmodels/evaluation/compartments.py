"""A/B compartments: the first cis eigenvector (E1) of predicted and experimental maps, and their correlation.

E1 is cooltools' ``eigs_cis`` (Lieberman-Aiden et al. 2009: the leading
eigenvector of the O/E map, here with cooltools' defaults: clipped at the
99.9th percentile, two diagonals ignored) phased by GC content, so that A
(positive E1) is the GC-rich compartment in every map and E1s of different
maps can be correlated with their signs. Maps are first summed into bins of
``compartment_bin_bp`` (compartments are a 100 kb-1 Mb pattern; coarse bins
also keep the dense matrix ``eigs_cis`` builds per chromosome small).

A predicted map holds only a band of diagonals. Its O/E checkerboard is
visible only where the band spans several compartment domains, so E1 is
computed only when the band reaches ``compartment_min_span_bp``; narrower
bands (yeast's 160 kb, the 200 kb-2 Mb windows of most models) give NaN and
a log line. Pixels beyond the band carry no information: they are given
O/E 1 (see :func:`eigenvector`), in both maps compared, so both E1s see the
same pixels.
"""

import tempfile
from pathlib import Path

import cooler
import numpy as np
import pandas as pd


def coarsen_band(band, factor, last_offset):
    """Sum a band (``[i, k]`` = pixel ``(i, i + k)``) into bins of ``factor`` bins.

    A coarse pixel is kept only if every fine pixel it sums lies within
    ``last_offset`` (coarse offsets ``< (last_offset + 1) // factor``); NaN
    fine pixels count as 0, and a coarse bin whose fine bins all have no finite pixel (masked) is NaN.

    Returns
    -------
    array, shape (ceil(n / factor), (last_offset + 1) // factor)
    """
    n = band.shape[0]
    width = max((last_offset + 1) // factor, 1)
    coarse_n = -(-n // factor)
    total = np.zeros((coarse_n, width))
    rows = np.arange(n)
    for k in range(min(band.shape[1], last_offset + 1)):
        values = band[: n - k, k]
        first, second = rows[: n - k] // factor, (rows[: n - k] + k) // factor
        offset = second - first
        inside = offset < width
        finite = np.isfinite(values) & inside
        np.add.at(total, (first[finite], offset[finite]), values[finite])
    fine_valid = np.isfinite(band).any(axis=1)
    valid = np.zeros(coarse_n, dtype=bool)
    np.logical_or.at(valid, rows // factor, fine_valid)
    total[~valid] = np.nan
    return total


def band_cooler(band, path, binsize, chrom="chrom"):
    """A one-chromosome ``.cool`` of a band with float values (weight 1, NaN for bins without a finite pixel)."""
    n, width = band.shape
    rows, offsets = np.nonzero(np.isfinite(band) & (band != 0))
    cols = rows + offsets
    keep = cols < n
    rows, cols, values = rows[keep], cols[keep], band[rows[keep], offsets[keep]]
    valid = np.isfinite(band).any(axis=1)
    bins = pd.DataFrame({"chrom": chrom, "start": np.arange(n) * binsize,
                         "end": np.arange(1, n + 1) * binsize, "weight": np.where(valid, 1.0, np.nan)})
    order = np.lexsort((cols, rows))
    pixels = pd.DataFrame({"bin1_id": rows[order], "bin2_id": cols[order], "count": values[order]})
    cooler.create_cooler(str(path), bins, pixels, dtypes={"count": np.float64}, ordered=True)
    return cooler.Cooler(str(path))


def eigenvector(source, gc, binsize=None):
    """E1 of a map by cooltools ``eigs_cis``, phased so it correlates positively with ``gc``.

    Parameters
    ----------
    source : cooler.Cooler or array
        A balanced one-chromosome cooler, or a band (written by :func:`band_cooler`, offsets
        beyond it at O/E 1).
    gc : array
        GC fraction per bin (the phasing track).
    binsize : int, optional
        Bin size of a band ``source``.

    Returns
    -------
    array
        E1 per bin (NaN for masked bins).
    """
    import cooltools

    if not isinstance(source, cooler.Cooler):
        # offsets beyond the band get one constant each: cooltools' O/E makes them exactly 1, so after its
        # "O/E - 1" they add nothing, where absent (zero) pixels would add -1 and the band's edge would be E1
        band = np.asarray(source, dtype=np.float64)
        n = band.shape[0]
        padded = np.ones((n, n))
        padded[:, : band.shape[1]] = band[:, :n]
        padded[~np.isfinite(band).any(axis=1)] = np.nan
        with tempfile.TemporaryDirectory() as scratch:
            return eigenvector(band_cooler(padded, Path(scratch) / "band.cool", binsize), gc)
    chrom = source.chromnames[0]
    bins = source.bins()[:][["chrom", "start", "end"]]
    track = bins.assign(GC=np.asarray(gc, dtype=np.float64)[: len(bins)])
    view = pd.DataFrame({"chrom": [chrom], "start": [0], "end": [int(source.chromsizes[chrom])], "name": [chrom]})
    _, vectors = cooltools.eigs_cis(source, phasing_track=track, view_df=view, n_eigs=3)
    return vectors["E1"].to_numpy()


def _block_mean(values, factor):
    """NaN-aware mean of consecutive blocks of ``factor`` values (the last block may be short)."""
    n = len(values)
    padded = np.full(-(-n // factor) * factor, np.nan)
    padded[:n] = values
    blocks = padded.reshape(-1, factor)
    counts = np.isfinite(blocks).sum(axis=1)
    sums = np.nansum(blocks, axis=1)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def compartments_scorable(last_offset, binsize, min_span_bp):
    """Whether a band to ``last_offset`` spans ``min_span_bp`` (``(last_offset + 1) * binsize``)."""
    return (last_offset + 1) * binsize >= min_span_bp


def score_compartments(predicted, truth, gc, binsize, last_offset, compartment_bin_bp, min_span_bp):
    """Pearson correlation of each predicted map's E1 with the experimental map's.

    Parameters
    ----------
    predicted : dict
        Predictor name -> band (``[i, k]`` = pixel ``(i, i + k)``, NaN missing).
    truth : array
        Experimental band on the same bins and offsets.
    gc : array
        GC fraction of each bin (phasing).
    binsize, last_offset : int
    compartment_bin_bp : int
        Bins E1 is computed on (:func:`coarsen_band`; a multiple of ``binsize``, else rounded down).
    min_span_bp : int
        Shortest band (:func:`compartments_scorable`); below it every value is NaN.

    Returns
    -------
    dict
        Predictor name -> ``{"pearson_e1": r}`` over the coarse bins finite in both E1s.
    """
    if not compartments_scorable(last_offset, binsize, min_span_bp):
        return {name: {"pearson_e1": np.nan} for name in predicted}
    factor = max(compartment_bin_bp // binsize, 1)
    coarse_gc = _block_mean(np.asarray(gc, dtype=np.float64), factor)
    expected = eigenvector(coarsen_band(truth, factor, last_offset), coarse_gc, binsize * factor)
    scores = {}
    for name, band in predicted.items():
        e1 = eigenvector(coarsen_band(band, factor, last_offset), coarse_gc, binsize * factor)
        both = np.isfinite(e1) & np.isfinite(expected)
        r = np.corrcoef(e1[both], expected[both])[0, 1] if both.sum() > 2 else np.nan
        scores[name] = {"pearson_e1": float(r)}
    return scores
