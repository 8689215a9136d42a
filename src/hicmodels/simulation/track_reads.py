"""Simulated aligned reads of an epigenomic track (ATAC-, CTCF ChIP-like): BAMs whose coverage follows a known signal.

Read centres are drawn from the track's signal as a density (each bigWig
interval is chosen with probability proportional to value x length, the
centre uniform within it); each read is ``read_length`` bases of the genome
around its centre, on a random strand, mapping quality 60, no mismatches. The
reads are written aligned (there is nothing to align: their origin is known),
then coordinate-sorted and indexed with pysam, so deepTools ``bamCoverage`` of
the BAM should give back the signal, smoothed over a read length.
"""

import os
import tempfile

import numpy as np
import pyBigWig
import pysam

from ..files import atomic_output


def read_centres(intervals, n_reads, rng):
    """``n_reads`` positions drawn from a signal given as ``(start, end, value)`` intervals (sorted)."""
    starts, ends, values = (np.array(column, dtype=np.float64) for column in zip(*intervals))
    mass = np.clip(values, 0, None) * (ends - starts)
    chosen = rng.choice(len(mass), size=n_reads, p=mass / mass.sum())
    return np.floor(starts[chosen] + rng.random(n_reads) * (ends[chosen] - starts[chosen])).astype(np.int64)


def write_track_bam(fasta, bigwig, out, reads_per_kb, seed, read_length=50):
    """A sorted, indexed BAM of reads drawn from a bigWig's signal on every chromosome of ``fasta``.

    Parameters
    ----------
    fasta : str
        Indexed FASTA of the genome the track was measured on.
    bigwig : str
        The signal (chromosomes named as in ``fasta``).
    out : str
        BAM written (``out.bai`` beside it).
    reads_per_kb : float
        Reads per kb of each chromosome (depth = reads_per_kb * read_length / 1000).
    seed : int
    read_length : int
    """
    rng = np.random.default_rng(seed)
    with pysam.FastaFile(str(fasta)) as genome:
        chroms = list(zip(genome.references, genome.lengths))
        header = {"HD": {"VN": "1.6", "SO": "unsorted"}, "SQ": [{"SN": c, "LN": n} for c, n in chroms]}
        with tempfile.TemporaryDirectory() as scratch, atomic_output(out, suffix=".bam") as tmp:
            unsorted = os.path.join(scratch, "unsorted.bam")
            with pysam.AlignmentFile(str(unsorted), "wb", header=header) as bam, pyBigWig.open(str(bigwig)) as bw:
                for tid, (chrom, length) in enumerate(chroms):
                    sequence = genome.fetch(chrom).upper()
                    n_reads = int(round(reads_per_kb * length / 1000))
                    centres = read_centres(bw.intervals(chrom), n_reads, rng)
                    starts = np.clip(centres - read_length // 2, 0, length - read_length)
                    reverse = rng.random(n_reads) < 0.5
                    for i, (start, minus) in enumerate(zip(starts.tolist(), reverse.tolist())):
                        read = pysam.AlignedSegment(bam.header)
                        read.query_name = f"{chrom}:{start}:{i}"
                        read.flag = 16 if minus else 0
                        read.reference_id, read.reference_start, read.mapping_quality = tid, start, 60
                        read.cigarstring = f"{read_length}M"
                        read.query_sequence = sequence[start : start + read_length]
                        read.query_qualities = pysam.qualitystring_to_array("I" * read_length)
                        bam.write(read)
            pysam.sort("--no-PG", "-o", str(tmp), str(unsorted))
            pysam.index(str(tmp), f"{tmp}.bai")
            os.replace(f"{tmp}.bai", f"{out}.bai")
