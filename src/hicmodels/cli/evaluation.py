"""evaluation: metrics of predicted maps against experiment beside baselines, and the report's figures."""

import logging

import numpy as np
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


def _test_windows(path):
    """The predictable test windows of a window table."""
    from ..genome.windows import read_windows

    windows = read_windows(path)
    return windows[(windows["split"] == "test") & (windows["status"] == "ok")].reset_index(drop=True)


def _windows_of(path, split):
    """The windows of a window table in ``split``."""
    from ..genome.windows import read_windows

    windows = read_windows(path)
    return windows[windows["split"] == split]


def _example_regions(windows, count):
    """Up to ``count`` evenly spaced windows of ``windows``."""
    return windows.iloc[np.unique(np.linspace(0, len(windows) - 1, min(count, len(windows))).astype(int))]


def _experimental_window_maps(experimental, regions, binsize, scale):
    return [experimental.window(r.chrom, r.start, r.end, (r.end - r.start) // binsize, scale)
            for r in regions.itertuples()]


def plot_example_windows(args):
    from ..evaluation.paper import EXAMPLE_WINDOWS, example_windows, region_matrix
    from ..hic.cool import open_cooler
    from ..modelling.checkpoints import load_checkpoint

    experimental = experimental_map(args.cool, args.aliases, args.fasta, True)
    models = {name: open_cooler(path) for name, path in args.model}
    binsize = int(next(iter(models.values())).binsize)
    regions = _example_regions(_test_windows(args.windows), EXAMPLE_WINDOWS)
    scale = load_checkpoint(args.checkpoint)["contact_scale"]
    maps = {"experiment": _experimental_window_maps(experimental, regions, binsize, scale)}
    for name, clr in models.items():
        maps[name] = [region_matrix(clr, r.chrom, r.start, r.end) for r in regions.itertuples()]
    example_windows(regions, maps, binsize, args.out)


def plot_insulation(args):
    from ..evaluation.paper import insulation_figure, insulation_track, region_matrix
    from ..hic.cool import open_cooler
    from ..modelling.checkpoints import load_checkpoint

    experimental = experimental_map(args.cool, args.aliases, args.fasta, True)
    models = {name: open_cooler(path) for name, path in args.model}
    binsize = int(next(iter(models.values())).binsize)
    windows = _test_windows(args.windows)
    chroms = list(dict.fromkeys(windows["chrom"]))
    window_bins = args.settings["insulation_window"]
    cool_names = {experimental.cool_chrom(c): c for c in chroms}
    experiment = insulation_track(experimental.clr, list(cool_names), window_bins)
    tracks = [experiment.assign(chrom=experiment["chrom"].map(cool_names), predictor="experiment")]
    tracks += [insulation_track(clr, chroms, window_bins).assign(predictor=name) for name, clr in models.items()]
    tracks = pd.concat(tracks, ignore_index=True)
    region = windows.iloc[len(windows) // 2]
    scale = load_checkpoint(args.checkpoint)["contact_scale"]
    maps = {"experiment": _experimental_window_maps(experimental, windows.iloc[[len(windows) // 2]], binsize, scale)[0]}
    for name, clr in models.items():
        maps[name] = region_matrix(clr, region["chrom"], region["start"], region["end"])
    insulation_figure((region["chrom"], int(region["start"]), int(region["end"])), maps,
                      tracks[["predictor", "chrom", "start", "end", "log2_insulation", "boundary_strength",
                              "is_boundary"]], binsize, args.out)


def plot_loops(args):
    from ..evaluation.loops import loops_scorable
    from ..evaluation.paper import loops_figure, region_matrix
    from ..evaluation.scoring import common_band, loop_calls
    from ..hic.cool import open_cooler
    from ..modelling.checkpoints import load_checkpoint

    experimental = experimental_map(args.cool, args.aliases, args.fasta, True)
    paths = dict(args.model)
    checkpoint = load_checkpoint(args.checkpoint)
    width = int(checkpoint["window_size"]) // int(checkpoint["bin_size"])
    train = list(dict.fromkeys(_windows_of(args.windows, "train")["chrom"]))
    windows = _test_windows(args.windows)
    scores, calls = loop_calls(paths, experimental, list(dict.fromkeys(windows["chrom"])), train, width,
                               float(checkpoint["contact_scale"]), args.settings)
    last = common_band(paths.values())
    last = width - 1 if last is None else min(last, width - 1)
    note = "" if loops_scorable(last, args.settings["loop_donut"]) else (
        f"no loops called: the maps' band reaches offset {last}, loop calls need {4 * args.settings['loop_donut'][0]}")
    # the window holding most of the experiment's loops (the middle one when none has any)
    truth = calls[calls["predictor"] == "experiment"]
    inside = [((truth["chrom1"] == w.chrom) & (truth["start1"] >= w.start) & (truth["end2"] <= w.end)).sum()
              for w in windows.itertuples()]
    region = windows.iloc[int(np.argmax(inside)) if max(inside, default=0) else len(windows) // 2]
    binsize = experimental.binsize
    maps = {"experiment": _experimental_window_maps(experimental, windows.iloc[[region.name]], binsize,
                                                    float(checkpoint["contact_scale"]))[0]}
    for name, path in paths.items():
        maps[name] = region_matrix(open_cooler(path), region["chrom"], region["start"], region["end"])
    loops_figure((region["chrom"], int(region["start"]), int(region["end"])), maps, calls, scores, binsize, args.out,
                 note)


def plot_contact_decay(args):
    from ..evaluation.paper import contact_decay, contact_decay_figure
    from ..hic.cool import open_cooler

    experimental = experimental_map(args.cool, args.aliases, args.fasta, True)
    models = {name: open_cooler(path) for name, path in args.model}
    chroms = list(dict.fromkeys(_test_windows(args.windows)["chrom"]))
    # a predicted map holds no pixel beyond its stored band (the assembler records its farthest distance)
    reach = {name: int(clr.info.get("metadata", {}).get("max_predicted_distance_bp", max(clr.chromsizes)))
             for name, clr in models.items()}
    curves = [contact_decay(experimental.clr, [experimental.cool_chrom(c) for c in chroms], max(reach.values()))
              .assign(predictor="experiment")]
    curves += [contact_decay(clr, chroms, reach[name]).assign(predictor=name) for name, clr in models.items()]
    curves = pd.concat(curves, ignore_index=True)
    contact_decay_figure(curves[["predictor", "distance_bp", "n_valid", "mean_contact", "relative"]], args.out)


def plot_chromosome_metrics(args):
    from ..evaluation.paper import chromosome_metric_bars

    chromosome_metric_bars(pd.read_csv(args.metrics, sep="\t"), args.out)


def plot_haplotype_structural_variants(args):
    from ..evaluation.paper import SV_FLANK_BP, haplotype_structural_variants, structural_variant_panels
    from ..genome.aliases import read_aliases
    from ..genome.liftover import read_chain
    from ..genome.windows import read_windows
    from ..hic.cool import open_cooler
    from ..modelling.store import read_predictions
    from ..variants.policy import Policy
    from ..variants.records import structural_variants_of

    aliases = read_aliases(args.aliases) if args.aliases else None
    policy = Policy.from_config(args.settings["variants"])
    svs = structural_variants_of(args.vcf, args.sample, args.settings["figures"]["min_sv_bp"], aliases, policy)
    haplotypes = {}
    for i, (cool, chain, windows, predictions) in enumerate(args.haplotype, 1):
        ids, maps, attrs = read_predictions(predictions)
        haplotypes[f"hap{i}"] = {"cool": open_cooler(cool), "blocks": read_chain(chain)[0],
                                 "windows": read_windows(windows), "window_ids": ids, "maps": maps,
                                 "binsize": int(attrs["bin_size"])}
    panels = structural_variant_panels(svs, open_cooler(args.reference), haplotypes, SV_FLANK_BP)
    haplotype_structural_variants(panels, args.out)


def table_mixhic(args):
    from ..evaluation.tables import MIXHIC_NOTE, MIXHIC_TITLES, mixhic_tables, read_mixhic_metrics, write_table

    table = mixhic_tables({name: read_mixhic_metrics(path) for name, path in args.metrics})
    sections = [(MIXHIC_TITLES[number], part.drop(columns=["table"]), [MIXHIC_NOTE])
                for number, part in table.groupby("table", sort=False)]
    write_table(table, args.out, args.markdown, sections)
    log.info("\n%s", table.to_string(index=False))


def table_akita(args):
    from ..errors import InputError
    from ..evaluation.tables import AKITA_NOTES, AKITA_TITLE, akita_table, held_out_coverage, write_table
    from ..genome.windows import read_windows
    from ..modelling.checkpoints import load_checkpoint

    level = args.settings["assemble"]["interval_level"]
    if args.bounds and level is None:
        raise InputError("--bounds given but assemble.interval_level is not set: the bounds' level is unknown")
    coverage = {}
    if args.bounds:
        experimental = experimental_map(args.cool, args.aliases, args.fasta, True)
    for name, lower, upper, checkpoint, windows in args.bounds or []:
        fraction, n = held_out_coverage(lower, upper, load_checkpoint(checkpoint), read_windows(windows), experimental,
                                    args.settings["metrics"]["min_offset"])
        coverage[name] = {"level": level, "coverage": fraction, "n_pixels": n}
        log.info("%s: %.4f of %d test pixels inside the %g interval bounds", name, fraction, n, level)
    table = akita_table(pd.read_csv(args.metrics, sep="\t"), args.model, coverage)
    write_table(table, args.out, args.markdown, [(AKITA_TITLE, table, AKITA_NOTES)])
    log.info("\n%s", table.to_string(index=False))


def pool_folds(args):
    from ..errors import InputError
    from ..evaluation.folds import fold_tables
    from ..files import write_tsv

    folds = []
    for fold, validation, path in args.fold:
        table = pd.read_csv(path, sep="\t")
        if "predictor" not in table.columns:
            raise InputError("not a metrics table (no 'predictor' column)", path)
        folds.append((int(fold), validation, table))
    per_fold, pooled = fold_tables(folds)
    write_tsv(per_fold, args.out, float_format="%.4f")
    write_tsv(pooled, args.pooled, float_format="%.4f")
    log.info("\n%s", pooled.to_string(index=False))


def _sections_schema(*names):
    """The schema of settings made of the whole config sections ``names``."""
    sections = config_schema()["properties"]
    return settings_schema({"type": "object", "additionalProperties": False,
                            "properties": {name: sections[name] for name in names}})


def _figure_schema():
    return _sections_schema("variants", "figures")


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

    p = add_command(commands, "pool-folds", pool_folds,
                    "tables over leave-one-chromosome-out folds: every fold's rows, and means over folds")
    p.add_argument("--fold", nargs=3, action="append", required=True, metavar=("FOLD", "VALIDATION_CHROM", "METRICS"),
                   help="a fold: its number, validation chromosome and metrics table (repeatable)")
    p.add_argument("--out", required=True, help="per-fold table written (TSV)")
    p.add_argument("--pooled", required=True, help="pooled table written (TSV): mean and SD over folds")

    _paper_figures(commands)


def _paper_figures(commands):
    """The commands of ``snakemake paper`` (figures with their numbers in a TSV beside the PNG)."""

    def models(p):
        p.add_argument("--model", nargs=2, action="append", required=True, metavar=("NAME", "PREDICTED_COOL"),
                       help="a model: its name and predicted reference .cool (repeatable, in config order)")
        p.add_argument("--windows", required=True, help="the first model's reference window table (test windows)")
        p.add_argument("--out", required=True, help="PNG written; its numbers go to the same path with .tsv")

    p = add_command(commands, "plot-example-windows", plot_example_windows,
                    "paper figure: held-out example windows, experiment beside every model (HiCDiffusion Fig. 3)")
    _experiment(p)
    p.add_argument("--checkpoint", required=True, help="the first model's checkpoint (its contact scale)")
    models(p)

    p = add_command(commands, "plot-insulation", plot_insulation,
                    "paper figure: insulation tracks and boundaries under maps (HiCDiffusion Fig. 4)")
    _experiment(p)
    p.add_argument("--checkpoint", required=True, help="the first model's checkpoint (its contact scale)")
    models(p)
    add_settings(p, lambda: section_schema("metrics"), "config metrics (insulation_window)")

    p = add_command(commands, "plot-loops", plot_loops,
                    "paper figure: loops of the experiment and every model on a held-out window (MIX-HIC metrics)")
    _experiment(p)
    p.add_argument("--checkpoint", required=True, help="the first model's checkpoint (window, contact scale)")
    models(p)
    add_settings(p, lambda: section_schema("metrics"), "config metrics (loop_donut, loop_fdr, loop_tolerance)")

    p = add_command(commands, "plot-contact-decay", plot_contact_decay,
                    "paper figure: P(s) of the experiment and every model on the held-out chromosomes")
    _experiment(p)
    models(p)

    p = add_command(commands, "plot-chromosome-metrics", plot_chromosome_metrics,
                    "paper figure: every metric per held-out chromosome, every model and baseline")
    p.add_argument("--metrics", required=True, help="metrics table (evaluation metrics)")
    p.add_argument("--out", required=True, help="PNG written; its numbers go to the same path with .tsv")

    p = add_command(commands, "plot-haplotype-svs", plot_haplotype_structural_variants,
                    "paper figure: a sample's SVs in reference and haplotype coordinates (HiCDiffusion Fig. 6)")
    p.add_argument("--vcf", required=True, help="the sample's VCF")
    p.add_argument("--sample", required=True, help="the sample's column in the VCF")
    p.add_argument("--reference", required=True, help="predicted reference .cool")
    p.add_argument("--haplotype", nargs=4, action="append", required=True,
                   metavar=("COOL", "CHAIN", "WINDOWS", "PREDICTIONS"),
                   help="a haplotype: its predicted .cool, chain, window table and predictions (repeatable)")
    p.add_argument("--aliases", help="chromosome alias table (VCF names -> reference names)")
    p.add_argument("--out", required=True, help="PNG written; its numbers go to the same path with .tsv")
    add_settings(p, _figure_schema, '{"variants": config variants (FILTER policy), "figures": config figures}')

    def table_outputs(p):
        p.add_argument("--out", required=True, help="table written (TSV)")
        p.add_argument("--markdown", required=True, help="the same table written as Markdown")

    p = add_command(commands, "table-mixhic", table_mixhic,
                    "paper table: MIX-HIC v2 Tables 2-4 of the MIX-HIC entries, the paper's numbers beside them")
    p.add_argument("--metrics", nargs=2, action="append", required=True, metavar=("NAME", "METRICS"),
                   help="a MIX-HIC entry: its name and test_metrics_mixhic.tsv (repeatable, in config order)")
    table_outputs(p)

    p = add_command(commands, "table-akita", table_akita,
                    "paper table: Lu et al. Table 1 (MSE, Pearson, Spearman; interval coverage) of the Akita entries")
    p.add_argument("--metrics", required=True, help="metrics table (evaluation metrics)")
    p.add_argument("--model", action="append", required=True, help="an Akita-family entry (repeatable, config order)")
    p.add_argument("--bounds", nargs=5, action="append",
                   metavar=("NAME", "LOWER_COOL", "UPPER_COOL", "CHECKPOINT", "WINDOWS"),
                   help="an entry's interval-bound reference maps, checkpoint and window table: its coverage row")
    p.add_argument("--fasta", help="reference FASTA (with --bounds)")
    p.add_argument("--cool", help="experimental cooler (with --bounds)")
    p.add_argument("--aliases", help="chromosome alias table (with --bounds)")
    table_outputs(p)
    add_settings(p, lambda: _sections_schema("metrics", "assemble"),
                 '{"metrics": config metrics, "assemble": config assemble (interval_level)}')
