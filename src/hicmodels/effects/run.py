"""Scoring every selected variant of every sample: the engine behind ``hicmodels effects score``.

Work goes chromosome by chromosome. For each, every (sample, haplotype,
variant, background, augmentation) asks the :class:`.predictions.PredictionCache`
for its REF and ALT window maps; the distinct windows are predicted together
in full batches; then each pair is put on its common grid (:mod:`.align`) and
scored (:mod:`.scores`). A stochastic predictor (``samples`` > 1) gives
each window several posterior-predictive draws; REF draw ``k`` and ALT draw
``k`` share their latent or noise (:class:`.predictions.ModelPredictor`), so
each (augmentation, draw) is one sample of every score, and a row's
``<score>_sd`` and ``<score>_z`` say whether the effect stands out of the
posterior's spread (and the augmentations'). Genomes built once per chromosome are shared: the
reference, each haplotype, each variant alone on the reference (one per
distinct variant in the cohort).
"""

import logging
import warnings

import numpy as np
import pandas as pd

from ..errors import InputError
from .align import grid_weights, onto_grid
from .pairs import Genome, grid_start, sample_plan, select
from .scores import SCORES, observed_over_expected, score_maps, summarise

log = logging.getLogger(__name__)

ID_COLUMNS = ["chrom", "start", "end", "variant", "class", "size", "sample", "genotype", "haplotype", "background",
              "status"]
SCORE_COLUMNS = ["n_samples"] + [f"{s}{suffix}" for s in SCORES for suffix in ("", "_sd", "_z")]
COLUMNS = ID_COLUMNS + SCORE_COLUMNS


def window_draws(maps):
    """A window's posterior-predictive draws ``(draws, n, n)``: a deterministic model's one map as one draw."""
    return maps if maps.ndim == 3 else maps[None]


def check_ledger(ledger, summary_path, sample):
    """Fail if the ledger differs from the summary the personal-genome step wrote (a stale genome)."""
    written = pd.read_csv(summary_path, sep="\t", keep_default_na=False)
    ours = ledger.summary()
    if not written[ours.columns].astype(str).reset_index(drop=True).equals(ours.astype(str)):
        raise InputError(f"sample {sample}: the variants applied differ from this summary; rebuild the personal "
                         "genome with the same VCF and variants policy", summary_path)


def augmentations(settings):
    """``(shift, reverse)`` samples of each window pair."""
    strands = (False, True) if settings["reverse_complement"] else (False,)
    return [(shift, reverse) for shift in settings["shifts"] for reverse in strands]


class _Job:
    """One (sample, haplotype, variant, background): its genomes and, per augmentation, its map handles."""

    def __init__(self, sample, genotype, hap, variant, background, ref_genome, alt_genome):
        self.sample, self.genotype, self.hap, self.variant, self.background = sample, genotype, hap, variant, background
        self.ref_genome, self.alt_genome = ref_genome, alt_genome
        self.pairs, self.status = [], "ok"


def score_cohort(samples, reference, cache, size, nbins, settings, read_tracks=None):
    """Variant-effect rows of every sample.

    Parameters
    ----------
    samples : list of dict
        ``name``, ``records`` (:func:`hicmodels.variants.records.read_records`
        output, with ``source``), ``aliases`` (dict), ``policy``
        (:class:`hicmodels.variants.policy.Policy`).
    reference : hicmodels.genome.fasta.IndexedFasta
    cache : PredictionCache
    size, nbins : int
        Model window length and bins.
    settings : dict
        Config section ``effects``.
    read_tracks : callable, optional
        For models that read tracks: reference chromosomes ->
        :class:`hicmodels.modelling.tracks.TrackSet` of them. Each window's
        tracks are lifted into it from the reference as the predict path
        does (values stay beside the sequence they were measured on; inserted
        bases read 0), so a variant's effect is that of its sequence change
        moving, removing or inserting sequence with its tracks.

    Returns
    -------
    table : DataFrame
        :data:`COLUMNS`, one row per (sample, haplotype, variant, background).
    maps : list
        Per row, ``(grid_start, ref, alt)``: the grid's reference start and
        the mean REF and ALT grid maps over augmentations and draws (float32; ``None``
        where no window was made), for figures.
    """
    binsize = size // nbins
    regions = settings["regions_table"]
    plans = {}
    for s in samples:
        ledger, edits, variants = sample_plan(s["records"], reference, s["aliases"], s["policy"])
        if s.get("summary"):
            check_ledger(ledger, s["summary"], s["name"])
        chosen = {hap: select(v, settings["classes"], settings["min_size"], regions, settings["max_variants"])
                  for hap, v in variants.items()}
        plans[s["name"]] = (s["records"], ledger, edits, chosen)
        log.info("%s: %s variants selected", s["name"], " + ".join(str(len(v)) for v in chosen.values()))
    chroms = [c for c in reference.sizes if any(v.chrom == c for p in plans.values() for vs in p[3].values() for v in vs)]
    rows, maps = [], []
    for chrom in chroms:
        more, more_maps = _score_chromosome(chrom, plans, reference, cache, size, nbins, binsize, settings,
                                            read_tracks)
        rows += more
        maps += more_maps
    table = pd.DataFrame(rows, columns=COLUMNS)
    log.info("%d variant rows; predictions requested %d, made %d", len(table), cache.requested, cache.made)
    return table, maps


