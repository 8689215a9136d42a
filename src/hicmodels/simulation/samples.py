"""Known-truth generators: random genomes, variant sets and the demo VCF.

Everything is drawn from a seeded ``numpy`` generator, so a seed gives the same
genome and VCF on every machine; tests and benchmarks build their inputs here
instead of committing large files.

Variant sets are *truth tables* (:data:`TRUTH_COLUMNS`, one row per record, VCF
1-based ``pos``; an optional ``insseq`` column holds the bases of symbolic
``<INS>``) with genotypes in a separate table, one column per sample;
:func:`write_vcf` writes them. Two small-variant generators place records
differently: :func:`random_small_variants` draws exact numbers of SNVs and
indels one by one, keeping clear of given intervals (hundreds of records, the
demo); :func:`spaced_small_variants` draws positions in bulk and drops those too
close to the previous one (hundreds of thousands, benchmarks and agreement
tests).
"""

import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pysam

from ..files import atomic_output

TRUTH_COLUMNS = ["id", "chrom", "pos", "ref", "alt", "type", "end", "svlen"]
BASES = np.frombuffer(b"ACGT", dtype=np.uint8)


def random_sequence(length, rng):
    """``length`` uniform random bases (``bytes``)."""
    return BASES[rng.integers(0, 4, length, dtype=np.uint8)].tobytes()


def random_genotypes(n, rng, p=(0.4, 0.4, 0.2)):
    """``n`` phased genotypes ``1|0``, ``0|1``, ``1|1`` drawn with probabilities ``p``."""
    return np.array(["1|0", "0|1", "1|1"])[rng.choice(3, size=n, p=p)]


def cohort_genotypes(n_sites, n_samples, rng, min_count=1):
    """Phased genotypes of a cohort sharing sites at neutral-spectrum frequencies.

    Each site's ALT count among the ``2 n`` haplotypes is drawn from the
    neutral site-frequency spectrum, ``P(k) \u221d 1 / k`` for
    ``k = min_count .. 2n - 1`` (most sites rare, a few common), and the ALT
    copies are put on ``k`` haplotypes chosen at random.

    Returns
    -------
    ndarray of str, shape (n_sites, n_samples)
        ``0|0``, ``1|0``, ``0|1`` or ``1|1``.
    """
    haplotypes = 2 * n_samples
    k = np.arange(min_count, haplotypes)
    counts = rng.choice(k, size=n_sites, p=(1 / k) / (1 / k).sum())
    alleles = np.zeros((n_sites, haplotypes), dtype=np.int64)
    for site, count in enumerate(counts):
        alleles[site, rng.choice(haplotypes, size=count, replace=False)] = 1
    first, second = alleles[:, 0::2].astype(str), alleles[:, 1::2].astype(str)
    return np.char.add(np.char.add(first, "|"), second)


def _names(genome):
    """Sequence names of a ``pysam.FastaFile`` or a name -> sequence/length mapping, in order."""
    return list(genome.references) if hasattr(genome, "references") else list(genome)


def random_small_variants(fasta, n_snv, n_indel, rng, avoid=None, chromosomes=None, max_indel=10):
    """Random SNVs and short indels with REF taken from the genome.

    Parameters
    ----------
    fasta : pysam.FastaFile
    n_snv, n_indel : int
    rng : numpy.random.Generator
    avoid : DataFrame, optional
        ``chrom``, ``start``, ``end`` intervals to keep clear of (with 20 bp margin).
    chromosomes : list of str, optional
        Where to place variants (default: all), in proportion to length.
    max_indel : int
        Longest inserted or deleted stretch.

    Returns
    -------
    DataFrame
        :data:`TRUTH_COLUMNS`, sorted, no two variants within 20 bp.
    """
    chromosomes = list(fasta.references) if chromosomes is None else list(chromosomes)
    lengths = np.array([fasta.get_reference_length(c) for c in chromosomes])
    kinds = ["SNV"] * n_snv + ["INS" if i % 2 else "DEL" for i in range(n_indel)]
    rows, taken = [], {c: [] for c in chromosomes}
    if avoid is not None:
        for row in avoid.itertuples():
            taken.setdefault(row.chrom, []).append((row.start - 20, row.end + 20))
    for kind in kinds:
        while True:
            chrom = chromosomes[rng.choice(len(chromosomes), p=lengths / lengths.sum())]
            size = int(rng.integers(1, max_indel + 1))
            pos0 = int(rng.integers(1, fasta.get_reference_length(chrom) - max_indel - 2))
            if all(pos0 + size + 20 < lo or pos0 - 20 > hi for lo, hi in taken[chrom]):
                break
        taken[chrom].append((pos0, pos0 + size))
        if kind == "SNV":
            ref = fasta.fetch(chrom, pos0, pos0 + 1).upper()
            alt = str(rng.choice([b for b in "ACGT" if b != ref]))
        elif kind == "INS":
            ref = fasta.fetch(chrom, pos0, pos0 + 1).upper()
            alt = ref + "".join(rng.choice(list("ACGT"), size))
        else:
            ref = fasta.fetch(chrom, pos0, pos0 + size + 1).upper()
            alt = ref[0]
        rows.append((chrom, pos0 + 1, ref, alt, kind, pos0 + len(ref), len(alt) - len(ref)))
    table = pd.DataFrame(rows, columns=TRUTH_COLUMNS[1:])
    return _sorted_with_ids(table, list(fasta.references))


