# Alignments -> one normalised, FILTER-annotated VCF per sample: small variants (bcftools, one job
# per chromosome) and structural variants (delly). Records that fail a filter are kept with its
# name in FILTER; the personal-genome stage applies PASS records.


rule call_small_variants:
    input:
        bam=sample_alignments,
        index=sample_alignment_index,
        fasta="results/reference/genome.fa.gz",
    output:
        bcf=temp("results/calls/{sample}/small.{chrom}.bcf"),
        csi=temp("results/calls/{sample}/small.{chrom}.bcf.csi"),
    log:
        "logs/call_small_variants/{sample}.{chrom}.log",
    benchmark:
        "results/benchmarks/call_small_variants/{sample}.{chrom}.tsv"
    conda:
        "../envs/bcftools.yaml"
    resources:
        mem_mb=2000,
        runtime=720,
    params:
        mapq=config["calling"]["min_mapping_quality"],
        baseq=config["calling"]["min_base_quality"],
        small=config["calling"]["small_variants"],
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d {output.bcf}.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " printf '*\\t%s\\t%s\\n' {input.bam} {wildcards.sample} > $tmp/sample;"  # all reads: one sample
        " bcftools mpileup -f {input.fasta} -r {wildcards.chrom} -q {params.mapq} -Q {params.baseq}"
        " -a AD,DP -G $tmp/sample -Ou {input.bam}"
        " | bcftools call -mv -Ou"
        " | bcftools norm -f {input.fasta} -m-any -Ou"
        " | bcftools filter -m+ -s LowQUAL -e 'QUAL<{params.small[min_qual]}' -Ou"
        " | bcftools filter -m+ -s LowDP -e 'INFO/DP<{params.small[min_depth]}' -Ob -o $tmp/out.bcf;"
        " bcftools index $tmp/out.bcf; mv $tmp/out.bcf.csi {output.csi}; mv $tmp/out.bcf {output.bcf}) 2> {log}"


rule call_structural_variants:
    input:
        bam=sample_alignments,
        index=sample_alignment_index,
        fasta="results/reference/genome.fa.gz",
        exclude=config["calling"]["structural_variants"]["exclude"] or [],
    output:
        bcf="results/calls/{sample}/delly.bcf",
        csi="results/calls/{sample}/delly.bcf.csi",
    log:
        "logs/call_structural_variants/{sample}.log",
    benchmark:
        "results/benchmarks/call_structural_variants/{sample}.tsv"
    conda:
        "../envs/delly.yaml"
    resources:
        mem_mb=8000,
        runtime=1440,
    params:
        mapq=config["calling"]["min_mapping_quality"],
        exclude=lambda w, input: f"-x {input.exclude}" if input.exclude else "",
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d {output.bcf}.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " delly call -g {input.fasta} -q {params.mapq} {params.exclude} -o $tmp/out.bcf {input.bam};"
        " mv $tmp/out.bcf.csi {output.csi}; mv $tmp/out.bcf {output.bcf}) 2> {log}"


rule filter_structural_variants:
    input:
        "results/calls/{sample}/delly.bcf",
    output:
        vcf=temp("results/calls/{sample}/sv.vcf.gz"),
        tbi=temp("results/calls/{sample}/sv.vcf.gz.tbi"),
    log:
        "logs/filter_structural_variants/{sample}.log",
    benchmark:
        "results/benchmarks/filter_structural_variants/{sample}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        sv=config["calling"]["structural_variants"],
    shell:
        "python -m hicmodels filter-svs --vcf {input} --min-size {params.sv[min_size]}"
        " --junction-bp {params.sv[inversion_junction_bp]} --out {output.vcf} 2> {log}"


# Both call sets under the sample's name, one sorted, normalised VCF.
rule merge_calls:
    input:
        small=expand(
            "results/calls/{{sample}}/small.{chrom}.bcf", chrom=CALLED_CHROMOSOMES
        ),
        small_index=expand(
            "results/calls/{{sample}}/small.{chrom}.bcf.csi", chrom=CALLED_CHROMOSOMES
        ),
        sv="results/calls/{sample}/sv.vcf.gz",
        sv_index="results/calls/{sample}/sv.vcf.gz.tbi",
        fasta="results/reference/genome.fa.gz",
    output:
        vcf="results/calls/{sample}.vcf.gz",
        tbi="results/calls/{sample}.vcf.gz.tbi",
    log:
        "logs/merge_calls/{sample}.log",
    benchmark:
        "results/benchmarks/merge_calls/{sample}.tsv"
    conda:
        "../envs/bcftools.yaml"
    resources:
        mem_mb=2000,
        runtime=60,
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d {output.vcf}.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " echo {wildcards.sample} > $tmp/name;"
        " bcftools reheader -s $tmp/name -o $tmp/sv.vcf.gz {input.sv}; bcftools index -t $tmp/sv.vcf.gz;"
        " bcftools concat -a -Ou {input.small} $tmp/sv.vcf.gz"
        " | bcftools norm -f {input.fasta} -Oz -o $tmp/out.vcf.gz;"
        " bcftools index -t $tmp/out.vcf.gz; mv $tmp/out.vcf.gz.tbi {output.tbi}; mv $tmp/out.vcf.gz {output.vcf})"
        " 2> {log}"
