"""``hicmodels <command>``: every workflow step as a command.

Bad input ends the command with exit status 2 and one ``error:`` line naming
the file and record; other failures keep their traceback.
"""

import argparse
import json
import logging
import sys

import pandas as pd

from .errors import InputError

log = logging.getLogger("hicmodels")


def _json(text):
    return json.loads(text)


def _reference_sizes(fasta):
    from .genome.reference import chromsizes

    return chromsizes(fasta)


def _experimental(args, balance=True):
    from .genome.aliases import read_aliases
    from .hic.cool import ExperimentalMap

    return ExperimentalMap(args.cool, read_aliases(args.aliases), _reference_sizes(args.fasta), balance)


def _tracks(args):
    """Track bigWigs (``--tracks NAME=PATH``) and the alias table to read them with."""
    from .genome.aliases import read_aliases
    from .tracks import parse_tracks

    return parse_tracks(args.tracks), read_aliases(args.aliases) if args.aliases else None


def cmd_prepare_reference(args):
    from .genome import reference
    from .genome.fasta import write_bgzip_fasta

    write_bgzip_fasta(args.input, args.fasta)
    sizes = reference.chromsizes(args.fasta)
    reference.write_chromsizes(sizes, args.chromsizes)
    centromeres = reference.read_bed(args.centromeres, 3) if args.centromeres else None
    excluded = reference.excluded_regions(args.fasta, args.min_n_run, args.telomere_bp, centromeres,
                                          args.centromere_pad)
    reference.write_bed(excluded, args.excluded)
    log.info("%d chromosomes, %d bp; %d excluded regions (%s)", len(sizes), sizes.sum(), len(excluded),
             excluded["name"].value_counts().to_dict())


def cmd_personal_genome(args):
    from .variants import build_haplotypes_command

    build_haplotypes_command(
        args.fasta, args.vcf, args.sample, args.out_dir, aliases=args.aliases, edits=args.edits,
        unphased=args.unphased, filters=args.filters, filter_missing=args.filter_missing,
        ref_mismatch=args.ref_mismatch, overlap=args.overlap, unknown_contig=args.unknown_contig, threads=args.threads,
    )


def cmd_windows(args):
    from .genome import reference, windows

    table = windows.reference_windows(
        reference.chromsizes(args.fasta), args.chromosomes, args.size, args.step, args.bin_size,
        reference.read_bed(args.excluded, 4), {"test": args.test, "validation": args.validation},
    )
    windows.write_windows(table, args.out)
    log.info("%d windows: %s", len(table), table["split"].value_counts().to_dict())


def cmd_lift_windows(args):
    from .genome import liftover, windows

    blocks, _, personal_sizes = liftover.read_chain(args.chain)
    table = windows.haplotype_windows(windows.read_windows(args.windows), blocks, pd.Series(personal_sizes))
    windows.write_windows(table, args.out)
    log.info("%d windows, %d predictable", len(table), (table["status"] == "ok").sum())


def cmd_train(args):
    from .genome.windows import read_windows
    from .training import train

    track_paths, aliases = _tracks(args)
    train(args.fasta, _experimental(args, args.training["balance"]), read_windows(args.windows), args.model,
          args.training, args.checkpoint, args.log_table, args.threads, track_paths, aliases)


def cmd_train_diffusion(args):
    from .genome.windows import read_windows
    from .training import train_diffusion

    track_paths, aliases = _tracks(args)
    train_diffusion(args.fasta, _experimental(args, args.training["balance"]), read_windows(args.windows),
                    args.encoder_decoder, args.training, args.checkpoint, args.log_table, args.threads, track_paths,
                    aliases)


def cmd_predict(args):
    from .genome.windows import read_windows
    from .prediction import predict

    track_paths, aliases = _tracks(args)
    predict(args.checkpoint, args.fasta, read_windows(args.windows), args.out, args.batch_size, args.threads,
            track_paths, aliases, args.compile, args.sampling_steps, args.seed, args.chain)