def spaced_small_variants(genome, n, rng, indel_fraction=0.2, max_indel=10):
    """SNVs and indels drawn in bulk, no two REF spans within reach.

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
    rng : numpy.random.Generator
    indel_fraction : float
    max_indel : int

    Returns
    -------
    DataFrame
        :data:`TRUTH_COLUMNS`, sorted.
    """
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
            ref, alt, what = anchor, "ACGT"[("ACGT".index(anchor.upper()) + shift) % 4], "SNV"
        elif k < indel_fraction / 2:
            ref, alt, what = anchor, anchor + random_sequence(length, rng).decode(), "INS"
        else:
            ref, alt, what = seq[p : p + 1 + length].decode(), anchor, "DEL"
        rows.append((names[c], p + 1, ref, alt, what, p + len(ref), len(alt) - len(ref)))
    return _sorted_with_ids(pd.DataFrame(rows, columns=TRUTH_COLUMNS[1:]), names)


def structural_variant(fasta, svtype, chrom, start, end):
    """A symbolic SV record (``<DEL>``, ``<INV>`` or ``<DUP>``) over ``chrom:start-end`` (0-based).

    As in SV callers' VCFs, POS is the base before the event and END its last base.
    """
    anchor = fasta.fetch(chrom, start - 1, start).upper()
    svlen = {"DEL": -(end - start), "INV": end - start, "DUP": end - start}[svtype]
    return {"chrom": chrom, "pos": start, "ref": anchor, "alt": f"<{svtype}>", "type": svtype,
            "end": end, "svlen": svlen}


def spaced_structural_variants(genome, n, rng, min_size=1_000, max_size=100_000):
    """Symbolic ``<DEL>``, ``<INV>``, ``<DUP>`` and ``<INS>`` (with ``insseq``), spaced apart.

    SVs are placed on a grid so that no two overlap; each is drawn from the
    four types in turn with a log-uniform size (insertions: at most 500 bp).

    Parameters
    ----------
    genome : dict
        Chromosome -> sequence (``bytes``), in order.

    Returns
    -------
    DataFrame
        :data:`TRUTH_COLUMNS` plus ``insseq`` (``""`` but for insertions), sorted.
    """
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
        size = int(np.exp(rng.uniform(np.log(min_size), np.log(max_size))))
        size = min(size, len(genome[name]) - flat - 2)
        if size < 1:
            continue
        kind = ("DEL", "INV", "DUP", "INS")[i % 4]
        if kind == "INS":
            inserted = random_sequence(min(size, 500), rng).decode()
            rows.append((name, flat + 1, chr(genome[name][flat]), "<INS>", "INS", flat + 1, len(inserted), inserted))
        else:
            sv = structural_variant(_Sequences(genome), kind, name, flat + 1, flat + 1 + size)
            rows.append((*sv.values(), ""))
    table = pd.DataFrame(rows, columns=TRUTH_COLUMNS[1:] + ["insseq"])
    return _sorted_with_ids(table, names)


class _Sequences:
    """The ``fetch`` of a ``pysam.FastaFile`` over a name -> ``bytes`` mapping."""

    def __init__(self, genome):
        self.genome = genome

    def fetch(self, chrom, start, end):
        return self.genome[chrom][start:end].decode()


