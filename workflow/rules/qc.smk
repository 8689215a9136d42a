# Quality of the reads -> VCF front end: coverage of every sample with reads or alignments, and,
# for samples with a truth VCF, recall and precision of the calls per variant class.


rule coverage:
    input:
        bam=sample_alignments,
        index=sample_alignment_index,
        fasta="results/reference/genome.fa.gz",
    output:
        report(
            "results/qc/{sample}.coverage.tsv",
            caption="../report/coverage.rst",
            category="Reads to VCF",
            subcategory="{sample}",
            labels={"sample": "{sample}", "table": "coverage"},
        ),
    log:
        "logs/coverage/{sample}.log",
    benchmark:
        "results/benchmarks/coverage/{sample}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=4000,
        runtime=360,
    params:
        chromosomes=CALLED_CHROMOSOMES,
        mapq=config["calling"]["min_mapping_quality"],
        thresholds=config["calling"]["coverage_thresholds"],
    shell:
        "python -m hicmodels coverage --bam {input.bam} --reference {input.fasta}"
        " --chromosomes {params.chromosomes} --min-mapq {params.mapq} --thresholds {params.thresholds}"
        " --out {output} 2> {log}"


# Both sets normalised alike, so that small variants match on CHROM, POS, REF, ALT.
rule normalise_truth:
    input:
        truth=lambda w: samples.loc[w.sample, "truth"],
        fasta="results/reference/genome.fa.gz",
    output:
        vcf=temp("results/qc/{sample}.truth.vcf.gz"),
        tbi=temp("results/qc/{sample}.truth.vcf.gz.tbi"),
    log:
        "logs/normalise_truth/{sample}.log",
    benchmark:
        "results/benchmarks/normalise_truth/{sample}.tsv"
    conda:
        "../envs/bcftools.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d {output.vcf}.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " bcftools norm -f {input.fasta} -m-any -Oz -o $tmp/out.vcf.gz {input.truth};"
        " bcftools index -t $tmp/out.vcf.gz; mv $tmp/out.vcf.gz.tbi {output.tbi}; mv $tmp/out.vcf.gz {output.vcf})"
        " 2> {log}"


rule evaluate_calls:
    input:
        truth="results/qc/{sample}.truth.vcf.gz",
        truth_index="results/qc/{sample}.truth.vcf.gz.tbi",
        calls=sample_vcf,
    output:
        summary=report(
            "results/qc/{sample}.call_accuracy.tsv",
            caption="../report/call_accuracy.rst",
            category="Reads to VCF",
            subcategory="{sample}",
            labels={"sample": "{sample}", "table": "call accuracy"},
        ),
        sv=report(
            "results/qc/{sample}.sv_recovery.tsv",
            caption="../report/sv_recovery.rst",
            category="Reads to VCF",
            subcategory="{sample}",
            labels={"sample": "{sample}", "table": "SV recovery"},
        ),
    log:
        "logs/evaluate_calls/{sample}.log",
    benchmark:
        "results/benchmarks/evaluate_calls/{sample}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        calls_sample=lambda w: samples.loc[w.sample, "vcf_sample"],
        chromosomes=CALLED_CHROMOSOMES,
        evaluation=config["calling"]["evaluation"],
    shell:
        "python -m hicmodels evaluate-calls --truth {input.truth} --calls {input.calls}"
        " --calls-sample {params.calls_sample} --chromosomes {params.chromosomes}"
        " --tolerance {params.evaluation[sv_tolerance_bp]} --min-overlap {params.evaluation[sv_min_overlap]}"
        " --summary {output.summary} --sv-recovery {output.sv} 2> {log}"
