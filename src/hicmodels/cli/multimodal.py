"""multimodal: MIX-HIC model entries: loop labels, pre-training, fine-tuned heads, a genome's maps, loops and CAGE."""

import logging

from ..config import config_schema, section_schema, settings_schema
from .common import add_command, add_settings, reference_sizes

log = logging.getLogger("hicmodels")

HEADS = ("hic", "loop", "cage")


def _aliases(path):
    from ..genome.aliases import read_aliases

    return read_aliases(path) if path else {}


def _threads(threads):
    import torch

    if threads:
        torch.set_num_threads(threads)


def loop_labels(args):
    from ..files import write_tsv
    from ..multimodal.labels import loop_labels as labels_of, read_bedpe

    settings, aliases = args.settings, _aliases(args.aliases)
    sizes = reference_sizes(args.fasta)[settings["chromosomes"]]
    if args.bedpe:
        loops = read_bedpe(args.bedpe, aliases)
        log.info("%d loops from %s", len(loops), args.bedpe)
    else:
        from ..evaluation.loops import call_loops
        from ..hic.cool import open_cooler

        loops = call_loops(open_cooler(args.cool), fdr=settings["multimodal"]["loop_fdr"])
        for column in ("chrom1", "chrom2"):
            loops[column] = loops[column].map(lambda name: aliases.get(name, name))
        log.info("%d loops called on %s (cooltools dots, FDR %g)", len(loops), args.cool,
                 settings["multimodal"]["loop_fdr"])
    table = labels_of(loops, settings["resolution"], sizes, settings["multimodal"]["loop_tolerance_bins"],
                      seed=settings["seed"])
    write_tsv(table, args.out)


def _training(settings):
    """The entry's training settings with MIX-HIC's early stopping (multimodal.patience)."""
    return {**settings["training"], "patience": settings["multimodal"]["patience"]}


def _map_data(args, checkpoint_scale, cage=None):
    """Samples of the Hi-C targets' kept windows and their split."""
    from ..epigenome import open_track_store
    from ..epigenome.targets import read_targets
    from ..models import bin_size, complete
    from ..multimodal.samples import map_samples, split_rows

    model = complete(args.settings["model"])
    maps, windows, _ = read_targets(args.targets)
    with open_track_store(args.store) as store:
        samples = map_samples(store, model["tracks"], maps, windows, checkpoint_scale, bin_size(model), cage)
    return samples, split_rows(windows["chrom"], args.settings)


def pretrain(args):
    from ..modelling.mixhic import pretrain as pretrain_model
    from ..multimodal.samples import subset
    from .common import experimental_map

    _threads(args.threads)
    settings = args.settings
    experimental = experimental_map(args.cool, args.aliases, args.fasta, True)
    train_chroms = [c for c in reference_sizes(args.fasta).index
                    if c in settings["chromosomes"] and c not in settings["test"] + settings["validation"]]
    scale = experimental.contact_scale(train_chroms)
    samples, split = _map_data(args, scale)
    log.info("%d windows: %d train, %d validation, %d test (held out)", len(split), (split == "train").sum(),
             (split == "validation").sum(), (split == "test").sum())
    pretrain_model(train=subset(samples, split == "train"), validation=subset(samples, split == "validation"),
                   model_config=settings["model"], training_config=_training(settings),
                   checkpoint_path=args.checkpoint, log_path=args.log_table, contact_scale=scale,
                   threads=args.threads)


def finetune(args):
    from ..epigenome import open_track_store
    from ..modelling.checkpoints import load_checkpoint
    from ..modelling.mixhic import finetune as finetune_model
    from ..models import bin_size, complete
    from ..multimodal.labels import read_labels
    from ..multimodal.samples import loop_samples, split_rows, subset

    _threads(args.threads)
    settings = args.settings
    pretrained = load_checkpoint(args.pretrained)
    model = {**settings["model"], "task": args.task}
    if args.task == "loop":
        labels = read_labels(args.labels)
        full = complete(model)
        with open_track_store(args.store) as store:
            samples = loop_samples(store, full["tracks"], labels, full["map_bins"], bin_size(full))
        split = split_rows(labels["chrom"], settings)
    else:
        samples, split = _map_data(args, pretrained["contact_scale"],
                                   settings["multimodal"]["cage_track"] if args.task == "cage" else None)
    finetune_model(train=subset(samples, split == "train"), validation=subset(samples, split == "validation"),
                   model_config=model, training_config=_training(settings), checkpoint_path=args.checkpoint,
                   log_path=args.log_table, contact_scale=pretrained["contact_scale"], infer_map=True,
                   pretrained=pretrained, threads=args.threads)


