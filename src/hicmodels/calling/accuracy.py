"""Recall and precision of variant calls against a known truth, per variant class.

Both sets are read the same way (:func:`read_variants`): one row per ALT
allele the sample carries in a record that passed its filters. Classes:

* ``SNV``, ``MNP`` (equal-length REF/ALT), ``INDEL``: sequence-resolved, shorter
  than ``sv_min_size``. A call matches a truth variant with the same
  chromosome, POS, REF and ALT, so both must be normalised alike
  (``bcftools norm -f reference -m-any``: the workflow does it for both).
* ``DEL``, ``DUP``, ``INV``, ``INS``, ``BND``: symbolic SVs (INFO/SVTYPE or the
  ALT's ``<TYPE>``), breakends, and sequence-resolved indels of at least
  ``sv_min_size`` (as DEL or INS). An SV call matches a truth SV of the same
  class on the same chromosome whose start and end both lie within
  ``tolerance`` bp and whose span overlaps it reciprocally by at least
  ``min_overlap`` (INS and BND: start only).

Recall is the fraction of truth variants matched by at least one call;
precision the fraction of calls that match at least one truth variant.
Genotype concordance is, over matched truth variants, the fraction whose
ALT dosage (1 heterozygous, 2 homozygous) the matching call states.
"""

import numpy as np
import pandas as pd
import pysam

from ..errors import InputError

SV_CLASSES = ("DEL", "DUP", "INV", "INS", "BND")
SV_MIN_SIZE = 50  # bp: sequence-resolved indels from this length on are SVs (DEL or INS)
VARIANT_COLUMNS = ["chrom", "pos", "id", "ref", "alt", "kind", "start", "end", "dosage"]
SUMMARY_COLUMNS = ["class", "truth", "calls", "truth_matched", "calls_matched", "false_negatives",
                   "false_positives", "recall", "precision", "genotype_concordance"]
SV_RECOVERY_COLUMNS = ["truth_id", "type", "chrom", "start", "end", "genotype", "call_id", "call_type",
                       "start_offset", "end_offset", "reciprocal_overlap", "recovered"]


def classify(ref, alt, svtype, sv_min_size):
    """Variant class of one REF/ALT pair (see the module docstring)."""
    if alt.startswith("<"):
        return svtype or alt.strip("<>").split(":")[0]
    if "[" in alt or "]" in alt:
        return "BND"
    if len(ref) == len(alt):
        return "SNV" if len(ref) == 1 else "MNP"
    if abs(len(ref) - len(alt)) >= sv_min_size:
        return "DEL" if len(ref) > len(alt) else "INS"
    return "INDEL"


def pick_sample(header_samples, wanted, path, fallback=False):
    """The sample column to read.

    ``wanted`` if the VCF has it; otherwise (only with ``fallback``, or when
    ``wanted`` is None) its only sample, or None for a sites-only VCF.
    """
    samples = list(header_samples)
    if wanted in samples:
        return wanted
    if wanted is not None and not fallback:
        raise InputError(f"sample {wanted!r} not in the VCF (has {samples})", path)
    if len(samples) > 1:
        raise InputError(f"{len(samples)} samples in the VCF and none is {wanted!r}: cannot tell which to score",
                         path)
    return samples[0] if samples else None


