rule metrics:
    input:
        predicted="results/maps/reference.cool",
        checkpoint="results/model/model.pt",
        windows="results/windows/reference.tsv",
        fasta="results/reference/genome.fa.gz",
        cool=config["hic"]["cool"].split("::")[0],
        aliases=config["reference"]["chrom_aliases"],
    output:
        "results/metrics/test_metrics.tsv",
    log:
        "logs/metrics.log",
    benchmark:
        "results/benchmarks/metrics.tsv"
    conda:
        "../envs/hicmodels.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        cool=config["hic"]["cool"],
        settings=as_json(config["metrics"]),
    shell:
        "python -m hicmodels evaluate --fasta {input.fasta} --cool {params.cool} --aliases {input.aliases}"
        " --windows {input.windows} --checkpoint {input.checkpoint} --predicted {input.predicted}"
        " --settings {params.settings} --out {output} 2> {log}"
