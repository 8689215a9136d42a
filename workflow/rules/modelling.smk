# Stage "modelling" (package hicmodels.modelling, commands `hicmodels modelling ...`): every entry
# of the model zoo (config `models`) is trained per cell line (or given as a checkpoint file) and
# predicts every genome's windows, under results/cell_lines/<cell line>/models/<model>/.
#
# GPU rules: the slurm profile requests a GPU for them; without one they run on the CPU
# (the log says which device was used). OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep
# instead of spinning, which keeps CPU runs fast on cores shared with other jobs (measured:
# docs/benchmarks.md).


rule train_model:
    input:
        fasta="results/reference/genome.fa.gz",
        windows=lambda w: model_windows(w, "reference"),
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        checkpoint=f"{MODEL_DIR}/model.pt",
        log_table=f"{MODEL_DIR}/training_log.tsv",
    log:
        "logs/train_model/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/train_model/{cell_line}/{model}.tsv"
    wildcard_constraints:
        model=one_of(TRAINED),
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=720,
    params:
        cool=cool_uri,
        settings=lambda w: as_json(
            {
                "model": MODELS[w.model]["preset"],
                "training": MODELS[w.model]["training"],
            }
        ),
        tracks=track_option,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels modelling train --fasta {input.fasta} --cool {params.cool}"
        " --aliases {input.aliases} --windows {input.windows} --config {params.settings}"
        " --checkpoint {output.checkpoint} --log-table {output.log_table} {params.tracks}"
        " --threads {threads} 2> {log}"


# An entry with joint: true (Akita's several targets): one model trained on every cell line's map,
# an output each; each cell line's model.pt is that checkpoint with its output selected.
rule train_joint_model:
    input:
        fasta="results/reference/genome.fa.gz",
        windows=lambda w: model_windows(w, "reference"),
        cools=[CELL_LINES[name]["cool"].split("::")[0] for name in CELL_LINES],
        aliases=config["reference"]["chrom_aliases"],
    output:
        checkpoint="results/joint_models/{model}/model.pt",
        log_table="results/joint_models/{model}/training_log.tsv",
    log:
        "logs/train_joint_model/{model}.log",
    benchmark:
        "results/benchmarks/train_joint_model/{model}.tsv"
    wildcard_constraints:
        model=one_of(JOINT),
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=720,
    params:
        cools=joint_cool_uris,
        settings=lambda w: as_json(
            {
                "model": MODELS[w.model]["preset"],
                "training": MODELS[w.model]["training"],
            }
        ),
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels modelling train --fasta {input.fasta} --cool {params.cools}"
        " --aliases {input.aliases} --windows {input.windows} --config {params.settings}"
        " --checkpoint {output.checkpoint} --log-table {output.log_table} --threads {threads} 2> {log}"


rule select_target:
    input:
        "results/joint_models/{model}/model.pt",
    output:
        f"{MODEL_DIR}/model.pt",
    log:
        "logs/select_target/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/select_target/{cell_line}/{model}.tsv"
    wildcard_constraints:
        model=one_of(JOINT),
    conda:
        "../envs/hicmodels.yaml"
    params:
        target=lambda w: list(CELL_LINES).index(w.cell_line),
    shell:
        "python -m hicmodels modelling select-target --checkpoint {input} --target {params.target}"
        " --out {output} 2> {log}"


# A published checkpoint (C.Origami, HiCDiffusion, Akita) named by a model entry's weights, read
# without running code from it and written as a dna2hic checkpoint; it does not depend on the cell
# line's data, but each cell line's model directory holds its own copy.
rule import_checkpoint:
    input:
        checkpoint=lambda w: MODELS[w.model]["weights"]["checkpoint"],
        params=lambda w: MODELS[w.model]["weights"].get("params", []),
    output:
        f"{MODEL_DIR}/model.pt",
    log:
        "logs/import_checkpoint/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/import_checkpoint/{cell_line}/{model}.tsv"
    wildcard_constraints:
        model=one_of(IMPORTED),
    conda:
        "../envs/hicmodels.yaml"
    params:
        format=lambda w: MODELS[w.model]["weights"]["format"],
        settings=import_settings,
        params=import_params,
    shell:
        "python -m hicmodels modelling import-checkpoint --input {input.checkpoint}"
        " --format {params.format} {params.params} --config {params.settings} --out {output} 2> {log}"


# The diffusion stage: a denoising U-Net on the residual of the frozen encoder-decoder.
rule train_diffusion:
    input:
        encoder_decoder=f"{MODEL_DIR}/model.pt",
        fasta="results/reference/genome.fa.gz",
        windows=lambda w: model_windows(w, "reference"),
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        checkpoint=f"{MODEL_DIR}/diffusion.pt",
        log_table=f"{MODEL_DIR}/diffusion_log.tsv",
    log:
        "logs/train_diffusion/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/train_diffusion/{cell_line}/{model}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=720,
    params:
        cool=cool_uri,
        settings=lambda w: as_json(MODELS[w.model]["training"]),
        tracks=track_option,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels modelling train-diffusion --fasta {input.fasta}"
        " --cool {params.cool} --aliases {input.aliases} --windows {input.windows}"
        " --encoder-decoder {input.encoder_decoder} --config {params.settings}"
        " --checkpoint {output.checkpoint} --log-table {output.log_table} {params.tracks}"
        " --threads {threads} 2> {log}"


# Prediction: each job predicts a group of genomes (prediction.genomes_per_job; PREDICTION_GROUPS in
# common.smk) with one process start and model load, batches filled across its genomes; a genome's
# predictions are the same whatever the grouping. A rule's outputs are fixed patterns, so a job that
# writes a varying set of genomes writes them into its own directory, and link_predictions gives
# each genome's file its usual path (a hard link: no copy; a local rule: no cluster job). Snakemake's
# `group:` jobs would not save the start-up: each job of a group still runs its own process.
rule predict_genomes:
    input:
        checkpoint=predictor,
        fastas=group_fastas,
        windows=group_windows,
        chains=group_chains,
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        directory(f"{MODEL_DIR}/predictions/jobs/{{job}}"),
    log:
        "logs/predict/{cell_line}/{model}/job{job}.log",
    benchmark:
        "results/benchmarks/predict/{cell_line}/{model}/job{job}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=lambda w: 240 * len(group_genomes(w)),
    params:
        settings=as_json(config["prediction"]),
        tracks=track_option,
        genomes=group_arguments,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels modelling predict --checkpoint {input.checkpoint}"
        " {params.genomes} --config {params.settings} --aliases {input.aliases} {params.tracks}"
        " --threads {threads} 2> {log}"


localrules:
    link_predictions,


rule link_predictions:
    input:
        genome_prediction_job,
    output:
        f"{MODEL_DIR}/predictions/{{genome}}.h5",
    log:
        "logs/link_predictions/{cell_line}/{model}/{genome}.log",
    benchmark:
        "results/benchmarks/link_predictions/{cell_line}/{model}/{genome}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    shell:
        "ln -f {input}/{wildcards.genome}.h5 {output} 2> {log}"
