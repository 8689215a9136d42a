# Stage "variants" (package hicmodels.variants, commands `hicmodels variants ...`): personal
# haplotype genomes, the sample's VCF (and optional edits file) applied to the reference by
# hicmodels' variant engine, both haplotypes in one job. SNVs, indels, <DEL>, <INS>, <DUP>, <INV>,
# breakends and trans-duplications are applied; records the policies of config `variants` skip are
# listed in rejects.tsv and counted in summary.tsv (src/hicmodels/variants/__init__.py).
rule personal_genome:
    input:
        fasta="results/reference/genome.fa.gz",
        fai="results/reference/genome.fa.gz.fai",
        gzi="results/reference/genome.fa.gz.gzi",
        vcf=sample_vcf,
        aliases=config["reference"]["chrom_aliases"],
        edits=sample_edits,
    output:
        fasta=expand("results/personal/{{sample}}/hap{hap}.fa.gz", hap=HAPLOTYPES),
        fai=expand("results/personal/{{sample}}/hap{hap}.fa.gz.fai", hap=HAPLOTYPES),
        gzi=expand("results/personal/{{sample}}/hap{hap}.fa.gz.gzi", hap=HAPLOTYPES),
        chain=expand("results/personal/{{sample}}/hap{hap}.chain", hap=HAPLOTYPES),
        rejects="results/personal/{sample}/rejects.tsv",
        summary="results/personal/{sample}/summary.tsv",
    log:
        "logs/personal_genome/{sample}.log",
    benchmark:
        "results/benchmarks/personal_genome/{sample}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    # the build runs beside bgzip compressing the haplotype built before
    threads: 2
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        vcf_sample=lambda w: samples.loc[w.sample, "vcf_sample"],
        edits=lambda w, input: f"--edits {input.edits}" if input.edits else "",
        out_dir=lambda w, output: os.path.dirname(output.summary),
        settings=as_json(config["variants"]),
    shell:
        "python -m hicmodels variants personal-genome --fasta {input.fasta} --vcf {input.vcf}"
        " --sample {params.vcf_sample} --aliases {input.aliases} {params.edits}"
        " --config {params.settings} --out-dir {params.out_dir} 2> {log}"


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
        "python -m hicmodels variants plot-summary --summary {input} --sample {wildcards.sample}"
        " --out {output} 2> {log}"
