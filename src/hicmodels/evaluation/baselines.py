"""Baselines a model has to beat.

- Distance decay: every pixel predicted by the mean contact at its offset.
  P(s) is measured on the training chromosomes of the experimental map, so the
  baseline sees what the model sees and nothing of the test chromosome.
- Sequence profiles, scored against the experimental insulation score only
  (:func:`hicmodels.evaluation.metrics.profile_pearson`): ``gc_content``, the
  GC fraction of each bin averaged over +-``smooth_bins`` bins (issue 20:
  on yeast it correlates with insulation at 0.17-0.25), and
  ``poly_at_tracts``, the fraction of bases in runs of >= 5 A or >= 5 T, so
  averaged: poly(dA:dT) tracts keep nucleosomes off yeast promoters, and
  yeast domain boundaries lie at promoters of active genes (general yeast
  chromatin knowledge, not from the papers this project implements).
"""

import re

import numpy as np

from .metrics import expected_by_offset


def distance_decay(experimental, chroms, width, scale):
    """Mean scaled balanced contact at offsets ``0..width-1`` over ``chroms``.

    Parameters
    ----------
    experimental : hicmodels.hic.cool.ExperimentalMap
    chroms : list of str
        Reference names of the chromosomes to average over.
    width : int
    scale : float
        Contact scale (:meth:`~hicmodels.hic.cool.ExperimentalMap.contact_scale`).
    """
    bands = [experimental.band(c, width) for c in chroms]
    return expected_by_offset(np.concatenate(bands)) * scale


def baseline_band(decay, nbins):
    """Band of a chromosome of ``nbins`` bins predicted by ``decay`` alone."""
    band = np.tile(decay, (nbins, 1))
    rows = np.arange(nbins)[:, None]
    band[rows + np.arange(len(decay))[None, :] >= nbins] = np.nan
    return band


SEQUENCE_BASELINES = ("gc_content", "poly_at_tracts")
_POLY_AT = re.compile(rb"A{5,}|T{5,}")


def _per_bin(hit, known, binsize, nbins):
    """Fraction of the known bases of each bin that are hits (the last bin may be short); NaN without any."""
    which = np.arange(len(hit)) // binsize
    inside = which < nbins
    hits = np.bincount(which[inside], weights=(hit & known)[inside], minlength=nbins)[:nbins]
    bases = np.bincount(which[inside], weights=known[inside], minlength=nbins)[:nbins]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(bases > 0, hits / np.maximum(bases, 1), np.nan)


def _averaged(values, smooth_bins):
    """Mean over bins ``i - smooth_bins .. i + smooth_bins`` that exist and are finite."""
    finite = np.isfinite(values)
    kernel = np.ones(2 * smooth_bins + 1)
    total = np.convolve(np.where(finite, values, 0.0), kernel, mode="same")
    count = np.convolve(finite.astype(float), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def sequence_profile(sequence, name, binsize, nbins, smooth_bins):
    """A sequence baseline's profile over a chromosome's bins.

    Parameters
    ----------
    sequence : bytes
        The chromosome's sequence (any case; N and other letters are unknown bases).
    name : str
        One of :data:`SEQUENCE_BASELINES`.
    binsize, nbins : int
        Bin size and bins of the chromosome's map.
    smooth_bins : int
        Half-width of the running mean over bins.
    """
    upper = np.frombuffer(sequence.upper(), dtype=np.uint8)
    known = np.isin(upper, np.frombuffer(b"ACGT", dtype=np.uint8))
    if name == "gc_content":
        hit = np.isin(upper, np.frombuffer(b"GC", dtype=np.uint8))
    elif name == "poly_at_tracts":
        hit = np.zeros(len(upper), bool)
        for match in _POLY_AT.finditer(sequence.upper()):
            hit[match.start() : match.end()] = True
    else:
        raise ValueError(f"unknown sequence baseline {name!r}; known: {', '.join(SEQUENCE_BASELINES)}")
    return _averaged(_per_bin(hit, known, binsize, nbins), smooth_bins)