def random_structural_variants(fasta, n_per_type, rng, chromosomes=None, sizes=(5_000, 50_000), spacing=250_000,
                               margin=50_000):
    """Random DEL, INV and DUP intervals for :func:`simulated_sample`.

    Sizes are log-uniform in ``sizes``; events keep ``margin`` bp from the
    chromosome ends, ``spacing`` bp from each other (so that each one's
    effect on predicted maps can be told apart) and contain no N. Genotypes are
    ``1|1``, ``0|1`` or ``1|0`` with equal probability.

    Returns
    -------
    list of (type, chrom, start, end, genotype)
        Sorted by chromosome order and start.

    Raises
    ------
    ValueError
        If the genome has no room for them.
    """
    chromosomes = list(fasta.references) if chromosomes is None else list(chromosomes)
    lengths = np.array([fasta.get_reference_length(c) for c in chromosomes], dtype=float)
    placed = []
    for svtype in ["DEL", "INV", "DUP"] * n_per_type:
        for _ in range(10_000):
            chrom = chromosomes[rng.choice(len(chromosomes), p=lengths / lengths.sum())]
            size = int(np.exp(rng.uniform(np.log(sizes[0]), np.log(sizes[1]))))
            start = int(rng.integers(margin, max(margin + 1, fasta.get_reference_length(chrom) - margin - size)))
            end = start + size
            if end > fasta.get_reference_length(chrom) - margin or "N" in fasta.fetch(chrom, start - 1, end).upper():
                continue
            if all(c != chrom or end + spacing < s or start - spacing > e for _, c, s, e, _ in placed):
                break
        else:
            raise ValueError(f"no room for {3 * n_per_type} SVs {spacing} bp apart in {chromosomes}")
        placed.append((svtype, chrom, start, end, str(rng.choice(["1|1", "0|1", "1|0"]))))
    rank = {c: i for i, c in enumerate(fasta.references)}
    return sorted(placed, key=lambda sv: (rank[sv[1]], sv[2]))


_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


def explicit_structural_variant(fasta, sv):
    """The sequence-resolved form of a symbolic SV row, which ``bcftools consensus`` applies.

    DEL: REF is the anchor and the deleted bases, ALT the anchor. INV: REF is
    the anchor and the inverted bases, ALT the anchor and their reverse
    complement. DUP (tandem): REF is the anchor, ALT the anchor and a copy of
    the duplicated bases, so the copies lie head to tail.

    Parameters
    ----------
    fasta : pysam.FastaFile
    sv : Mapping
        A row made by :func:`structural_variant`.
    """
    start, end = sv["pos"], sv["end"]  # 0-based [start, end) is affected; start - 1 is the anchor
    anchor = fasta.fetch(sv["chrom"], start - 1, start).upper()
    seq = fasta.fetch(sv["chrom"], start, end).upper()
    ref, alt = {
        "DEL": (anchor + seq, anchor),
        "INV": (anchor + seq, anchor + seq[::-1].translate(_COMPLEMENT)),
        "DUP": (anchor, anchor + seq),
    }[sv["type"]]
    return {**dict(sv), "ref": ref, "alt": alt, "end": start + len(ref) - 1}


def _sorted_with_ids(table, order):
    rank = {c: i for i, c in enumerate(order)}
    table = table.assign(_rank=table["chrom"].map(rank)).sort_values(["_rank", "pos"]).drop(columns="_rank")
    table = table.reset_index(drop=True)
    prefix = np.where(table["alt"].str.startswith("<"), "sv_", "")
    table.insert(0, "id", [f"{p}{t.lower()}{i + 1}" for i, (p, t) in enumerate(zip(prefix, table["type"]))])
    return table[TRUTH_COLUMNS + [c for c in table.columns if c not in TRUTH_COLUMNS]]


def merge_variants(genome, *tables):
    """One sorted table (fresh ids) from several; columns beyond :data:`TRUTH_COLUMNS` are kept.

    ``genome`` (a ``pysam.FastaFile`` or a name -> sequence mapping) gives the
    chromosome order.
    """
    table = pd.concat([t.drop(columns="id", errors="ignore") for t in tables], ignore_index=True)
    if "insseq" in table.columns:
        table["insseq"] = table["insseq"].fillna("")
    return _sorted_with_ids(table, _names(genome))


def _info(variants):
    """The INFO column: SVTYPE/END/SVLEN (and SVINSSEQ) for symbolic records, ``.`` otherwise."""
    symbolic = variants["alt"].str.startswith("<").to_numpy()
    info = ("SVTYPE=" + variants["type"] + ";END=" + variants["end"].astype(str)
            + ";SVLEN=" + variants["svlen"].astype(str))
    if "insseq" in variants.columns:
        info = info.where(variants["insseq"].fillna("") == "", info + ";SVINSSEQ=" + variants["insseq"].fillna(""))
    return info.where(symbolic, ".")


