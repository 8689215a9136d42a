import json
import os
import re
import shlex
import sys

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# Rules run the repository's own hicmodels package, whether or not it is
# pip-installed, including inside per-rule conda envs and on cluster nodes.
SRC = os.path.join(workflow.basedir, "src")
sys.path.insert(0, SRC)
# (braces doubled twice: once for the f-string, once for snakemake's own formatting)
shell.prefix(
    f"set -euo pipefail; export PYTHONPATH={SRC}${{{{PYTHONPATH:+:$PYTHONPATH}}}}; "
)

from hicmodels.alignments import alignment_index  # noqa: E402
from hicmodels.config import (  # noqa: E402
    check_config,
    chromosome_splits,
    read_yaml,
    model_preset,
    policy_arguments,
    read_samples,
    window_preset,
)
from hicmodels.errors import InputError  # noqa: E402

SCHEMAS = os.path.join(workflow.basedir, "workflow", "schemas")

validate(config, os.path.join(SCHEMAS, "config.schema.yaml"))
try:
    check_config(config)
    samples = read_samples(
        config["samples"], read_yaml(os.path.join(SCHEMAS, "samples.schema.yaml"))
    )
except InputError as err:
    raise WorkflowError(f"invalid configuration: {err}") from None

WINDOWS = window_preset(config)
MODEL = model_preset(config)
SPLITS = chromosome_splits(config)
HAPLOTYPES = ["1", "2"]
CELL_LINES = config["hic"]["cell_lines"]
# Where a cell line's model, predictions, maps, metrics and figures go.
CELL_LINE_DIR = "results/cell_lines/{cell_line}"
# Variants are called on the modelled chromosomes; other sequences keep the reference.
CALLED_CHROMOSOMES = config["reference"]["chromosomes"]


wildcard_constraints:
    sample="|".join(map(re.escape, samples.index)) if len(samples) else "(?!)",
    hap="[12]",
    genome=r"reference|[A-Za-z0-9_.-]+\.hap[12]",
    chrom="|".join(map(re.escape, CALLED_CHROMOSOMES)),
    cell_line="|".join(map(re.escape, CELL_LINES)),


def as_json(value):
    """A config value as one shell word."""
    return shlex.quote(json.dumps(value))


def experimental_map(wildcards):
    """The cell line's experimental map file (an input)."""
    return CELL_LINES[wildcards.cell_line]["cool"].split("::")[0]


def cool_uri(wildcards, input):
    """The experimental map's URI (a param): the input file plus an .mcool's ::/resolutions/N."""
    _, sep, group = CELL_LINES[wildcards.cell_line]["cool"].partition("::")
    return f"{input.cool}{sep}{group}"


def cell_line_tracks(wildcards):
    """The cell line's bigWig for each track the model preset reads, in the preset's order."""
    tracks = CELL_LINES[wildcards.cell_line].get("tracks", {})
    return [tracks[name] for name in MODEL.get("tracks", [])]


def track_option(wildcards, input):
    """``--tracks name=bigWig ...`` for presets that read tracks, else nothing."""
    pairs = [f"{n}={p}" for n, p in zip(MODEL.get("tracks", []), input.tracks)]
    return f"--tracks {' '.join(pairs)}" if pairs else ""


def predictor(wildcards):
    """The checkpoint that predicts: the diffusion stage when it is switched on."""
    name = "diffusion" if config["model"]["diffusion"] else "model"
    return f"results/cell_lines/{wildcards.cell_line}/model/{name}.pt"


def samples_with(kinds=("reads", "alignments", "variants"), truth=False):
    """Samples whose input is one of ``kinds`` (and that have a truth VCF, if asked)."""
    chosen = samples[samples["kind"].isin(kinds)]
    return list(chosen.index[chosen["truth"] != ""] if truth else chosen.index)


def read_group(wildcards):
    """Read group of a sample's reads (bwa/minimap2 -R); \\t is expanded by the aligner."""
    return f"@RG\\tID:{wildcards.sample}\\tSM:{wildcards.sample}\\tPL:ILLUMINA"


def sample_alignments(wildcards):
    """The sample's BAM/CRAM as given, or the one aligned from its reads."""
    if samples.loc[wildcards.sample, "kind"] == "alignments":
        return samples.loc[wildcards.sample, "bam"]
    return f"results/alignments/{wildcards.sample}.bam"


def sample_alignment_index(wildcards):
    if samples.loc[wildcards.sample, "kind"] == "alignments":
        return alignment_index(samples.loc[wildcards.sample, "bam"])
    return f"results/alignments/{wildcards.sample}.bam.bai"


def sample_vcf(wildcards):
    """The sample's VCF as given, or the one called from its reads or alignments."""
    if samples.loc[wildcards.sample, "kind"] == "variants":
        return samples.loc[wildcards.sample, "vcf"]
    return f"results/calls/{wildcards.sample}.vcf.gz"


def haplotype_genomes():
    return [f"{s}.hap{h}" for s in samples.index for h in HAPLOTYPES]


def sample_edits(wildcards):
    """The sample's trans-duplication edits file, or no input."""
    return samples.loc[wildcards.sample, "edits"] or []


def genome_fasta(wildcards):
    if wildcards.genome == "reference":
        return "results/reference/genome.fa.gz"
    sample, hap = wildcards.genome.rsplit(".hap", 1)
    return f"results/personal/{sample}/hap{hap}.fa.gz"


def genome_chain(wildcards):
    if wildcards.genome == "reference":
        return []
    sample, hap = wildcards.genome.rsplit(".hap", 1)
    return f"results/personal/{sample}/hap{hap}.chain"


def genome_windows(wildcards):
    if wildcards.genome == "reference":
        return "results/windows/reference.tsv"
    return f"results/windows/{wildcards.genome}.tsv"


def all_targets():
    genomes = ["reference"] + haplotype_genomes()
    return (
        expand(
            f"{CELL_LINE_DIR}/maps/{{genome}}.mcool",
            cell_line=CELL_LINES,
            genome=genomes,
        )
        + expand(
            [
                f"{CELL_LINE_DIR}/metrics/test_metrics.tsv",
                f"{CELL_LINE_DIR}/figures/test_windows.png",
                f"{CELL_LINE_DIR}/figures/metrics.png",
            ],
            cell_line=CELL_LINES,
        )
        + expand(
            f"{CELL_LINE_DIR}/figures/structural_variants/{{sample}}.png",
            cell_line=CELL_LINES,
            sample=samples.index,
        )
        + expand("results/figures/personal/{sample}.png", sample=samples.index)
        + expand(
            "results/qc/{sample}.coverage.tsv",
            sample=samples_with(("reads", "alignments")),
        )
        + expand(
            "results/qc/{sample}.{table}.tsv",
            sample=samples_with(truth=True),
            table=["call_accuracy", "sv_recovery"],
        )
    )