def read_variants(path, sample=None, chromosomes=None, sv_min_size=SV_MIN_SIZE, fallback=False):
    """The ALT alleles a sample carries in passing records.

    Parameters
    ----------
    path : str
        VCF/BCF.
    sample : str, optional
        Sample column (default: the only one; a sites-only VCF counts every ALT as carried).
    fallback : bool
        If ``sample`` is not in the VCF, read its only sample instead (:func:`pick_sample`).
    chromosomes : list of str, optional
        Keep only these.
    sv_min_size : int

    Returns
    -------
    DataFrame
        :data:`VARIANT_COLUMNS`: ``pos`` as in the VCF (1-based), ``kind``
        (class), ``start``/``end`` the 0-based half-open span of affected
        reference bases (symbolic SVs: POS to INFO/END), ``dosage`` (copies of
        the ALT in the genotype; 1 when there is no genotype).
    """
    rows = []
    keep = None if chromosomes is None else set(chromosomes)
    with pysam.VariantFile(str(path)) as vcf:
        sample = pick_sample(vcf.header.samples, sample, path, fallback)
        has_svtype = "SVTYPE" in vcf.header.info
        for record in vcf:
            if keep is not None and record.chrom not in keep:
                continue
            if set(record.filter.keys()) - {"PASS"}:
                continue
            gt = (record.samples[sample].get("GT") or ()) if sample is not None else None
            svtype = record.info.get("SVTYPE") if has_svtype else None
            for index, alt in enumerate(record.alts or (), 1):
                dosage = 1 if gt is None else sum(a == index for a in gt)
                if not dosage:
                    continue
                kind = classify(record.ref.upper(), alt.upper(), svtype, sv_min_size)
                symbolic = alt.startswith("<")
                start = record.pos if symbolic else record.start
                end = record.stop if symbolic or kind == "BND" else record.start + len(record.ref)
                if not symbolic and kind in ("DEL", "INS"):
                    start += 1  # sequence-resolved: the first base is the anchor
                rows.append((record.chrom, record.pos, record.id or ".", record.ref.upper(), alt.upper(), kind,
                             start, end, dosage))
    return pd.DataFrame(rows, columns=VARIANT_COLUMNS)


def reciprocal_overlap(start1, end1, start2, end2):
    """Overlap of two spans as a fraction of the longer one (0 when disjoint)."""
    overlap = np.maximum(0, np.minimum(end1, end2) - np.maximum(start1, start2))
    longest = np.maximum(np.maximum(end1 - start1, end2 - start2), 1)
    return overlap / longest


def sv_matches(truth, calls, tolerance, min_overlap):
    """Truth x call pairs of SVs that match (see the module docstring).

    Returns
    -------
    DataFrame
        ``truth``, ``call`` (row labels in the two tables), ``start_offset``,
        ``end_offset`` (call - truth, bp), ``reciprocal_overlap``, ``same_class``
        and ``match`` (same class and within tolerance and overlap); every pair on
        the same chromosome with both offsets within tolerance is listed, of any class.
    """
    pairs = truth.reset_index().merge(calls.reset_index(), on="chrom", suffixes=("_t", "_c"))
    pairs["start_offset"] = pairs["start_c"] - pairs["start_t"]
    pairs["end_offset"] = pairs["end_c"] - pairs["end_t"]
    point = pairs["kind_t"].isin(["INS", "BND"])
    near = (pairs["start_offset"].abs() <= tolerance) & (point | (pairs["end_offset"].abs() <= tolerance))
    pairs = pairs[near].copy()
    pairs["reciprocal_overlap"] = reciprocal_overlap(pairs["start_t"], pairs["end_t"], pairs["start_c"],
                                                     pairs["end_c"])
    pairs["same_class"] = pairs["kind_t"] == pairs["kind_c"]
    point = pairs["kind_t"].isin(["INS", "BND"])
    pairs["match"] = pairs["same_class"] & (point | (pairs["reciprocal_overlap"] >= min_overlap))
    pairs = pairs.rename(columns={"index_t": "truth", "index_c": "call"})
    return pairs[["truth", "call", "start_offset", "end_offset", "reciprocal_overlap", "same_class", "match"]]


