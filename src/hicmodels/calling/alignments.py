"""Checks of alignment files (BAM/CRAM) given as a sample's input.

A user's BAM or CRAM is used where it lies, so it must already be what the
workflow's own alignment step makes: coordinate-sorted, indexed, one sample,
aligned to the workflow's reference. The header checks are cheap (no reads are
read) and run when the sample sheet is read; the contig check needs the
prepared reference and runs in the coverage step, the first step to read the file.
"""

import os

import pysam

from ..errors import InputError

INDEX_SUFFIXES = {".bam": (".bai", ".csi"), ".cram": (".crai",)}


def alignment_index(path):
    """The index beside ``path`` (``x.bam.bai``, ``x.bai``, ``x.bam.csi`` or ``x.cram.crai``).

    Raises
    ------
    InputError
        If the file is neither ``.bam`` nor ``.cram`` or has no index.
    """
    root, ext = os.path.splitext(path)
    if ext not in INDEX_SUFFIXES:
        raise InputError("alignments must be a .bam or .cram file", path)
    candidates = [path + s for s in INDEX_SUFFIXES[ext]] + [root + s for s in INDEX_SUFFIXES[ext]]
    found = [c for c in candidates if os.path.exists(c)]
    if not found:
        raise InputError(f"no index found (looked for {', '.join(os.path.basename(c) for c in candidates)});"
                         f" sort and index it: samtools sort -o x{ext} in{ext} && samtools index x{ext}", path)
    return found[0]


def check_header(path):
    """Check an alignment file's header: coordinate-sorted, reads of at most one sample.

    Returns
    -------
    dict
        Contig name -> length (``@SQ`` lines).
    """
    try:
        with pysam.AlignmentFile(str(path), "r", check_sq=False) as bam:
            header = bam.header.to_dict()
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the alignment header: {err}", path) from None
    order = header.get("HD", {}).get("SO", "unknown")
    if order != "coordinate":
        raise InputError(f"alignments must be coordinate-sorted, the header says SO:{order}"
                         " (samtools sort -o sorted.bam in.bam)", path)
    samples = sorted({rg["SM"] for rg in header.get("RG", []) if "SM" in rg})
    if len(samples) > 1:
        raise InputError(f"read groups of more than one sample (SM: {', '.join(samples)}); give one sample per file",
                         path)
    return {sq["SN"]: int(sq["LN"]) for sq in header.get("SQ", [])}


def check_contigs(path, contigs, reference_sizes, chromosomes):
    """The called chromosomes must be in the alignments with the reference's lengths.

    Parameters
    ----------
    path : str
        For messages.
    contigs : dict
        Name -> length from the alignment header (:func:`check_header`).
    reference_sizes : Series
        Chromosome lengths of the workflow's reference.
    chromosomes : list of str
        Chromosomes variants are called on.
    """
    for chrom in chromosomes:
        if chrom not in contigs:
            raise InputError(f"chromosome {chrom!r} of the reference is not in the alignment header"
                             f" (it has {', '.join(list(contigs)[:5])}{' ...' if len(contigs) > 5 else ''})", path)
        if contigs[chrom] != reference_sizes[chrom]:
            raise InputError(f"@SQ SN:{chrom} LN:{contigs[chrom]} differs from the reference's length"
                             f" {reference_sizes[chrom]}: aligned to another assembly?", path)
