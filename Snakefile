# dna2hic: DNA -> personal haplotype genomes -> predicted Hi-C maps (.cool/.mcool).
# Configure in config/config.yaml and config/samples.tsv; rules live in workflow/rules/.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/genome.smk"
include: "workflow/rules/calling.smk"
include: "workflow/rules/variants.smk"
include: "workflow/rules/modelling.smk"
include: "workflow/rules/hic.smk"
include: "workflow/rules/evaluation.smk"
include: "workflow/rules/effects.smk"
include: "workflow/rules/paper.smk"
include: "workflow/rules/folds.smk"
include: "workflow/rules/epigenome.smk"
include: "workflow/rules/structure.smk"
include: "workflow/rules/multimodal.smk"


rule all:
    default_target: True
    input:
        all_targets(),
