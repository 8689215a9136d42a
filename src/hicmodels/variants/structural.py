"""Structural variants a sample carries, as intervals (for figures and summaries)."""

import logging

import pandas as pd
import pysam

from ..errors import InputError

log = logging.getLogger(__name__)


def structural_variants_of(vcf_path, sample, min_size):
    """Symbolic SVs and sequence-resolved variants of at least ``min_size`` bp that ``sample`` carries.

    Records whose FILTER is neither ``PASS`` nor ``.`` are left out, as the
    personal-genome stage leaves them out.

    Returns
    -------
    DataFrame
        ``chrom``, ``start``, ``end`` (0-based, the affected reference bases),
        ``label`` (type, ID and genotype).
    """
    rows, failed = [], 0
    with pysam.VariantFile(str(vcf_path)) as vcf:
        if sample not in vcf.header.samples:
            raise InputError(f"sample {sample!r} not in the VCF (has {list(vcf.header.samples)})", vcf_path)
        for record in vcf:
            if set(record.filter.keys()) - {"PASS"}:
                failed += 1
                continue
            gt = record.samples[sample].get("GT") or ()
            if not any(allele for allele in gt if allele is not None):
                continue
            alt = record.alts[0] if record.alts else ""
            symbolic = alt.startswith("<")
            svtype = record.info.get("SVTYPE") if "SVTYPE" in record.header.info else None
            start = record.start + 1 if symbolic else record.start
            size = record.stop - start if symbolic else abs(len(record.ref) - len(alt))
            if size < min_size:
                continue
            phase = "|" if record.samples[sample].phased else "/"
            genotype = phase.join("." if a is None else str(a) for a in gt)
            rows.append((record.chrom, start, record.stop, f"{svtype or 'indel'} {record.id or ''} {genotype}".strip()))
    log.info("%d records failing a FILTER left out", failed)
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "label"])
