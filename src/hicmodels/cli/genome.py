"""genome: the reference (bgzip + index, chromosome sizes, excluded regions) and model windows."""

import logging

import pandas as pd

from ..config import section_schema, settings_schema
from .common import add_command, add_settings

log = logging.getLogger("hicmodels")


def prepare_reference(args):
    from ..genome import reference
    from ..genome.fasta import write_bgzip_fasta

    exclude = args.settings
    write_bgzip_fasta(args.input, args.fasta)
    sizes = reference.chromsizes(args.fasta)
    reference.write_chromsizes(sizes, args.chromsizes)
    centromeres = reference.read_bed(args.centromeres, 3) if args.centromeres else None
    excluded = reference.excluded_regions(args.fasta, exclude["min_n_run_bp"], exclude["telomere_bp"], centromeres,
                                          exclude["centromere_pad_bp"])
    reference.write_bed(excluded, args.excluded)
    log.info("%d chromosomes, %d bp; %d excluded regions (%s)", len(sizes), sizes.sum(), len(excluded),
             excluded["name"].value_counts().to_dict())


def windows(args):
    from ..genome import reference
    from ..genome import windows as tiling

    settings = args.settings
    geometry = settings["windows"]
    table = tiling.reference_windows(
        reference.chromsizes(args.fasta), settings["chromosomes"], geometry["size"], geometry["step"],
        geometry["size"] // geometry["bins"], reference.read_bed(args.excluded, 4),
        {"test": settings["test"], "validation": settings["validation"]}, fasta=args.fasta,
        max_n_fraction=settings["max_n_fraction"],
    )
    tiling.write_windows(table, args.out)
    log.info("%d windows: %s", len(table), table["split"].value_counts().to_dict())


def lift_windows(args):
    from ..genome import liftover
    from ..genome import windows as tiling

    blocks, _, personal_sizes = liftover.read_chain(args.chain)
    table = tiling.haplotype_windows(tiling.read_windows(args.windows), blocks, pd.Series(personal_sizes),
                                     fasta=args.fasta, max_n_fraction=args.settings["max_n_fraction"])
    tiling.write_windows(table, args.out)
    log.info("%d windows, %d predictable", len(table), (table["status"] == "ok").sum())


def _max_n_fraction():
    return section_schema("reference")["properties"]["exclude"]["properties"]["max_n_fraction"]


def windows_schema():
    chromosomes = {"$ref": "#/definitions/chromosomes"}
    return settings_schema({
        "type": "object", "additionalProperties": False,
        "properties": {"windows": {"$ref": "#/definitions/window_preset"}, "chromosomes": chromosomes,
                       "test": chromosomes, "validation": chromosomes, "max_n_fraction": _max_n_fraction()},
        "required": ["windows", "chromosomes", "test", "validation"],
    })


def register(commands):
    p = add_command(commands, "prepare-reference", prepare_reference,
                    "bgzip + index the reference, chrom sizes, excluded regions")
    p.add_argument("--input", required=True, help="reference FASTA (plain, gzip or bgzip)")
    p.add_argument("--centromeres", help="BED of centromeres (excluded with config reference.exclude's padding)")
    p.add_argument("--fasta", required=True, help="bgzipped, indexed FASTA written")
    p.add_argument("--chromsizes", required=True, help="chromosome sizes written (TSV)")
    p.add_argument("--excluded", required=True, help="BED of excluded regions written")
    add_settings(p, lambda: settings_schema(section_schema("reference")["properties"]["exclude"]),
                 "config reference.exclude")

    p = add_command(commands, "windows", windows, "tile the reference into model windows")
    p.add_argument("--fasta", required=True, help="reference FASTA (prepare-reference's)")
    p.add_argument("--excluded", required=True, help="BED of excluded regions (prepare-reference's)")
    p.add_argument("--out", required=True, help="window table written (TSV)")
    add_settings(p, windows_schema, '{"windows": a window preset, "chromosomes": [...], "test": [...], '
                                    '"validation": [...], "max_n_fraction": config reference.exclude.max_n_fraction}')

    p = add_command(commands, "lift-windows", lift_windows, "carry reference windows into a haplotype")
    p.add_argument("--windows", required=True, help="reference window table")
    p.add_argument("--chain", required=True, help="reference -> haplotype chain")
    p.add_argument("--fasta", required=True, help="the haplotype's FASTA (N content of its windows)")
    p.add_argument("--out", required=True, help="haplotype window table written (TSV)")
    add_settings(p, lambda: settings_schema({"type": "object", "additionalProperties": False,
                                             "properties": {"max_n_fraction": _max_n_fraction()}}),
                 '{"max_n_fraction": config reference.exclude.max_n_fraction}')
