# Stage "genome" (package hicmodels.genome, commands `hicmodels genome ...`): the reference
# (bgzip + index, chromosome sizes, excluded regions) and the model windows of every genome,
# one window table per window preset that a model entry reads.


rule prepare_reference:
    input:
        fasta=config["reference"]["fasta"],
        centromeres=config["reference"]["exclude"]["centromeres"] or [],
    output:
        fasta="results/reference/genome.fa.gz",
        fai="results/reference/genome.fa.gz.fai",
        gzi="results/reference/genome.fa.gz.gzi",
        chromsizes="results/reference/genome.chrom.sizes",
        excluded="results/reference/excluded.bed",
    log:
        "logs/prepare_reference.log",
    benchmark:
        "results/benchmarks/prepare_reference.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        settings=as_json(
            {
                k: v
                for k, v in config["reference"]["exclude"].items()
                if k != "max_n_fraction"
            }
        ),
        centromeres=lambda w, input: (
            f"--centromeres {input.centromeres}" if input.centromeres else ""
        ),
    shell:
        "python -m hicmodels genome prepare-reference --input {input.fasta} --fasta {output.fasta}"
        " --chromsizes {output.chromsizes} --excluded {output.excluded}"
        " {params.centromeres} --config {params.settings} 2> {log}"


rule windows_reference:
    input:
        fasta="results/reference/genome.fa.gz",
        excluded="results/reference/excluded.bed",
    output:
        "results/windows/{window_preset}/reference.tsv",
    log:
        "logs/windows_reference/{window_preset}.log",
    benchmark:
        "results/benchmarks/windows_reference/{window_preset}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        settings=window_settings,
    shell:
        "python -m hicmodels genome windows --fasta {input.fasta} --excluded {input.excluded}"
        " --config {params.settings} --out {output} 2> {log}"


rule windows_haplotype:
    input:
        windows="results/windows/{window_preset}/reference.tsv",
        chain="results/personal/{sample}/hap{hap}.chain",
        fasta="results/personal/{sample}/hap{hap}.fa.gz",
    output:
        "results/windows/{window_preset}/{sample}.hap{hap}.tsv",
    log:
        "logs/windows_haplotype/{window_preset}/{sample}.hap{hap}.log",
    benchmark:
        "results/benchmarks/windows_haplotype/{window_preset}/{sample}.hap{hap}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=4000,
        runtime=10,
    params:
        settings=as_json(
            {"max_n_fraction": config["reference"]["exclude"]["max_n_fraction"]}
        ),
    shell:
        "python -m hicmodels genome lift-windows --windows {input.windows} --chain {input.chain}"
        " --fasta {input.fasta} --config {params.settings} --out {output} 2> {log}"
