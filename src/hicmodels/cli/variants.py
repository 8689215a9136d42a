"""variants: a sample's VCF applied to the reference, both haplotype genomes with their chains."""

import pandas as pd

from ..config import section_schema
from .common import add_command, add_settings


def personal_genome(args):
    from ..variants import Policy, build_haplotypes

    build_haplotypes(args.fasta, args.vcf, args.sample, args.out_dir, policy=Policy.from_config(args.settings),
                     aliases=args.aliases, edits=args.edits, threads=args.threads)


def plot_summary(args):
    from ..evaluation.figures import personal_summary

    personal_summary(pd.read_csv(args.summary, sep="\t", keep_default_na=False), args.sample, args.out)


def register(commands):
    p = add_command(commands, "personal-genome", personal_genome,
                    "apply a sample's VCF to the reference: both haplotype genomes, chains, rejects, summary")
    p.add_argument("--fasta", required=True, help="reference FASTA, indexed (bgzip: .fai + .gzi)")
    p.add_argument("--vcf", required=True, help="sorted, bgzipped, indexed VCF/BCF")
    p.add_argument("--sample", required=True, help="the sample's column in the VCF")
    p.add_argument("--aliases", help="chromosome alias table (VCF names -> reference names)")
    p.add_argument("--edits", help="trans-duplications (BEDPE, see hicmodels.variants.editsfile)")
    p.add_argument("--out-dir", required=True,
                   help="receives hap{1,2}.fa.gz (+ .fai, .gzi), hap{1,2}.chain, rejects.tsv, summary.tsv")
    p.add_argument("--threads", type=int, default=1, help="bgzip compression threads")
    add_settings(p, lambda: section_schema("variants"), "config variants (the policies)")

    p = add_command(commands, "plot-summary", plot_summary,
                    "figure: what became of a sample's records (summary.tsv of personal-genome)")
    p.add_argument("--summary", required=True, help="summary.tsv of personal-genome")
    p.add_argument("--sample", required=True, help="sample name (the figure's title)")
    p.add_argument("--out", required=True, help="PNG written")
