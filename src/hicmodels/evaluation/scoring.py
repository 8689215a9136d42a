"""Scoring predicted reference maps against the experimental map on held-out chromosomes.

Each model is scored on the test chromosomes of its window table, next to the
distance-decay baseline (:mod:`.baselines`) restricted to the model's pixels;
:func:`side_by_side` puts several models of one run into one table. Models
scored side by side are scored on the band every one of them holds
(:func:`common_band`): offsets up to the nearest ``band_diagonals`` of their
maps (:func:`hicmodels.hic.assemble.assemble_cool`), so that no model is
judged on distances another was not.
"""

import logging

import numpy as np
import pandas as pd

from ..hic.band import band_from_cooler, dense_from_band
from ..hic.cool import open_cooler, reading
from ..modelling.store import VALUE_NAMES
from . import metrics
from .baselines import SEQUENCE_BASELINES, baseline_band, distance_decay, sequence_profile
from .compartments import compartments_scorable, score_compartments
from .fid import inception_fid
from .loops import loops_scorable, score_loops

BASELINE = "distance_decay"
log = logging.getLogger(__name__)


def split_chromosomes(windows, split):
    """Chromosomes with windows of ``split`` (``train``, ``validation``, ``test``), in table order."""
    return list(dict.fromkeys(windows.loc[windows["split"] == split, "chrom"]))


def common_band(predicted_paths):
    """Last offset every predicted map holds: the smallest ``band_diagonals - 1`` of their metadata.

    A map without ``band_diagonals`` (assembled before the band was stored) does not limit it; ``None`` if no
    map states one.
    """
    bands = []
    for path in predicted_paths:
        with reading(path):
            metadata = open_cooler(path).info.get("metadata") or {}
        if "band_diagonals" in metadata:
            bands.append(int(metadata["band_diagonals"]) - 1)
    return min(bands) if bands else None


def observed_over_expected(clr):
    """Whether a predicted cooler holds O/E ratios (an Akita-target model's ``values``), not contacts.

    Maps derived from a model's (its interval bounds, :func:`hicmodels.hic.assemble.assemble_genome`)
    name the model's values after ``of: ``; those of an O/E model are O/E ratios too.
    """
    values = clr.info.get("metadata", {}).get("values") or ""
    return values.rsplit("of: ", 1)[-1] == VALUE_NAMES["log_oe"]