def evaluate(truth, calls, tolerance=100, min_overlap=0.5):
    """Per-class recall and precision, and how each truth SV was recovered.

    Parameters
    ----------
    truth, calls : DataFrame
        :func:`read_variants` tables.
    tolerance : int
        Largest breakpoint difference (bp) for an SV match.
    min_overlap : float
        Least reciprocal overlap for an SV match.

    Returns
    -------
    summary : DataFrame
        :data:`SUMMARY_COLUMNS`, one row per class present in either table
        (small classes first), recall/precision NaN where undefined.
    recovery : DataFrame
        :data:`SV_RECOVERY_COLUMNS`, one row per truth SV: the best call near it
        (a match if there is one, else the same class, else the largest overlap).
    """
    truth, calls = truth.reset_index(drop=True), calls.reset_index(drop=True)
    is_sv_t, is_sv_c = truth["kind"].isin(SV_CLASSES), calls["kind"].isin(SV_CLASSES)
    key = ["chrom", "pos", "ref", "alt"]
    small = truth[~is_sv_t].reset_index().merge(calls[~is_sv_c].reset_index(), on=key, suffixes=("_t", "_c"))
    pairs = pd.concat([
        pd.DataFrame({"truth": small["index_t"], "call": small["index_c"], "match": True}),
        sv_matches(truth[is_sv_t], calls[is_sv_c], tolerance, min_overlap),
    ], ignore_index=True)
    matched = pairs[pairs["match"].astype(bool)]
    truth_hit = truth.index.isin(matched["truth"])
    call_hit = calls.index.isin(matched["call"])
    same_dosage = truth["dosage"].to_numpy()[matched["truth"].to_numpy(int)] == \
        calls["dosage"].to_numpy()[matched["call"].to_numpy(int)]
    concordant = set(matched["truth"].to_numpy(int)[same_dosage])
    order = ["SNV", "MNP", "INDEL", *SV_CLASSES]
    present = sorted(set(truth["kind"]) | set(calls["kind"]), key=lambda k: (order.index(k) if k in order else 99, k))
    rows = []
    for kind in present:
        in_t, in_c = (truth["kind"] == kind).to_numpy(), (calls["kind"] == kind).to_numpy()
        n_t, n_c = int(in_t.sum()), int(in_c.sum())
        hit_t, hit_c = int((in_t & truth_hit).sum()), int((in_c & call_hit).sum())
        n_conc = sum(1 for i in np.flatnonzero(in_t & truth_hit) if i in concordant)
        rows.append({"class": kind, "truth": n_t, "calls": n_c, "truth_matched": hit_t, "calls_matched": hit_c,
                     "false_negatives": n_t - hit_t, "false_positives": n_c - hit_c,
                     "recall": hit_t / n_t if n_t else np.nan, "precision": hit_c / n_c if n_c else np.nan,
                     "genotype_concordance": n_conc / hit_t if hit_t else np.nan})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS), _recovery(truth, calls, pairs)


def _recovery(truth, calls, pairs):
    sv_pairs = pairs.dropna(subset=["reciprocal_overlap"]).copy()
    sv_pairs["rank"] = list(zip(sv_pairs["match"].astype(bool), sv_pairs["same_class"].astype(bool),
                                sv_pairs["reciprocal_overlap"]))
    rows = []
    for i, t in truth[truth["kind"].isin(SV_CLASSES)].iterrows():
        near = sv_pairs[sv_pairs["truth"] == i]
        row = {"truth_id": t["id"], "type": t["kind"], "chrom": t["chrom"], "start": t["start"], "end": t["end"],
               "genotype": "hom" if t["dosage"] == 2 else "het", "call_id": ".", "call_type": ".",
               "start_offset": np.nan, "end_offset": np.nan, "reciprocal_overlap": np.nan, "recovered": False}
        if len(near):
            best = near.loc[max(near.index, key=lambda j: near.at[j, "rank"])]
            call = calls.loc[int(best["call"])]
            row.update(call_id=call["id"], call_type=call["kind"], start_offset=int(best["start_offset"]),
                       end_offset=int(best["end_offset"]), reciprocal_overlap=float(best["reciprocal_overlap"]),
                       recovered=bool(best["match"]))
        rows.append(row)
    return pd.DataFrame(rows, columns=SV_RECOVERY_COLUMNS)
