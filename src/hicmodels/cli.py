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

    reference.write_bgzip_fasta(args.input, args.fasta)
    sizes = reference.chromsizes(args.fasta)
    reference.write_chromsizes(sizes, args.chromsizes)
    centromeres = reference.read_bed(args.centromeres, 3) if args.centromeres else None
    excluded = reference.excluded_regions(args.fasta, args.min_n_run, args.telomere_bp, centromeres,
                                          args.centromere_pad)
    reference.write_bed(excluded, args.excluded)
    log.info("%d chromosomes, %d bp; %d excluded regions (%s)", len(sizes), sizes.sum(), len(excluded),
             excluded["name"].value_counts().to_dict())


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
            track_paths, aliases, args.compile, args.sampling_steps, args.seed)


def cmd_assemble(args):
    from .assemble import assemble_cool
    from .genome import liftover
    from .genome.windows import read_windows
    from .prediction import read_predictions

    ids, maps, attrs = read_predictions(args.predictions)
    blocks = liftover.read_chain(args.chain)[0] if args.chain else None
    metadata = {"predicted_by": "hicmodels", "values": "balanced contacts scaled to a genome-wide mean of 1",
                "contact_scale": float(attrs["contact_scale"]), "haplotype_chain": args.chain or None}
    assemble_cool(read_windows(args.windows), ids, maps, _reference_sizes(args.fasta), args.bin_size, args.out,
                  blocks, args.min_coverage, metadata)


def cmd_zoomify(args):
    from .hic.cool import zoomify

    zoomify(args.cool, args.out, args.resolutions)


def cmd_evaluate(args):
    from .evaluation import evaluate
    from .files import atomic_output
    from .genome.windows import read_windows
    from .training import load_checkpoint

    checkpoint = load_checkpoint(args.checkpoint)
    windows = read_windows(args.windows)
    train_chroms = list(dict.fromkeys(windows.loc[windows["split"] == "train", "chrom"]))
    test_chroms = list(dict.fromkeys(windows.loc[windows["split"] == "test", "chrom"]))
    width = checkpoint["window_size"] // checkpoint["bin_size"]
    table = evaluate(args.predicted, _experimental(args), test_chroms, train_chroms, width,
                     checkpoint["contact_scale"], args.settings)
    with atomic_output(args.out) as tmp:
        table.to_csv(tmp, sep="\t", index=False, float_format="%.4f")
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

    from .plots import structural_variants
    from .variants.structural import structural_variants_of

    svs = structural_variants_of(args.vcf, args.sample, args.min_size)
    haplotypes = {f"hap{i}": cooler.Cooler(path) for i, path in enumerate(args.haplotypes, 1)}
    structural_variants(cooler.Cooler(args.reference), haplotypes, svs, args.out)


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


def build_parser():
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

    p = command("assemble", cmd_assemble, "stitch window predictions into a reference-coordinate .cool")
    p.add_argument("--predictions", required=True)
    p.add_argument("--windows", required=True)
    p.add_argument("--fasta", required=True, help="reference FASTA (names and lengths of the output)")
    p.add_argument("--chain", help="reference -> haplotype chain (haplotype predictions)")
    p.add_argument("--bin-size", type=int, required=True)
    p.add_argument("--min-coverage", type=float, default=0.5)
    p.add_argument("--out", required=True)

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
    p.add_argument("--out", required=True)

    p = command("plot-metrics", cmd_plot_metrics, "figure: metrics of model vs baseline")
    p.add_argument("--metrics", required=True)
    p.add_argument("--out", required=True)

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
