"""Filtering delly's structural-variant calls of one sample.

``delly call`` genotypes every candidate and sets FILTER ``PASS`` or
``LowQual`` (too few supporting pairs and split reads, or low mapping
quality). Here further FILTER values are added; no record is removed, so the
VCF keeps every call and the next stage applies the ``PASS`` ones:

============ ==================================================================
FILTER       meaning
============ ==================================================================
SvSize       the event is shorter than ``min_size`` (DEL, DUP, INV: END - POS;
             INS: INFO/SVLEN); breakends (BND) have no size and are kept
SvGenotype   the sample's genotype carries no ALT allele (``0/0``, ``./.``) or
             failed delly's per-sample filter (FORMAT/FT)
InvMate      delly reports an inversion's two junctions as two INV records
             (INFO/CT ``3to3`` and ``5to5``) over the same span; the one of a
             pair that is worse (other filters, then QUAL) is marked, so one
             record stands for the inversion
============ ==================================================================
"""

import os

import pandas as pd
import pysam

from ..errors import InputError
from ..files import atomic_output

FILTERS = {
    "SvSize": "Structural variant shorter than {min_size} bp",
    "SvGenotype": "Genotype carries no ALT allele or failed the per-sample filter (FORMAT/FT)",
    "InvMate": "Other junction of an inversion whose better junction record (within {junction_bp} bp) is kept",
}


def sv_table(vcf, sample):
    """The fields the filters use, one row per record of a delly VCF/BCF.

    Returns
    -------
    DataFrame
        ``chrom``, ``pos``, ``end``, ``svtype``, ``ct``, ``svlen``, ``qual``,
        ``filters`` (tuple of FILTER names, empty for ``.``), ``carried`` (GT has
        an ALT allele), ``ft`` (FORMAT/FT or ``PASS`` when absent).
    """
    rows = []
    for record in vcf:
        call = record.samples[sample]
        gt = call.get("GT") or ()
        rows.append({
            "chrom": record.chrom, "pos": record.pos, "end": record.stop,
            "svtype": record.info.get("SVTYPE", ""), "ct": record.info.get("CT", ""),
            "svlen": record.info.get("SVLEN", 0) if "SVLEN" in record.info else 0,
            "qual": record.qual if record.qual is not None else 0.0,
            "filters": tuple(f for f in record.filter.keys() if f != "PASS"),
            "carried": any(a not in (None, 0) for a in gt),
            "ft": call.get("FT", "PASS") if "FT" in record.format else "PASS",
        })
    columns = ["chrom", "pos", "end", "svtype", "ct", "svlen", "qual", "filters", "carried", "ft"]
    return pd.DataFrame(rows, columns=columns)


def sv_filters(table, min_size, junction_bp):
    """FILTER values to add to each record (see the module docstring).

    Parameters
    ----------
    table : DataFrame
        :func:`sv_table`.
    min_size : int
    junction_bp : int
        Largest difference of POS and of END between the two junction records
        of one inversion.

    Returns
    -------
    list of list of str
        One list per row of ``table``, in table order.
    """
    added = [[] for _ in range(len(table))]
    size = (table["end"] - table["pos"]).where(table["svtype"] != "INS", table["svlen"].abs())
    for i, (svtype, length) in enumerate(zip(table["svtype"], size)):
        if svtype != "BND" and length < min_size:
            added[i].append("SvSize")
    for i, (carried, ft) in enumerate(zip(table["carried"], table["ft"])):
        if not carried or ft != "PASS":
            added[i].append("SvGenotype")
    for worse in _inversion_mates(table, added, junction_bp):
        added[worse].append("InvMate")
    return added


def _inversion_mates(table, added, junction_bp):
    """Positions (in ``table``) of the worse record of each inversion junction pair."""
    inv = table.reset_index(drop=True)
    left = [i for i in range(len(inv)) if inv.at[i, "svtype"] == "INV" and inv.at[i, "ct"] == "3to3"]
    right = [i for i in range(len(inv)) if inv.at[i, "svtype"] == "INV" and inv.at[i, "ct"] == "5to5"]
    candidates = sorted(
        (abs(inv.at[a, "pos"] - inv.at[b, "pos"]) + abs(inv.at[a, "end"] - inv.at[b, "end"]), a, b)
        for a in left for b in right
        if inv.at[a, "chrom"] == inv.at[b, "chrom"] and abs(inv.at[a, "pos"] - inv.at[b, "pos"]) <= junction_bp
        and abs(inv.at[a, "end"] - inv.at[b, "end"]) <= junction_bp
    )
    paired, worse = set(), []
    for _, a, b in candidates:  # closest pairs first, each record in one pair at most
        if a in paired or b in paired:
            continue
        paired.update((a, b))
        # better: fewer filters, then higher QUAL, then the 3to3 junction (a)
        rank = {i: (-len(inv.at[i, "filters"]) - len(added[i]), inv.at[i, "qual"], i == a) for i in (a, b)}
        worse.append(min((a, b), key=rank.get))
    return sorted(worse)


def filter_sv_calls(vcf_in, vcf_out, sample, min_size, junction_bp):
    """Annotate delly's calls with the filters above; write a bgzipped, indexed VCF.

    Returns
    -------
    Series
        Records per resulting FILTER value (for the log).
    """
    with pysam.VariantFile(str(vcf_in)) as vcf:
        if sample is None:
            if len(vcf.header.samples) != 1:
                raise InputError(f"expected one sample, found {len(vcf.header.samples)}", vcf_in)
            sample = vcf.header.samples[0]
        elif sample not in vcf.header.samples:
            raise InputError(f"sample {sample!r} not in the VCF (has {list(vcf.header.samples)})", vcf_in)
        table = sv_table(vcf, sample)
    added = sv_filters(table, min_size, junction_bp)
    counts = {}
    with pysam.VariantFile(str(vcf_in)) as vcf:
        header = vcf.header.copy()
        for name, text in FILTERS.items():
            header.filters.add(name, None, None, text.format(min_size=min_size, junction_bp=junction_bp))
        with atomic_output(vcf_out) as tmp:
            with pysam.VariantFile(str(tmp), "wz", header=header) as out:
                for record, extra in zip(vcf, added):
                    record.translate(header)
                    for name in extra:
                        record.filter.add(name)
                    key = ";".join(record.filter.keys()) or "."
                    counts[key] = counts.get(key, 0) + 1
                    out.write(record)
            pysam.tabix_index(str(tmp), preset="vcf", force=True)
            os.replace(f"{tmp}.tbi", f"{vcf_out}.tbi")
    return pd.Series(counts, dtype=int).sort_index()
