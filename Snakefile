# dna2hic: DNA -> personal haplotype genomes -> predicted Hi-C maps (.cool/.mcool).
# Configure in config/config.yaml and config/samples.tsv; rules live in workflow/rules/.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/alignment.smk"
include: "workflow/rules/calling.smk"
include: "workflow/rules/qc.smk"
include: "workflow/rules/personal.smk"
include: "workflow/rules/windows.smk"
include: "workflow/rules/model.smk"
include: "workflow/rules/assemble.smk"
include: "workflow/rules/metrics.smk"
include: "workflow/rules/figures.smk"


rule all:
    default_target: True
    input:
        all_targets(),
