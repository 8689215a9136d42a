# GPU rules: the slurm profile requests a GPU for them; without one they run on the CPU
# (the log says which device was used). OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep
# instead of spinning, which keeps CPU runs fast on cores shared with other jobs (measured:
# docs/benchmarks.md).

# Options of every predict job.
PREDICT_OPTIONS = " ".join(
    filter(
        None,
        [
            "--compile" if config["prediction"]["compile"] else "",
            (
                f"--sampling-steps {config['prediction']['sampling_steps']}"
                if config["prediction"]["sampling_steps"]
                else ""
            ),
            f"--seed {config['prediction']['seed']}",
        ],
    )
)


rule train_model:
    input:
        fasta="results/reference/genome.fa.gz",
        windows="results/windows/reference.tsv",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        checkpoint="results/cell_lines/{cell_line}/model/model.pt",
        log_table="results/cell_lines/{cell_line}/model/training_log.tsv",
    log:
        "logs/train_model/{cell_line}.log",
    benchmark:
        "results/benchmarks/train_model/{cell_line}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=720,
    params:
        cool=cool_uri,
        model=as_json(MODEL),
        training=as_json(config["training"]),
        tracks=track_option,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels train --fasta {input.fasta} --cool {params.cool} --aliases {input.aliases}"
        " --windows {input.windows} --model {params.model} --training {params.training}"
        " --checkpoint {output.checkpoint} --log-table {output.log_table} {params.tracks}"
        " --threads {threads} 2> {log}"


# The diffusion stage: a denoising U-Net on the residual of the frozen encoder-decoder.
rule train_diffusion:
    input:
        encoder_decoder="results/cell_lines/{cell_line}/model/model.pt",
        fasta="results/reference/genome.fa.gz",
        windows="results/windows/reference.tsv",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        checkpoint="results/cell_lines/{cell_line}/model/diffusion.pt",
        log_table="results/cell_lines/{cell_line}/model/diffusion_log.tsv",
    log:
        "logs/train_diffusion/{cell_line}.log",
    benchmark:
        "results/benchmarks/train_diffusion/{cell_line}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=720,
    params:
        cool=cool_uri,
        training=as_json(config["training"]),
        tracks=track_option,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels train-diffusion --fasta {input.fasta} --cool {params.cool}"
        " --aliases {input.aliases} --windows {input.windows}"
        " --encoder-decoder {input.encoder_decoder} --training {params.training}"
        " --checkpoint {output.checkpoint} --log-table {output.log_table} {params.tracks}"
        " --threads {threads} 2> {log}"


rule predict_reference:
    input:
        checkpoint=predictor,
        fasta="results/reference/genome.fa.gz",
        windows="results/windows/reference.tsv",
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        "results/cell_lines/{cell_line}/predictions/reference.h5",
    log:
        "logs/predict/{cell_line}/reference.log",
    benchmark:
        "results/benchmarks/predict/{cell_line}/reference.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=240,
    params:
        batch_size=config["prediction"]["batch_size"],
        options=PREDICT_OPTIONS,
        tracks=track_option,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels predict --checkpoint {input.checkpoint} --fasta {input.fasta}"
        " --windows {input.windows} --out {output} --batch-size {params.batch_size}"
        " --aliases {input.aliases} {params.options} {params.tracks} --threads {threads} 2> {log}"


# One job predicts every window of a haplotype.
rule predict_haplotype:
    input:
        checkpoint=predictor,
        fasta="results/personal/{sample}/hap{hap}.fa.gz",
        windows="results/windows/{sample}.hap{hap}.tsv",
        chain="results/personal/{sample}/hap{hap}.chain",
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        "results/cell_lines/{cell_line}/predictions/{sample}.hap{hap}.h5",
    log:
        "logs/predict/{cell_line}/{sample}.hap{hap}.log",
    benchmark:
        "results/benchmarks/predict/{cell_line}/{sample}.hap{hap}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=240,
    params:
        batch_size=config["prediction"]["batch_size"],
        options=PREDICT_OPTIONS,
        tracks=track_option,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels predict --checkpoint {input.checkpoint} --fasta {input.fasta}"
        " --windows {input.windows} --out {output} --batch-size {params.batch_size}"
        " --chain {input.chain} --aliases {input.aliases} {params.options} {params.tracks}"
        " --threads {threads} 2> {log}"
