# Stage "structure" (package hicmodels.structure, commands `hicmodels structure ...`), target
# `structure` (`snakemake structure`; opt-in, not part of `all`): training ensembles of 3D
# structures simulated as confined polymers on OpenMM (the E. coli 3D diffusion-transformer paper,
# sections 3.1 and 4.1), each with its contact map, their metrics (section 5) and report figures.


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
