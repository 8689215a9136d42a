# Target `folds` (`snakemake folds`; opt-in, not part of `all`): HiCDiffusion's leave-one-chromosome-
# out evaluation (Methods, "Training, testing, and validation data"). For fold i of
# reference.chromosomes, chromosome i is tested and chromosome i + 1 validates (the last chromosome
# validates on the one before); every model entry trained here is trained, predicts the reference
# and is scored in each fold, under results/folds/fold<i>/. The rules are the workflow's own, on the
# fold's window table. Tables: results/cell_lines/<cell line>/metrics/folds.tsv (every fold's rows)
# and folds_pooled.tsv (mean and SD over folds per predictor).


rule folds:
    input:
        # nothing to refit when every entry uses a published or given checkpoint
        expand(
            "results/cell_lines/{cell_line}/metrics/folds{table}.tsv",
            cell_line=CELL_LINES,
            table=["", "_pooled"],
        )
        if TRAINED
        else [],


use rule windows_reference as windows_fold with:
    output:
        f"{FOLD_DIR}/windows/{{window_preset}}/reference.tsv",
    log:
        "logs/folds/windows/fold{fold}/{window_preset}.log",
    benchmark:
        "results/benchmarks/folds/windows/fold{fold}/{window_preset}.tsv"
    params:
        settings=fold_window_settings,


use rule train_model as train_model_fold with:
    input:
        fasta="results/reference/genome.fa.gz",
        windows=fold_windows,
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        checkpoint=f"{FOLD_MODEL_DIR}/model.pt",
        log_table=f"{FOLD_MODEL_DIR}/training_log.tsv",
    log:
        "logs/folds/train_model/fold{fold}/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/folds/train_model/fold{fold}/{cell_line}/{model}.tsv"


use rule train_diffusion as train_diffusion_fold with:
    input:
        encoder_decoder=f"{FOLD_MODEL_DIR}/model.pt",
        fasta="results/reference/genome.fa.gz",
        windows=fold_windows,
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        checkpoint=f"{FOLD_MODEL_DIR}/diffusion.pt",
        log_table=f"{FOLD_MODEL_DIR}/diffusion_log.tsv",
    log:
        "logs/folds/train_diffusion/fold{fold}/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/folds/train_diffusion/fold{fold}/{cell_line}/{model}.tsv"


# A fold predicts the reference only: a job of one genome, written at its path directly.
use rule predict_genomes as predict_fold with:
    input:
        checkpoint=fold_predictor,
        fastas=["results/reference/genome.fa.gz"],
        windows=fold_windows,
        chains=[],
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        f"{FOLD_MODEL_DIR}/predictions/reference.h5",
    log:
        "logs/folds/predict/fold{fold}/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/folds/predict/fold{fold}/{cell_line}/{model}.tsv"
    resources:
        mem_mb=16000,
        runtime=240,
    params:
        settings=as_json(config["prediction"]),
        tracks=track_option,
        genomes=lambda w, input, output: f"--fasta {input.fastas} --windows {input.windows} --out {output}",


use rule assemble_cool as assemble_fold with:
    input:
        predictions=f"{FOLD_MODEL_DIR}/predictions/reference.h5",
        windows=fold_windows,
        fasta="results/reference/genome.fa.gz",
        chain=[],
    output:
        cool=f"{FOLD_MODEL_DIR}/maps/reference.cool",
        personal_sequence=f"{FOLD_MODEL_DIR}/maps/reference.personal_sequence.tsv",
    log:
        "logs/folds/assemble_cool/fold{fold}/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/folds/assemble_cool/fold{fold}/{cell_line}/{model}.tsv"


use rule metrics as metrics_fold with:
    input:
        unpack(fold_models_to_score),
        fasta="results/reference/genome.fa.gz",
        cool=experimental_map,
        aliases=config["reference"]["chrom_aliases"],
    output:
        f"{FOLD_DIR}/cell_lines/{{cell_line}}/metrics/test_metrics.tsv",
    log:
        "logs/folds/metrics/fold{fold}/{cell_line}.log",
    benchmark:
        "results/benchmarks/folds/metrics/fold{fold}/{cell_line}.tsv"
    params:
        cool=cool_uri,
        models=fold_model_arguments,
        settings=as_json(config["metrics"]),


rule fold_metrics:
    input:
        fold_metrics_tables,
    output:
        per_fold="results/cell_lines/{cell_line}/metrics/folds.tsv",
        pooled="results/cell_lines/{cell_line}/metrics/folds_pooled.tsv",
    log:
        "logs/folds/fold_metrics/{cell_line}.log",
    conda:
        "../envs/hicmodels.yaml"
    params:
        folds=fold_arguments,
    shell:
        "python -m hicmodels evaluation pool-folds {params.folds} --out {output.per_fold}"
        " --pooled {output.pooled} 2> {log}"