def cmd_assemble(args):
    from .assemble import assemble_cool, personal_sequence_table
    from .files import write_tsv
    from .genome import liftover
    from .genome.windows import read_windows
    from .prediction import read_predictions

    ids, maps, attrs = read_predictions(args.predictions)
    blocks, _, personal_sizes = liftover.read_chain(args.chain) if args.chain else (None, None, None)
    windows = read_windows(args.windows)
    metadata = {"predicted_by": "hicmodels", "values": "balanced contacts scaled to a genome-wide mean of 1",
                "contact_scale": float(attrs["contact_scale"]), "haplotype_chain": args.chain or None}
    assemble_cool(windows, ids, maps, _reference_sizes(args.fasta), args.bin_size, args.out, blocks,
                  args.min_coverage, metadata)
    if args.personal_sequence:
        table = personal_sequence_table(windows, ids, maps.shape[1], blocks, personal_sizes)
        write_tsv(table, args.personal_sequence)
        for kind, part in table.groupby("kind"):
            log.info("%d %s stretches (%d bp), %d of them read by predicted windows", len(part), kind,
                     (part["pend"] - part["pstart"]).sum(), (part["windows"] > 0).sum())


def cmd_zoomify(args):
    from .hic.cool import zoomify

    zoomify(args.cool, args.out, args.resolutions)


def cmd_evaluate(args):
    from .evaluation import evaluate
    from .files import write_tsv
    from .genome.windows import read_windows
    from .training import load_checkpoint

    checkpoint = load_checkpoint(args.checkpoint)
    windows = read_windows(args.windows)
    train_chroms = list(dict.fromkeys(windows.loc[windows["split"] == "train", "chrom"]))
    test_chroms = list(dict.fromkeys(windows.loc[windows["split"] == "test", "chrom"]))
    width = checkpoint["window_size"] // checkpoint["bin_size"]
    table = evaluate(args.predicted, _experimental(args), test_chroms, train_chroms, width,
                     checkpoint["contact_scale"], args.settings)
    write_tsv(table, args.out, float_format="%.4f")
    log.info("\n%s", table.to_string(index=False))


def cmd_plot_test_windows(args):
    import cooler

    from .genome.windows import read_windows
    from .plots import test_windows
    from .training import load_checkpoint

    windows = read_windows(args.windows)
    test_windows(cooler.Cooler(args.predicted), _experimental(args), windows[windows["split"] == "test"],
                 load_checkpoint(args.checkpoint)["contact_scale"], args.out)


def cmd_plot_structural_variants(args):
    import cooler

    from .genome.aliases import read_aliases
    from .plots import structural_variants
    from .variants.policy import Policy
    from .variants.records import structural_variants_of

    aliases = read_aliases(args.aliases) if args.aliases else None
    policy = Policy.from_strings(filters=args.filters, filter_missing=args.filter_missing)
    svs = structural_variants_of(args.vcf, args.sample, args.min_size, aliases, policy)
    haplotypes = {f"hap{i}": cooler.Cooler(path) for i, path in enumerate(args.haplotypes, 1)}
    structural_variants(cooler.Cooler(args.reference), haplotypes, svs, args.out)


def cmd_plot_personal_summary(args):
    from .plots import personal_summary

    personal_summary(pd.read_csv(args.summary, sep="\t", keep_default_na=False), args.sample, args.out)


def cmd_plot_metrics(args):
    from .plots import metrics_bars

    metrics_bars(pd.read_csv(args.metrics, sep="\t"), args.out)


def cmd_synthetic_genome(args):
    from .synthetic import make_genome, write_genome

    genome = make_genome(args.chromosomes, args.bins, args.bin_size, args.seed)
    write_genome(genome, args.bin_size, args.out_dir, args.seed)


def cmd_demo_vcf(args):
    from .simulate import demo_vcf

    truth = demo_vcf(args.fasta, args.out, args.truth, args.seed)
    log.info("%d variants: %s", len(truth), truth["type"].value_counts().to_dict())


def cmd_simulate_sample(args):
    import numpy as np
    import pysam

    from .simulate import SIMULATED_SVS, random_structural_variants, simulated_sample

    svs = SIMULATED_SVS
    if args.random_svs:
        with pysam.FastaFile(args.fasta) as fasta:
            svs = random_structural_variants(fasta, args.random_svs, np.random.default_rng(args.seed),
                                             args.chromosomes)
    truth = simulated_sample(args.fasta, args.out_dir, args.name, depth=args.depth, seed=args.seed,
                             n_snv=args.snvs, n_indel=args.indels, svs=svs, chromosomes=args.chromosomes)
    log.info("%d variants planted: %s", len(truth), truth["type"].value_counts().to_dict())


