"""DNA as model input: a genome encoded once to uint8 base codes, windows sliced from it.

Codes are 0-4 for A, C, G, T, N (either case); every other IUPAC letter is N.
A genome (the reference or a haplotype) is read once from its indexed FASTA
into one memory-mapped ``.npy`` array (:class:`GenomeCodes`, 1 byte per base);
windows are array slices, and one-hot encoding happens on the model's device
(:func:`one_hot`), so no step runs Python per base.
"""

import numpy as np
import pandas as pd
import pysam
import torch

ALPHABET = "ACGTN"
N_CODE = 4
_CODE = np.full(256, N_CODE, dtype=np.uint8)
for _i, _base in enumerate("ACGT"):
    _CODE[ord(_base)] = _CODE[ord(_base.lower())] = _i
_COMPLEMENT = np.array([3, 2, 1, 0, N_CODE], dtype=np.uint8)
_CHUNK = 1 << 24


def encode(sequence):
    """Bytes or str -> uint8 codes."""
    if isinstance(sequence, str):
        sequence = sequence.encode("ascii")
    return _CODE[np.frombuffer(sequence, dtype=np.uint8)]


def reverse_complement(codes):
    """Reverse complement of a code array (last axis)."""
    return _COMPLEMENT[codes[..., ::-1]]


def one_hot(codes, dtype=torch.float32):
    """Codes (batch, length) -> one-hot (batch, 5, length), contiguous, on the codes' device.

    Columns of a 5 x 5 identity picked by int32 codes: the first convolution gets a
    contiguous tensor (``F.one_hot(...).transpose`` is a strided view it copies) and no
    int64 (length, 5) intermediate is built; 3-4x faster on a 2 Mb window (issue 16).
    """
    table = torch.eye(len(ALPHABET), dtype=dtype, device=codes.device)
    columns = table.index_select(1, codes.reshape(-1).int())
    return columns.view(len(ALPHABET), *codes.shape).transpose(0, 1).contiguous()


class GenomeCodes:
    """A genome's base codes in one memory-mapped uint8 array.

    Parameters
    ----------
    path : str or Path
        ``.npy`` file written by :meth:`from_fasta`.
    chromsizes : Series
        Chromosome lengths, in the order they are stored.

    Notes
    -----
    Pickling carries only the path and sizes, so DataLoader workers open the
    same file instead of copying the genome.
    """

    def __init__(self, path, chromsizes):
        self.path = str(path)
        self.chromsizes = chromsizes
        self.offsets = dict(zip(chromsizes.index, np.concatenate([[0], np.cumsum(chromsizes.to_numpy())[:-1]])))
        self.codes = np.load(self.path, mmap_mode="r")

    @classmethod
    def from_fasta(cls, fasta_path, path, chroms=None):
        """Encode chromosomes of an indexed FASTA into ``path``.

        Parameters
        ----------
        fasta_path : str or Path
            Indexed FASTA (plain or bgzip).
        path : str or Path
            ``.npy`` file to write (a scratch file: it is not a workflow output).
        chroms : list of str, optional
            Chromosomes to encode (default all), stored in this order.
        """
        with pysam.FastaFile(str(fasta_path)) as fasta:
            chroms = list(fasta.references) if chroms is None else list(dict.fromkeys(chroms))
            sizes = pd.Series({c: fasta.get_reference_length(c) for c in chroms}, dtype=np.int64)
            codes = np.lib.format.open_memmap(str(path), mode="w+", dtype=np.uint8, shape=(int(sizes.sum()),))
            offset = 0
            for chrom, length in sizes.items():
                for lo in range(0, length, _CHUNK):
                    hi = min(lo + _CHUNK, length)
                    codes[offset + lo : offset + hi] = encode(fasta.fetch(chrom, lo, hi))
                offset += length
            codes.flush()
            del codes
        return cls(path, sizes)

    def __getstate__(self):
        return {"path": self.path, "chromsizes": self.chromsizes}

    def __setstate__(self, state):
        self.__init__(state["path"], state["chromsizes"])

    def fetch(self, chrom, start, end):
        """Codes of ``chrom:start-end``, N-padded where the interval leaves the chromosome."""
        length = int(self.chromsizes[chrom])
        out = np.full(end - start, N_CODE, dtype=np.uint8)
        lo, hi = max(start, 0), min(end, length)
        if hi > lo:
            offset = self.offsets[chrom]
            out[lo - start : hi - start] = self.codes[offset + lo : offset + hi]
        return out
