rule metrics:
    input:
        predicted="results/cell_lines/{cell_line}/maps/reference.cool",
        checkpoint="results/cell_lines/{cell_line}/model/model.pt",
        windows="results/windows/reference.tsv",
        fasta="results/reference/genome.fa.gz",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
    output:
        "results/cell_lines/{cell_line}/metrics/test_metrics.tsv",
    log:
        "logs/metrics/{cell_line}.log",
    benchmark:
        "results/benchmarks/metrics/{cell_line}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        cool=cool_uri,
        settings=as_json(config["metrics"]),
    shell:
        "python -m hicmodels evaluate --fasta {input.fasta} --cool {params.cool} --aliases {input.aliases}"
        " --windows {input.windows} --checkpoint {input.checkpoint} --predicted {input.predicted}"
        " --settings {params.settings} --out {output} 2> {log}"
