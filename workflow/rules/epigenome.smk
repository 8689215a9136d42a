# Stage "epigenome" (package hicmodels.epigenome, commands `hicmodels epigenome ...`): MIX-HIC's
# data path per cell line. Tracks given as BAMs become RPGC-normalised bigWigs (deepTools
# bamCoverage); every track of the cell line is averaged per bin into one HDF5 store per genome
# (the reference, and each haplotype through its chain); the cell line's Hi-C is cut into balanced
# 50 x 50 windows. Not part of the default run: target `epigenome` (or a rule that needs the files).


rule bam_coverage:
    input:
        bam=track_bam,
        fasta="results/reference/genome.fa.gz",
        excluded=coverage_blacklist,
        aliases=config["reference"]["chrom_aliases"],
    output:
        f"{TRACK_DIR}/{{track}}.bw",
    log:
        "logs/bam_coverage/{cell_line}/{track}.log",
    benchmark:
        "results/benchmarks/bam_coverage/{cell_line}/{track}.tsv"
    wildcard_constraints:
        track=one_of(bam_track_names()),
    conda:
        "../envs/epigenome.yaml"
    threads: 4
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        name="hic.cell_lines.{cell_line}.tracks.{track}",
        settings=as_json(
            {
                "coverage": config["epigenome"]["coverage"],
                "chromosomes": config["reference"]["chromosomes"],
            }
        ),
    shell:
        "python -m hicmodels epigenome coverage --bam {input.bam} --fasta {input.fasta}"
        " --excluded {input.excluded} --aliases {input.aliases} --threads {threads}"
        " --name {params.name} --config {params.settings} --out {output} 2> {log}"


rule track_store_reference:
    input:
        tracks=all_cell_line_tracks,
        aliases=config["reference"]["chrom_aliases"],
    output:
        f"{TRACK_DIR}/reference.h5",
    log:
        "logs/track_store/{cell_line}/reference.log",
    benchmark:
        "results/benchmarks/track_store/{cell_line}/reference.tsv"
    conda:
        "../envs/epigenome.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        tracks=track_arguments,
        settings=as_json(
            {
                "tracks": config["epigenome"]["tracks"],
                "chromosomes": config["reference"]["chromosomes"],
            }
        ),
    shell:
        "python -m hicmodels epigenome store --tracks {params.tracks} --aliases {input.aliases}"
        " --config {params.settings} --out {output} 2> {log}"


rule track_store_haplotype:
    input:
        store=f"{TRACK_DIR}/reference.h5",
        chain="results/personal/{sample}/hap{hap}.chain",
    output:
        f"{TRACK_DIR}/{{sample}}.hap{{hap}}.h5",
    log:
        "logs/track_store/{cell_line}/{sample}.hap{hap}.log",
    benchmark:
        "results/benchmarks/track_store/{cell_line}/{sample}.hap{hap}.tsv"
    conda:
        "../envs/epigenome.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    shell:
        "python -m hicmodels epigenome lift-store --store {input.store} --chain {input.chain}"
        " --genome {wildcards.sample}.hap{wildcards.hap} --out {output} 2> {log}"


rule hic_targets:
    input:
        cool=targets_map,
        aliases=config["reference"]["chrom_aliases"],
    output:
        targets="results/cell_lines/{cell_line}/hic_targets.h5",
        windows="results/cell_lines/{cell_line}/hic_targets.tsv",
    log:
        "logs/hic_targets/{cell_line}.log",
    benchmark:
        "results/benchmarks/hic_targets/{cell_line}.tsv"
    conda:
        "../envs/epigenome.yaml"
    resources:
        mem_mb=8000,
        runtime=120,
    params:
        cool=targets_uri,
        settings=as_json(
            {
                "targets": config["epigenome"]["targets"],
                "chromosomes": config["reference"]["chromosomes"],
            }
        ),
    shell:
        "python -m hicmodels epigenome targets --cool {params.cool} --aliases {input.aliases}"
        " --config {params.settings} --out {output.targets} --windows {output.windows} 2> {log}"


rule epigenome:
    input:
        epigenome_targets(),
