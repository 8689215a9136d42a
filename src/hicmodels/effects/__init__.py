"""Which of a person's variants change 3D folding: variant-effect scores per sample, haplotype and variant.

Entry point: :func:`score_variant_effects` (``hicmodels effects score``).

- :mod:`.pairs`: the applied variants of each haplotype (the personal-genome
  ledger), their REF/ALT genomes in two backgrounds (the variant alone on the
  reference; the haplotype without vs with it) and windows centred on them.
- :mod:`.predictions`: window maps keyed by content, each distinct window
  predicted once for the whole cohort, in full batches.
- :mod:`.align`: REF and ALT maps on common reference bins through the chain
  code (deleted bins masked, inserted dropped, inversions mirrored,
  duplications averaged).
- :mod:`.scores`: the scores, one definition each.
- :mod:`.run`: the loop; :mod:`.outputs`: tables; :mod:`.figures`: the report figure.
"""

import functools
import logging
from pathlib import Path

import pandas as pd

from ..files import write_tsv
from ..genome.aliases import read_aliases
from ..genome.fasta import IndexedFasta
from ..modelling.tracks import TrackSet
from ..variants.build import _load_records
from ..variants.policy import Policy
from .figures import plot_top_variants
from .outputs import prediction_counts, write_cohort_table, write_sample_tables
from .predictions import ModelPredictor, PredictionCache
from .run import score_cohort

log = logging.getLogger(__name__)


def read_regions(path):
    """A BED file's first three columns, or ``None`` for no file."""
    if not path:
        return None
    table = pd.read_csv(path, sep="\t", header=None, comment="#", usecols=[0, 1, 2], dtype={0: str})
    return table.set_axis(["chrom", "start", "end"], axis=1)


def score_variant_effects(*, reference, samples, settings, out_dir, predictor=None, checkpoint=None, aliases=None,
                          threads=None, labels=None, track_paths=None):
    """Score every selected variant of every sample; write the tables and the figure.

    Parameters
    ----------
    reference : path
        Reference FASTA (indexed).
    samples : list of dict
        ``name``, ``vcf``, ``vcf_sample``, optional ``edits`` and ``summary``
        (the personal-genome ``summary.tsv``, checked against the ledger).
    settings : dict
        ``effects``, ``variants`` and ``prediction`` config sections.
    out_dir : path
        Gets ``<sample>.tsv``, ``cohort.tsv.gz`` (+ ``.tbi``),
        ``predictions.tsv`` and ``top_variants.png``.
    predictor : object, optional
        ``codes -> maps`` with ``window_size``, ``nbins`` and ``digest`` (and ``samples``: draws per
        window, ``codes -> (n, samples, bins, bins)``, for a stochastic one);
        default: :class:`.predictions.ModelPredictor` of ``checkpoint``.
    labels : dict, optional
        Columns put first in every table (``cell_line``, ``model``).
    track_paths : dict, optional
        Track name -> bigWig (reference coordinates), for a predictor that
        reads tracks (its ``track_names`` and ``track_bin``).

    Returns
    -------
    table : DataFrame
    counts : DataFrame
        :func:`.outputs.prediction_counts`.
    """
    effects = dict(settings["effects"])
    effects["regions_table"] = read_regions(effects["regions"])
    predictor = predictor or ModelPredictor(checkpoint, settings["prediction"], threads)
    ref = IndexedFasta(reference, cache=4)
    alias_table = read_aliases(aliases) if aliases else {}
    policy = Policy.from_config(settings["variants"])
    loaded = []
    for s in samples:
        records = _load_records(s["vcf"], s["vcf_sample"], s.get("edits"))
        loaded.append({"name": s["name"], "records": records, "aliases": alias_table, "policy": policy,
                       "summary": s.get("summary")})
    read_tracks = None
    if getattr(predictor, "track_names", None):  # checked here: a missing bigWig stops the step before any work
        TrackSet.from_bigwigs(track_paths or {}, predictor.track_names, [], predictor.track_bin, alias_table)
        read_tracks = functools.partial(TrackSet.from_bigwigs, track_paths, predictor.track_names,
                                        binsize=predictor.track_bin, aliases=alias_table)
    cache = PredictionCache(predictor, predictor.digest, settings["prediction"]["batch_size"])
    table, maps = score_cohort(loaded, ref, cache, predictor.window_size, predictor.nbins, effects, read_tracks)
    for name, value in reversed(list((labels or {}).items())):
        table.insert(0, name, value)
    out = Path(out_dir)
    write_sample_tables(table, {s["name"]: out / f"{s['name']}.tsv" for s in samples})
    write_cohort_table(table, out / "cohort.tsv.gz")
    counts = prediction_counts(cache, len(samples), table, getattr(predictor, "samples", 1))
    write_tsv(counts, out / "predictions.tsv")
    plot_top_variants(table, maps, predictor.window_size // predictor.nbins, out / "top_variants.png",
                      effects["top_n"])
    log.info("predictions: %s", counts.iloc[0].to_dict())
    return table, counts
