rule figure_test_windows:
    input:
        predicted="results/cell_lines/{cell_line}/maps/reference.cool",
        checkpoint="results/cell_lines/{cell_line}/model/model.pt",
        windows="results/windows/reference.tsv",
        fasta="results/reference/genome.fa.gz",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
    output:
        report(
            "results/cell_lines/{cell_line}/figures/test_windows.png",
            caption="../report/test_windows.rst",
            category="Model",
            subcategory="{cell_line}",
        ),
    log:
        "logs/figures/test_windows/{cell_line}.log",
    benchmark:
        "results/benchmarks/figures/test_windows/{cell_line}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=4000,
        runtime=20,
    params:
        cool=cool_uri,
    shell:
        "python -m hicmodels plot-test-windows --fasta {input.fasta} --cool {params.cool}"
        " --aliases {input.aliases} --windows {input.windows} --checkpoint {input.checkpoint}"
        " --predicted {input.predicted} --out {output} 2> {log}"


rule figure_metrics:
    input:
        "results/cell_lines/{cell_line}/metrics/test_metrics.tsv",
    output:
        report(
            "results/cell_lines/{cell_line}/figures/metrics.png",
            caption="../report/metrics.rst",
            category="Model",
            subcategory="{cell_line}",
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
        "python -m hicmodels plot-metrics --metrics {input} --out {output} 2> {log}"


rule figure_structural_variants:
    input:
        vcf=sample_vcf,
        reference="results/cell_lines/{cell_line}/maps/reference.cool",
        haplotypes=expand(
            "results/cell_lines/{{cell_line}}/maps/{{sample}}.hap{hap}.cool",
            hap=HAPLOTYPES,
        ),
        aliases=config["reference"]["chrom_aliases"],
    output:
        report(
            "results/cell_lines/{cell_line}/figures/structural_variants/{sample}.png",
            caption="../report/structural_variants.rst",
            category="Structural variants",
            subcategory="{sample} ({cell_line})",
        ),
    log:
        "logs/figures/structural_variants/{cell_line}/{sample}.log",
    benchmark:
        "results/benchmarks/figures/structural_variants/{cell_line}/{sample}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=4000,
        runtime=20,
    params:
        vcf_sample=lambda w: samples.loc[w.sample, "vcf_sample"],
        min_size=config["figures"]["min_sv_bp"],
        filters=policy_arguments(config, ("filters", "filter_missing")),
    shell:
        "python -m hicmodels plot-structural-variants --vcf {input.vcf} --sample {params.vcf_sample}"
        " --reference {input.reference} --haplotypes {input.haplotypes} --min-size {params.min_size}"
        " --aliases {input.aliases} {params.filters} --out {output} 2> {log}"


rule figure_personal_summary:
    input:
        "results/personal/{sample}/summary.tsv",
    output:
        report(
            "results/figures/personal/{sample}.png",
            caption="../report/personal_summary.rst",
            category="Personal genomes",
            subcategory="{sample}",
        ),
    log:
        "logs/figures/personal/{sample}.log",
    benchmark:
        "results/benchmarks/figures/personal/{sample}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    shell:
        "python -m hicmodels plot-personal-summary --summary {input} --sample {wildcards.sample}"
        " --out {output} 2> {log}"
