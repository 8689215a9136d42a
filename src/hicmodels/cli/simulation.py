"""simulation: known-truth test data: synthetic genomes, the demo VCF, simulated samples with reads.

Every generator takes an explicit ``--seed``; other options left out take the generator
functions' own defaults.
"""

import logging

from ..errors import InputError
from .common import add_command

log = logging.getLogger("hicmodels")


def _given(args, *names):
    """The options of ``names`` that were given, as keyword arguments."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def synthetic_genome(args):
    from ..simulation.synthetic_genome import make_genome, write_genome

    options = _given(args, "n_chroms", "nbins", "binsize")
    if "nbins" in options:
        if "n_chroms" in options and len(options["nbins"]) not in (1, options["n_chroms"]):
            raise InputError(f"--bins: {len(options['nbins'])} values for {options['n_chroms']} chromosomes "
                             f"(give one, or one per chromosome)")
        nbins = options.pop("nbins")
        options["nbins"] = nbins[0] if len(nbins) == 1 else nbins
    genome = make_genome(seed=args.seed, **options)
    first = next(iter(genome.values()))
    write_genome(genome, len(first["sequence"]) // len(first["expected"]), args.out_dir, args.seed)


def demo_vcf(args):
    from ..simulation.samples import demo_vcf as write_demo

    truth = write_demo(args.fasta, args.out, args.truth, args.seed)
    log.info("%d variants: %s", len(truth), truth["type"].value_counts().to_dict())


def simulate_sample(args):
    import numpy as np
    import pysam

    from ..simulation.samples import random_structural_variants, simulated_sample

    options = _given(args, "depth", "n_snv", "n_indel", "chromosomes")
    if args.random_svs:
        with pysam.FastaFile(args.fasta) as fasta:
            options["svs"] = random_structural_variants(fasta, args.random_svs, np.random.default_rng(args.seed),
                                                        args.chromosomes)
    truth = simulated_sample(args.fasta, args.out_dir, args.name, seed=args.seed, **options)
    log.info("%d variants planted: %s", len(truth), truth["type"].value_counts().to_dict())


def register(commands):
    p = add_command(commands, "synthetic-genome", synthetic_genome,
                    "write a known-truth synthetic genome: FASTA, .cool maps, motifs, CTCF and ATAC bigWigs")
    p.add_argument("--out-dir", required=True, help="receives genome.fa, observed.cool, expected.cool, motifs, bigWigs")
    p.add_argument("--chromosomes", dest="n_chroms", type=int, help="number of chromosomes")
    p.add_argument("--bins", dest="nbins", type=int, nargs="+",
                   help="bins per chromosome: one number for all, or one per chromosome (then --chromosomes is "
                        "their count)")
    p.add_argument("--bin-size", dest="binsize", type=int, help="bases per bin")
    p.add_argument("--seed", type=int, required=True, help="seed of every random draw")

    p = add_command(commands, "demo-vcf", demo_vcf, "write the two-sample demo VCF and its truth table")
    p.add_argument("--fasta", required=True, help="indexed sacCer3 FASTA")
    p.add_argument("--out", required=True, help="bgzipped, indexed VCF written")
    p.add_argument("--truth", required=True, help="truth table written (TSV)")
    p.add_argument("--seed", type=int, required=True, help="seed of every random draw")

    p = add_command(commands, "simulate-sample", simulate_sample,
                    "plant known variants into a genome and simulate paired reads from its two haplotypes")
    p.add_argument("--fasta", required=True, help="indexed reference FASTA")
    p.add_argument("--out-dir", required=True, help="receives NAME_1.fq.gz, NAME_2.fq.gz, NAME.truth.vcf.gz")
    p.add_argument("--name", required=True, help="sample name")
    p.add_argument("--depth", type=float, help="read depth over both haplotypes")
    p.add_argument("--snvs", dest="n_snv", type=int, help="SNVs planted")
    p.add_argument("--indels", dest="n_indel", type=int, help="indels planted (1-10 bp)")
    p.add_argument("--chromosomes", nargs="+", help="where variants go (default: all)")
    p.add_argument("--random-svs", type=int, default=0, metavar="N",
                   help="plant N random SVs of each type (DEL, INV, DUP; 5-50 kb) instead of the fixed three")
    p.add_argument("--seed", type=int, required=True, help="seed of every random draw")
    register_track_bams(commands)


def track_bams(args):
    from ..modelling.tracks import parse_tracks
    from ..simulation.track_reads import write_track_bam

    for offset, (name, bigwig) in enumerate(parse_tracks(args.tracks).items()):
        out = f"{args.out_dir}/{name}.bam"
        write_track_bam(args.fasta, bigwig, out, args.reads_per_kb, args.seed + offset, args.read_length)
        log.info("%s: reads drawn from %s -> %s", name, bigwig, out)


def register_track_bams(commands):
    p = add_command(commands, "track-bams", track_bams,
                    "simulate sorted, indexed BAMs of reads drawn from bigWig tracks (known-truth coverage)")
    p.add_argument("--fasta", required=True, help="indexed FASTA of the genome the tracks are on")
    p.add_argument("--tracks", nargs="+", required=True, metavar="NAME=BIGWIG", help="signals to draw reads from")
    p.add_argument("--out-dir", required=True, help="receives NAME.bam and NAME.bam.bai")
    p.add_argument("--reads-per-kb", type=float, default=200.0, help="reads per kb of genome")
    p.add_argument("--read-length", type=int, default=50, help="bases per read")
    p.add_argument("--seed", type=int, required=True, help="seed of the first track's draws (next tracks: +1 each)")
