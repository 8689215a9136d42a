"""Loop (dot) calls and how well predicted loops recover the experiment's.

Loops are called with cooltools' HiCCUPS-like ``dots`` (Rao et al. 2014:
donut, lower-left, horizontal and vertical local backgrounds, BH-FDR within
each lambda-chunk, clustering, HiCCUPS' cluster filter). cooltools 0.7.1's
``dots`` fails under pandas >= 3 with "Encountered all NA values": its
``determine_thresholds`` finds each lambda-chunk's count threshold with
``DataFrame.idxmin`` on a frame where chunks in which no count passes the FDR
are all NaN, and pandas 3 raises on an all-NaN column where pandas 2 returned
NaN (which cooltools then filled with an out-of-reach threshold). Any map with
one such chunk (nearly every real map) fails. :func:`lambda_chunk_thresholds`
is that step written here with the same definitions and the all-NaN case
answered as cooltools intends; :func:`call_loops` runs ``dots`` with it in
place of the library's and touches nothing else.

Matching (:func:`match_loops`, :func:`loop_metrics`) pairs predicted with
true loops one-to-one within a tolerance in bins on both anchors; MIX-HIC
(v2, section 5.1, Table 3) reports precision, recall, F1 and AUROC of loop
detection, and :func:`loop_auroc` with :func:`distance_matched_negatives`
gives the AUROC of a map's scores at true loops against non-loop pixels at the
same separations (MIX-HIC v2, appendix A.1, negatives matched on distance).
"""

import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

import cooler
import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.stats import poisson, rankdata

BEDPE = ["chrom1", "start1", "end1", "chrom2", "start2", "end2"]
KERNEL_TYPES = ("donut", "vertical", "horizontal", "lowleft")  # HiCCUPS' four (Rao et al. 2014)


def lambda_chunk_thresholds(histograms, fdr):
    """Observed-count thresholds and q-values per lambda-chunk, as cooltools' ``determine_thresholds``.

    Within each lambda-chunk every pixel is tested against a Poisson with
    the chunk's upper edge as mean; the threshold is the smallest count at
    which ``fdr`` times the number of pixels with at least that count reaches
    the number a Poisson would give (the count-level BH rule of Rao et al.
    2014, as cooltools applies it, with ``poisson.sf(count)``). A chunk in
    which no count passes gets the largest count + 1 (nothing is called).

    Parameters
    ----------
    histograms : dict
        Kernel name -> DataFrame of pixel numbers, rows observed counts
        (ascending), columns the lambda-chunks (``pandas.Interval``).
    fdr : float

    Returns
    -------
    thresholds, qvalues : dict, dict
        Kernel name -> Series of int thresholds indexed by an
        ``IntervalIndex`` of the chunks; kernel name -> DataFrame of q-values
        shaped like the histogram.
    """
    thresholds, qvalues = {}, {}
    for kernel, histogram in histograms.items():
        at_least = histogram.iloc[::-1].cumsum(axis=0).iloc[::-1]  # pixels with this count or more
        counts = at_least.index.to_numpy()
        upper = np.array([chunk.right for chunk in at_least.columns], dtype=np.float64)
        poisson_at_least = at_least.iloc[0].to_numpy() * poisson.sf(counts[:, None], upper[None, :])
        poisson_at_least = pd.DataFrame(poisson_at_least, index=at_least.index, columns=at_least.columns)
        excess = (fdr * at_least - poisson_at_least).cummax().to_numpy()
        unreachable = counts.max() + 1
        first = [counts[np.flatnonzero(column >= 0)[0]] if (column >= 0).any() else unreachable
                 for column in excess.T]
        thresholds[kernel] = pd.Series(np.asarray(first, dtype=np.int64),
                                       index=pd.IntervalIndex(at_least.columns))
        q = (poisson_at_least / at_least).cummin()
        qvalues[kernel] = q.mask(q > 1.0, 1.0)
    return thresholds, qvalues


@contextmanager
def _pandas3_thresholds():
    """cooltools' ``dots`` with :func:`lambda_chunk_thresholds` as its threshold step (see module docstring)."""
    from cooltools.api import dotfinder

    original = dotfinder.determine_thresholds
    dotfinder.determine_thresholds = lambda_chunk_thresholds
    try:
        yield
    finally:
        dotfinder.determine_thresholds = original


