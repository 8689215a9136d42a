rule windows_reference:
    input:
        fasta="results/reference/genome.fa.gz",
        excluded="results/reference/excluded.bed",
    output:
        "results/windows/reference.tsv",
    log:
        "logs/windows_reference.log",
    benchmark:
        "results/benchmarks/windows_reference.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        chromosomes=config["reference"]["chromosomes"],
        test=SPLITS["test"],
        validation=SPLITS["validation"],
        size=WINDOWS["size"],
        step=WINDOWS["step"],
        bin_size=WINDOWS["size"] // WINDOWS["bins"],
    shell:
        "python -m hicmodels windows --fasta {input.fasta} --excluded {input.excluded}"
        " --chromosomes {params.chromosomes} --size {params.size} --step {params.step}"
        " --bin-size {params.bin_size} --test {params.test} --validation {params.validation}"
        " --out {output} 2> {log}"


rule windows_haplotype:
    input:
        windows="results/windows/reference.tsv",
        chain="results/personal/{sample}/hap{hap}.chain",
    output:
        "results/windows/{sample}.hap{hap}.tsv",
    log:
        "logs/windows_haplotype/{sample}.hap{hap}.log",
    benchmark:
        "results/benchmarks/windows_haplotype/{sample}.hap{hap}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=4000,
        runtime=10,
    shell:
        "python -m hicmodels lift-windows --windows {input.windows} --chain {input.chain}"
        " --out {output} 2> {log}"
