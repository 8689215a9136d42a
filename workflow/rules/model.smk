# GPU rules: the slurm profile requests a GPU for them; without one they run on the CPU
# (the log says which device was used). OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep
# instead of spinning, which keeps CPU runs fast on cores shared with other jobs (measured:
# docs/benchmarks.md).

# The model predictions come from: the diffusion stage when it is switched on.
PREDICTOR = (
    "results/model/diffusion.pt"
    if config["model"]["diffusion"]
    else "results/model/model.pt"
)
# bigWig of each track the model preset reads (none for sequence-only presets).
TRACKS = {name: config["model"]["tracks"][name] for name in MODEL.get("tracks", [])}
TRACK_ARGS = " ".join(f"{name}={path}" for name, path in TRACKS.items())
PREDICT_OPTIONS = " ".join(
    filter(
        None,
        [
            f"--tracks {TRACK_ARGS}" if TRACKS else "",
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
        cool=config["hic"]["cool"].split("::")[0],
        aliases=config["reference"]["chrom_aliases"],
        tracks=list(TRACKS.values()),
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
        cool=lambda w, input: cool_uri(input.cool),
        model=as_json(MODEL),
        training=as_json(config["training"]),
        tracks=f"--tracks {TRACK_ARGS}" if TRACKS else "",
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels train --fasta {input.fasta} --cool {params.cool} --aliases {input.aliases}"
        " --windows {input.windows} --model {params.model} --training {params.training}"
        " --checkpoint {output.checkpoint} --log-table {output.log_table} {params.tracks}"
        " --threads {threads} 2> {log}"


# The diffusion stage: a denoising U-Net on the residual of the frozen encoder-decoder.
rule train_diffusion:
    input:
        encoder_decoder="results/model/model.pt",
        fasta="results/reference/genome.fa.gz",
        windows="results/windows/reference.tsv",
        cool=config["hic"]["cool"].split("::")[0],
        aliases=config["reference"]["chrom_aliases"],
        tracks=list(TRACKS.values()),
    output:
        checkpoint="results/model/diffusion.pt",
        log_table="results/model/diffusion_log.tsv",
    log:
        "logs/train_diffusion.log",
    benchmark:
        "results/benchmarks/train_diffusion.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=720,
    params:
        cool=lambda w, input: cool_uri(input.cool),
        training=as_json(config["training"]),
        tracks=f"--tracks {TRACK_ARGS}" if TRACKS else "",
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels train-diffusion --fasta {input.fasta} --cool {params.cool}"
        " --aliases {input.aliases} --windows {input.windows}"
        " --encoder-decoder {input.encoder_decoder} --training {params.training}"
        " --checkpoint {output.checkpoint} --log-table {output.log_table} {params.tracks}"
        " --threads {threads} 2> {log}"


rule predict_reference:
    input:
        checkpoint=PREDICTOR,
        fasta="results/reference/genome.fa.gz",
        windows="results/windows/reference.tsv",
        aliases=config["reference"]["chrom_aliases"],
        tracks=list(TRACKS.values()),
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
        options=PREDICT_OPTIONS,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels predict --checkpoint {input.checkpoint} --fasta {input.fasta}"
        " --windows {input.windows} --out {output} --batch-size {params.batch_size}"
        " --aliases {input.aliases} {params.options} --threads {threads} 2> {log}"


# One job predicts every window of a haplotype.
rule predict_haplotype:
    input:
        checkpoint=PREDICTOR,
        fasta="results/personal/{sample}/hap{hap}.fa.gz",
        windows="results/windows/{sample}.hap{hap}.tsv",
        aliases=config["reference"]["chrom_aliases"],
        tracks=list(TRACKS.values()),
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
        options=PREDICT_OPTIONS,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels predict --checkpoint {input.checkpoint} --fasta {input.fasta}"
        " --windows {input.windows} --out {output} --batch-size {params.batch_size}"
        " --aliases {input.aliases} {params.options} --threads {threads} 2> {log}"
