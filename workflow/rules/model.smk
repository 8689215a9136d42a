# GPU rules: the slurm profile requests a GPU for them; without one they run on the CPU
# (the log says which device was used).
rule train_model:
    input:
        fasta="results/reference/genome.fa.gz",
        windows="results/windows/reference.tsv",
        cool=config["hic"]["cool"].split("::")[0],
        aliases=config["reference"]["chrom_aliases"],
    output:
        checkpoint="results/model/model.pt",
        log_table="results/model/training_log.tsv",
    log:
        "logs/train_model.log",
    benchmark:
        "results/benchmarks/train_model.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=720,
    params:
        cool=config["hic"]["cool"],
        model=as_json(MODEL),
        training=as_json(config["training"]),
    shell:
        "python -m hicmodels train --fasta {input.fasta} --cool {params.cool} --aliases {input.aliases}"
        " --windows {input.windows} --model {params.model} --training {params.training}"
        " --checkpoint {output.checkpoint} --log-table {output.log_table} --threads {threads} 2> {log}"


rule predict_reference:
    input:
        checkpoint="results/model/model.pt",
        fasta="results/reference/genome.fa.gz",
        windows="results/windows/reference.tsv",
    output:
        "results/predictions/reference.h5",
    log:
        "logs/predict/reference.log",
    benchmark:
        "results/benchmarks/predict/reference.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=240,
    params:
        batch_size=config["prediction"]["batch_size"],
    shell:
        "python -m hicmodels predict --checkpoint {input.checkpoint} --fasta {input.fasta}"
        " --windows {input.windows} --out {output} --batch-size {params.batch_size}"
        " --threads {threads} 2> {log}"


# One job predicts every window of a haplotype.
rule predict_haplotype:
    input:
        checkpoint="results/model/model.pt",
        fasta="results/personal/{sample}/hap{hap}.fa.gz",
        windows="results/windows/{sample}.hap{hap}.tsv",
    output:
        "results/predictions/{sample}.hap{hap}.h5",
    log:
        "logs/predict/{sample}.hap{hap}.log",
    benchmark:
        "results/benchmarks/predict/{sample}.hap{hap}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=240,
    params:
        batch_size=config["prediction"]["batch_size"],
    shell:
        "python -m hicmodels predict --checkpoint {input.checkpoint} --fasta {input.fasta}"
        " --windows {input.windows} --out {output} --batch-size {params.batch_size}"
        " --threads {threads} 2> {log}"
