rule assemble_cool:
    input:
        predictions="results/cell_lines/{cell_line}/predictions/{genome}.h5",
        windows=genome_windows,
        fasta="results/reference/genome.fa.gz",
        chain=genome_chain,
    output:
        cool="results/cell_lines/{cell_line}/maps/{genome}.cool",
        # a haplotype's inserted bases and extra copies, with the predicted window bins on them
        # (inserted bases are not in the reference-coordinate map); header only for the reference
        personal_sequence="results/cell_lines/{cell_line}/maps/{genome}.personal_sequence.tsv",
    log:
        "logs/assemble_cool/{cell_line}/{genome}.log",
    benchmark:
        "results/benchmarks/assemble_cool/{cell_line}/{genome}.tsv"
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
        " --min-coverage {params.min_coverage} --out {output.cool}"
        " --personal-sequence {output.personal_sequence} 2> {log}"


rule zoomify:
    input:
        "results/cell_lines/{cell_line}/maps/{genome}.cool",
    output:
        "results/cell_lines/{cell_line}/maps/{genome}.mcool",
    log:
        "logs/zoomify/{cell_line}/{genome}.log",
    benchmark:
        "results/benchmarks/zoomify/{cell_line}/{genome}.tsv"
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
