# Stage "multimodal" (package hicmodels.multimodal, commands `hicmodels multimodal ...`): model entries whose
# preset is a MIX-HIC architecture (MIXHIC). Per cell line: loop labels (its loops BEDPE, or loops called on
# its experimental map) with distance-matched negatives; pre-training on the epigenome stage's Hi-C targets
# and reference track store; the hic (InferMap: tracks alone), loop and cage heads fine-tuned from it; then
# per genome the maps (the predictions file that assemble_cool / zoomify turn into .cool/.mcool, as for the
# sequence models), a loops BEDPE with scores and a CAGE bigWig (both in reference coordinates); and the
# held-out test chromosomes' table of the paper's Tables 2-4. The hic head is the entry's model.pt, so the
# metrics rule scores its reference map beside the other models.


ruleorder: predict_mixhic_maps > link_predictions


rule loop_labels:
    input:
        source=loop_source,
        fasta="results/reference/genome.fa.gz",
        aliases=config["reference"]["chrom_aliases"],
    output:
        LOOP_LABELS,
    log:
        "logs/loop_labels/{cell_line}.log",
    benchmark:
        "results/benchmarks/loop_labels/{cell_line}.tsv"
    conda:
        "../envs/multimodal.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        source=loop_source_option,
        settings=as_json(
            {
                "multimodal": config["multimodal"],
                "resolution": config["epigenome"]["targets"]["resolution"],
                "seed": config["training"]["seed"],
                "chromosomes": config["reference"]["chromosomes"],
                **SPLITS,
            }
        ),
    shell:
        "python -m hicmodels multimodal loop-labels {params.source} --fasta {input.fasta}"
        " --aliases {input.aliases} --config {params.settings} --out {output} 2> {log}"


rule pretrain_mixhic:
    input:
        targets=MIXHIC_TARGETS,
        store=f"{TRACK_DIR}/reference.h5",
        cool=experimental_map,
        fasta="results/reference/genome.fa.gz",
        aliases=config["reference"]["chrom_aliases"],
    output:
        checkpoint=f"{MODEL_DIR}/pretrained.pt",
        log_table=f"{MODEL_DIR}/pretraining_log.tsv",
    log:
        "logs/pretrain_mixhic/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/pretrain_mixhic/{cell_line}/{model}.tsv"
    wildcard_constraints:
        model=one_of(MIXHIC),
    conda:
        "../envs/multimodal.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=720,
    params:
        cool=cool_uri,
        settings=mixhic_settings,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels multimodal pretrain --targets {input.targets}"
        " --store {input.store} --cool {params.cool} --fasta {input.fasta} --aliases {input.aliases}"
        " --config {params.settings} --checkpoint {output.checkpoint} --log-table {output.log_table}"
        " --threads {threads} 2> {log}"


# The hic head (MIX-HIC-InferMap) is the entry's model.pt: what the shared rules (metrics, figures) read.
rule finetune_mixhic_map:
    input:
        pretrained=f"{MODEL_DIR}/pretrained.pt",
        targets=MIXHIC_TARGETS,
        store=f"{TRACK_DIR}/reference.h5",
    output:
        checkpoint=f"{MODEL_DIR}/model.pt",
        log_table=f"{MODEL_DIR}/training_log.tsv",
    log:
        "logs/finetune_mixhic/{cell_line}/{model}.hic.log",
    benchmark:
        "results/benchmarks/finetune_mixhic/{cell_line}/{model}.hic.tsv"
    wildcard_constraints:
        model=one_of(MIXHIC),
    conda:
        "../envs/multimodal.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=720,
    params:
        settings=mixhic_settings,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels multimodal finetune --task hic"
        " --pretrained {input.pretrained} --targets {input.targets} --store {input.store}"
        " --config {params.settings} --checkpoint {output.checkpoint} --log-table {output.log_table}"
        " --threads {threads} 2> {log}"


rule finetune_mixhic_head:
    input:
        pretrained=f"{MODEL_DIR}/pretrained.pt",
        targets=MIXHIC_TARGETS,
        store=f"{TRACK_DIR}/reference.h5",
        labels=LOOP_LABELS,
    output:
        checkpoint=f"{MODEL_DIR}/mixhic_{{task}}.pt",
        log_table=f"{MODEL_DIR}/mixhic_{{task}}_log.tsv",
    log:
        "logs/finetune_mixhic/{cell_line}/{model}.{task}.log",
    benchmark:
        "results/benchmarks/finetune_mixhic/{cell_line}/{model}.{task}.tsv"
    wildcard_constraints:
        model=one_of(MIXHIC),
        task="loop|cage",
    conda:
        "../envs/multimodal.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=720,
    params:
        settings=mixhic_settings,
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels multimodal finetune --task {wildcards.task}"
        " --pretrained {input.pretrained} --targets {input.targets} --store {input.store}"
        " --labels {input.labels} --config {params.settings} --checkpoint {output.checkpoint}"
        " --log-table {output.log_table} --threads {threads} 2> {log}"


