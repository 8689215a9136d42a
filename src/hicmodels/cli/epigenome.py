"""epigenome: a cell line's tracks from BAMs to bigWigs and binned stores, and its MIX-HIC Hi-C targets."""

import logging

from ..config import section_schema, settings_schema
from .common import add_command, add_settings

log = logging.getLogger("hicmodels")


def _aliases(path):
    from ..genome.aliases import read_aliases

    return read_aliases(path) if path else {}


def coverage(args):
    from ..epigenome.coverage import bam_coverage
    from ..genome.reference import chromsizes, read_bed

    settings = args.settings
    bam_coverage(args.bam, args.out, chromsizes(args.fasta), read_bed(args.excluded), _aliases(args.aliases),
                 settings["coverage"], settings["chromosomes"], threads=args.threads, where=args.name)


def store(args):
    from ..epigenome import store as stores
    from ..modelling.tracks import parse_tracks

    paths = parse_tracks(args.tracks)
    settings = args.settings
    tracks = stores.reference_tracks(paths, settings["chromosomes"], settings["tracks"]["bin_size"],
                                     _aliases(args.aliases))
    stores.write_track_store(args.out, tracks, "reference", stores.sources(paths))


def lift_store(args):
    from ..epigenome import store as stores
    from ..genome.liftover import read_chain

    blocks, _, personal_sizes = read_chain(args.chain)
    with stores.open_track_store(args.store) as reference:
        tracks = stores.lifted_tracks(reference, blocks, personal_sizes)
    stores.write_track_store(args.out, tracks, args.genome,
                             stores.sources({"reference_store": args.store, "chain": args.chain}))


def targets(args):
    from ..epigenome import targets as hic

    settings = args.settings
    maps, windows, provenance = hic.hic_targets(args.cool, settings["chromosomes"], _aliases(args.aliases),
                                                settings["targets"])
    attrs = {**settings["targets"], "weights": provenance, **hic.source(args.cool)}
    hic.write_targets(args.out, args.windows, maps, windows, attrs)
    log.info("%d windows, %d kept (>= %g non-zero contacts)", len(windows), len(maps),
             settings["targets"]["min_nonzero_fraction"])


def _schema(section):
    """Settings: ``{"<section>": config epigenome.<section>, "chromosomes": reference.chromosomes}``."""
    def schema():
        return settings_schema({
            "type": "object", "additionalProperties": False,
            "properties": {section: section_schema("epigenome")["properties"][section],
                           "chromosomes": {"$ref": "#/definitions/chromosomes", "minItems": 1}},
            "required": ["chromosomes"],
        })
    return schema


def register(commands):
    p = add_command(commands, "coverage", coverage,
                    "a track's BAM -> RPGC-normalised bigWig (deepTools bamCoverage), after checking the BAM")
    p.add_argument("--bam", required=True, help="coordinate-sorted BAM (indexed into a temporary folder if it has no index)")
    p.add_argument("--fasta", required=True, help="indexed reference FASTA (contig names and lengths)")
    p.add_argument("--excluded", required=True, help="BED of regions to skip (reference names; may be empty)")
    p.add_argument("--aliases", help="chromosome alias table (canonical<TAB>alias)")
    p.add_argument("--threads", type=int, default=1, help="bamCoverage processes")
    p.add_argument("--name", default="the track", help="what names the track in errors (its config key)")
    p.add_argument("--out", required=True, help="bigWig written")
    add_settings(p, _schema("coverage"),
                 '{"coverage": config epigenome.coverage, "chromosomes": config reference.chromosomes}')

    p = add_command(commands, "store", store, "bin every track of a cell line over the reference into one HDF5 store")
    p.add_argument("--tracks", nargs="+", required=True, metavar="NAME=BIGWIG", help="the tracks, in store order")
    p.add_argument("--aliases", help="chromosome alias table (canonical<TAB>alias)")
    p.add_argument("--out", required=True, help="track store written (HDF5)")
    add_settings(p, _schema("tracks"),
                 '{"tracks": config epigenome.tracks, "chromosomes": config reference.chromosomes}')

    p = add_command(commands, "lift-store", lift_store, "a haplotype's track store: the reference store through its chain")
    p.add_argument("--store", required=True, help="the reference track store")
    p.add_argument("--chain", required=True, help="reference -> haplotype chain")
    p.add_argument("--genome", required=True, help="the haplotype's name (stored as an attribute)")
    p.add_argument("--out", required=True, help="track store written (HDF5)")

    p = add_command(commands, "targets", targets, "MIX-HIC's Hi-C targets: balanced windows of two segments")
    p.add_argument("--cool", required=True, help="cooler URI at epigenome.targets.resolution")
    p.add_argument("--aliases", help="chromosome alias table (canonical<TAB>alias)")
    p.add_argument("--out", required=True, help="targets written (HDF5: maps and the kept windows)")
    p.add_argument("--windows", required=True, help="every window with its non-zero fraction and status (TSV)")
    add_settings(p, _schema("targets"),
                 '{"targets": config epigenome.targets, "chromosomes": config reference.chromosomes}')
