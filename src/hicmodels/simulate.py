"""Known-truth variant sets: random SNVs/indels with planted SVs, written as VCF.

Used to make the bundled demo VCF and the test fixtures; what was planted is
returned as a table so tests can compare against it.
"""

import os

import numpy as np
import pandas as pd
import pysam

from .files import atomic_output

TRUTH_COLUMNS = ["id", "chrom", "pos", "ref", "alt", "type", "end", "svlen"]


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


def structural_variant(fasta, svtype, chrom, start, end):
    """A symbolic SV record (``<DEL>``, ``<INV>`` or ``<DUP>``) over ``chrom:start-end`` (0-based).

    As in SV callers' VCFs, POS is the base before the event and END its last base.
    """
    anchor = fasta.fetch(chrom, start - 1, start).upper()
    svlen = {"DEL": -(end - start), "INV": end - start, "DUP": end - start}[svtype]
    return {"chrom": chrom, "pos": start, "ref": anchor, "alt": f"<{svtype}>", "type": svtype,
            "end": end, "svlen": svlen}


def _sorted_with_ids(table, order):
    rank = {c: i for i, c in enumerate(order)}
    table = table.assign(_rank=table["chrom"].map(rank)).sort_values(["_rank", "pos"]).drop(columns="_rank")
    table = table.reset_index(drop=True)
    prefix = np.where(table["alt"].str.startswith("<"), "sv_", "")
    table.insert(0, "id", [f"{p}{t.lower()}{i + 1}" for i, (p, t) in enumerate(zip(prefix, table["type"]))])
    return table[TRUTH_COLUMNS]


def merge_variants(fasta, *tables):
    """One sorted table (fresh ids) from several."""
    table = pd.concat([t.drop(columns="id", errors="ignore") for t in tables], ignore_index=True)
    return _sorted_with_ids(table, list(fasta.references))


def write_vcf(variants, genotypes, fasta, path, source="hicmodels.simulate"):
    """Write variants with per-sample genotypes as a bgzipped, indexed VCF.

    Parameters
    ----------
    variants : DataFrame
        :data:`TRUTH_COLUMNS`.
    genotypes : DataFrame
        One column per sample, one GT string (``0|1``, ``1/1``...) per variant row.
    fasta : pysam.FastaFile
        The reference (contig header lines).
    path : str
        ``.vcf.gz`` output; a ``.tbi`` index is written beside it.
    """
    header = ["##fileformat=VCFv4.2", f"##source={source}"]
    header += [f"##contig=<ID={c},length={n}>" for c, n in zip(fasta.references, fasta.lengths)]
    header += [
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant">',
        '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length difference (DEL < 0) or span (INV, DUP)">',
        '##ALT=<ID=DEL,Description="Deletion">',
        '##ALT=<ID=INV,Description="Inversion">',
        '##ALT=<ID=DUP,Description="Tandem duplication">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "#" + "\t".join(["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *genotypes.columns]),
    ]
    lines = []
    for (_, v), (_, gt) in zip(variants.iterrows(), genotypes.iterrows()):
        info = "."
        if v["alt"].startswith("<"):
            info = f"SVTYPE={v['type']};END={v['end']};SVLEN={v['svlen']}"
        lines.append("\t".join(map(str, [v["chrom"], v["pos"], v["id"], v["ref"], v["alt"], ".", "PASS", info,
                                         "GT", *gt.to_numpy()])))
    with atomic_output(path) as tmp:
        plain = f"{tmp}.vcf"
        with open(plain, "w") as out:
            out.write("\n".join(header + lines) + "\n")
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
        write_vcf(variants, genotypes, fasta, vcf_path, source="hicmodels.simulate.demo_vcf")
    truth = pd.concat([variants, genotypes], axis=1)
    with atomic_output(truth_path) as tmp:
        truth.to_csv(tmp, sep="\t", index=False)
    return truth
