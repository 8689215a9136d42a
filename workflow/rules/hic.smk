# Stage "hic" (package hicmodels.hic, commands `hicmodels hic ...`): a genome's window predictions
# stitched into a .cool in reference coordinates, then a multi-resolution .mcool; for models with
# posterior-predictive draws (STOCHASTIC) also the per-pixel standard deviation's .cool/.mcool, and with
# assemble.interval_level set the interval's lower and upper bounds (.lower/.upper .cool/.mcool).


rule assemble_cool:
    input:
        predictions=f"{MODEL_DIR}/predictions/{{genome}}.h5",
        windows=genome_windows,
        fasta="results/reference/genome.fa.gz",
        chain=genome_chain,
    output:
        cool=f"{MODEL_DIR}/maps/{{genome}}.cool",
        # a haplotype's inserted bases and extra copies, with the predicted window bins on them
        # (inserted bases are not in the reference-coordinate map); header only for the reference
        personal_sequence=f"{MODEL_DIR}/maps/{{genome}}.personal_sequence.tsv",
    log:
        "logs/assemble_cool/{cell_line}/{model}/{genome}.log",
    benchmark:
        "results/benchmarks/assemble_cool/{cell_line}/{model}/{genome}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        chain=lambda w, input: f"--chain {input.chain}" if input.chain else "",
        settings=as_json(config["assemble"]),
        assembly=config["reference"]["assembly"],
    shell:
        "python -m hicmodels hic assemble --predictions {input.predictions} --windows {input.windows}"
        " --fasta {input.fasta} {params.chain} --model {wildcards.model} --cell-line {wildcards.cell_line}"
        " --assembly {params.assembly} --config {params.settings}"
        " --out {output.cool} --personal-sequence {output.personal_sequence} 2> {log}"


rule zoomify:
    input:
        f"{MODEL_DIR}/maps/{{genome}}.cool",
    output:
        f"{MODEL_DIR}/maps/{{genome}}.mcool",
    log:
        "logs/zoomify/{cell_line}/{model}/{genome}.log",
    benchmark:
        "results/benchmarks/zoomify/{cell_line}/{model}/{genome}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        settings=as_json(config["assemble"]),
    shell:
        "python -m hicmodels hic zoomify --cool {input} --config {params.settings} --out {output} 2> {log}"


rule assemble_sd:
    input:
        predictions=f"{MODEL_DIR}/predictions/{{genome}}.h5",
        windows=genome_windows,
        fasta="results/reference/genome.fa.gz",
        chain=genome_chain,
    output:
        sd=f"{MODEL_DIR}/maps/{{genome}}.sd.cool",
    log:
        "logs/assemble_sd/{cell_line}/{model}/{genome}.log",
    benchmark:
        "results/benchmarks/assemble_sd/{cell_line}/{model}/{genome}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        chain=lambda w, input: f"--chain {input.chain}" if input.chain else "",
        settings=as_json(config["assemble"]),
        assembly=config["reference"]["assembly"],
    shell:
        "python -m hicmodels hic assemble --predictions {input.predictions} --windows {input.windows}"
        " --fasta {input.fasta} {params.chain} --model {wildcards.model} --cell-line {wildcards.cell_line}"
        " --assembly {params.assembly} --config {params.settings} --sd-out {output.sd} 2> {log}"


rule zoomify_sd:
    input:
        f"{MODEL_DIR}/maps/{{genome}}.sd.cool",
    output:
        f"{MODEL_DIR}/maps/{{genome}}.sd.mcool",
    log:
        "logs/zoomify_sd/{cell_line}/{model}/{genome}.log",
    benchmark:
        "results/benchmarks/zoomify_sd/{cell_line}/{model}/{genome}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        settings=as_json(config["assemble"]),
    shell:
        "python -m hicmodels hic zoomify --cool {input} --config {params.settings} --out {output} 2> {log}"


rule assemble_bounds:
    input:
        predictions=f"{MODEL_DIR}/predictions/{{genome}}.h5",
        windows=genome_windows,
        fasta="results/reference/genome.fa.gz",
        chain=genome_chain,
    output:
        lower=f"{MODEL_DIR}/maps/{{genome}}.lower.cool",
        upper=f"{MODEL_DIR}/maps/{{genome}}.upper.cool",
    log:
        "logs/assemble_bounds/{cell_line}/{model}/{genome}.log",
    benchmark:
        "results/benchmarks/assemble_bounds/{cell_line}/{model}/{genome}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        chain=lambda w, input: f"--chain {input.chain}" if input.chain else "",
        settings=as_json(config["assemble"]),
        assembly=config["reference"]["assembly"],
    shell:
        "python -m hicmodels hic assemble --predictions {input.predictions} --windows {input.windows}"
        " --fasta {input.fasta} {params.chain} --model {wildcards.model} --cell-line {wildcards.cell_line}"
        " --assembly {params.assembly} --config {params.settings}"
        " --lower-out {output.lower} --upper-out {output.upper} 2> {log}"


rule zoomify_bound:
    input:
        f"{MODEL_DIR}/maps/{{genome}}.{{bound}}.cool",
    output:
        f"{MODEL_DIR}/maps/{{genome}}.{{bound}}.mcool",
    log:
        "logs/zoomify_bound/{cell_line}/{model}/{genome}.{bound}.log",
    benchmark:
        "results/benchmarks/zoomify_bound/{cell_line}/{model}/{genome}.{bound}.tsv"
    wildcard_constraints:
        bound="lower|upper",
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        settings=as_json(config["assemble"]),
    shell:
        "python -m hicmodels hic zoomify --cool {input} --config {params.settings} --out {output} 2> {log}"
