"""effects: variant-effect scores per sample, haplotype and variant, and the cohort table."""

from ..config import config_schema, settings_schema
from .common import add_command, add_settings


def score(args):
    from ..effects import score_variant_effects
    from ..modelling.tracks import parse_tracks

    samples = []
    for name, vcf, vcf_sample, summary in args.sample:
        samples.append({"name": name, "vcf": vcf, "vcf_sample": vcf_sample, "summary": summary or None})
    edits = dict(item.split("=", 1) for item in args.edits)
    for s in samples:
        s["edits"] = edits.get(s["name"])
    labels = {k: v for k, v in (("cell_line", args.cell_line), ("model", args.model)) if v}
    score_variant_effects(reference=args.fasta, samples=samples, settings=args.settings, out_dir=args.out_dir,
                          checkpoint=args.checkpoint, aliases=args.aliases, threads=args.threads, labels=labels,
                          track_paths=parse_tracks(args.tracks))


def score_schema():
    properties = config_schema()["properties"]
    return settings_schema({
        "type": "object", "additionalProperties": False,
        "properties": {name: properties[name] for name in ("effects", "variants", "prediction")},
        "default": {},
    })


def register(commands):
    p = add_command(commands, "score", score,
                    "score every applied variant of each sample: REF/ALT window maps in two backgrounds")
    p.add_argument("--fasta", required=True, help="reference FASTA (indexed)")
    p.add_argument("--sample", nargs=4, action="append", required=True,
                   metavar=("NAME", "VCF", "VCF_SAMPLE", "SUMMARY"),
                   help="a sample: name, VCF, its column, and the personal genome's summary.tsv ('' to skip the "
                        "check that it matches); repeat per sample")
    p.add_argument("--edits", nargs="*", default=[], metavar="NAME=PATH", help="a sample's trans-duplication edits file")
    p.add_argument("--aliases", help="chromosome alias table")
    p.add_argument("--checkpoint", required=True, help="the model entry's dna2hic checkpoint")
    p.add_argument("--tracks", nargs="*", default=[], metavar="NAME=BIGWIG",
                   help="the cell line's tracks, for models that read them (reference coordinates)")
    p.add_argument("--cell-line", help="written in the tables' cell_line column")
    p.add_argument("--model", help="written in the tables' model column")
    p.add_argument("--threads", type=int, help="CPU threads (default: PyTorch's choice)")
    p.add_argument("--out-dir", required=True,
                   help="gets <sample>.tsv, cohort.tsv.gz (+ .tbi), predictions.tsv, top_variants.png")
    add_settings(p, score_schema, '{"effects": ..., "variants": ..., "prediction": ...} (config sections)')
