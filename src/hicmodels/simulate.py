"""Known-truth generators: random genomes and variant sets, written as VCF.

Everything is drawn from a seeded ``numpy`` generator, so a seed gives the same
genome and VCF on every machine; tests and benchmarks build their inputs here
instead of committing large files.
"""

import os

import numpy as np
import pandas as pd
import pysam

from .files import atomic_output

BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
VCF_COLUMNS = ["chrom", "pos", "id", "ref", "alt", "info", "gt"]
GENOTYPES = np.array(["1|0", "0|1", "1|1"])


def random_sequence(length, rng):
    """``length`` uniform random bases (``bytes``)."""
    return BASES[rng.integers(0, 4, length, dtype=np.uint8)].tobytes()


def _bases(rng, n):
    return random_sequence(n, rng).decode()


def random_small_variants(genome, n, seed, indel_fraction=0.2, max_indel=10, genotype_p=(0.4, 0.4, 0.2)):
    """SNVs and indels with REF taken from ``genome``, no two REF spans within reach.

    Positions are drawn uniformly; a position closer than ``max_indel + 2``
    bases to the previous one is dropped, so REF spans never overlap (or
    touch) and ``bcftools consensus`` applies every record. Indels are
    left-anchored: half insertions, half deletions, lengths 1..``max_indel``.

    Parameters
    ----------
    genome : dict
        Chromosome -> sequence (``bytes``), in order.
    n : int
        Positions drawn before spacing (a few percent are dropped).
    seed : int
    indel_fraction : float
    max_indel : int
    genotype_p : tuple
        Probabilities of ``1|0``, ``0|1``, ``1|1``.

    Returns
    -------
    DataFrame
        :data:`VCF_COLUMNS` (``pos`` 1-based), in genome order.
    """
    rng = np.random.default_rng(seed)
    names = list(genome)
    sizes = np.array([len(genome[c]) for c in names], dtype=np.int64)
    offsets = np.r_[0, np.cumsum(sizes)]
    flat = np.sort(rng.choice(offsets[-1], size=n, replace=False))
    chrom_idx = np.searchsorted(offsets, flat, side="right") - 1
    pos0 = flat - offsets[chrom_idx]
    keep = (pos0 + max_indel + 1 < sizes[chrom_idx]) & (pos0 > 0)
    gaps = np.diff(flat, prepend=-(10**12))
    same = np.r_[False, chrom_idx[1:] == chrom_idx[:-1]]
    keep &= ~(same & (gaps < max_indel + 2))
    chrom_idx, pos0 = chrom_idx[keep], pos0[keep]
    kind = rng.random(len(pos0))
    lengths = rng.integers(1, max_indel + 1, len(pos0))
    shifts = rng.integers(1, 4, len(pos0))  # SNV ALT = REF moved 1-3 steps along ACGT
    rows = []
    for c, p, k, length, shift in zip(chrom_idx.tolist(), pos0.tolist(), kind.tolist(), lengths.tolist(), shifts.tolist()):
        seq = genome[names[c]]
        anchor = chr(seq[p])
        if k >= indel_fraction:
            ref, alt = anchor, "ACGT"[("ACGT".index(anchor.upper()) + shift) % 4]
        elif k < indel_fraction / 2:
            ref, alt = anchor, anchor + _bases(rng, length)
        else:
            ref, alt = seq[p : p + 1 + length].decode(), anchor
        rows.append((names[c], p + 1, f"v{len(rows) + 1}", ref, alt, "."))
    table = pd.DataFrame(rows, columns=VCF_COLUMNS[:-1])
    table["gt"] = GENOTYPES[rng.choice(3, size=len(table), p=genotype_p)]
    return table


def random_structural_variants(genome, n, seed, min_size=1_000, max_size=100_000, genotype_p=(0.4, 0.4, 0.2)):
    """Symbolic ``<DEL>``, ``<INV>``, ``<DUP>`` and ``<INS>`` (with SVINSSEQ), spaced apart.

    SVs are placed on a grid so that no two overlap; each is drawn from the
    four types in turn with a log-uniform size.

    Returns
    -------
    DataFrame
        :data:`VCF_COLUMNS`.
    """
    rng = np.random.default_rng(seed)
    names = list(genome)
    total = sum(len(s) for s in genome.values())
    slot = total // max(n, 1)
    rows = []
    for i in range(n):
        flat = i * slot + int(rng.integers(0, max(1, slot - max_size - 2)))
        for name in names:
            if flat < len(genome[name]):
                break
            flat -= len(genome[name])
        seq = genome[name]
        size = int(np.exp(rng.uniform(np.log(min_size), np.log(max_size))))
        size = min(size, len(seq) - flat - 2)
        if size < 1:
            continue
        kind = ("DEL", "INV", "DUP", "INS")[i % 4]
        anchor = chr(seq[flat])
        if kind == "INS":
            info = f"SVTYPE=INS;SVLEN={min(size, 500)};SVINSSEQ={_bases(rng, min(size, 500))}"
        else:
            info = f"SVTYPE={kind};END={flat + 1 + size};SVLEN={-size if kind == 'DEL' else size}"
        rows.append((name, flat + 1, f"sv{i + 1}", anchor, f"<{kind}>", info))
    table = pd.DataFrame(rows, columns=VCF_COLUMNS[:-1])
    table["gt"] = GENOTYPES[rng.choice(3, size=len(table), p=genotype_p)]
    return table


VCF_HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">
##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant">
##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="Length of the structural variant">
##INFO=<ID=SVINSSEQ,Number=.,Type=String,Description="Inserted sequence">
##ALT=<ID=DEL,Description="Deletion">
##ALT=<ID=INV,Description="Inversion">
##ALT=<ID=DUP,Description="Tandem duplication">
##ALT=<ID=INS,Description="Insertion">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
"""


def write_vcf(variants, sizes, path, sample="S1"):
    """Write variants as a sorted, bgzip-compressed, tabix-indexed VCF.

    Parameters
    ----------
    variants : DataFrame
        :data:`VCF_COLUMNS`; sorted here by chromosome order then position.
    sizes : dict
        Chromosome -> length, in order (the ``##contig`` lines).
    path : str or Path
        Output ``.vcf.gz``; the index goes to ``path + ".tbi"``.
    """
    order = {c: i for i, c in enumerate(sizes)}
    variants = variants.assign(_o=variants["chrom"].map(order)).sort_values(["_o", "pos"], kind="stable")
    header = VCF_HEADER + "".join(f"##contig=<ID={c},length={n}>\n" for c, n in sizes.items())
    header += "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", sample]) + "\n"
    body = (
        variants["chrom"] + "\t" + variants["pos"].astype(str) + "\t" + variants["id"] + "\t" + variants["ref"] + "\t"
        + variants["alt"] + "\t.\tPASS\t" + variants["info"] + "\tGT\t" + variants["gt"] + "\n"
    )
    with atomic_output(path) as tmp, atomic_output(f"{path}.tbi") as tmp_index:
        plain = f"{tmp}.vcf"
        try:
            with open(plain, "w") as out:
                out.write(header)
                out.writelines(body.tolist())
            pysam.tabix_compress(plain, str(tmp), force=True)
        finally:
            os.remove(plain)
        pysam.tabix_index(str(tmp), preset="vcf", force=True, index=str(tmp_index))