# A genome's maps from its track store alone, on the entry's window table (a haplotype's: lifted windows).
rule predict_mixhic_maps:
    input:
        checkpoint=f"{MODEL_DIR}/model.pt",
        store=genome_store,
        windows=genome_windows,
    output:
        f"{MODEL_DIR}/predictions/{{genome}}.h5",
    log:
        "logs/predict/{cell_line}/{model}/{genome}.log",
    benchmark:
        "results/benchmarks/predict/{cell_line}/{model}/{genome}.tsv"
    wildcard_constraints:
        model=one_of(MIXHIC),
    conda:
        "../envs/multimodal.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=240,
    params:
        settings=as_json(config["prediction"]),
    shell:
        "OMP_WAIT_POLICY=PASSIVE python -m hicmodels multimodal predict-maps --checkpoint {input.checkpoint}"
        " --store {input.store} --windows {input.windows} --config {params.settings} --out {output}"
        " --threads {threads} 2> {log}"


rule predict_mixhic_loops:
    input:
        checkpoint=f"{MODEL_DIR}/mixhic_loop.pt",
        store=genome_store,
        labels=LOOP_LABELS,
        chain=genome_chain,
    output:
        f"{MODEL_DIR}/loops/{{genome}}.bedpe",
    log:
        "logs/predict_mixhic_loops/{cell_line}/{model}/{genome}.log",
    benchmark:
        "results/benchmarks/predict_mixhic_loops/{cell_line}/{model}/{genome}.tsv"
    wildcard_constraints:
        model=one_of(MIXHIC),
    conda:
        "../envs/multimodal.yaml"
    threads: 4
    resources:
        mem_mb=8000,
        runtime=120,
    params:
        chain=chain_option,
    shell:
        "python -m hicmodels multimodal predict-loops --checkpoint {input.checkpoint} --store {input.store}"
        " --labels {input.labels} {params.chain} --out {output} --threads {threads} 2> {log}"


rule predict_mixhic_cage:
    input:
        checkpoint=f"{MODEL_DIR}/mixhic_cage.pt",
        store=genome_store,
        windows=genome_windows,
        fasta="results/reference/genome.fa.gz",
        chain=genome_chain,
    output:
        f"{MODEL_DIR}/cage/{{genome}}.bw",
    log:
        "logs/predict_mixhic_cage/{cell_line}/{model}/{genome}.log",
    benchmark:
        "results/benchmarks/predict_mixhic_cage/{cell_line}/{model}/{genome}.tsv"
    wildcard_constraints:
        model=one_of(MIXHIC),
    conda:
        "../envs/multimodal.yaml"
    threads: 4
    resources:
        mem_mb=8000,
        runtime=120,
    params:
        chain=chain_option,
    shell:
        "python -m hicmodels multimodal predict-cage --checkpoint {input.checkpoint} --store {input.store}"
        " --windows {input.windows} --fasta {input.fasta} {params.chain} --out {output}"
        " --threads {threads} 2> {log}"


rule mixhic_test_metrics:
    input:
        checkpoint=f"{MODEL_DIR}/model.pt",
        loop=f"{MODEL_DIR}/mixhic_loop.pt",
        cage=cage_head,
        targets=MIXHIC_TARGETS,
        store=f"{TRACK_DIR}/reference.h5",
        labels=LOOP_LABELS,
    output:
        f"{MODEL_DIR}/test_metrics_mixhic.tsv",
    log:
        "logs/mixhic_test_metrics/{cell_line}/{model}.log",
    benchmark:
        "results/benchmarks/mixhic_test_metrics/{cell_line}/{model}.tsv"
    wildcard_constraints:
        model=one_of(MIXHIC),
    conda:
        "../envs/multimodal.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        cage=lambda w, input: f"--cage {input.cage}" if input.cage else "",
        settings=as_json(
            {
                "multimodal": config["multimodal"],
                "chromosomes": config["reference"]["chromosomes"],
                **SPLITS,
            }
        ),
    shell:
        "python -m hicmodels multimodal metrics --name {wildcards.model} --checkpoint {input.checkpoint}"
        " --loop {input.loop} {params.cage} --targets {input.targets} --store {input.store}"
        " --labels {input.labels} --config {params.settings} --out {output} 2> {log}"
