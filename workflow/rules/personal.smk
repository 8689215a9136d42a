# Personal haplotype genomes. For now bcftools consensus, which applies SNVs, indels and
# symbolic <DEL>; other symbolic SVs and breakends are left out, and so are records whose FILTER is
# neither PASS nor "." (both counted in the log).
rule personal_genome:
    input:
        fasta="results/reference/genome.fa.gz",
        vcf=sample_vcf,
    output:
        fasta="results/personal/{sample}/hap{hap}.fa.gz",
        fai="results/personal/{sample}/hap{hap}.fa.gz.fai",
        gzi="results/personal/{sample}/hap{hap}.fa.gz.gzi",
        chain="results/personal/{sample}/hap{hap}.chain",
    log:
        "logs/personal_genome/{sample}.hap{hap}.log",
    benchmark:
        "results/benchmarks/personal_genome/{sample}.hap{hap}.tsv"
    conda:
        "../envs/bcftools.yaml"
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        vcf_sample=lambda w: samples.loc[w.sample, "vcf_sample"],
        unsupported='\'(ALT~"<.*>" && ALT!="<DEL>") || ALT~"[][]"\'',
    shell:
        "(set -euo pipefail; tmp=$(mktemp -d {output.fasta}.XXXXXX); trap 'rm -rf $tmp' EXIT;"
        " echo skipped records failing a FILTER: $(bcftools view -H -s {params.vcf_sample}"
        ' -e \'FILTER="PASS" || FILTER="."\' {input.vcf} | wc -l) >&2;'
        " echo skipped symbolic SVs other than DEL, and breakends: $(bcftools view -H -s {params.vcf_sample}"
        " -f PASS,. -i {params.unsupported} {input.vcf} | wc -l) >&2;"
        " bcftools view -s {params.vcf_sample} -f PASS,. -e {params.unsupported} -Oz -o $tmp/sample.vcf.gz"
        " {input.vcf};"
        " bcftools index $tmp/sample.vcf.gz;"
        " bcftools consensus -f {input.fasta} -s {params.vcf_sample} -H {wildcards.hap}"
        " --chain $tmp/hap.chain $tmp/sample.vcf.gz | bgzip > $tmp/hap.fa.gz;"
        " samtools faidx $tmp/hap.fa.gz;"
        " mv $tmp/hap.fa.gz.fai {output.fai}; mv $tmp/hap.fa.gz.gzi {output.gzi};"
        " mv $tmp/hap.chain {output.chain}; mv $tmp/hap.fa.gz {output.fasta}) 2> {log}"
