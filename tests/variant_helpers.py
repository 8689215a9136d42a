"""Tiny references and VCFs for the variant tests, and a chain checker."""

import numpy as np
import pandas as pd
import pysam

from hicmodels.genome.fasta import IndexedFasta
from hicmodels.genome.liftover import invert, lift_intervals, read_chain
from hicmodels.variants import build_haplotypes, output_paths

COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")
INFO_HEADER = [
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">',
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">',
    '##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="SV length">',
    '##INFO=<ID=SVINSSEQ,Number=.,Type=String,Description="Inserted sequence">',
    '##INFO=<ID=INSSEQ,Number=.,Type=String,Description="Inserted sequence">',
    '##INFO=<ID=MATEID,Number=.,Type=String,Description="Mate">',
    '##FILTER=<ID=LowQual,Description="Low quality">',
    '##ALT=<ID=DEL,Description="Deletion">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
]


def write_fasta(path, seqs):
    """Plain FASTA + .fai."""
    with open(path, "w") as out:
        for name, seq in seqs.items():
            out.write(f">{name}\n{seq}\n")
    pysam.faidx(str(path))
    return path


def write_vcf(path, seqs, rows, samples=("S1",), contigs=None, header=INFO_HEADER, index=True):
    """bgzip VCF (+ .tbi) from rows ``(chrom, pos, id, ref, alt, filter, info, *genotypes)``."""
    contigs = seqs if contigs is None else contigs
    lines = ["##fileformat=VCFv4.2", *header]
    lines += [f"##contig=<ID={name},length={len(seq)}>" for name, seq in contigs.items()]
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]))
    for chrom, pos, vid, ref, alt, filt, info, *gts in rows:
        lines.append("\t".join([chrom, str(pos), vid, ref, alt, ".", filt, info, "GT", *gts]))
    plain = str(path).removesuffix(".gz")
    with open(plain, "w") as out:
        out.write("\n".join(lines) + "\n")
    pysam.tabix_compress(plain, f"{plain}.gz", force=True)
    if index:
        pysam.tabix_index(f"{plain}.gz", preset="vcf", force=True)
    return f"{plain}.gz"


def read_fasta(path):
    fasta = IndexedFasta(path)
    return {name: fasta.fetch(name).decode() for name in fasta.sizes}


class Built:
    """What build_haplotypes wrote, read back."""

    def __init__(self, prefix, summary):
        paths = output_paths(prefix)
        self.paths = paths
        self.summary = summary
        self.hap = {h: read_fasta(paths[f"hap{h}_fasta"]) for h in (1, 2)}
        self.blocks = {h: read_chain(paths[f"hap{h}_chain"])[0] for h in (1, 2)}
        self.rejects = pd.read_csv(paths["rejects"], sep="\t", dtype={"haplotype": int}, keep_default_na=False)

    def count(self, hap, outcome, cls=None, reason=None):
        s = self.summary
        mask = (s["haplotype"] == hap) & (s["outcome"] == outcome)
        if cls is not None:
            mask &= s["class"] == cls
        if reason is not None:
            mask &= s["reason"] == reason
        return int(s.loc[mask, "count"].sum())


def build(tmp_path, seqs, rows, sample="S1", **kwargs):
    """Write reference and VCF, build, read everything back."""
    ref = write_fasta(tmp_path / "ref.fa", seqs)
    vcf = kwargs.pop("vcf", None) or write_vcf(tmp_path / "in.vcf", seqs, rows, samples=kwargs.pop("samples", (sample,)))
    prefix = tmp_path / "out" / sample
    summary = build_haplotypes(ref, vcf, sample, prefix, **kwargs)
    return Built(prefix, summary)


def chain_check(ref, personal, blocks):
    """Lift every reference base through ``blocks`` and back.

    Asserts that each lifted copy lifts back to its own reference base and
    that every personal base has at most one origin.

    Returns
    -------
    list of (chrom, pos, personal base, expected base)
        Copies whose base is not the reference base (forward blocks) or its
        complement (reverse blocks): the substitutions the caller expects.
    """
    points = pd.DataFrame(
        [(c, i, i + 1) for c, seq in ref.items() for i in range(len(seq))], columns=["chrom", "start", "end"]
    )
    lifted = lift_intervals(blocks, points)
    back = lift_intervals(invert(blocks), lifted[["pchrom", "pstart", "pend"]].set_axis(["chrom", "start", "end"], axis=1))
    assert len(back) == len(lifted), "a personal base lifts back to more than one reference base"
    assert (back["pchrom"].to_numpy() == lifted["chrom"].to_numpy()).all()
    assert (back["pstart"].to_numpy() == lifted["start"].to_numpy()).all()
    changed = []
    for row in lifted.itertuples(index=False):
        want = ref[row.chrom][row.start]
        if row.strand == "-":
            want = want.translate(COMPLEMENT)
        got = personal[row.pchrom][row.pstart]
        if got != want:
            changed.append((row.chrom, row.start, got, want))
    return changed


def deleted(ref, blocks):
    """Reference positions with no personal copy, as ``{chrom: [pos, ...]}``."""
    covered = {c: np.zeros(len(s), dtype=bool) for c, s in ref.items()}
    for row in blocks.itertuples(index=False):
        covered[row.chrom][row.start : row.end] = True
    return {c: np.flatnonzero(~m).tolist() for c, m in covered.items() if (~m).any()}