def predict_maps(args):
    from ..epigenome import open_track_store
    from ..files import file_sha256
    from ..genome.windows import read_windows
    from ..modelling.checkpoints import load_checkpoint
    from ..multimodal.predict import write_map_predictions

    _threads(args.threads)
    with open_track_store(args.store) as store:
        write_map_predictions(args.out, load_checkpoint(args.checkpoint), file_sha256(args.checkpoint), store,
                              read_windows(args.windows), args.settings["batch_size"])


def _blocks(chain):
    from ..genome.liftover import read_chain

    return read_chain(chain)[0] if chain else None


def predict_loops(args):
    from ..epigenome import open_track_store
    from ..modelling.checkpoints import load_checkpoint
    from ..multimodal.labels import read_labels
    from ..multimodal.predict import loop_scores, write_loops

    _threads(args.threads)
    with open_track_store(args.store) as store:
        table = loop_scores(load_checkpoint(args.checkpoint), store, read_labels(args.labels), _blocks(args.chain))
    write_loops(table, args.out)
    log.info("%d candidates scored: mean probability %.3f on loops, %.3f on negatives", len(table),
             table.loc[table["name"] == "loop", "score"].mean(), table.loc[table["name"] == "negative", "score"].mean())


def predict_cage(args):
    from ..epigenome import open_track_store
    from ..genome.windows import read_windows
    from ..modelling.checkpoints import load_checkpoint
    from ..files import write_bigwig
    from ..multimodal.predict import cage_track

    _threads(args.threads)
    checkpoint = load_checkpoint(args.checkpoint)
    sizes = reference_sizes(args.fasta)
    windows = read_windows(args.windows)
    sizes = sizes[[c for c in sizes.index if c in set(windows["chrom"])]]
    with open_track_store(args.store) as store:
        values = cage_track(checkpoint, store, windows, sizes, _blocks(args.chain))
    write_bigwig(args.out, values, sizes, checkpoint["bin_size"])


def metrics(args):
    from ..epigenome import open_track_store
    from ..epigenome.targets import read_targets
    from ..files import write_tsv
    from ..modelling.checkpoints import load_checkpoint
    from ..modelling.mixhic import predict
    from ..multimodal.labels import read_labels
    from ..multimodal.samples import loop_samples, map_samples, split_rows
    from ..multimodal.scores import held_out_table

    settings = args.settings
    hic = load_checkpoint(args.checkpoint)
    config, binsize = hic["model_config"], hic["bin_size"]
    maps, windows, _ = read_targets(args.targets)
    split = split_rows(windows["chrom"], settings)
    test = split == "test"
    cage = settings["multimodal"]["cage_track"] if args.cage else None
    with open_track_store(args.store) as store:
        samples = map_samples(store, config["tracks"], maps, windows, hic["contact_scale"], binsize, cage)
        labels = read_labels(args.labels)
        labels = labels[split_rows(labels["chrom"], settings) == "test"].reset_index(drop=True)
        looped = loop_samples(store, config["tracks"], labels, config["map_bins"], binsize)
    parts = {}
    if test.any():
        parts["maps"] = {"predicted": predict(hic, samples["tracks"][test], distance=samples["distance"][test]),
                         "observed": samples["hic"][test],
                         "distances": samples["distance"][test], "train_observed": samples["hic"][split == "train"],
                         "train_distances": samples["distance"][split == "train"]}
        if args.cage:
            parts["cage"] = {"predicted": predict(load_checkpoint(args.cage), samples["tracks"][test]),
                             "observed": samples["cage"][test]}
    else:
        log.warning("no Hi-C target window on the test chromosomes %s: no map or CAGE rows", settings["test"])
    if len(labels):
        parts["loops"] = {"probabilities": predict(load_checkpoint(args.loop), looped["tracks"]),
                          "labels": looped["loop"]}
    else:
        log.warning("no labelled loop candidate on the test chromosomes %s: no loop rows", settings["test"])
    table = held_out_table(args.name, **parts)
    write_tsv(table, args.out, float_format="%.4f")
    log.info("%d test windows, %d labelled test candidates\n%s", int(test.sum()), len(labels),
             table.to_string(index=False))


def _schema(*sections, model=False, extra=None):
    """Settings: the config sections named (``model``: a model preset), the splits, the modelled chromosomes."""
    def schema():
        properties = {name: config_schema()["properties"][name] for name in sections}
        chroms = {"$ref": "#/definitions/chromosomes"}
        properties |= {"test": chroms, "validation": chroms, "chromosomes": chroms, **(extra or {})}
        required = ["test", "validation", "chromosomes"]
        if model:
            properties["model"] = {"$ref": "#/definitions/model_preset"}
            required.append("model")
        return settings_schema({"type": "object", "additionalProperties": False, "properties": properties,
                                "required": required})
    return schema


