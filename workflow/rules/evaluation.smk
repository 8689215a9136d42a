# Stage "evaluation" (package hicmodels.evaluation, commands `hicmodels evaluation ...`): every
# model's predicted reference map scored on the held-out chromosomes, side by side with the
# baselines in one table per cell line, and the report's figures of the models.


rule metrics:
    input:
        unpack(models_to_score),
        fasta="results/reference/genome.fa.gz",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
    output:
        "results/cell_lines/{cell_line}/metrics/test_metrics.tsv",
    log:
        "logs/metrics/{cell_line}.log",
    benchmark:
        "results/benchmarks/metrics/{cell_line}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        cool=cool_uri,
        models=model_arguments,
        settings=as_json(config["metrics"]),
    shell:
        "python -m hicmodels evaluation metrics --fasta {input.fasta} --cool {params.cool}"
        " --aliases {input.aliases} {params.models} --config {params.settings} --out {output} 2> {log}"


rule figure_test_windows:
    input:
        predicted=f"{MODEL_DIR}/maps/reference.cool",
        checkpoint=scored_checkpoint,
        windows=lambda w: model_windows(w, "reference"),
        fasta="results/reference/genome.fa.gz",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
    output:
        report(
            f"{MODEL_DIR}/figures/test_windows.png",
            caption="../report/test_windows.rst",
            category="Models",
            subcategory="{cell_line}",
            labels={"model": "{model}", "figure": "held-out windows"},
        ),
    log:
        "logs/figures/test_windows/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/figures/test_windows/{cell_line}/{model}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=4000,
        runtime=20,
    params:
        cool=cool_uri,
    shell:
        "python -m hicmodels evaluation plot-test-windows --fasta {input.fasta} --cool {params.cool}"
        " --aliases {input.aliases} --windows {input.windows} --checkpoint {input.checkpoint}"
        " --predicted {input.predicted} --out {output} 2> {log}"


rule figure_metrics:
    input:
        "results/cell_lines/{cell_line}/metrics/test_metrics.tsv",
    output:
        report(
            "results/cell_lines/{cell_line}/figures/metrics.png",
            caption="../report/metrics.rst",
            category="Models",
            subcategory="{cell_line}",
            labels={"model": "all", "figure": "metrics"},
        ),
    log:
        "logs/figures/metrics/{cell_line}.log",
    benchmark:
        "results/benchmarks/figures/metrics/{cell_line}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    shell:
        "python -m hicmodels evaluation plot-metrics --metrics {input} --out {output} 2> {log}"


rule figure_structural_variants:
    input:
        vcf=sample_vcf,
        reference=f"{MODEL_DIR}/maps/reference.cool",
        haplotypes=lambda w: [
            f"{model_dir(w.cell_line, w.model)}/maps/{w.sample}.hap{hap}.cool"
            for hap in HAPLOTYPES
        ],
        aliases=config["reference"]["chrom_aliases"],
    output:
        report(
            f"{MODEL_DIR}/figures/structural_variants/{{sample}}.png",
            caption="../report/structural_variants.rst",
            category="Structural variants",
            subcategory="{sample} ({cell_line})",
            labels={"model": "{model}", "figure": "maps around SVs"},
        ),
    log:
        "logs/figures/structural_variants/{cell_line}/{model}/{sample}.log",
    benchmark:
        "results/benchmarks/figures/structural_variants/{cell_line}/{model}/{sample}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=4000,
        runtime=20,
    params:
        vcf_sample=lambda w: samples.loc[w.sample, "vcf_sample"],
        settings=as_json({"variants": config["variants"], "figures": config["figures"]}),
    shell:
        "python -m hicmodels evaluation plot-structural-variants --vcf {input.vcf}"
        " --sample {params.vcf_sample} --reference {input.reference} --haplotypes {input.haplotypes}"
        " --aliases {input.aliases} --config {params.settings} --out {output} 2> {log}"
