"""hic: window predictions stitched into reference-coordinate .cool maps, multi-resolution .mcool, HiGlass views."""

import logging

from ..config import section_schema
from .common import add_command, add_settings, reference_sizes

log = logging.getLogger("hicmodels")


def assemble(args):
    from ..errors import InputError
    from ..genome.windows import read_windows
    from ..hic.assemble import assemble_genome

    if not (args.out or args.sd_out or args.lower_out):
        raise InputError("give --out, --sd-out, --lower-out/--upper-out or several", args.predictions)
    if bool(args.lower_out) != bool(args.upper_out):
        raise InputError("give --lower-out and --upper-out together", args.predictions)
    assemble_genome(predictions_path=args.predictions, windows=read_windows(args.windows),
                    chromsizes=reference_sizes(args.fasta), settings=args.settings, out_path=args.out,
                    chain_path=args.chain, personal_sequence_path=args.personal_sequence, model=args.model,
                    cell_line=args.cell_line, assembly=args.assembly, sd_out_path=args.sd_out,
                    bound_paths=(args.lower_out, args.upper_out) if args.lower_out else None)


def zoomify(args):
    from ..hic.cool import zoomify as aggregate

    aggregate(args.cool, args.out, args.settings["resolutions"])


def view(args):
    from pathlib import Path

    from ..errors import InputError
    from ..files import atomic_output
    from ..hic.view import ingest_commands, map_view, write_chromsizes

    maps = {}
    for item in args.map:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise InputError(f"--map {item!r} is not NAME=PATH", item)
        if not Path(path).is_file():
            raise InputError("no such file", path)
        maps[name] = path
    out = Path(args.out)
    sizes = out.with_name(out.name.removesuffix(".json") + ".chrom.sizes")
    with atomic_output(sizes) as path:
        write_chromsizes(next(iter(maps.values())), path)
    conf = map_view(maps, sizes, server=args.server).conf
    with atomic_output(out) as path:
        path.write_text(conf.model_dump_json(exclude_none=True, indent=2))
    log.info("view of %s written to %s; load the tilesets into the HiGlass server at %s with:\n%s",
             ", ".join(maps), out, args.server, "\n".join(ingest_commands(maps, sizes, args.assembly)))


def register(commands):
    p = add_command(commands, "assemble", assemble, "stitch window predictions into a reference-coordinate .cool")
    p.add_argument("--predictions", required=True, help="predictions of one genome (HDF5, modelling predict)")
    p.add_argument("--windows", required=True, help="that genome's window table")
    p.add_argument("--fasta", required=True, help="reference FASTA (names and lengths of the output)")
    p.add_argument("--chain", help="reference -> haplotype chain (haplotype predictions)")
    p.add_argument("--model", help="name of the model entry (stored in the cool's metadata)")
    p.add_argument("--cell-line", help="name of the cell line (stored in the cool's metadata)")
    p.add_argument("--assembly", help="genome assembly name (the cool's genome-assembly)")
    p.add_argument("--out", help=".cool written (the mean map)")
    p.add_argument("--sd-out", help=".cool written: the posterior-predictive standard deviation, same bins "
                                    "(predictions made with prediction.samples > 1)")
    p.add_argument("--lower-out", help=".cool written: the lower bound of the central assemble.interval_level "
                                       "posterior-predictive interval, same bins (prediction.samples > 1)")
    p.add_argument("--upper-out", help=".cool written: the upper bound (with --lower-out)")
    p.add_argument("--personal-sequence",
                   help="TSV written: the haplotype's inserted bases and extra copies, with the window bins on them "
                        "(header only without --chain)")
    add_settings(p, lambda: section_schema("assemble"), "config assemble")

    p = add_command(commands, "zoomify", zoomify, "aggregate a .cool into a multi-resolution .mcool")
    p.add_argument("--cool", required=True, help="predicted .cool (assemble's)")
    p.add_argument("--out", required=True, help=".mcool written")
    add_settings(p, lambda: section_schema("assemble"), "config assemble (resolutions)")

    p = add_command(commands, "view", view,
                    "HiGlass view config: maps side by side, zoom, location and colour scale locked, chromosome axes")
    p.add_argument("--map", nargs="+", required=True, metavar="NAME=PATH",
                   help=".mcool of each map, in the order shown (the reference first; chromosome axes from it)")
    p.add_argument("--server", default="http://localhost:8989/api/v1",
                   help="API of the HiGlass server the tilesets are loaded into (higlass-manage's default)")
    p.add_argument("--assembly", help="assembly name for higlass-manage ingest")
    p.add_argument("--out", required=True, help="view config written (JSON); <out>.chrom.sizes beside it")