def evaluate(predicted_path, experimental, test_chroms, train_chroms, width, scale, settings, name,
             last_offset=None, sequence_of=None, test_windows=None):
    """One row of metrics per (predictor, chromosome): the model ``name``, then the baselines.

    Parameters
    ----------
    predicted_path : str
        Predicted reference ``.cool`` (scaled balanced contacts, masked bins NaN); one whose
        metadata ``values`` say O/E ratios (a model of Akita's targets) is multiplied by the
        baseline's P(s), measured on ``train_chroms``, so it is scored as contacts like the others:
        its ``pearson_oe`` is then its O/E against the experimental O/E, and a model that predicts
        O/E 1 everywhere scores exactly as the distance-decay baseline.
    experimental : hicmodels.hic.cool.ExperimentalMap
    test_chroms, train_chroms : list of str
        Chromosomes scored; chromosomes the baseline's P(s) is measured on.
    width : int
        Band width in bins (the model window's bins).
    scale : float
        Contact scale that puts the experimental map on the predicted scale.
    settings : dict
        Config section ``metrics``: ``min_offset``, ``scc_h``, ``scc_max_offset``,
        ``insulation_window``, ``boundary_tolerance`` (bins), ``loop_donut``,
        ``loop_fdr``, ``loop_tolerance``, and with ``sequence_of``
        ``sequence_baseline_bins``. The stitched-chromosome rows of the model
        and the distance decay hold the loop metrics
        (:func:`~hicmodels.evaluation.loops.score_loops` against the loops
        called on the experimental map) where the band reaches four donut
        half-widths (a log line says when it does not; NaN then), and, with
        ``sequence_of``, ``pearson_e1``: the correlation of their GC-phased
        compartment eigenvector with the experiment's
        (:func:`~hicmodels.evaluation.compartments.score_compartments`,
        settings ``compartment_bin_bp``, ``compartment_min_span_bp``; NaN
        with a log line where the band is shorter).
    name : str
        The model's name in the ``predictor`` column.
    last_offset : int, optional
        Last offset scored by every metric (:func:`common_band` of the models
        compared); by default this map's own band.
    sequence_of : callable, optional
        Reference chromosome name -> its sequence (bytes). With it, each of
        :data:`~hicmodels.evaluation.baselines.SEQUENCE_BASELINES` gets a row
        per chromosome holding only ``pearson_insulation``: its profile
        against the experimental insulation score, on the interior bins the
        model's row is scored on.
    test_windows : DataFrame, optional
        Windows (``chrom``, ``start``, ``end``) of the test chromosomes. With
        them, the model and the distance decay also get ``protocol``
        ``window`` rows (:func:`~hicmodels.evaluation.metrics.per_window`:
        HiCDiffusion's per-window metrics, averaged per chromosome; the
        window's map is cut from the stitched map, the mean of the windows
        overlapping it, not the window's own prediction). Every other row has
        ``protocol`` ``chromosome``. Window rows also hold ``fid``
        (:func:`~hicmodels.evaluation.fid.inception_fid` of the scored
        windows, settings ``fid_inception_weights``; NaN when unavailable).
    """
    if last_offset is None:
        last_offset = common_band([predicted_path])
    last_offset = width - 1 if last_offset is None else min(last_offset, width - 1)
    decay = distance_decay(experimental, train_chroms, width, scale)
    rows = []
    with_loops = _with_loops(last_offset, settings["loop_donut"])
    with_compartments = sequence_of is not None and compartments_scorable(last_offset, experimental.binsize,
                                                                          settings["compartment_min_span_bp"])
    if not with_compartments:
        log.info("compartment E1 not computed: %s", "no genome sequence to phase it" if sequence_of is None else
                 f"the scored band spans {(last_offset + 1) * experimental.binsize} bp, under "
                 f"metrics.compartment_min_span_bp = {settings['compartment_min_span_bp']}")
    for chrom in test_chroms:
        truth, model = scored_bands(predicted_path, experimental, chrom, width, scale, decay, last_offset)
        n = len(truth)
        sequence = sequence_of(chrom) if sequence_of is not None else None
        baseline = np.where(np.isfinite(model), baseline_band(decay, n), np.nan)  # same pixels as the model
        options = {"min_offset": settings["min_offset"], "max_offset": last_offset, "scc_h": settings["scc_h"],
                   "scc_max_offset": min(settings["scc_max_offset"], last_offset),
                   "insulation_window": settings["insulation_window"],
                   "boundary_tolerance": settings["boundary_tolerance"]}
        loop_scores, _ = score_loops({name: model, BASELINE: baseline}, truth,
                                  raw_band_total(experimental, chrom, last_offset) if with_loops else 0.0,
                                  experimental.binsize, last_offset, settings["loop_donut"], settings["loop_fdr"],
                                  settings["loop_tolerance"], chrom)
        e1_scores = (score_compartments({name: model, BASELINE: baseline}, truth,
                                        sequence_profile(sequence, "gc_content", experimental.binsize, n, 0),
                                        experimental.binsize, last_offset, settings["compartment_bin_bp"],
                                        settings["compartment_min_span_bp"])
                     if with_compartments else {name: {"pearson_e1": np.nan}, BASELINE: {"pearson_e1": np.nan}})
        for predictor, band in ((name, model), (BASELINE, baseline)):
            scores = {**metrics.compare(band, truth, **options), **loop_scores[predictor], **e1_scores[predictor]}
            rows.append({"predictor": predictor, "chrom": chrom, "protocol": "chromosome", **scores})
        if test_windows is not None:
            here = test_windows[test_windows["chrom"] == chrom]
            spans = [(start // experimental.binsize, min(-(-end // experimental.binsize), n))
                     for start, end in zip(here["start"], here["end"])]
            for predictor, band in ((name, model), (BASELINE, baseline)):
                pairs = metrics.scored_windows(band, truth, spans, last_offset)
                fid, _ = inception_fid([dense_from_band(e) for _, e in pairs], [dense_from_band(p) for p, _ in pairs],
                                       settings["fid_inception_weights"])
                rows.append({"predictor": predictor, "chrom": chrom, "protocol": "window",
                             **metrics.per_window(band, truth, spans, **options), "fid": fid})
        if sequence_of is not None:
            for baseline in SEQUENCE_BASELINES:
                profile = sequence_profile(sequence, baseline, experimental.binsize, n,
                                           settings["sequence_baseline_bins"])
                pearson = metrics.profile_pearson(profile, truth, settings["insulation_window"],
                                                  metrics.bin_mask(model))
                rows.append({"predictor": baseline, "chrom": chrom, "protocol": "chromosome",
                             **dict.fromkeys(scores, np.nan), "n_pixels": 0, "pearson_insulation": pearson})
    return pd.DataFrame(rows)


def scored_bands(predicted_path, experimental, chrom, width, scale, decay, last_offset):
    """The experimental and predicted bands of ``chrom`` as :func:`evaluate` scores them.

    The experiment on the model's contact scale, the prediction as contacts
    (an O/E map times the training P(s) ``decay``), both NaN beyond
    ``last_offset`` and cut to the bins both hold.
    """
    predicted = open_cooler(predicted_path)
    truth = experimental.band(chrom, width) * scale
    with reading(predicted_path):
        model = band_from_cooler(predicted, chrom, width, missing=np.nan)
    n = min(len(truth), len(model))  # the cooler may carry one bin more or less
    truth, model = truth[:n], model[:n]
    if observed_over_expected(predicted):  # O/E back to contacts: every metric compares contacts with contacts
        model = model * baseline_band(decay, n)
    truth[:, last_offset + 1 :] = model[:, last_offset + 1 :] = np.nan  # the common band only
    return truth, model


def _with_loops(last_offset, donut):
    """:func:`~hicmodels.evaluation.loops.loops_scorable`, with a log line when it is not."""
    if loops_scorable(last_offset, donut):
        return True
    log.info("loop metrics not computed: the scored band reaches offset %d, loop calls need %d (4 x the donut's "
             "w = %d bins, metrics.loop_donut)", last_offset, 4 * donut[0], donut[0])
    return False


def loop_calls(predicted_paths, experimental, test_chroms, train_chroms, width, scale, settings):
    """Loop calls of the experiment and of every model on the held-out chromosomes, and their loop metrics.

    Parameters
    ----------
    predicted_paths : dict
        Model name -> predicted reference ``.cool``; scored over their
        :func:`common_band` as in :func:`evaluate` (other arguments as
        there).

    Returns
    -------
    scores, calls : DataFrame, DataFrame
        ``predictor``, ``chrom`` and
        :data:`~hicmodels.evaluation.loops.LOOP_COLUMNS` per model and
        chromosome; every call (:func:`~hicmodels.evaluation.loops.score_loops`).
    """
    last_offset = common_band(predicted_paths.values())
    last_offset = width - 1 if last_offset is None else min(last_offset, width - 1)
    decay = distance_decay(experimental, train_chroms, width, scale)
    with_loops = _with_loops(last_offset, settings["loop_donut"])
    scores, calls = [], []
    for chrom in test_chroms:
        bands = {}
        for name, path in predicted_paths.items():
            truth, bands[name] = scored_bands(path, experimental, chrom, width, scale, decay, last_offset)
        here, called = score_loops(bands, truth, raw_band_total(experimental, chrom, last_offset) if with_loops
                                   else 0.0, experimental.binsize, last_offset, settings["loop_donut"],
                                   settings["loop_fdr"], settings["loop_tolerance"], chrom)
        scores += [{"predictor": name, "chrom": chrom, **values} for name, values in here.items()]
        calls.append(called)
    return pd.DataFrame(scores), pd.concat(calls, ignore_index=True)


def raw_band_total(experimental, chrom, last_offset):
    """Raw counts of a chromosome's pixels between unmasked bins at offsets ``0..last_offset`` (its depth there)."""
    lo, hi = experimental.chromosome_bins(chrom)
    with reading(experimental.path):
        clr = experimental.clr
        good = np.isfinite(clr.bins()["weight"][lo:hi].to_numpy()) if experimental.balance else np.ones(hi - lo, bool)
        pixels = clr.matrix(balance=False, as_pixels=True)[lo:hi, lo:hi]
    i, j = pixels["bin1_id"].to_numpy() - lo, pixels["bin2_id"].to_numpy() - lo
    inside = (j >= i) & (j - i <= last_offset) & good[i] & good[j]
    return float(pixels["count"].to_numpy()[inside].sum())


def evaluate_checkpoint(*, predicted_path, checkpoint, windows, experimental, settings, name, last_offset=None,
                        sequence_of=None):
    """:func:`evaluate` a model's predicted reference map as its checkpoint and window table define.

    The test chromosomes are those of the ``test`` windows, the baseline's
    P(s) comes from the ``train`` windows' chromosomes, the band is one model
    window wide, and the experimental map is put on the checkpoint's contact
    scale; the per-window protocol scores the ``test`` windows.
    ``last_offset``, ``sequence_of``: as :func:`evaluate`'s.
    """
    width = int(checkpoint["window_size"]) // int(checkpoint["bin_size"])
    return evaluate(predicted_path, experimental, split_chromosomes(windows, "test"),
                    split_chromosomes(windows, "train"), width, float(checkpoint["contact_scale"]), settings, name,
                    last_offset, sequence_of, windows[windows["split"] == "test"])


def side_by_side(tables):
    """Models of one run in one table: per chromosome, each model's row, then the baseline rows.

    Parameters
    ----------
    tables : dict
        Model name -> its :func:`evaluate` table.

    Returns
    -------
    DataFrame
        A baseline row that is the same for several models (same windows and
        contact scale, hence the same pixels) appears once; baselines that
        differ are named ``distance_decay@<model>``.
    """
    models = pd.concat([table[table["predictor"] == name] for name, table in tables.items()])
    baselines = pd.concat([table[table["predictor"] != name].assign(model=name) for name, table in tables.items()])
    kept = []
    keys = [key for key in ("predictor", "chrom", "protocol") if key in baselines.columns]
    for _, group in baselines.groupby(keys, sort=False):
        if len(group.drop(columns="model").drop_duplicates()) > 1:
            group = group.assign(predictor=group["predictor"] + "@" + group["model"])
        kept.append(group.drop(columns="model").drop_duplicates())
    combined = pd.concat([models, *kept], ignore_index=True)
    order = {chrom: i for i, chrom in enumerate(dict.fromkeys(combined["chrom"]))}
    return combined.sort_values("chrom", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)
