"""hic: window predictions stitched into reference-coordinate .cool maps, and multi-resolution .mcool."""

from ..config import section_schema
from .common import add_command, add_settings, reference_sizes


def assemble(args):
    from ..genome.windows import read_windows
    from ..hic.assemble import assemble_genome

    assemble_genome(predictions_path=args.predictions, windows=read_windows(args.windows),
                    chromsizes=reference_sizes(args.fasta), settings=args.settings, out_path=args.out,
                    chain_path=args.chain, personal_sequence_path=args.personal_sequence, model=args.model,
                    cell_line=args.cell_line, assembly=args.assembly)


def zoomify(args):
    from ..hic.cool import zoomify as aggregate

    aggregate(args.cool, args.out, args.settings["resolutions"])


def register(commands):
    p = add_command(commands, "assemble", assemble, "stitch window predictions into a reference-coordinate .cool")
    p.add_argument("--predictions", required=True, help="predictions of one genome (HDF5, modelling predict)")
    p.add_argument("--windows", required=True, help="that genome's window table")
    p.add_argument("--fasta", required=True, help="reference FASTA (names and lengths of the output)")
    p.add_argument("--chain", help="reference -> haplotype chain (haplotype predictions)")
    p.add_argument("--model", help="name of the model entry (stored in the cool's metadata)")
    p.add_argument("--cell-line", help="name of the cell line (stored in the cool's metadata)")
    p.add_argument("--assembly", help="genome assembly name (the cool's genome-assembly)")
    p.add_argument("--out", required=True, help=".cool written")
    p.add_argument("--personal-sequence",
                   help="TSV written: the haplotype's inserted bases and extra copies, with the window bins on them "
                        "(header only without --chain)")
    add_settings(p, lambda: section_schema("assemble"), "config assemble")

    p = add_command(commands, "zoomify", zoomify, "aggregate a .cool into a multi-resolution .mcool")
    p.add_argument("--cool", required=True, help="predicted .cool (assemble's)")
    p.add_argument("--out", required=True, help=".mcool written")
    add_settings(p, lambda: section_schema("assemble"), "config assemble (resolutions)")