def map_cooler(values, path, binsize, chrom="chrom"):
    """Write a symmetric map, dense ``(n, n)`` or a band ``(n, width)`` (``[i, k]`` = pixel ``(i, i + k)``), as a
    one-chromosome ``.cool`` that ``dots`` reads.

    Counts are the values rounded to integers (``dots`` tests observed
    counts against Poisson backgrounds); NaN pixels are not stored; bins
    whose row holds no finite value get NaN weight (masked), every other bin
    weight 1, so balanced values equal the counts.
    """
    values = np.asarray(values, dtype=np.float64)
    n, width = values.shape
    if width == n:  # dense: its upper triangle
        rows, cols = np.triu_indices(n)
        pixel = values[rows, cols]
        valid = np.isfinite(values).any(axis=1)
    else:
        rows, offsets = np.nonzero(np.isfinite(values))
        cols = rows + offsets
        pixel = values[rows, offsets]
        inside = cols < n
        rows, cols, pixel = rows[inside], cols[inside], pixel[inside]
        valid = np.zeros(n, dtype=bool)
        valid[rows] = valid[cols] = True
    keep = np.isfinite(pixel) & (np.rint(pixel) > 0)
    bins = pd.DataFrame({"chrom": chrom, "start": np.arange(n) * binsize, "end": np.arange(1, n + 1) * binsize})
    bins["weight"] = np.where(valid, 1.0, np.nan)
    order = np.lexsort((cols[keep], rows[keep]))
    pixels = pd.DataFrame({"bin1_id": rows[keep][order], "bin2_id": cols[keep][order],
                           "count": np.rint(pixel[keep][order]).astype(np.int64)})
    cooler.create_cooler(str(path), bins, pixels, columns=["count"], dtypes={"count": np.int64})
    return cooler.Cooler(str(path))


def call_loops(source, binsize=None, donut=None, max_separation=None, fdr=0.1, clustering_bins=2,
               chrom="chrom"):
    """Loops of a map: cooltools' HiCCUPS-like ``dots``, clustered and filtered as HiCCUPS.

    Parameters
    ----------
    source : cooler.Cooler or array
        A balanced cooler (weights ``weight``), or a symmetric map, dense or
        a band (NaN = missing; written by :func:`map_cooler` with
        ``binsize`` and ``chrom``).
    binsize : int, optional
        Bin size of an array ``source`` (its coordinates in the output).
    donut : (int, int), optional
        HiCCUPS kernel half-widths ``(w, p)`` in bins; by default cooltools'
        recommendation for the bin size (5 kb-25 kb only).
    max_separation : int, optional
        Farthest loop in bins (inclusive); a map stored only to some diagonal ``K``
        should use ``K - 2 w``: the donut of pixel ``(i, j)`` reaches
        ``(i - w, j + w)``, so every kernel then lies inside the stored band.
        Default: cooltools' 10 Mb.
    fdr : float
        BH-FDR within each lambda-chunk.
    clustering_bins : int
        Clustering radius in bins (cooltools' Birch threshold).

    Returns
    -------
    DataFrame
        BEDPE columns ``chrom1 start1 end1 chrom2 start2 end2`` and
        ``score``: observed count over the donut's locally adjusted expected.
    """
    import cooltools
    from cooltools.lib.numutils import get_kernel

    if not isinstance(source, cooler.Cooler):
        if binsize is None:
            raise ValueError("call_loops on an array needs its binsize")
        with tempfile.TemporaryDirectory() as scratch:
            clr = map_cooler(source, Path(scratch) / "map.cool", binsize, chrom)
            return call_loops(clr, donut=donut, max_separation=max_separation, fdr=fdr,
                              clustering_bins=clustering_bins)
    binsize = source.binsize
    view = pd.DataFrame({"chrom": source.chromnames, "start": 0, "end": source.chromsizes.to_numpy(),
                         "name": source.chromnames})
    expected = cooltools.expected_cis(source, view_df=view, nproc=1)
    kernels = None if donut is None else {kind: get_kernel(*donut, kind) for kind in KERNEL_TYPES}
    # cooltools scores separations below max_loci_separation; ours is the farthest one scored
    options = {} if max_separation is None else {"max_loci_separation": (int(max_separation) + 1) * binsize}
    with _pandas3_thresholds():
        dots = cooltools.dots(source, expected, view_df=view, kernels=kernels, lambda_bin_fdr=fdr,
                              clustering_radius=clustering_bins * binsize, nproc=1, **options)
    if dots.empty:
        return pd.DataFrame({**{column: [] for column in BEDPE}, "score": []})
    table = dots[BEDPE].assign(score=dots["count"] / dots["la_exp.donut.value"])
    return table.sort_values(["chrom1", "start1", "start2"], kind="stable").reset_index(drop=True)


