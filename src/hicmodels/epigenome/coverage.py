"""BAM -> bigWig with deepTools ``bamCoverage``, normalised as MIX-HIC's tracks are.

MIX-HIC converts each track's BAM to a bigWig "using deepTools with RPGC
normalization" (Appendix A.1): reads per genomic content, 1x coverage, which
needs the effective genome size (the mappable length of the assembly for the
read length: deepTools documents e.g. 2,913,022,398 for GRCh38 and 150 bp reads).
The bin size is the configured one (MIX-HIC averages every 100 bp, Section 3),
and the reference's excluded regions (or a configured BED) are the blacklist.

Before deepTools runs, the BAM is checked: coordinate-sorted, its contigs named
as the reference's (through the alias table) with the reference's lengths. A
BAM without an index is indexed into a temporary folder beside the output (a
symbolic link to the BAM and its new ``.bai``), so inputs are never written to.
"""

import logging
import os
import subprocess
import tempfile
from pathlib import Path

import pysam

from ..errors import InputError
from ..files import atomic_output
from ..genome.aliases import canonical_names

log = logging.getLogger(__name__)

INDEX_SUFFIXES = (".bai", ".csi")


def existing_index(bam):
    """The BAM's index beside it (``x.bam.bai``, ``x.bai`` or ``x.bam.csi``), or None."""
    stem = str(bam)
    for candidate in (stem + ".bai", os.path.splitext(stem)[0] + ".bai", stem + ".csi"):
        if os.path.exists(candidate):
            return candidate
    return None


def check_bam(bam, reference_sizes, aliases, chromosomes):
    """Check that a track's BAM fits the reference; return its contig -> reference name map.

    Parameters
    ----------
    bam : str
    reference_sizes : Series
        Reference chromosome -> length.
    aliases : dict
        alias -> reference name (:func:`hicmodels.genome.aliases.read_aliases`).
    chromosomes : list of str
        The modelled reference chromosomes: the BAM must have at least one of them.

    Raises
    ------
    InputError
        Naming the BAM: not a BAM, not coordinate-sorted, a contig whose length
        differs from the reference's, or none of ``chromosomes``.
    """
    if not os.path.exists(bam):
        raise InputError("BAM not found", bam)
    try:
        with pysam.AlignmentFile(str(bam), "rb") as handle:
            header = handle.header.to_dict()
    except (ValueError, OSError) as err:
        raise InputError(f"not a BAM file or corrupt ({str(err).splitlines()[0]})", bam) from None
    order = header.get("HD", {}).get("SO")
    if order != "coordinate":
        raise InputError(f"header @HD SO is {order!r}, not 'coordinate': sort it (samtools sort)", bam)
    contigs = {sq["SN"]: int(sq["LN"]) for sq in header.get("SQ", [])}
    renamed, _ = canonical_names(contigs, aliases, set(reference_sizes.index))
    for name, ref in renamed.items():
        if contigs[name] != int(reference_sizes[ref]):
            raise InputError(f"contig {name!r} is {contigs[name]} bp, reference {ref!r} is "
                             f"{int(reference_sizes[ref])} bp: aligned to another assembly?", bam)
    if not set(renamed.values()) & set(chromosomes):
        raise InputError(f"none of the reference chromosomes {list(chromosomes)[:5]}... among its contigs "
                         f"{list(contigs)[:5]} (names pass through reference.chrom_aliases)", bam)
    return renamed


def blacklist_for(regions, renamed):
    """Excluded regions (reference names) as the BAM names its contigs; regions on other contigs are left out."""
    own = {ref: name for name, ref in renamed.items()}
    kept = regions[regions["chrom"].isin(list(own))]
    return kept.assign(chrom=kept["chrom"].map(own))[["chrom", "start", "end"]]


def bam_coverage_arguments(bam, bigwig, settings, threads, blacklist=None):
    """The ``bamCoverage`` command line (list) for one BAM.

    Parameters
    ----------
    settings : dict
        ``epigenome.coverage``: ``bin_size``, ``effective_genome_size``.
    blacklist : str, optional
        BED of regions to skip, named as the BAM names its contigs.
    """
    arguments = ["bamCoverage", "--bam", str(bam), "--outFileName", str(bigwig), "--outFileFormat", "bigwig",
                 "--normalizeUsing", "RPGC", "--effectiveGenomeSize", str(settings["effective_genome_size"]),
                 "--binSize", str(settings["bin_size"]), "--numberOfProcessors", str(threads)]
    if blacklist is not None:
        arguments += ["--blackListFileName", str(blacklist)]
    return arguments


def bam_coverage(bam, bigwig, reference_sizes, excluded, aliases, settings, chromosomes, threads=1, where="BAM"):
    """Check a track's BAM and write its RPGC-normalised bigWig with ``bamCoverage``, atomically.

    Parameters
    ----------
    bam, bigwig : str
    reference_sizes : Series
    excluded : DataFrame
        Regions to skip (``chrom``, ``start``, ``end`` in reference names); may be empty.
    aliases : dict
    settings : dict
        ``epigenome.coverage``.
    chromosomes : list of str
        Modelled reference chromosomes (:func:`check_bam`).
    threads : int
    where : str
        What names the BAM in the error raised when the effective genome size is missing.
    """
    if settings["effective_genome_size"] is None:
        raise InputError(f"{where} is a BAM: set epigenome.coverage.effective_genome_size (RPGC normalisation "
                         f"needs the assembly's mappable length)")
    renamed = check_bam(bam, reference_sizes, aliases, chromosomes)
    out = Path(bigwig)
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as scratch:
        reads = bam
        if existing_index(bam) is None:
            reads = os.path.join(scratch, "reads.bam")
            os.symlink(os.path.abspath(bam), reads)
            pysam.index(reads, reads + ".bai")
            log.info("%s has no index: indexed a link to it in a temporary folder", bam)
        regions = blacklist_for(excluded, renamed)
        blacklist = None
        if len(regions):
            blacklist = os.path.join(scratch, "blacklist.bed")
            regions.to_csv(blacklist, sep="\t", header=False, index=False)
        log.info("blacklist: %d regions (%d bp)", len(regions), int((regions["end"] - regions["start"]).sum()))
        with atomic_output(out, suffix=".bw") as tmp:
            arguments = bam_coverage_arguments(reads, tmp, settings, threads, blacklist)
            log.info("running %s", " ".join(arguments))
            done = subprocess.run(arguments, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"bamCoverage failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")