def register(commands):
    training = '{"model": the entry\'s model preset, "training": its training settings, "multimodal": config ' \
               'multimodal, "test"/"validation"/"chromosomes": the splits and config reference.chromosomes}'
    p = add_command(commands, "loop-labels", loop_labels,
                    "a cell line's loop labels: a BEDPE's or the experimental map's loops, distance-matched negatives")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--bedpe", help="the cell line's loops (BEDPE, reference or aliased names)")
    source.add_argument("--cool", help="balanced cooler URI at the model's bin size (loops called by cooltools dots)")
    p.add_argument("--fasta", required=True, help="indexed reference FASTA (chromosome lengths)")
    p.add_argument("--aliases", help="chromosome alias table (canonical<TAB>alias)")
    p.add_argument("--out", required=True, help="labels table written (TSV: chrom, bin1, bin2, label)")
    add_settings(p, _schema("multimodal", extra={"resolution": {"$ref": "#/definitions/positive_int"},
                                                 "seed": {"type": "integer"}}),
                 '{"multimodal": config multimodal, "resolution": the model bin (bp), "seed": training.seed, '
                 '"test"/"validation"/"chromosomes": the splits and config reference.chromosomes}')

    p = add_command(commands, "pretrain", pretrain, "MIX-HIC pre-training (eq. 7) on the Hi-C targets and the tracks")
    p.add_argument("--targets", required=True, help="Hi-C targets (epigenome targets)")
    p.add_argument("--store", required=True, help="the reference track store (epigenome store)")
    p.add_argument("--cool", required=True, help="the experimental map's URI (its contact scale)")
    p.add_argument("--fasta", required=True, help="indexed reference FASTA")
    p.add_argument("--aliases", help="chromosome alias table (canonical<TAB>alias)")
    _training_arguments(p)
    add_settings(p, _schema("training", "multimodal", model=True), training)

    p = add_command(commands, "finetune", finetune, "fine-tune a MIX-HIC head from tracks alone (InferMap)")
    p.add_argument("--task", required=True, choices=HEADS, help="the head")
    p.add_argument("--pretrained", required=True, help="the pre-trained checkpoint")
    p.add_argument("--targets", required=True, help="Hi-C targets (epigenome targets)")
    p.add_argument("--store", required=True, help="the reference track store")
    p.add_argument("--labels", help="loop labels (multimodal loop-labels); task loop")
    _training_arguments(p)
    add_settings(p, _schema("training", "multimodal", model=True), training)

    p = add_command(commands, "predict-maps", predict_maps,
                    "a genome's window maps from its tracks alone (the predictions file hic assemble reads)")
    _prediction_arguments(p, "hic", "predictions written (HDF5)")
    p.add_argument("--windows", required=True, help="the genome's window table")
    add_settings(p, lambda: section_schema("prediction"), "config prediction")

    p = add_command(commands, "predict-loops", predict_loops, "the loop head's probability of every labelled candidate")
    _prediction_arguments(p, "loop", "BEDPE written (reference coordinates; name loop/negative, score)")
    p.add_argument("--labels", required=True, help="loop labels (reference bins)")

    p = add_command(commands, "predict-cage", predict_cage, "the CAGE head's values per reference bin as a bigWig")
    _prediction_arguments(p, "cage", "bigWig written")
    p.add_argument("--windows", required=True, help="the genome's window table")
    p.add_argument("--fasta", required=True, help="indexed reference FASTA (bigWig chromosome lengths)")

    p = add_command(commands, "metrics", metrics, "the test chromosomes' MIX-HIC table (paper Tables 2-4)")
    p.add_argument("--name", required=True, help="the model entry (predictor column)")
    p.add_argument("--checkpoint", required=True, help="the fine-tuned hic head")
    p.add_argument("--loop", required=True, help="the fine-tuned loop head")
    p.add_argument("--cage", help="the fine-tuned cage head (cell lines with the CAGE track)")
    p.add_argument("--targets", required=True, help="Hi-C targets (epigenome targets)")
    p.add_argument("--store", required=True, help="the reference track store")
    p.add_argument("--labels", required=True, help="loop labels")
    p.add_argument("--out", required=True, help="table written (TSV)")
    add_settings(p, _schema("multimodal"), '{"multimodal": config multimodal, "test"/"validation"/"chromosomes"}')


def _training_arguments(p):
    p.add_argument("--checkpoint", required=True, help="checkpoint written")
    p.add_argument("--log-table", required=True, help="per-epoch losses written (TSV)")
    p.add_argument("--threads", type=int, help="CPU threads (default: PyTorch's choice)")


def _prediction_arguments(p, head, out):
    p.add_argument("--checkpoint", required=True, help=f"the fine-tuned {head} head")
    p.add_argument("--store", required=True, help="the genome's track store")
    if head != "hic":  # maps are placed by the window table (a haplotype's windows carry their lift)
        p.add_argument("--chain", help="reference -> haplotype chain (a haplotype's store)")
    p.add_argument("--out", required=True, help=out)
    p.add_argument("--threads", type=int, help="CPU threads (default: PyTorch's choice)")
