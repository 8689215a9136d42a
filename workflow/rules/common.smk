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
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))

from hicmodels.config import (  # noqa: E402
    check_config,
    chromosome_splits,
    load_schema,
    model_preset,
    read_samples,
    window_preset,
)
from hicmodels.errors import InputError  # noqa: E402

SCHEMAS = os.path.join(workflow.basedir, "workflow", "schemas")

validate(config, os.path.join(SCHEMAS, "config.schema.yaml"))
try:
    check_config(config)
    samples = read_samples(
        config["samples"], load_schema(os.path.join(SCHEMAS, "samples.schema.yaml"))
    )
except InputError as err:
    raise WorkflowError(f"invalid configuration: {err}") from None

WINDOWS = window_preset(config)
MODEL = model_preset(config)
SPLITS = chromosome_splits(config)
HAPLOTYPES = ["1", "2"]


wildcard_constraints:
    sample="|".join(map(re.escape, samples.index)) if len(samples) else "(?!)",
    hap="[12]",
    genome=r"reference|[A-Za-z0-9_.-]+\.hap[12]",


def as_json(value):
    """A config value as one shell word."""
    return shlex.quote(json.dumps(value))


def haplotype_genomes():
    return [f"{s}.hap{h}" for s in samples.index for h in HAPLOTYPES]


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
        expand("results/maps/{genome}.mcool", genome=genomes)
        + [
            "results/metrics/test_metrics.tsv",
            "results/figures/test_windows.png",
            "results/figures/metrics.png",
        ]
        + expand("results/figures/structural_variants/{sample}.png", sample=samples.index)
    )