def _score_chromosome(chrom, plans, reference, cache, size, nbins, binsize, settings, read_tracks):
    ref_length = reference.sizes[chrom]
    genomes = {"reference": Genome(None, reference, chrom)}
    alone = {}
    jobs = []
    for sample, (records, _, edits, chosen) in plans.items():
        gts = records["gt"].to_numpy()
        for hap, variants in chosen.items():
            here = [v for v in variants if v.chrom == chrom]
            if not here:
                continue
            with_it = Genome(edits[hap], reference, chrom)
            for v in here:
                genotype = gts[v.records[0]]
                if "reference" in settings["backgrounds"]:
                    if v.key not in alone:
                        alone[v.key] = Genome(type(edits[hap])(
                            list(v.ops), v.replacement if not v.ops else edits[hap].replacements.iloc[:0]),
                            reference, chrom)
                    jobs.append(_Job(sample, genotype, hap, v, "reference", genomes["reference"], alone[v.key]))
                if "haplotype" in settings["backgrounds"]:
                    jobs.append(_Job(sample, genotype, hap, v, "haplotype",
                                     Genome(edits[hap].without(v), reference, chrom), with_it))
    tracks = None
    if read_tracks is not None:  # the reference chromosomes this chromosome's genomes are made of
        tracks = read_tracks(sorted({c for job in jobs for genome in (job.ref_genome, job.alt_genome)
                                     for c in genome.blocks["chrom"].unique()}))
    for job in jobs:
        v = job.variant
        for shift, reverse in augmentations(settings):
            ends = []
            for genome in (job.ref_genome, job.alt_genome):
                centre = genome.centre(v.chrom, v.start, v.end)
                window = genome.window(centre[0], centre[1], size, shift) if centre else None
                if window is None:
                    break
                values = None if tracks is None else tracks.lifted_window(genome.to_reference, centre[0], window[0],
                                                                           size // tracks.binsize)
                ends.append((genome, centre[0], window[0], cache.request(window[1], reverse, values)))
            if len(ends) < 2:
                job.status = "no window: variant flanks deleted or chromosome shorter than a window"
                break
            job.pairs.append((grid_start(v, ref_length, size, shift), ends))
    cache.flush()
    rows, kept = [], []
    for job in jobs:
        v = job.variant
        samples, pairs = [], []
        for start, ends in job.pairs:
            weights = [grid_weights(genome.to_reference, pchrom, wstart, wstart + size, nbins, chrom, start, binsize)
                       for genome, pchrom, wstart, _ in ends]
            draws = [window_draws(cache.get(handle)) for *_, handle in ends]
            centre = ((v.start + v.end) // 2 - start) // binsize
            for ref_draw, alt_draw in zip(*draws):  # draw k of REF with draw k of ALT: the same latent or noise
                maps = [onto_grid(m, w) for m, w in zip((ref_draw, alt_draw), weights)]
                oe = [onto_grid(observed_over_expected(m), w) for m, w in zip((ref_draw, alt_draw), weights)]
                samples.append(score_maps(maps[0], maps[1], centre, settings["min_offset"],
                                          settings["insulation_window"], settings["di_window"],
                                          settings["triangle_bins"], settings["scc_h"], ref_oe=oe[0], alt_oe=oe[1]))
                pairs.append(maps)
        if pairs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels (deleted bins) stay NaN
                mean = np.nanmean(np.array(pairs, dtype=np.float32), axis=0)
            kept.append((job.pairs[0][0], mean[0], mean[1]))
        else:
            kept.append(None)
        summary = summarise(samples) if job.status == "ok" else {"n_samples": 0}
        ident = [v.chrom, v.start, v.end, v.key, v.kind, v.size, job.sample, job.genotype, job.hap, job.background,
                 job.status]
        rows.append(ident + [summary.get(c, np.nan) for c in SCORE_COLUMNS])
    log.info("%s: %d variant rows", chrom, len(rows))
    return rows, kept
