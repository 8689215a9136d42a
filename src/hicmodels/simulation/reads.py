"""Simulated paired-end short reads with known origin, for testing the reads -> VCF front end.

Fragments are drawn uniformly along each sequence with normally distributed
lengths; read 1 and read 2 are the fragment's two ends on opposite strands
(which end is read 1 is random), as in Illumina paired-end libraries.
Substitution errors rise linearly along each read, and the base qualities
state that error rate. Every read name records where the fragment came from
(``{prefix}:{chrom}:{start}:{length}:{strand}:{index}``, 0-based start on the
simulated sequence), so tests can check that reads are placed where they came from.
"""

import gzip

import numpy as np
import pysam

from ..files import atomic_output
from ..genome.sequence import encode

_BASES = np.frombuffer(b"ACGTN", dtype=np.uint8)
_COMPLEMENT_CODE = np.array([3, 2, 1, 0, 4], dtype=np.uint8)


def error_profile(read_length, first, last):
    """Per-position substitution probability, rising linearly from ``first`` to ``last``."""
    return np.linspace(first, last, read_length)


def phred(probabilities):
    """Phred+33 quality characters (uint8) of error probabilities, Q2 to Q41."""
    q = np.clip(np.round(-10 * np.log10(np.maximum(probabilities, 1e-5))), 2, 41).astype(np.uint8)
    return q + 33


def simulate_pairs(sequence, n_pairs, rng, read_length=150, fragment_mean=400, fragment_sd=50,
                   errors=(0.001, 0.01)):
    """Read pairs from one sequence.

    Parameters
    ----------
    sequence : bytes or str
        The simulated genome's sequence (one chromosome of one haplotype).
    n_pairs : int
    rng : numpy.random.Generator
    read_length : int
    fragment_mean, fragment_sd : float
        Fragment (insert) length distribution; lengths are clipped to
        ``[read_length, len(sequence)]``.
    errors : (float, float)
        Substitution probability at the first and the last base of a read.

    Returns
    -------
    dict
        ``start``, ``length`` (fragment, 0-based start), ``reverse`` (read 1
        comes from the reverse strand), ``read1``, ``read2`` (uint8 base codes
        0-4, shape ``(n_pairs, read_length)``, as sequenced: read 2 is reverse
        complemented when read 1 is forward and vice versa) and ``errors1``,
        ``errors2`` (boolean: which bases were substituted).
    """
    codes = encode(sequence)
    if len(codes) < read_length:
        raise ValueError(f"sequence of {len(codes)} bp is shorter than a read ({read_length} bp)")
    length = np.clip(np.round(rng.normal(fragment_mean, fragment_sd, n_pairs)), read_length, len(codes))
    length = length.astype(np.int64)
    start = (rng.random(n_pairs) * (len(codes) - length + 1)).astype(np.int64)
    offsets = np.arange(read_length)
    left = codes[start[:, None] + offsets]
    right = _COMPLEMENT_CODE[codes[(start + length)[:, None] - 1 - offsets]]
    reverse = rng.random(n_pairs) < 0.5
    read1 = np.where(reverse[:, None], right, left)
    read2 = np.where(reverse[:, None], left, right)
    probability = error_profile(read_length, *errors)
    substituted = []
    for read in (read1, read2):
        hit = rng.random(read.shape) < probability
        shift = rng.integers(1, 4, size=int(hit.sum()), dtype=np.uint8)  # a different base
        read[hit] = np.where(read[hit] < 4, (read[hit] + shift) % 4, read[hit])
        substituted.append(hit)
    return {"start": start, "length": length, "reverse": reverse, "read1": read1, "read2": read2,
            "errors1": substituted[0], "errors2": substituted[1]}


def fastq_records(names, reads, qualities):
    """FASTQ text (bytes) of reads given as base codes, one quality string for all."""
    bases = _BASES[reads]
    qual = qualities.tobytes()
    return b"".join(b"@%s\n%s\n+\n%s\n" % (name.encode(), row.tobytes(), qual) for name, row in zip(names, bases))


def read_names(prefix, chrom, pairs, first_index):
    """Names recording each fragment's origin (see the module docstring)."""
    strand = np.where(pairs["reverse"], "-", "+")
    return [f"{prefix}:{chrom}:{s}:{n}:{d}:{i}" for i, (s, n, d) in
            enumerate(zip(pairs["start"], pairs["length"], strand), first_index)]


def parse_read_name(name):
    """``(chrom, start, length, reverse)`` from a simulated read's name."""
    _, chrom, start, length, strand, _ = name.rsplit(":", 5)
    return chrom, int(start), int(length), strand == "-"


def write_fastq_pair(fastas, depth, path1, path2, seed, read_length=150, fragment_mean=400, fragment_sd=50,
                     errors=(0.001, 0.01), chunk=100_000):
    """Simulate reads from one or more genomes (haplotypes) into a gzipped FASTQ pair.

    Parameters
    ----------
    fastas : list of str
        Indexed FASTA files, one per haplotype; each gets ``depth / len(fastas)``.
    depth : float
        Total mean depth: bases read / genome length, over all haplotypes.
    path1, path2 : str
        ``.fq.gz`` outputs (read 1, read 2), written atomically.
    seed : int
    read_length, fragment_mean, fragment_sd, errors
        As in :func:`simulate_pairs`.
    chunk : int
        Pairs simulated at a time (bounds memory).

    Returns
    -------
    int
        Read pairs written.
    """
    rng = np.random.default_rng(seed)
    quality = phred(error_profile(read_length, *errors))
    total = 0
    with atomic_output(path1, suffix=".fq.gz") as tmp1, atomic_output(path2, suffix=".fq.gz") as tmp2:
        with gzip.open(tmp1, "wb", compresslevel=1) as out1, gzip.open(tmp2, "wb", compresslevel=1) as out2:
            for hap, path in enumerate(fastas, 1):
                with pysam.FastaFile(str(path)) as fasta:
                    for chrom, length in zip(fasta.references, fasta.lengths):
                        sequence = fasta.fetch(chrom)
                        n_pairs = int(round(depth / len(fastas) * length / (2 * read_length)))
                        for first in range(0, n_pairs, chunk):
                            pairs = simulate_pairs(sequence, min(chunk, n_pairs - first), rng, read_length,
                                                   fragment_mean, fragment_sd, errors)
                            names = read_names(f"hap{hap}", chrom, pairs, total)
                            out1.write(fastq_records(names, pairs["read1"], quality))
                            out2.write(fastq_records(names, pairs["read2"], quality))
                            total += len(names)
    return total