def _anchor_bins(loops, binsize):
    return (loops["start1"].to_numpy().astype(np.int64) // binsize,  # int also when empty
            loops["start2"].to_numpy().astype(np.int64) // binsize)


def _binsize(*tables):
    for table in tables:
        if len(table):
            return int((table["end1"] - table["start1"]).iloc[0])
    return 1


def match_loops(predicted, truth, tolerance_bins):
    """One-to-one pairs of predicted and true loops within ``tolerance_bins`` on both anchors.

    Pairs are on the same chromosomes with both anchors at most
    ``tolerance_bins`` apart; among all one-to-one assignments the one with
    the most pairs (then the smallest summed distance) is taken
    (``scipy.optimize.linear_sum_assignment``), so one true loop never
    counts for two calls.

    Returns
    -------
    list of (int, int)
        Positional indices ``(predicted, true)``.
    """
    if not len(predicted) or not len(truth):
        return []
    binsize = _binsize(predicted, truth)
    p1, p2 = _anchor_bins(predicted, binsize)
    t1, t2 = _anchor_bins(truth, binsize)
    distance = np.maximum(np.abs(p1[:, None] - t1[None, :]), np.abs(p2[:, None] - t2[None, :]))
    same = ((predicted["chrom1"].to_numpy()[:, None] == truth["chrom1"].to_numpy()[None, :])
            & (predicted["chrom2"].to_numpy()[:, None] == truth["chrom2"].to_numpy()[None, :]))
    feasible = same & (distance <= tolerance_bins)
    # an infeasible pair costs more than any assignment of feasible ones, so the number of pairs comes first
    cost = np.where(feasible, distance, (tolerance_bins + 1) * (min(feasible.shape) + 1)).astype(np.float64)
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if feasible[r, c]]


def loop_metrics(predicted, truth, tolerance_bins):
    """Precision, recall and F1 of predicted loops against true ones (:func:`match_loops`).

    Precision of no calls and recall of no true loops are NaN, as is F1 unless both are defined and one positive.
    """
    matched = len(match_loops(predicted, truth, tolerance_bins))
    precision = matched / len(predicted) if len(predicted) else np.nan
    recall = matched / len(truth) if len(truth) else np.nan
    f1 = (2 * precision * recall / (precision + recall)
          if np.isfinite(precision) and np.isfinite(recall) and precision + recall > 0 else np.nan)
    return {"loop_precision": precision, "loop_recall": recall, "loop_f1": f1}


def loop_auroc(scores, labels):
    """Area under the ROC curve of ``scores`` for binary ``labels`` (Mann-Whitney U, ties count half).

    Candidates without a finite score are left out; NaN unless both classes remain.
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    scores, labels = scores[np.isfinite(scores)], labels[np.isfinite(scores)]
    positives, negatives = labels.sum(), (~labels).sum()
    if not positives or not negatives:
        return np.nan
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def distance_matched_negatives(truth, n_bins, tolerance_bins, seed=0):
    """One non-loop pixel per true loop, at the same separation, away from every true loop.

    MIX-HIC v2 (appendix A.1) samples negatives matching the positives'
    distance distribution; here each true loop ``(i, j)`` gets a pixel
    ``(k, k + j - i)`` of the same chromosome with ``k`` drawn uniformly
    (seeded) among the positions farther than ``tolerance_bins`` from every
    true loop; loops without such a position get none.

    Returns
    -------
    DataFrame
        BEDPE of the negatives (``chrom1 start1 end1 chrom2 start2 end2``).
    """
    rng = np.random.default_rng(seed)
    binsize = _binsize(truth)
    rows = []
    for chrom, loops in truth.groupby("chrom1", sort=False):
        first, second = _anchor_bins(loops, binsize)
        for i, j in zip(first, second):
            span = j - i
            k = np.arange(0, n_bins - span)
            clear = np.all((np.abs(k[:, None] - first[None, :]) > tolerance_bins)
                           | (np.abs(k[:, None] + span - second[None, :]) > tolerance_bins), axis=1)
            if clear.any():
                pick = int(rng.choice(k[clear]))
                rows.append((chrom, pick * binsize, (pick + 1) * binsize,
                             chrom, (pick + span) * binsize, (pick + span + 1) * binsize))
    return pd.DataFrame(rows, columns=BEDPE)


def pixel_scores(band, loops, binsize):
    """Values of a band (``[i, k]`` = pixel ``(i, i + k)``) at loops' pixels; NaN beyond it."""
    first, second = _anchor_bins(loops, binsize)
    offset = second - first
    inside = offset < band.shape[1]
    scores = np.full(len(loops), np.nan)
    scores[inside] = np.asarray(band, dtype=np.float64)[first[inside], offset[inside]]
    return scores


