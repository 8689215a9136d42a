# Stage "structure" (package hicmodels.structure, commands `hicmodels structure ...`), target
# `structure` (`snakemake structure`; opt-in, not part of `all`): training ensembles of 3D
# structures simulated as confined polymers on OpenMM (the E. coli 3D diffusion-transformer paper,
# sections 3.1 and 4.1), each with its contact map, their metrics (section 5) and report figures;
# the structure VAE and CrossDiT generator trained on them (sections 3.2-4.2), and ensembles it
# samples for regions of experimental and predicted maps (section 4.3), with metrics and figures.


rule structure:
    input:
        structure_targets(),


rule simulate_structures:
    input:
        unpack(structure_map_inputs),
    output:
        h5=f"{STRUCTURE_DIR}/ensemble_{{index}}.h5",
        cool=f"{STRUCTURE_DIR}/ensemble_{{index}}.cool",
        mmcif=f"{STRUCTURE_DIR}/ensemble_{{index}}.cif",
    log:
        "logs/structure/simulate/{index}.log",
    benchmark:
        "results/benchmarks/structure/simulate_{index}.tsv"
    conda:
        "../envs/structure.yaml"
    threads: config["structure"]["simulation"]["threads"]
    resources:
        mem_mb=2000,
        runtime=120,
    params:
        map=structure_map_arguments,
        settings=as_json(
            {
                "structure": config["structure"],
                "circular": config["reference"]["circular"],
            }
        ),
    shell:
        "python -m hicmodels structure simulate --index {wildcards.index} {params.map}"
        " --out {output.h5} --cool-out {output.cool} --mmcif {output.mmcif}"
        " --config {params.settings} 2> {log}"


rule structure_metrics:
    input:
        expand(
            f"{STRUCTURE_DIR}/ensemble_{{index}}.h5",
            index=range(config["structure"]["simulation"]["ensembles"]),
        ),
    output:
        report(
            f"{STRUCTURE_DIR}/metrics.tsv",
            caption="../report/structure_metrics.rst",
            category="3D structure ensembles",
            labels={"table": "ensemble metrics"},
        ),
    log:
        "logs/structure/metrics.log",
    benchmark:
        "results/benchmarks/structure/metrics.tsv"
    conda:
        "../envs/structure.yaml"
    params:
        settings=as_json(config["structure"]["metrics"]),
    shell:
        "python -m hicmodels structure metrics --ensembles {input} --config {params.settings}"
        " --out {output} 2> {log}"


rule figure_structure_ensemble:
    input:
        f"{STRUCTURE_DIR}/ensemble_{{index}}.h5",
    output:
        contact_decay=report(
            f"{STRUCTURE_DIR}/figures/ensemble_{{index}}_contact_decay.png",
            caption="../report/structure_ensemble.rst",
            category="3D structure ensembles",
            subcategory="ensemble {index}",
            labels={"ensemble": "{index}", "figure": "P(s)"},
        ),
        contact_decay_tsv=f"{STRUCTURE_DIR}/figures/ensemble_{{index}}_contact_decay.tsv",
        maps=report(
            f"{STRUCTURE_DIR}/figures/ensemble_{{index}}_maps.png",
            caption="../report/structure_ensemble.rst",
            category="3D structure ensembles",
            subcategory="ensemble {index}",
            labels={"ensemble": "{index}", "figure": "maps"},
        ),
        maps_tsv=f"{STRUCTURE_DIR}/figures/ensemble_{{index}}_maps.tsv",
        projection=report(
            f"{STRUCTURE_DIR}/figures/ensemble_{{index}}_projection.png",
            caption="../report/structure_ensemble.rst",
            category="3D structure ensembles",
            subcategory="ensemble {index}",
            labels={"ensemble": "{index}", "figure": "structure"},
        ),
        projection_tsv=f"{STRUCTURE_DIR}/figures/ensemble_{{index}}_projection.tsv",
    log:
        "logs/structure/figure/{index}.log",
    benchmark:
        "results/benchmarks/structure/figure_{index}.tsv"
    conda:
        "../envs/structure.yaml"
    shell:
        "python -m hicmodels structure plot --ensemble {input} --contact-decay {output.contact_decay}"
        " --maps {output.maps} --projection {output.projection} 2> {log}"


rule train_structure_model:
    input:
        STRUCTURE_TRAINING,
    output:
        STRUCTURE_MODEL,
    log:
        "logs/structure/train.log",
    benchmark:
        "results/benchmarks/structure/train.tsv"
    conda:
        "../envs/structure.yaml"
    threads: config["structure"]["generator"]["threads"]
    resources:
        mem_mb=4000,
        runtime=600,
    params:
        settings=as_json(
            {
                "structure": config["structure"],
                "structure_presets": config["structure_presets"],
            }
        ),
    shell:
        "python -m hicmodels structure train --ensembles {input} --threads {threads}"
        " --out {output} --config {params.settings} 2> {log}"


