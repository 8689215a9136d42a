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
        exclude=config["reference"]["exclude"],
        centromeres=lambda w, input: (
            f"--centromeres {input.centromeres}" if input.centromeres else ""
        ),
    shell:
        "python -m hicmodels prepare-reference --input {input.fasta} --fasta {output.fasta}"
        " --chromsizes {output.chromsizes} --excluded {output.excluded}"
        " --min-n-run {params.exclude[min_n_run_bp]} --telomere-bp {params.exclude[telomere_bp]}"
        " {params.centromeres} --centromere-pad {params.exclude[centromere_pad_bp]} 2> {log}"
