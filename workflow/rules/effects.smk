# Stage "effects" (package hicmodels.effects, commands `hicmodels effects ...`): which of each
# sample's applied variants change the model's maps. One job per cell line and model scores every
# sample, so a window shared by samples (a reference window, a common variant) is predicted once
# for the cohort, in full batches. Scores and tables: src/hicmodels/effects/; README "Variant effects".
# A GPU rule (it predicts); OMP_WAIT_POLICY=PASSIVE as in modelling.smk. Models that read tracks
# get the cell line's bigWigs, lifted into each window as the predict rules do.


rule variant_effects:
    input:
        checkpoint=predictor,
        fasta="results/reference/genome.fa.gz",
        fai="results/reference/genome.fa.gz.fai",
        vcfs=cohort_vcfs,
        summaries=expand("results/personal/{sample}/summary.tsv", sample=samples.index),
        edits=cohort_edits,
        aliases=config["reference"]["chrom_aliases"],
        tracks=cell_line_tracks,
    output:
        tables=expand(
            f"{MODEL_DIR}/variant_effects/{{sample}}.tsv",
            sample=samples.index,
            allow_missing=True,
        ),
        cohort=f"{MODEL_DIR}/variant_effects/cohort.tsv.gz",
        index=f"{MODEL_DIR}/variant_effects/cohort.tsv.gz.tbi",
        counts=f"{MODEL_DIR}/variant_effects/predictions.tsv",
        figure=report(
            f"{MODEL_DIR}/variant_effects/top_variants.png",
            caption="../report/variant_effects.rst",
            category="Variant effects",
            subcategory="{cell_line}",
            labels={"model": "{model}", "figure": "top variants"},
        ),
    log:
        "logs/variant_effects/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/variant_effects/{cell_line}/{model}.tsv"
    conda:
        "../envs/hicmodels.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=240,
    params:
        samples=effects_sample_arguments,
        edits=effects_edits_option,
        out_dir=lambda w, output: os.path.dirname(output.cohort),
        tracks=track_option,
        settings=as_json(
            {
                "effects": config["effects"],
                "variants": config["variants"],
                "prediction": config["prediction"],
            }
        ),
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels effects score --fasta {input.fasta} {params.samples}"
        " {params.edits} --aliases {input.aliases} {params.tracks} --checkpoint {input.checkpoint}"
        " --cell-line {wildcards.cell_line} --model {wildcards.model} --config {params.settings}"
        " --out-dir {params.out_dir} --threads {threads} 2> {log}"
