"""modelling: train models on reference windows and an experimental map; predict window maps."""

from ..config import config_schema, section_schema, settings_schema
from .common import add_command, add_settings, experimental_map, tracks_and_aliases


def train(args):
    from ..genome.windows import read_windows
    from ..modelling.training import train as train_model

    settings = args.settings
    track_paths, aliases = tracks_and_aliases(args.tracks, args.aliases)
    maps = [experimental_map(cool, args.aliases, args.fasta, settings["training"]["balance"]) for cool in args.cool]
    train_model(fasta_path=args.fasta, experimental=maps if len(maps) > 1 else maps[0],
                windows=read_windows(args.windows), model_config=settings["model"], training_config=settings["training"],
                checkpoint_path=args.checkpoint, log_path=args.log_table, threads=args.threads,
                track_paths=track_paths, aliases=aliases)


def train_diffusion(args):
    from ..genome.windows import read_windows
    from ..modelling.training import train_diffusion as train_stage

    training = args.settings
    track_paths, aliases = tracks_and_aliases(args.tracks, args.aliases)
    train_stage(fasta_path=args.fasta,
                experimental=experimental_map(args.cool, args.aliases, args.fasta, training["balance"]),
                windows=read_windows(args.windows), encoder_decoder_path=args.encoder_decoder,
                training_config=training, checkpoint_path=args.checkpoint, log_path=args.log_table,
                threads=args.threads, track_paths=track_paths, aliases=aliases)


def predict(args):
    from ..errors import InputError
    from ..genome.windows import read_windows
    from ..modelling.prediction import Genome, predict_genomes

    chains = args.chain or ["-"] * len(args.fasta)
    if not len(args.fasta) == len(args.windows) == len(args.out) == len(chains):
        raise InputError(f"--fasta, --windows, --out and --chain name {len(args.fasta)}, {len(args.windows)}, "
                         f"{len(args.out)} and {len(chains)} genomes: give one of each per genome")
    genomes = [Genome(fasta, read_windows(windows), out, None if chain == "-" else chain)
               for fasta, windows, out, chain in zip(args.fasta, args.windows, args.out, chains)]
    track_paths, aliases = tracks_and_aliases(args.tracks, args.aliases)
    predict_genomes(checkpoint_path=args.checkpoint, genomes=genomes, settings=args.settings, threads=args.threads,
                    track_paths=track_paths, aliases=aliases)


def import_checkpoint(args):
    from ..modelling.checkpoints import describe, save_checkpoint
    from ..models.published import import_checkpoint as read_published

    checkpoint = read_published(args.input, args.format, args.settings, args.params)
    save_checkpoint(checkpoint, args.out)
    print(f"{args.input}: {args.format} checkpoint -> {args.out}: {describe(checkpoint)}")


def select_target(args):
    from ..modelling.checkpoints import describe, load_checkpoint, save_checkpoint
    from ..modelling.training import select_target as one_output

    checkpoint = one_output(load_checkpoint(args.checkpoint), args.target)
    save_checkpoint(checkpoint, args.out)
    print(f"{args.checkpoint}: output {args.target} -> {args.out}: {describe(checkpoint)}")


def inspect(args):
    from ..modelling.checkpoints import describe, load_checkpoint

    print(f"{args.checkpoint}: {describe(load_checkpoint(args.checkpoint))}")


def train_schema():
    return settings_schema({
        "type": "object", "additionalProperties": False,
        "properties": {"model": {"$ref": "#/definitions/model_preset"},
                       "training": config_schema()["properties"]["training"]},
        "required": ["model"],
    })


def import_schema():
    return {"type": "object", "properties": {"window_size": {"type": "integer", "minimum": 1}}}


def _training_inputs(p, several=False):
    p.add_argument("--fasta", required=True, help="reference FASTA")
    if several:
        p.add_argument("--cool", required=True, nargs="+",
                       help="experimental cooler (.cool or .mcool::/resolutions/N); several: one per output of an "
                            "akita model with as many targets, trained jointly")
    else:
        p.add_argument("--cool", required=True, help="experimental cooler (.cool or .mcool::/resolutions/N)")
    p.add_argument("--aliases", required=True, help="chromosome alias table")
    p.add_argument("--windows", required=True, help="reference window table")
    p.add_argument("--checkpoint", required=True, help="checkpoint written")
    p.add_argument("--log-table", required=True, help="per-epoch losses written (TSV)")
    _threads_and_tracks(p)


def _threads_and_tracks(p):
    p.add_argument("--threads", type=int, help="CPU threads (default: PyTorch's choice)")
    p.add_argument("--tracks", nargs="*", default=[], metavar="NAME=PATH", help="bigWig of each model track")


def register(commands):
    p = add_command(commands, "train", train, "train a model on reference windows")
    _training_inputs(p, several=True)
    add_settings(p, train_schema, '{"model": a model preset, "training": config training}')

    p = add_command(commands, "train-diffusion", train_diffusion,
                    "train the diffusion stage on a trained encoder-decoder's residual")
    _training_inputs(p)
    p.add_argument("--encoder-decoder", required=True, help="trained encoder-decoder checkpoint")
    add_settings(p, lambda: section_schema("training"), "config training")

    p = add_command(commands, "predict", predict,
                    "predict window maps of one or several genomes (one model load, batches filled across genomes)")
    p.add_argument("--checkpoint", required=True, help="dna2hic checkpoint")
    p.add_argument("--fasta", required=True, nargs="+", help="genomes the windows' seq_* columns refer to")
    p.add_argument("--windows", required=True, nargs="+", help="window table of each genome")
    p.add_argument("--out", required=True, nargs="+", help="predictions written (HDF5), one per genome")
    _threads_and_tracks(p)
    p.add_argument("--aliases", help="chromosome alias table for the track bigWigs")
    p.add_argument("--chain", nargs="+", help="reference -> haplotype chain of each genome ('-' for the reference; "
                                              "lifts the tracks)")
    add_settings(p, lambda: section_schema("prediction"), "config prediction")

    p = add_command(commands, "import-checkpoint", import_checkpoint,
                    "convert a published checkpoint (C.Origami, HiCDiffusion, Akita) into a dna2hic checkpoint")
    p.add_argument("--input", required=True, help="the published file (.ckpt, or Akita's .h5)")
    p.add_argument("--format", required=True, choices=["corigami", "hicdiffusion", "akita"],
                   help="the file's family (see README, Using published models)")
    p.add_argument("--params", help="Akita's Basenji params.json (sequence length, crop, diagonal offset)")
    p.add_argument("--out", required=True, help="dna2hic checkpoint written")
    add_settings(p, import_schema, "model config keys over the file's (tracks, positional_encoding, target...) "
                 "and window_size")

    p = add_command(commands, "select-target", select_target,
                    "one output's checkpoint of a model trained on several maps (its cell line's)")
    p.add_argument("--checkpoint", required=True, help="jointly trained checkpoint (train with several --cool)")
    p.add_argument("--target", required=True, type=int, help="the output: the index of its --cool in training")
    p.add_argument("--out", required=True, help="checkpoint written")

    p = add_command(commands, "inspect", inspect, "print what a checkpoint holds (architecture, size, geometry)")
    p.add_argument("--checkpoint", required=True, help="checkpoint file")