def cmd_coverage(args):
    from .alignments import check_contigs, check_header
    from .calling.coverage import coverage_table, open_alignments
    from .files import atomic_output

    check_contigs(args.bam, check_header(args.bam), _reference_sizes(args.reference), args.chromosomes)
    with open_alignments(args.bam, args.reference) as bam:
        table = coverage_table(bam, args.chromosomes, args.min_mapq, args.thresholds)
    with atomic_output(args.out) as tmp:
        table.to_csv(tmp, sep="\t", index=False, float_format="%.4f")
    log.info("\n%s", table.to_string(index=False))


def cmd_filter_svs(args):
    from .calling.structural import filter_sv_calls

    counts = filter_sv_calls(args.vcf, args.out, args.sample, args.min_size, args.junction_bp)
    log.info("records per FILTER: %s", counts.to_dict())


def cmd_evaluate_calls(args):
    from .calling.evaluate import evaluate, read_variants
    from .files import atomic_output

    truth = read_variants(args.truth, args.calls_sample, args.chromosomes, fallback=True)
    calls = read_variants(args.calls, args.calls_sample, args.chromosomes)
    summary, recovery = evaluate(truth, calls, args.tolerance, args.min_overlap)
    for table, path in ((summary, args.summary), (recovery, args.sv_recovery)):
        with atomic_output(path) as tmp:
            table.to_csv(tmp, sep="\t", index=False, float_format="%.4f")
    log.info("\n%s\n%s", summary.to_string(index=False), recovery.to_string(index=False))