rule sample_structure:
    input:
        unpack(sampled_map_inputs),
        model=STRUCTURE_MODEL,
    output:
        h5=f"{SAMPLED_DIR}/{{region}}.h5",
        cool=f"{SAMPLED_DIR}/{{region}}.cool",
        mmcif=f"{SAMPLED_DIR}/{{region}}.cif",
        metrics=f"{SAMPLED_DIR}/{{region}}.metrics.tsv",
    log:
        "logs/structure/sample/{cell_line}/{source}/{region}.log",
    benchmark:
        "results/benchmarks/structure/sample/{cell_line}/{source}/{region}.tsv"
    wildcard_constraints:
        source="|".join(map(re.escape, config["structure"]["sample"]["maps"])),
        region="|".join(map(re.escape, STRUCTURE_SAMPLE_REGIONS)),
    conda:
        "../envs/structure.yaml"
    threads: config["structure"]["generator"]["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        map=sampled_map_arguments,
        settings=as_json(
            {
                "structure": config["structure"],
                "circular": config["reference"]["circular"],
            }
        ),
    shell:
        "python -m hicmodels structure sample --model {input.model} {params.map} --threads {threads}"
        " --out {output.h5} --cool-out {output.cool} --mmcif {output.mmcif} --metrics {output.metrics}"
        " --config {params.settings} 2> {log}"


rule figure_sampled_structure:
    input:
        f"{SAMPLED_DIR}/{{region}}.h5",
    output:
        contact_decay=report(
            f"{SAMPLED_DIR}/figures/{{region}}_contact_decay.png",
            caption="../report/structure_sampled.rst",
            category="3D structure ensembles",
            subcategory="{cell_line} {source} {region}",
            labels={"map": "{source}", "region": "{region}", "figure": "P(s)"},
        ),
        contact_decay_tsv=f"{SAMPLED_DIR}/figures/{{region}}_contact_decay.tsv",
        maps=report(
            f"{SAMPLED_DIR}/figures/{{region}}_maps.png",
            caption="../report/structure_sampled.rst",
            category="3D structure ensembles",
            subcategory="{cell_line} {source} {region}",
            labels={"map": "{source}", "region": "{region}", "figure": "maps"},
        ),
        maps_tsv=f"{SAMPLED_DIR}/figures/{{region}}_maps.tsv",
        projection=report(
            f"{SAMPLED_DIR}/figures/{{region}}_projection.png",
            caption="../report/structure_sampled.rst",
            category="3D structure ensembles",
            subcategory="{cell_line} {source} {region}",
            labels={"map": "{source}", "region": "{region}", "figure": "structure"},
        ),
        projection_tsv=f"{SAMPLED_DIR}/figures/{{region}}_projection.tsv",
    log:
        "logs/structure/figure_sampled/{cell_line}/{source}/{region}.log",
    benchmark:
        "results/benchmarks/structure/figure_sampled/{cell_line}/{source}/{region}.tsv"
    wildcard_constraints:
        source="|".join(map(re.escape, config["structure"]["sample"]["maps"])),
        region="|".join(map(re.escape, STRUCTURE_SAMPLE_REGIONS)),
    conda:
        "../envs/structure.yaml"
    shell:
        "python -m hicmodels structure plot --ensemble {input} --contact-decay {output.contact_decay}"
        " --maps {output.maps} --projection {output.projection} 2> {log}"


rule figure_structure_generated_vs_simulated:
    input:
        model=STRUCTURE_MODEL,
        ensembles=STRUCTURE_TEST,
    output:
        png=report(
            f"{STRUCTURE_PAPER}.png",
            caption="../report/structure_comparison.rst",
            category="3D structure ensembles",
            labels={"figure": "generated vs simulated (Fig. 4)"},
        ),
        tsv=f"{STRUCTURE_PAPER}.tsv",
    log:
        "logs/structure/compare.log",
    benchmark:
        "results/benchmarks/structure/compare.tsv"
    conda:
        "../envs/structure.yaml"
    threads: config["structure"]["generator"]["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        settings=as_json(
            {
                "structure": config["structure"],
                "circular": config["reference"]["circular"],
            }
        ),
    shell:
        "python -m hicmodels structure compare --model {input.model} --ensembles {input.ensembles}"
        " --threads {threads} --out {output.png} --config {params.settings} 2> {log}"
