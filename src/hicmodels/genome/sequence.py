"""DNA as model input: uint8 base codes and one-hot tensors, without per-base Python.

Codes are 0-4 for A, C, G, T, N (either case); every other IUPAC letter is N.
"""

import numpy as np
import pysam

ALPHABET = "ACGTN"
N_CODE = 4
_CODE = np.full(256, N_CODE, dtype=np.uint8)
for _i, _base in enumerate("ACGT"):
    _CODE[ord(_base)] = _CODE[ord(_base.lower())] = _i
_COMPLEMENT = np.array([3, 2, 1, 0, N_CODE], dtype=np.uint8)


def encode(sequence):
    """Bytes or str -> uint8 codes."""
    if isinstance(sequence, str):
        sequence = sequence.encode("ascii")
    return _CODE[np.frombuffer(sequence, dtype=np.uint8)]


def reverse_complement(codes):
    """Reverse complement of a code array (last axis)."""
    return _COMPLEMENT[codes[..., ::-1]]


def one_hot(codes, dtype=np.float32):
    """Codes (..., length) -> one-hot (..., 5, length)."""
    return np.moveaxis(np.eye(len(ALPHABET), dtype=dtype)[codes], -1, -2)


def fetch_codes(fasta, chrom, start, end):
    """Codes of ``chrom:start-end``, N-padded where the interval leaves the chromosome.

    Parameters
    ----------
    fasta : pysam.FastaFile
    """
    length = fasta.get_reference_length(chrom)
    codes = np.full(end - start, N_CODE, dtype=np.uint8)
    lo, hi = max(start, 0), min(end, length)
    if hi > lo:
        codes[lo - start : hi - start] = encode(fasta.fetch(chrom, lo, hi))
    return codes


def open_fasta(path):
    return pysam.FastaFile(str(path))
