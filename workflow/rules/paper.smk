# Target `paper` (`snakemake paper`): the figures of the papers this project implements, each
# from its own rule, with the numbers behind it in a TSV beside the PNG (same stem). Opt-in: not
# part of `all`. The papers' tables come as TSV + Markdown, for the entries they are about (README,
# "Paper figures").


rule paper:
    input:
        paper_targets(),
        paper_table_targets(),


rule paper_example_windows:
    input:
        unpack(paper_model_inputs),
        fasta="results/reference/genome.fa.gz",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
    output:
        png=f"{PAPER_DIR}/fig3_example_windows.png",
        tsv=f"{PAPER_DIR}/fig3_example_windows.tsv",
    log:
        "logs/paper/example_windows/{cell_line}.log",
    conda:
        "../envs/hicmodels.yaml"
    params:
        cool=cool_uri,
        models=paper_model_arguments,
    shell:
        "python -m hicmodels evaluation plot-example-windows --fasta {input.fasta} --cool {params.cool}"
        " --aliases {input.aliases} --checkpoint {input.checkpoint} --windows {input.windows}"
        " {params.models} --out {output.png} 2> {log}"


rule paper_insulation:
    input:
        unpack(paper_model_inputs),
        fasta="results/reference/genome.fa.gz",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
    output:
        png=f"{PAPER_DIR}/fig4_insulation.png",
        tsv=f"{PAPER_DIR}/fig4_insulation.tsv",
    log:
        "logs/paper/insulation/{cell_line}.log",
    conda:
        "../envs/hicmodels.yaml"
    params:
        cool=cool_uri,
        models=paper_model_arguments,
        settings=as_json(config["metrics"]),
    shell:
        "python -m hicmodels evaluation plot-insulation --fasta {input.fasta} --cool {params.cool}"
        " --aliases {input.aliases} --checkpoint {input.checkpoint} --windows {input.windows}"
        " {params.models} --config {params.settings} --out {output.png} 2> {log}"


rule paper_loops:
    input:
        unpack(paper_model_inputs),
        fasta="results/reference/genome.fa.gz",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
    output:
        png=f"{PAPER_DIR}/loops.png",
        tsv=f"{PAPER_DIR}/loops.tsv",
    log:
        "logs/paper/loops/{cell_line}.log",
    benchmark:
        "results/benchmarks/paper/loops/{cell_line}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    params:
        cool=cool_uri,
        models=paper_model_arguments,
        settings=as_json(config["metrics"]),
    shell:
        "python -m hicmodels evaluation plot-loops --fasta {input.fasta} --cool {params.cool}"
        " --aliases {input.aliases} --checkpoint {input.checkpoint} --windows {input.windows}"
        " {params.models} --config {params.settings} --out {output.png} 2> {log}"


rule paper_contact_decay:
    input:
        unpack(paper_model_inputs),
        fasta="results/reference/genome.fa.gz",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
    output:
        png=f"{PAPER_DIR}/contact_decay.png",
        tsv=f"{PAPER_DIR}/contact_decay.tsv",
    log:
        "logs/paper/contact_decay/{cell_line}.log",
    conda:
        "../envs/hicmodels.yaml"
    params:
        cool=cool_uri,
        models=paper_model_arguments,
    shell:
        "python -m hicmodels evaluation plot-contact-decay --fasta {input.fasta} --cool {params.cool}"
        " --aliases {input.aliases} --windows {input.windows} {params.models} --out {output.png} 2> {log}"


rule paper_metrics_per_chromosome:
    input:
        "results/cell_lines/{cell_line}/metrics/test_metrics.tsv",
    output:
        png=f"{PAPER_DIR}/metrics_per_chromosome.png",
        tsv=f"{PAPER_DIR}/metrics_per_chromosome.tsv",
    log:
        "logs/paper/metrics_per_chromosome/{cell_line}.log",
    conda:
        "../envs/hicmodels.yaml"
    shell:
        "python -m hicmodels evaluation plot-chromosome-metrics --metrics {input} --out {output.png} 2> {log}"


rule paper_structural_variants:
    input:
        vcf=sample_vcf,
        reference=f"{MODEL_DIR}/maps/reference.cool",
        cools=lambda w: [
            f"{model_dir(w.cell_line, w.model)}/maps/{w.sample}.hap{h}.cool"
            for h in HAPLOTYPES
        ],
        chains=lambda w: [
            f"results/personal/{w.sample}/hap{h}.chain" for h in HAPLOTYPES
        ],
        windows=lambda w: [
            window_table(w.model, f"{w.sample}.hap{h}") for h in HAPLOTYPES
        ],
        predictions=lambda w: [
            f"{model_dir(w.cell_line, w.model)}/predictions/{w.sample}.hap{h}.h5"
            for h in HAPLOTYPES
        ],
        aliases=config["reference"]["chrom_aliases"],
    output:
        png=f"{PAPER_DIR}/fig6_structural_variants/{{model}}/{{sample}}.png",
        tsv=f"{PAPER_DIR}/fig6_structural_variants/{{model}}/{{sample}}.tsv",
    log:
        "logs/paper/structural_variants/{cell_line}/{model}/{sample}.log",
    conda:
        "../envs/hicmodels.yaml"
    params:
        vcf_sample=lambda w: samples.loc[w.sample, "vcf_sample"],
        haplotypes=paper_haplotype_arguments,
        settings=as_json({"variants": config["variants"], "figures": config["figures"]}),
    shell:
        "python -m hicmodels evaluation plot-haplotype-svs --vcf {input.vcf} --sample {params.vcf_sample}"
        " --reference {input.reference} {params.haplotypes} --aliases {input.aliases}"
        " --config {params.settings} --out {output.png} 2> {log}"


rule paper_mixhic_tables:
    input:
        unpack(mixhic_metrics_tables),
    output:
        tsv=f"{PAPER_MIXHIC}.tsv",
        md=f"{PAPER_MIXHIC}.md",
    log:
        "logs/paper/mixhic_tables/{cell_line}.log",
    benchmark:
        "results/benchmarks/paper/mixhic_tables/{cell_line}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    params:
        metrics=mixhic_metrics_arguments,
    shell:
        "python -m hicmodels evaluation table-mixhic {params.metrics} --out {output.tsv}"
        " --markdown {output.md} 2> {log}"


rule paper_akita_table:
    input:
        unpack(akita_table_inputs),
    output:
        tsv=f"{PAPER_AKITA}.tsv",
        md=f"{PAPER_AKITA}.md",
    log:
        "logs/paper/akita_table/{cell_line}.log",
    benchmark:
        "results/benchmarks/paper/akita_table/{cell_line}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    params:
        models=akita_table_arguments,
        settings=as_json({"metrics": config["metrics"], "assemble": config["assemble"]}),
    shell:
        "python -m hicmodels evaluation table-akita --metrics {input.metrics} {params.models}"
        " --config {params.settings} --out {output.tsv} --markdown {output.md} 2> {log}"