LOOP_COLUMNS = ["loop_precision", "loop_recall", "loop_f1", "loop_auroc", "n_loops", "n_true_loops"]


def loops_scorable(last_offset, donut):
    """Whether a band to ``last_offset`` is wide enough for loop calls: it reaches 4 ``w`` (see :func:`score_loops`)."""
    return last_offset >= 4 * donut[0]


def score_loops(predicted, truth, depth, binsize, last_offset, donut, fdr, tolerance_bins, chrom="chrom", seed=0):
    """Loop metrics of predicted maps against the loops called on the experimental map, and the calls.

    Loops are called (:func:`call_loops`) on each map at separations up to
    ``last_offset - 2 w``, so every HiCCUPS kernel lies inside the stored
    band; the band must reach ``4 w`` (:func:`loops_scorable`: loops at
    least one donut width ``2 w`` apart can be called), else every value is
    NaN and nothing is called. ``dots`` tests Poisson counts, so each map is
    first put on the experiment's sequencing depth: multiplied so that its
    finite pixels in the band sum to ``depth`` (the raw counts there), then
    rounded.

    Parameters
    ----------
    predicted : dict
        Predictor name -> band (``[i, k]`` = pixel ``(i, i + k)``, NaN missing).
    truth : array
        Experimental band on the same bins and offsets.
    depth : float
        Raw experimental counts of the band's pixels.
    binsize, last_offset : int
    donut : (int, int)
        HiCCUPS ``(w, p)`` in bins.
    fdr : float
    tolerance_bins : int
        :func:`match_loops`' tolerance.
    chrom : str
        Chromosome name of the calls.
    seed : int
        :func:`distance_matched_negatives`' seed.

    Returns
    -------
    scores : dict
        Predictor name -> :data:`LOOP_COLUMNS`: :func:`loop_metrics` of its
        calls, :func:`loop_auroc` of its O/E (each pixel over its offset's
        mean) at the true loops against :func:`distance_matched_negatives`,
        its number of calls and the experiment's.
    calls : DataFrame
        ``predictor`` (``experiment`` first), the BEDPE columns, ``score``
        and ``matched`` (paired by :func:`match_loops`).
    """
    columns = ["predictor", *BEDPE, "score", "matched"]
    if not loops_scorable(last_offset, donut):
        return ({name: dict.fromkeys(LOOP_COLUMNS, np.nan) for name in predicted},
                pd.DataFrame({column: [] for column in columns}))

    def on_depth(band):
        band = np.asarray(band, dtype=np.float64)[:, : last_offset + 1]
        total = np.nansum(band)
        return band * (depth / total) if total > 0 else band

    options = {"binsize": binsize, "donut": tuple(donut), "max_separation": last_offset - 2 * donut[0], "fdr": fdr,
               "chrom": chrom}
    true_loops = call_loops(on_depth(truth), **options)
    negatives = distance_matched_negatives(true_loops, len(truth), tolerance_bins, seed)
    candidates = pd.concat([true_loops[BEDPE], negatives], ignore_index=True)
    labels = np.arange(len(candidates)) < len(true_loops)
    scores, tables, found = {}, [], np.zeros(len(true_loops), dtype=bool)
    for name, band in predicted.items():
        calls = call_loops(on_depth(band), **options)
        pairs = match_loops(calls, true_loops, tolerance_bins)
        hit = np.zeros(len(calls), dtype=bool)
        hit[np.array([p for p, _ in pairs], dtype=int)] = True
        found[np.array([t for _, t in pairs], dtype=int)] = True
        tables.append(calls.assign(predictor=name, matched=hit))
        with warnings.catch_warnings():  # offsets without a finite pixel have no mean: NaN ratios, left out
            warnings.simplefilter("ignore", RuntimeWarning)
            ratio = band / np.nanmean(band, axis=0)
        auroc = loop_auroc(pixel_scores(ratio, candidates, binsize), labels)
        scores[name] = {**loop_metrics(calls, true_loops, tolerance_bins), "loop_auroc": auroc,
                        "n_loops": len(calls), "n_true_loops": len(true_loops)}
    # a true loop is "matched" when some predictor recovered it
    tables.insert(0, true_loops.assign(predictor="experiment", matched=found))
    return scores, pd.concat(tables, ignore_index=True)[columns]