def build_parser():
    from .variants.policy import CHOICES  # the personal-genome policies

    parser = argparse.ArgumentParser(prog="hicmodels", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name, func, help):
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = command("prepare-reference", cmd_prepare_reference, "bgzip + index the reference, chrom sizes, excluded regions")
    p.add_argument("--input", required=True, help="reference FASTA (plain, gzip or bgzip)")
    p.add_argument("--fasta", required=True, help="bgzipped, indexed FASTA written")
    p.add_argument("--chromsizes", required=True)
    p.add_argument("--excluded", required=True, help="BED of excluded regions written")
    p.add_argument("--min-n-run", type=int, default=1000)
    p.add_argument("--telomere-bp", type=int, default=0)
    p.add_argument("--centromeres", help="BED of centromeres")
    p.add_argument("--centromere-pad", type=int, default=0)

    p = command("personal-genome", cmd_personal_genome,
                "apply a sample's VCF to the reference: both haplotype genomes, chains, rejects, summary")
    p.add_argument("--fasta", required=True, help="reference FASTA, indexed (bgzip: .fai + .gzi)")
    p.add_argument("--vcf", required=True, help="sorted, bgzipped, indexed VCF/BCF")
    p.add_argument("--sample", required=True, help="the sample's column in the VCF")
    p.add_argument("--aliases", help="chromosome alias table (VCF names -> reference names)")
    p.add_argument("--edits", help="trans-duplications (BEDPE, see hicmodels.variants.editsfile)")
    p.add_argument("--out-dir", required=True,
                   help="receives hap{1,2}.fa.gz (+ .fai, .gzi), hap{1,2}.chain, rejects.tsv, summary.tsv")
    p.add_argument("--unphased", choices=CHOICES["unphased"], default="hap1",
                   help="unphased heterozygous ALT: haplotype 1 only, both, or skip")
    p.add_argument("--filters", default="PASS", help="accepted FILTER values, comma-separated, or 'any'")
    p.add_argument("--filter-missing", choices=CHOICES["filter_missing"], default="accept", help="FILTER '.'")
    p.add_argument("--ref-mismatch", choices=CHOICES["ref_mismatch"], default="error",
                   help="REF differs from the reference")
    p.add_argument("--overlap", choices=CHOICES["overlap"], default="skip",
                   help="record overlapping one already applied to the haplotype")
    p.add_argument("--unknown-contig", choices=CHOICES["unknown_contig"], default="error",
                   help="chromosome in neither the reference nor the alias table")
    p.add_argument("--threads", type=int, default=1, help="bgzip compression threads")

    p = command("windows", cmd_windows, "tile the reference into model windows")
    p.add_argument("--fasta", required=True)
    p.add_argument("--excluded", required=True)
    p.add_argument("--chromosomes", nargs="+", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--step", type=int, required=True)
    p.add_argument("--bin-size", type=int, required=True)
    p.add_argument("--test", nargs="*", default=[])
    p.add_argument("--validation", nargs="*", default=[])
    p.add_argument("--out", required=True)

    p = command("lift-windows", cmd_lift_windows, "carry reference windows into a haplotype")
    p.add_argument("--windows", required=True)
    p.add_argument("--chain", required=True, help="reference -> haplotype chain")
    p.add_argument("--out", required=True)

    for name, func, help in (("train", cmd_train, "train a model on reference windows"),
                             ("train-diffusion", cmd_train_diffusion,
                              "train the diffusion stage on a trained encoder-decoder's residual"),
                             ("evaluate", cmd_evaluate, "metrics of the predicted reference map vs experiment"),
                             ("plot-test-windows", cmd_plot_test_windows, "figure: held-out windows")):
        p = command(name, func, help)
        p.add_argument("--fasta", required=True, help="reference FASTA")
        p.add_argument("--cool", required=True, help="experimental cooler")
        p.add_argument("--aliases", required=True, help="chromosome alias table")
        p.add_argument("--windows", required=True)
        if name.startswith("train"):
            if name == "train":
                p.add_argument("--model", type=_json, required=True, help="model config (JSON)")
            else:
                p.add_argument("--encoder-decoder", required=True, help="trained encoder-decoder checkpoint")
            p.add_argument("--training", type=_json, required=True, help="training config (JSON)")
            p.add_argument("--checkpoint", required=True)
            p.add_argument("--log-table", required=True)
            p.add_argument("--threads", type=int)
            p.add_argument("--tracks", nargs="*", default=[], metavar="NAME=PATH", help="bigWig of each model track")
        else:
            p.add_argument("--checkpoint", required=True)
            p.add_argument("--predicted", required=True, help="predicted reference .cool")
            p.add_argument("--out", required=True)
            if name == "evaluate":
                p.add_argument("--settings", type=_json, required=True, help="metrics config (JSON)")

    p = command("predict", cmd_predict, "predict window maps")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--fasta", required=True, help="genome the windows' seq_* columns refer to")
    p.add_argument("--windows", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--threads", type=int)
    p.add_argument("--tracks", nargs="*", default=[], metavar="NAME=PATH", help="bigWig of each model track")
    p.add_argument("--aliases", help="chromosome alias table for the track bigWigs")
    p.add_argument("--compile", action="store_true", help="run the model through torch.compile")
    p.add_argument("--sampling-steps", type=int, help="diffusion sampling steps (default: the training chain)")
    p.add_argument("--seed", type=int, default=0, help="seed of the diffusion noise")
    p.add_argument("--chain", help="reference -> haplotype chain, for a haplotype (lifts the tracks)")

    p = command("assemble", cmd_assemble, "stitch window predictions into a reference-coordinate .cool")
    p.add_argument("--predictions", required=True)
    p.add_argument("--windows", required=True)
    p.add_argument("--fasta", required=True, help="reference FASTA (names and lengths of the output)")
    p.add_argument("--chain", help="reference -> haplotype chain (haplotype predictions)")
    p.add_argument("--bin-size", type=int, required=True)
    p.add_argument("--min-coverage", type=float, default=0.5)
    p.add_argument("--out", required=True)
    p.add_argument("--personal-sequence",
                   help="TSV written: the haplotype's inserted bases and extra copies, with the window bins on them "
                        "(header only without --chain)")

    p = command("zoomify", cmd_zoomify, "aggregate a .cool into a multi-resolution .mcool")
    p.add_argument("--cool", required=True)
    p.add_argument("--resolutions", type=int, nargs="+", required=True)
    p.add_argument("--out", required=True)

    p = command("plot-structural-variants", cmd_plot_structural_variants, "figure: maps around a sample's SVs")
    p.add_argument("--vcf", required=True)
    p.add_argument("--sample", required=True)
    p.add_argument("--reference", required=True, help="predicted reference .cool")
    p.add_argument("--haplotypes", nargs="+", required=True, help="predicted haplotype .cool files")
    p.add_argument("--min-size", type=int, default=20_000)
    p.add_argument("--aliases", help="chromosome alias table (VCF names -> reference names)")
    p.add_argument("--filters", default="PASS", help="FILTER values of the records drawn, comma-separated, or 'any'")
    p.add_argument("--filter-missing", choices=CHOICES["filter_missing"], default="accept", help="FILTER '.'")
    p.add_argument("--out", required=True)

    p = command("plot-personal-summary", cmd_plot_personal_summary,
                "figure: what became of a sample's records (summary.tsv of personal-genome)")
    p.add_argument("--summary", required=True)
    p.add_argument("--sample", required=True)
    p.add_argument("--out", required=True)

    p = command("plot-metrics", cmd_plot_metrics, "figure: metrics of model vs baseline")
    p.add_argument("--metrics", required=True)
    p.add_argument("--out", required=True)

    p = command("simulate-sample", cmd_simulate_sample,
                "plant known variants into a genome and simulate paired reads from its two haplotypes")
    p.add_argument("--fasta", required=True, help="indexed reference FASTA")
    p.add_argument("--out-dir", required=True, help="receives NAME_1.fq.gz, NAME_2.fq.gz, NAME.truth.vcf.gz")
    p.add_argument("--name", required=True, help="sample name")
    p.add_argument("--depth", type=float, default=20)
    p.add_argument("--snvs", type=int, default=1000)
    p.add_argument("--indels", type=int, default=200)
    p.add_argument("--chromosomes", nargs="+", help="where variants go (default: all)")
    p.add_argument("--random-svs", type=int, default=0, metavar="N",
                   help="plant N random SVs of each type (DEL, INV, DUP; 5-50 kb) instead of the fixed three")
    p.add_argument("--seed", type=int, default=1)

    p = command("coverage", cmd_coverage, "coverage QC of alignments: depth and fraction of bases covered")
    p.add_argument("--bam", required=True, help="indexed BAM or CRAM")
    p.add_argument("--reference", required=True, help="reference FASTA (lengths; decodes a CRAM)")
    p.add_argument("--chromosomes", nargs="+", required=True)
    p.add_argument("--min-mapq", type=int, default=20)
    p.add_argument("--thresholds", type=int, nargs="+", default=[1, 10, 20])
    p.add_argument("--out", required=True)

    p = command("filter-svs", cmd_filter_svs, "add FILTER values to delly's SV calls")
    p.add_argument("--vcf", required=True, help="delly call output (BCF/VCF)")
    p.add_argument("--sample", help="sample column (default: the only one)")
    p.add_argument("--min-size", type=int, default=50)
    p.add_argument("--junction-bp", type=int, default=1000)
    p.add_argument("--out", required=True, help="bgzipped VCF, indexed")

    p = command("evaluate-calls", cmd_evaluate_calls, "recall and precision of calls against a truth VCF")
    p.add_argument("--truth", required=True, help="normalised truth VCF")
    p.add_argument("--calls", required=True, help="normalised calls VCF")
    p.add_argument("--calls-sample", required=True,
                   help="sample column of the calls (also read from the truth if it has it, else its only one)")
    p.add_argument("--chromosomes", nargs="+", help="score only these")
    p.add_argument("--tolerance", type=int, default=100, help="SV breakpoint tolerance (bp)")
    p.add_argument("--min-overlap", type=float, default=0.5, help="SV reciprocal overlap")
    p.add_argument("--summary", required=True, help="per-class TSV written")
    p.add_argument("--sv-recovery", required=True, help="per-truth-SV TSV written")

    p = command("synthetic-genome", cmd_synthetic_genome,
                "write a known-truth synthetic genome: FASTA, .cool maps, motifs, CTCF and ATAC bigWigs")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--chromosomes", type=int, default=6)
    p.add_argument("--bins", type=int, default=400, help="bins per chromosome")
    p.add_argument("--bin-size", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)

    p = command("demo-vcf", cmd_demo_vcf, "write the two-sample demo VCF and its truth table")
    p.add_argument("--fasta", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--truth", required=True)
    p.add_argument("--seed", type=int, default=7)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        args.func(args)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
