"""evaluation: metrics of predicted maps against experiment beside baselines, and the report's figures."""

import logging

import pandas as pd

from ..config import config_schema, section_schema, settings_schema
from .common import add_command, add_settings, experimental_map

log = logging.getLogger("hicmodels")


def metrics(args):
    from ..evaluation.scoring import common_band, evaluate_checkpoint, side_by_side
    from ..files import write_tsv
    from ..genome.fasta import IndexedFasta
    from ..genome.windows import read_windows
    from ..modelling.checkpoints import load_checkpoint

    experimental = experimental_map(args.cool, args.aliases, args.fasta, True)
    fasta = IndexedFasta(args.fasta)
    tables = {}
    last_offset = common_band([predicted for _, predicted, _, _ in args.model])
    log.info("offsets up to %s scored: the band every model's map holds", last_offset)
    for name, predicted, checkpoint, windows in args.model:
        tables[name] = evaluate_checkpoint(predicted_path=predicted, checkpoint=load_checkpoint(checkpoint),
                                           windows=read_windows(windows), experimental=experimental,
                                           settings=args.settings, name=name, last_offset=last_offset,
                                           sequence_of=fasta.fetch)
    table = side_by_side(tables)
    write_tsv(table, args.out, float_format="%.4f")
    log.info("\n%s", table.to_string(index=False))


def plot_test_windows(args):
    from ..evaluation.figures import test_windows
    from ..hic.cool import open_cooler
    from ..genome.windows import read_windows
    from ..modelling.checkpoints import load_checkpoint

    windows = read_windows(args.windows)
    test_windows(open_cooler(args.predicted), experimental_map(args.cool, args.aliases, args.fasta, True),
                 windows[windows["split"] == "test"], load_checkpoint(args.checkpoint)["contact_scale"], args.out)


def plot_structural_variants(args):
    from ..evaluation.figures import structural_variants
    from ..genome.aliases import read_aliases
    from ..hic.cool import open_cooler
    from ..variants.policy import Policy
    from ..variants.records import structural_variants_of

    aliases = read_aliases(args.aliases) if args.aliases else None
    policy = Policy.from_config(args.settings["variants"])
    svs = structural_variants_of(args.vcf, args.sample, args.settings["figures"]["min_sv_bp"], aliases, policy)
    haplotypes = {f"hap{i}": open_cooler(path) for i, path in enumerate(args.haplotypes, 1)}
    structural_variants(open_cooler(args.reference), haplotypes, svs, args.out)


def plot_metrics(args):
    from ..evaluation.figures import metrics_bars

    metrics_bars(pd.read_csv(args.metrics, sep="\t"), args.out)


def _figure_schema():
    sections = config_schema()["properties"]
    return settings_schema({"type": "object", "additionalProperties": False,
                            "properties": {"variants": sections["variants"], "figures": sections["figures"]}})


def _experiment(p):
    p.add_argument("--fasta", required=True, help="reference FASTA")
    p.add_argument("--cool", required=True, help="experimental cooler (.cool or .mcool::/resolutions/N)")
    p.add_argument("--aliases", required=True, help="chromosome alias table")


def register(commands):
    p = add_command(commands, "metrics", metrics,
                    "metrics of predicted reference maps vs experiment, models side by side with the baselines")
    _experiment(p)
    p.add_argument("--model", nargs=4, action="append", required=True,
                   metavar=("NAME", "PREDICTED_COOL", "CHECKPOINT", "WINDOWS"),
                   help="a model: its name, predicted reference .cool, checkpoint and window table (repeatable)")
    p.add_argument("--out", required=True, help="metrics table written (TSV)")
    add_settings(p, lambda: section_schema("metrics"), "config metrics")

    p = add_command(commands, "plot-test-windows", plot_test_windows, "figure: held-out windows")
    _experiment(p)
    p.add_argument("--windows", required=True, help="the model's reference window table")
    p.add_argument("--checkpoint", required=True, help="the model's checkpoint (its contact scale)")
    p.add_argument("--predicted", required=True, help="predicted reference .cool")
    p.add_argument("--out", required=True, help="PNG written")

    p = add_command(commands, "plot-structural-variants", plot_structural_variants,
                    "figure: maps around a sample's SVs")
    p.add_argument("--vcf", required=True, help="the sample's VCF")
    p.add_argument("--sample", required=True, help="the sample's column in the VCF")
    p.add_argument("--reference", required=True, help="predicted reference .cool")
    p.add_argument("--haplotypes", nargs="+", required=True, help="predicted haplotype .cool files")
    p.add_argument("--aliases", help="chromosome alias table (VCF names -> reference names)")
    p.add_argument("--out", required=True, help="PNG written")
    add_settings(p, _figure_schema, '{"variants": config variants (FILTER policy), "figures": config figures}')

    p = add_command(commands, "plot-metrics", plot_metrics, "figure: metrics of the models vs the baselines")
    p.add_argument("--metrics", required=True, help="metrics table (evaluation metrics)")
    p.add_argument("--out", required=True, help="PNG written")