def write_vcf(variants, genotypes, genome, path, source="hicmodels.simulation"):
    """Write variants with per-sample genotypes as a bgzipped, indexed VCF.

    Parameters
    ----------
    variants : DataFrame
        :data:`TRUTH_COLUMNS` (plus ``insseq``), sorted as by :func:`merge_variants`.
    genotypes : DataFrame
        One column per sample, one GT string (``0|1``, ``1/1``...) per variant row.
    genome : pysam.FastaFile or dict
        The reference, or chromosome -> length (the ``##contig`` lines).
    path : str
        ``.vcf.gz`` output; a ``.tbi`` index is written beside it.
    """
    if hasattr(genome, "references"):
        contigs = dict(zip(genome.references, genome.lengths))
    else:
        contigs = {name: len(value) if isinstance(value, (bytes, str)) else int(value) for name, value in genome.items()}
    insertions = "insseq" in variants.columns and bool((variants["insseq"].fillna("") != "").any())
    header = ["##fileformat=VCFv4.2", f"##source={source}"]
    header += [f"##contig=<ID={c},length={n}>" for c, n in contigs.items()]
    header += [
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant">',
        '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length difference (DEL < 0) or span (INV, DUP)">',
        *(['##INFO=<ID=SVINSSEQ,Number=1,Type=String,Description="Inserted sequence">'] if insertions else []),
        '##ALT=<ID=DEL,Description="Deletion">',
        '##ALT=<ID=INV,Description="Inversion">',
        '##ALT=<ID=DUP,Description="Tandem duplication">',
        *(['##ALT=<ID=INS,Description="Insertion">'] if insertions else []),
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "#" + "\t".join(["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *genotypes.columns]),
    ]
    lines = (variants["chrom"] + "\t" + variants["pos"].astype(str) + "\t" + variants["id"] + "\t" + variants["ref"]
             + "\t" + variants["alt"] + "\t.\tPASS\t" + _info(variants) + "\tGT")
    for sample in genotypes.columns:
        lines = lines + "\t" + genotypes[sample].astype(str).to_numpy()
    with atomic_output(path) as tmp:
        plain = f"{tmp}.vcf"
        with open(plain, "w") as out:
            out.write("\n".join(header + lines.tolist()) + "\n")
        pysam.tabix_compress(plain, str(tmp), force=True)
        pysam.tabix_index(str(tmp), preset="vcf", force=True)
        os.unlink(plain)
        os.replace(f"{tmp}.tbi", f"{path}.tbi")


DEMO_SAMPLES = ("demo_het", "demo_hom")
DEMO_SVS = (("DEL", "chrIV", 702_345, 752_345), ("INV", "chrVII", 601_234, 661_234), ("DUP", "chrXV", 503_210, 543_210))


def demo_vcf(fasta_path, vcf_path, truth_path, seed=7, n_snv=300, n_indel=60):
    """The bundled two-sample demo VCF and its truth table.

    ``demo_het`` carries every variant phased heterozygous (small variants on a
    random haplotype; the deletion and duplication on haplotype 1, the
    inversion on haplotype 2); ``demo_hom`` carries every variant on both
    haplotypes. SVs (:data:`DEMO_SVS`) are symbolic, small variants spell out
    their bases, and none lies within 20 bp of another.
    """
    rng = np.random.default_rng(seed)
    with pysam.FastaFile(str(fasta_path)) as fasta:
        svs = pd.DataFrame([structural_variant(fasta, *sv) for sv in DEMO_SVS])
        avoid = svs.assign(start=svs["pos"] - 1)[["chrom", "start", "end"]]
        nuclear = [c for c in fasta.references if c != "chrM"]
        small = random_small_variants(fasta, n_snv, n_indel, rng, avoid=avoid, chromosomes=nuclear)
        variants = merge_variants(fasta, small, svs)
        sv_haplotype = {"DEL": "1|0", "INV": "0|1", "DUP": "1|0"}
        het = [sv_haplotype[t] if t in sv_haplotype else str(rng.choice(["0|1", "1|0"])) for t in variants["type"]]
        genotypes = pd.DataFrame({DEMO_SAMPLES[0]: het, DEMO_SAMPLES[1]: "1|1"})
        write_vcf(variants, genotypes, fasta, vcf_path, source="hicmodels.simulation.demo_vcf")
    truth = pd.concat([variants, genotypes], axis=1)
    with atomic_output(truth_path) as tmp:
        truth.to_csv(tmp, sep="\t", index=False)
    return truth


# Planted in the simulated read sample by default: (type, chrom, 0-based start, end, genotype).
# One of each class on two chromosomes, over 250 kb apart so that each one's effect on predicted
# maps (200 kb windows) can be told apart, and larger than a 10 kb map bin.
SIMULATED_SVS = (
    ("DEL", "chrV", 100_000, 120_000, "1|1"),
    ("DUP", "chrV", 400_000, 415_000, "0|1"),
    ("INV", "chrIX", 200_000, 230_000, "1|1"),
)


def simulated_sample(fasta_path, out_dir, name, depth=20, seed=1, n_snv=1000, n_indel=200, svs=SIMULATED_SVS,
                     hom_fraction=0.4, chromosomes=None, **read_options):
    """A diploid sample with planted variants: truth VCF and simulated paired reads.

    Small variants are random (:func:`random_small_variants`, kept 20 bp away
    from the SVs), homozygous with probability ``hom_fraction``, otherwise on
    a random haplotype. The two haplotype genomes are made by ``bcftools
    consensus`` from the sequence-resolved form of every variant
    (:func:`explicit_structural_variant`); reads come from both
    (:func:`hicmodels.simulation.reads.write_fastq_pair`), ``depth / 2`` each.

    Parameters
    ----------
    fasta_path : str
        Indexed reference FASTA (plain or bgzip).
    out_dir : str
        Receives ``{name}_1.fq.gz``, ``{name}_2.fq.gz`` and ``{name}.truth.vcf.gz`` (+ ``.tbi``): the
        planted variants with SVs in symbolic form, small variants normalised
        (``bcftools norm``: left-aligned, as callers report them), sample ``name``.
    name : str
    depth : float
    seed : int
    n_snv, n_indel : int
    svs : sequence of (type, chrom, start, end, genotype)
        E.g. :data:`SIMULATED_SVS` or :func:`random_structural_variants`.
    hom_fraction : float
    chromosomes : list of str, optional
        Where small variants go (default: every sequence of the FASTA).
    **read_options
        Passed to :func:`hicmodels.simulation.reads.write_fastq_pair`.

    Returns
    -------
    DataFrame
        The planted variants (:data:`TRUTH_COLUMNS` + ``gt``), before normalisation.
    """
    from .reads import write_fastq_pair

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    with pysam.FastaFile(str(fasta_path)) as fasta:
        planted = pd.DataFrame([{**structural_variant(fasta, *sv[:4]), "gt": sv[4]} for sv in svs],
                               columns=TRUTH_COLUMNS[1:] + ["gt"])
        avoid = planted.assign(start=planted["pos"] - 1)[["chrom", "start", "end"]]
        small = random_small_variants(fasta, n_snv, n_indel, rng, avoid=avoid, chromosomes=chromosomes)
        hom = rng.random(len(small)) < hom_fraction
        small["gt"] = np.where(hom, "1|1", rng.choice(["0|1", "1|0"], len(small)))
        truth = merge_variants(fasta, small, planted)
        explicit = pd.DataFrame([explicit_structural_variant(fasta, v) if v["alt"].startswith("<") else dict(v)
                                 for _, v in truth.iterrows()])
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=".tmp.") as tmp:
            tmp = Path(tmp)
            write_vcf(truth[TRUTH_COLUMNS], truth[["gt"]].set_axis([name], axis=1), fasta, tmp / "truth.vcf.gz")
            write_vcf(explicit[TRUTH_COLUMNS], explicit[["gt"]].set_axis([name], axis=1), fasta,
                      tmp / "explicit.vcf.gz")
            haplotypes = [tmp / f"hap{hap}.fa" for hap in (1, 2)]
            for hap, path in enumerate(haplotypes, 1):
                _bcftools("consensus", "-f", fasta_path, "-s", name, "-H", str(hap), "-o", path,
                          tmp / "explicit.vcf.gz")
                pysam.faidx(str(path))
            write_fastq_pair(haplotypes, depth, out_dir / f"{name}_1.fq.gz", out_dir / f"{name}_2.fq.gz",
                             seed, **read_options)
            truth_vcf = out_dir / f"{name}.truth.vcf.gz"
            with atomic_output(truth_vcf) as normalised:
                _bcftools("norm", "-f", fasta_path, "-Oz", "-o", normalised, tmp / "truth.vcf.gz")
                _bcftools("index", "-t", "-o", f"{truth_vcf}.tbi", normalised)
    return truth


def _bcftools(*args):
    """Run bcftools; its message becomes the exception's if it fails."""
    result = subprocess.run(["bcftools", *map(str, args)], capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"bcftools {args[0]} failed: {result.stderr.strip()}")
