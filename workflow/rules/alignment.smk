# Reads -> duplicate-marked, indexed alignments, for samples given as fastq1/fastq2.
# Samples given as bam skip these rules: their BAM/CRAM is used where it lies (see common.smk).


rule bwa_index:
    input:
        "results/reference/genome.fa.gz",
    output:
        multiext("results/reference/bwa/genome", ".amb", ".ann", ".bwt", ".pac", ".sa"),
    log:
        "logs/bwa_index.log",
    benchmark:
        "results/benchmarks/bwa_index.tsv"
    conda:
        "../envs/bwa.yaml"
    resources:
        mem_mb=8000,
        runtime=240,
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d results/reference/bwa/.tmp.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " bwa index -p $tmp/genome {input};"
        " for ext in amb ann bwt pac sa; do mv $tmp/genome.$ext results/reference/bwa/genome.$ext; done) 2> {log}"


rule minimap2_index:
    input:
        "results/reference/genome.fa.gz",
    output:
        "results/reference/genome.sr.mmi",
    log:
        "logs/minimap2_index.log",
    benchmark:
        "results/benchmarks/minimap2_index.tsv"
    conda:
        "../envs/minimap2.yaml"
    threads: 4
    resources:
        mem_mb=16000,
        runtime=120,
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d {output}.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " minimap2 -x sr -t {threads} -d $tmp/index.mmi {input}; mv $tmp/index.mmi {output}) 2> {log}"


# Aligned pairs get mate tags (fixmate -m, for markdup) and are coordinate-sorted.
rule align_bwa:
    input:
        fastq1=lambda w: samples.loc[w.sample, "fastq1"],
        fastq2=lambda w: samples.loc[w.sample, "fastq2"],
        index=rules.bwa_index.output,
    output:
        temp("results/alignments/{sample}.bwa.sorted.bam"),
    log:
        "logs/align/{sample}.bwa.log",
    benchmark:
        "results/benchmarks/align/{sample}.bwa.tsv"
    conda:
        "../envs/bwa.yaml"
    threads: 16
    resources:
        mem_mb=24000,
        runtime=1440,
    params:
        prefix=lambda w, input: os.path.splitext(input.index[0])[0],
        read_group=read_group,
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d {output}.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " bwa mem -t {threads} -R '{params.read_group}' {params.prefix} {input.fastq1} {input.fastq2}"
        " | samtools fixmate -m -u - -"
        " | samtools sort -@ {threads} -m 768M -T $tmp/sort -o $tmp/sorted.bam -;"
        " mv $tmp/sorted.bam {output}) 2> {log}"


rule align_minimap2:
    input:
        fastq1=lambda w: samples.loc[w.sample, "fastq1"],
        fastq2=lambda w: samples.loc[w.sample, "fastq2"],
        index=rules.minimap2_index.output,
    output:
        temp("results/alignments/{sample}.minimap2.sorted.bam"),
    log:
        "logs/align/{sample}.minimap2.log",
    benchmark:
        "results/benchmarks/align/{sample}.minimap2.tsv"
    conda:
        "../envs/minimap2.yaml"
    threads: 16
    resources:
        mem_mb=24000,
        runtime=1440,
    params:
        read_group=read_group,
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d {output}.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " minimap2 -ax sr -t {threads} -R '{params.read_group}' {input.index} {input.fastq1} {input.fastq2}"
        " | samtools fixmate -m -u - -"
        " | samtools sort -@ {threads} -m 768M -T $tmp/sort -o $tmp/sorted.bam -;"
        " mv $tmp/sorted.bam {output}) 2> {log}"


rule mark_duplicates:
    input:
        f"results/alignments/{{sample}}.{config['calling']['aligner']}.sorted.bam",
    output:
        bam="results/alignments/{sample}.bam",
        bai="results/alignments/{sample}.bam.bai",
        stats="results/qc/{sample}.markdup.txt",
    log:
        "logs/mark_duplicates/{sample}.log",
    benchmark:
        "results/benchmarks/mark_duplicates/{sample}.tsv"
    conda:
        "../envs/bcftools.yaml"
    threads: 4
    resources:
        mem_mb=4000,
        runtime=360,
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d {output.bam}.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " samtools markdup -@ {threads} -f $tmp/stats.txt --write-index -T $tmp/markdup"
        " {input} $tmp/out.bam##idx##$tmp/out.bam.bai;"
        " mv $tmp/stats.txt {output.stats}; mv $tmp/out.bam.bai {output.bai}; mv $tmp/out.bam {output.bam})"
        " 2> {log}"
