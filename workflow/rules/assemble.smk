rule assemble_cool:
    input:
        predictions="results/predictions/{genome}.h5",
        windows=genome_windows,
        fasta="results/reference/genome.fa.gz",
        chain=genome_chain,
    output:
        "results/maps/{genome}.cool",
    log:
        "logs/assemble_cool/{genome}.log",
    benchmark:
        "results/benchmarks/assemble_cool/{genome}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        chain=lambda w, input: f"--chain {input.chain}" if input.chain else "",
        bin_size=config["assemble"]["bin_size"],
        min_coverage=config["assemble"]["min_coverage"],
    shell:
        "python -m hicmodels assemble --predictions {input.predictions} --windows {input.windows}"
        " --fasta {input.fasta} {params.chain} --bin-size {params.bin_size}"
        " --min-coverage {params.min_coverage} --out {output} 2> {log}"


rule zoomify:
    input:
        "results/maps/{genome}.cool",
    output:
        "results/maps/{genome}.mcool",
    log:
        "logs/zoomify/{genome}.log",
    benchmark:
        "results/benchmarks/zoomify/{genome}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        resolutions=config["assemble"]["resolutions"],
    shell:
        "python -m hicmodels zoomify --cool {input} --resolutions {params.resolutions}"
        " --out {output} 2> {log}"
