# Stage "calling" (package hicmodels.calling, commands `hicmodels calling ...`): reads -> one
# normalised, FILTER-annotated VCF per sample, for samples given as fastq1/fastq2 or bam.
#
# Alignment: reads -> duplicate-marked, indexed alignments, for samples given as fastq1/fastq2.
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
        settings=as_json(config["calling"]["structural_variants"]),
    shell:
        "python -m hicmodels calling filter-svs --vcf {input} --config {params.settings}"
        " --out {output.vcf} 2> {log}"


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


# Quality of the reads -> VCF front end: coverage of every sample with reads or alignments, and,
# for samples with a truth VCF, recall and precision of the calls per variant class.


# mosdepth counts depth as the callers see the reads: --fast-mode (a read covers its first to last
# aligned base, mates' overlaps count twice), MAPQ >= calling.min_mapping_quality, flags 3844
# (unmapped, secondary, QC fail, duplicate, supplementary) left out. Its summary and distribution
# files stay for MultiQC; the per-base depth is temporary.
rule mosdepth:
    input:
        bam=sample_alignments,
        index=sample_alignment_index,
        fasta="results/reference/genome.fa.gz",
    output:
        per_base=temp("results/qc/mosdepth/{sample}.per-base.bed.gz"),
        summary="results/qc/mosdepth/{sample}.mosdepth.summary.txt",
        dist="results/qc/mosdepth/{sample}.mosdepth.global.dist.txt",
    log:
        "logs/mosdepth/{sample}.log",
    benchmark:
        "results/benchmarks/mosdepth/{sample}.tsv"
    conda:
        "../envs/mosdepth.yaml"
    threads: 4
    resources:
        mem_mb=4000,
        runtime=240,
    params:
        mapq=config["calling"]["min_mapping_quality"],
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d {output.summary}.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " mosdepth --fast-mode -t {threads} -Q {params.mapq} -F 3844 -f {input.fasta} $tmp/out {input.bam};"
        " mv $tmp/out.per-base.bed.gz {output.per_base}; mv $tmp/out.mosdepth.global.dist.txt {output.dist};"
        " mv $tmp/out.mosdepth.summary.txt {output.summary}) 2> {log}"


# mosdepth's per-base depth -> the coverage table; reads counted with the same filters.
rule coverage:
    input:
        bam=sample_alignments,
        index=sample_alignment_index,
        fasta="results/reference/genome.fa.gz",
        per_base="results/qc/mosdepth/{sample}.per-base.bed.gz",
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
    threads: 4
    resources:
        mem_mb=2000,
        runtime=120,
    params:
        chromosomes=CALLED_CHROMOSOMES,
        settings=as_json(config["calling"]),
    shell:
        "python -m hicmodels calling coverage --bam {input.bam} --per-base {input.per_base}"
        " --reference {input.fasta} --chromosomes {params.chromosomes} --threads {threads}"
        " --config {params.settings} --out {output} 2> {log}"


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
        settings=as_json(config["calling"]["evaluation"]),
    shell:
        "python -m hicmodels calling accuracy --truth {input.truth} --calls {input.calls}"
        " --calls-sample {params.calls_sample} --chromosomes {params.chromosomes} --config {params.settings}"
        " --summary {output.summary} --sv-recovery {output.sv} 2> {log}"


# The same SVs scored by truvari bench (matching settings of calling.evaluation; see
# hicmodels.calling.truvari), per class, with truvari's summary.json kept.
rule sv_bench:
    input:
        truth="results/qc/{sample}.truth.vcf.gz",
        truth_index="results/qc/{sample}.truth.vcf.gz.tbi",
        calls=sample_vcf,
        fasta="results/reference/genome.fa.gz",
    output:
        table=report(
            "results/qc/{sample}.sv_truvari.tsv",
            caption="../report/sv_truvari.rst",
            category="Reads to VCF",
            subcategory="{sample}",
            labels={"sample": "{sample}", "table": "SV accuracy (truvari)"},
        ),
        summary="results/qc/{sample}.truvari.json",
    log:
        "logs/sv_bench/{sample}.log",
    benchmark:
        "results/benchmarks/sv_bench/{sample}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        calls_sample=lambda w: samples.loc[w.sample, "vcf_sample"],
        chromosomes=CALLED_CHROMOSOMES,
        settings=as_json(config["calling"]["evaluation"]),
    shell:
        "python -m hicmodels calling sv-bench --truth {input.truth} --calls {input.calls}"
        " --calls-sample {params.calls_sample} --reference {input.fasta} --chromosomes {params.chromosomes}"
        " --config {params.settings} --table {output.table} --summary {output.summary} 2> {log}"
