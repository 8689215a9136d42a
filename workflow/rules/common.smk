import json
import os
import re
import shlex
import sys
from types import SimpleNamespace

from snakemake.exceptions import WorkflowError

# Rules run this repository's own hicmodels package, whether or not it is pip-installed,
# including inside per-rule conda envs, on cluster nodes, and when dna2hic is used as a module
# of another workflow: paths come from this file's location (workflow.current_basedir), not
# from the main Snakefile's (workflow.basedir), which is the importing workflow's.
SRC = os.path.abspath(os.path.join(str(workflow.current_basedir), "..", "..", "src"))
sys.path.insert(0, SRC)
# (braces doubled twice: once for the f-string, once for snakemake's own formatting)
shell.prefix(
    f"set -euo pipefail; export PYTHONPATH={SRC}${{{{PYTHONPATH:+:$PYTHONPATH}}}}; "
)

from hicmodels.calling.alignments import alignment_index  # noqa: E402
from hicmodels.config import (  # noqa: E402
    bam_tracks,
    sampled_map,
    chromosome_splits,
    leave_one_out,
    model_entries,
    read_samples,
    resolve_config,
    samples_schema,
    track_bigwig,
)
from hicmodels.errors import InputError  # noqa: E402
from hicmodels.modelling.jobs import genome_jobs, prediction_groups  # noqa: E402

# The config with the schema's defaults filled in (workflow/schemas/config.schema.yaml holds every
# default), validated and cross-checked; rules hand their sections to commands as JSON (--config).
try:
    config.update(resolve_config(config))
    samples = read_samples(config["samples"], samples_schema())
    MODELS = model_entries(config)
except InputError as err:
    raise WorkflowError(f"invalid configuration: {err}") from None

SPLITS = chromosome_splits(config)
HAPLOTYPES = ["1", "2"]
CELL_LINES = config["hic"]["cell_lines"]
# Where a model entry's checkpoint, predictions, maps and figures go, per cell line.
MODEL_DIR = "results/cell_lines/{cell_line}/models/{model}"
# Variants are called on the modelled chromosomes; other sequences keep the reference.
CALLED_CHROMOSOMES = config["reference"]["chromosomes"]
WINDOW_PRESETS = sorted({entry["window_preset"] for entry in MODELS.values()})
# Entries trained here, and entries whose published checkpoint is imported (rule import_checkpoint);
# both make the entry's model.pt. Entries with a dna2hic checkpoint use that file.
TRAINED = [
    m
    for m, entry in MODELS.items()
    if entry["weights"] == "train"
    and not entry["joint"]
    and entry["preset"]["architecture"] != "mixhic"
]
# MIX-HIC entries: pre-trained, fine-tuned and predicting from tracks by workflow/rules/multimodal.smk.
MIXHIC = [
    m for m, entry in MODELS.items() if entry["preset"]["architecture"] == "mixhic"
]
# Entries trained once on every cell line (one output each); each cell line's model.pt selects its output.
JOINT = [m for m, entry in MODELS.items() if entry["joint"]]
# Models whose predictions are posterior-predictive draws (prediction.samples > 1 of a variational
# Akita or a diffusion stage): each genome also gets a standard-deviation map.
STOCHASTIC = [
    m
    for m, entry in MODELS.items()
    if config["prediction"]["samples"] > 1
    and (entry["diffusion"] or entry["preset"].get("latent"))
]
IMPORTED = [
    m
    for m, entry in MODELS.items()
    if entry["weights"] != "train" and entry["weights"]["format"] != "dna2hic"
]


wildcard_constraints:
    sample="|".join(map(re.escape, samples.index)) if len(samples) else "(?!)",
    hap="[12]",
    genome=r"reference|[A-Za-z0-9_.-]+\.hap[12]",
    chrom="|".join(map(re.escape, CALLED_CHROMOSOMES)),
    cell_line="|".join(map(re.escape, CELL_LINES)),
    model="|".join(map(re.escape, MODELS)),
    window_preset="|".join(map(re.escape, WINDOW_PRESETS)),
    fold=r"\d+",
    index=r"\d+",
    job=r"\d+",


def as_json(value):
    """A config value as one shell word."""
    return shlex.quote(json.dumps(value))


def experimental_map(wildcards):
    """The cell line's experimental map file (an input)."""
    return CELL_LINES[wildcards.cell_line]["cool"].split("::")[0]


def joint_cool_uris(wildcards, input):
    """Every cell line's experimental map URI (a param), in hic.cell_lines order: one per output."""
    return " ".join(
        f"{path}{''.join(CELL_LINES[name]['cool'].partition('::')[1:])}"
        for name, path in zip(CELL_LINES, input.cools)
    )


def cool_uri(wildcards, input):
    """The experimental map's URI (a param): the input file plus an .mcool's ::/resolutions/N."""
    _, sep, group = CELL_LINES[wildcards.cell_line]["cool"].partition("::")
    return f"{input.cool}{sep}{group}"


def cell_line_tracks(wildcards):
    """The cell line's bigWig for each track the model's preset reads, in the preset's order."""
    tracks = CELL_LINES[wildcards.cell_line].get("tracks", {})
    return [
        track_bigwig(wildcards.cell_line, name, tracks[name])
        for name in MODELS[wildcards.model]["preset"].get("tracks", [])
    ]


def track_option(wildcards, input):
    """``--tracks name=bigWig ...`` for presets that read tracks, else nothing."""
    names = MODELS[wildcards.model]["preset"].get("tracks", [])
    pairs = [f"{n}={p}" for n, p in zip(names, input.tracks)]
    return f"--tracks {' '.join(pairs)}" if pairs else ""


def window_settings(wildcards):
    """Settings of `hicmodels genome windows` for a window preset."""
    return as_json(
        {
            "windows": config["window_presets"][wildcards.window_preset],
            "chromosomes": config["reference"]["chromosomes"],
            "max_n_fraction": config["reference"]["exclude"]["max_n_fraction"],
            **SPLITS,
        }
    )


def model_windows(wildcards, genome):
    """A genome's window table in the window preset of the model entry."""
    return window_table(wildcards.model, genome)


def window_table(model, genome):
    return f"results/windows/{MODELS[model]['window_preset']}/{genome}.tsv"


def model_dir(cell_line, model):
    return MODEL_DIR.format(cell_line=cell_line, model=model)


def encoder_decoder_checkpoint(cell_line, model):
    """The model entry's checkpoint: trained or imported here (model.pt), or the dna2hic file the config names."""
    if model in TRAINED or model in IMPORTED or model in JOINT or model in MIXHIC:
        return f"{model_dir(cell_line, model)}/model.pt"
    return MODELS[model]["weights"]["checkpoint"]


def one_of(names):
    """A wildcard regex matching exactly ``names`` (nothing when empty)."""
    return "|".join(map(re.escape, names)) if names else "(?!)"


def import_settings(wildcards):
    """The importer's settings: the preset's keys (over the file's) and the window size."""
    entry = MODELS[wildcards.model]
    preset = {
        k: v
        for k, v in entry["preset"].items()
        if k not in ("architecture", "diffusion")
    }
    return as_json({**preset, "window_size": entry["windows"]["size"]})


def import_params(wildcards):
    """``--params params.json`` for an Akita checkpoint that names one."""
    weights = MODELS[wildcards.model]["weights"]
    return f"--params {shlex.quote(weights['params'])}" if "params" in weights else ""


def scored_checkpoint(wildcards):
    return encoder_decoder_checkpoint(wildcards.cell_line, wildcards.model)


def predictor(wildcards):
    """The checkpoint that predicts: the diffusion stage when the entry switches it on."""
    if MODELS[wildcards.model]["diffusion"]:
        return f"{model_dir(wildcards.cell_line, wildcards.model)}/diffusion.pt"
    return scored_checkpoint(wildcards)


def models_to_score(wildcards):
    """Inputs of a cell line's metrics: each model's predicted reference map, checkpoint, windows."""
    inputs = {}
    for model in MODELS:
        inputs[f"{model}_cool"] = (
            f"{model_dir(wildcards.cell_line, model)}/maps/reference.cool"
        )
        inputs[f"{model}_checkpoint"] = encoder_decoder_checkpoint(
            wildcards.cell_line, model
        )
        inputs[f"{model}_windows"] = window_table(model, "reference")
    return inputs


def model_arguments(wildcards, input):
    """``--model NAME COOL CHECKPOINT WINDOWS`` for every model of the cell line's metrics."""
    return " ".join(
        f"--model {m} {input[f'{m}_cool']} {input[f'{m}_checkpoint']} {input[f'{m}_windows']}"
        for m in MODELS
    )


def samples_with(kinds=("reads", "alignments", "variants"), truth=False):
    """Samples whose input is one of ``kinds`` (and that have a truth VCF, if asked)."""
    chosen = samples[samples["kind"].isin(kinds)]
    return list(chosen.index[chosen["truth"] != ""] if truth else chosen.index)


def read_group(wildcards):
    """Read group of a sample's reads (bwa/minimap2 -R); \\t is expanded by the aligner."""
    return f"@RG\\tID:{wildcards.sample}\\tSM:{wildcards.sample}\\tPL:ILLUMINA"


def sample_alignments(wildcards):
    """The sample's BAM/CRAM as given, or the one aligned from its reads."""
    if samples.loc[wildcards.sample, "kind"] == "alignments":
        return samples.loc[wildcards.sample, "bam"]
    return f"results/alignments/{wildcards.sample}.bam"


def sample_alignment_index(wildcards):
    if samples.loc[wildcards.sample, "kind"] == "alignments":
        return alignment_index(samples.loc[wildcards.sample, "bam"])
    return f"results/alignments/{wildcards.sample}.bam.bai"


def sample_vcf(wildcards):
    """The sample's VCF as given, or the one called from its reads or alignments."""
    if samples.loc[wildcards.sample, "kind"] == "variants":
        return samples.loc[wildcards.sample, "vcf"]
    return f"results/calls/{wildcards.sample}.vcf.gz"


def haplotype_genomes():
    return [f"{s}.hap{h}" for s in samples.index for h in HAPLOTYPES]


def sample_edits(wildcards):
    """The sample's trans-duplication edits file, or no input."""
    return samples.loc[wildcards.sample, "edits"] or []


def genome_fasta(wildcards):
    if wildcards.genome == "reference":
        return "results/reference/genome.fa.gz"
    sample, hap = wildcards.genome.rsplit(".hap", 1)
    return f"results/personal/{sample}/hap{hap}.fa.gz"


def genome_chain(wildcards):
    if wildcards.genome == "reference":
        return []
    sample, hap = wildcards.genome.rsplit(".hap", 1)
    return f"results/personal/{sample}/hap{hap}.chain"


def genome_windows(wildcards):
    """The window table a model entry predicted a genome's windows on."""
    return model_windows(wildcards, wildcards.genome)


# Prediction jobs: the reference, then each sample's haplotypes in sample-sheet order, in consecutive
# groups of prediction.genomes_per_job (hicmodels.modelling.jobs); {job} is a group's index.
PREDICTION_GROUPS = prediction_groups(
    ["reference", *haplotype_genomes()], config["prediction"]["genomes_per_job"]
)
PREDICTION_JOB = genome_jobs(PREDICTION_GROUPS)


def group_genomes(wildcards):
    return [SimpleNamespace(genome=g) for g in PREDICTION_GROUPS[int(wildcards.job)]]


def group_fastas(wildcards):
    return [genome_fasta(g) for g in group_genomes(wildcards)]


def group_windows(wildcards):
    return [model_windows(wildcards, g.genome) for g in group_genomes(wildcards)]


def group_chains(wildcards):
    """The chains of the group's haplotypes (the reference has none)."""
    chains = [genome_chain(g) for g in group_genomes(wildcards)]
    return [chain for chain in chains if chain]


def group_arguments(wildcards, input, output):
    """The group's genomes for `hicmodels modelling predict`: FASTAs, windows, chains ('-': none), outputs."""
    genomes = group_genomes(wildcards)
    chains = [genome_chain(g) or "-" for g in genomes]
    return " ".join(
        [
            "--fasta",
            *input.fastas,
            "--windows",
            *input.windows,
            *(["--chain", *chains] if input.chains else []),
            "--out",
            *(f"{output[0]}/{g.genome}.h5" for g in genomes),
        ]
    )


def genome_prediction_job(wildcards):
    """The directory of the prediction job that predicts the genome."""
    job = PREDICTION_JOB[wildcards.genome]
    return f"{model_dir(wildcards.cell_line, wildcards.model)}/predictions/jobs/{job}"


def cohort_vcfs(wildcards):
    """Every sample's VCF, in sample-sheet order."""
    return [sample_vcf(SimpleNamespace(sample=s)) for s in samples.index]


def cohort_edits(wildcards):
    return [e for e in samples["edits"] if e] if "edits" in samples else []


def effects_sample_arguments(wildcards, input):
    """``--sample NAME VCF VCF_SAMPLE SUMMARY`` for every sample."""
    return " ".join(
        f"--sample {s} {vcf} {samples.loc[s, 'vcf_sample']} {summary}"
        for s, vcf, summary in zip(samples.index, input.vcfs, input.summaries)
    )


def effects_edits_option(wildcards):
    pairs = [
        f"{s}={e}"
        for s, e in zip(samples.index, samples.get("edits", [""] * len(samples)))
        if e
    ]
    return f"--edits {' '.join(pairs)}" if pairs else ""


# All folds (workflow/rules/folds.smk, target `folds`): every leave-one-chromosome-out fold of
# reference.chromosomes, for every model entry trained here, under results/folds/fold<i>/.
FOLDS = list(range(len(config["reference"]["chromosomes"])))
FOLD_DIR = "results/folds/fold{fold}"
FOLD_MODEL_DIR = f"{FOLD_DIR}/cell_lines/{{cell_line}}/models/{{model}}"


def fold_splits(fold):
    """Test and validation chromosomes of a fold (HiCDiffusion's: validation i + 1, the last i - 1)."""
    return leave_one_out(config["reference"]["chromosomes"], int(fold))


def fold_window_settings(wildcards):
    """Settings of `hicmodels genome windows` for a window preset in a fold."""
    return as_json(
        {
            "windows": config["window_presets"][wildcards.window_preset],
            "chromosomes": config["reference"]["chromosomes"],
            "max_n_fraction": config["reference"]["exclude"]["max_n_fraction"],
            **fold_splits(wildcards.fold),
        }
    )


def fold_windows(wildcards):
    """A fold's reference window table in the model entry's window preset."""
    return fold_window_table(wildcards.fold, wildcards.model)


def fold_window_table(fold, model):
    return f"results/folds/fold{fold}/windows/{MODELS[model]['window_preset']}/reference.tsv"


def fold_model_dir(fold, cell_line, model):
    return FOLD_MODEL_DIR.format(fold=fold, cell_line=cell_line, model=model)


def fold_predictor(wildcards):
    """The fold's checkpoint that predicts: the diffusion stage when the entry switches it on."""
    name = "diffusion.pt" if MODELS[wildcards.model]["diffusion"] else "model.pt"
    return (
        f"{fold_model_dir(wildcards.fold, wildcards.cell_line, wildcards.model)}/{name}"
    )


def fold_models_to_score(wildcards):
    """Inputs of a fold's metrics: each trained model's fold map, checkpoint and windows."""
    inputs = {}
    for model in TRAINED:
        directory = fold_model_dir(wildcards.fold, wildcards.cell_line, model)
        inputs[f"{model}_cool"] = f"{directory}/maps/reference.cool"
        inputs[f"{model}_checkpoint"] = f"{directory}/model.pt"
        inputs[f"{model}_windows"] = fold_window_table(wildcards.fold, model)
    return inputs


def fold_model_arguments(wildcards, input):
    """``--model NAME COOL CHECKPOINT WINDOWS`` for every model of a fold's metrics."""
    return " ".join(
        f"--model {m} {input[f'{m}_cool']} {input[f'{m}_checkpoint']} {input[f'{m}_windows']}"
        for m in TRAINED
    )


def fold_metrics_tables(wildcards):
    return [
        f"results/folds/fold{fold}/cell_lines/{wildcards.cell_line}/metrics/test_metrics.tsv"
        for fold in FOLDS
    ]


def fold_arguments(wildcards, input):
    """``--fold FOLD VALIDATION_CHROM METRICS`` for every fold."""
    return " ".join(
        f"--fold {fold} {fold_splits(fold)['validation'][0]} {table}"
        for fold, table in zip(FOLDS, input)
    )


# The paper figures (workflow/rules/paper.smk): where they go, and their inputs.
PAPER_DIR = "results/cell_lines/{cell_line}/paper"
FIRST_MODEL = next(iter(MODELS))


def paper_model_inputs(wildcards):
    """Every model's predicted reference map, and the first model's windows and checkpoint."""
    return {
        **{
            f"{m}_cool": f"{model_dir(wildcards.cell_line, m)}/maps/reference.cool"
            for m in MODELS
        },
        "windows": window_table(FIRST_MODEL, "reference"),
        "checkpoint": encoder_decoder_checkpoint(wildcards.cell_line, FIRST_MODEL),
    }


def paper_model_arguments(wildcards, input):
    """``--model NAME COOL`` for every model, in config order."""
    return " ".join(f"--model {m} {input[f'{m}_cool']}" for m in MODELS)


def paper_haplotype_arguments(wildcards, input):
    """``--haplotype COOL CHAIN WINDOWS PREDICTIONS`` for each haplotype of the sample."""
    return " ".join(
        f"--haplotype {c} {ch} {w} {p}"
        for c, ch, w, p in zip(
            input.cools, input.chains, input.windows, input.predictions
        )
    )


def paper_targets():
    """The declared set of paper figures (each PNG has its TSV beside it)."""
    per_cell_line = expand(
        [
            f"{PAPER_DIR}/{name}.{ext}"
            for name in (
                "fig3_example_windows",
                "fig4_insulation",
                "metrics_per_chromosome",
                "contact_decay",
                "loops",
            )
            for ext in ("png", "tsv")
        ],
        cell_line=CELL_LINES,
    )
    return per_cell_line + expand(
        f"{PAPER_DIR}/fig6_structural_variants/{{model}}/{{sample}}.{{ext}}",
        cell_line=CELL_LINES,
        model=MODELS,
        sample=samples.index,
        ext=["png", "tsv"],
    )


# --- Paper tables and the structure figure of `snakemake paper` (issue 20) -----------------------------
# MIX-HIC v2 Tables 2-4 for the MIX-HIC entries (from the test_metrics_mixhic.tsv the MIX-HIC stage
# writes per entry), Lu et al.'s Table 1 for the Akita-family entries (from the metrics table, with
# the coverage of the interval bounds of entries that have them), and the 3D-ensemble paper's Fig. 4
# when the structure stage holds ensembles out (structure.generator.test_ensembles).
PAPER_MIXHIC = f"{PAPER_DIR}/mixhic_tables_2-4"
PAPER_AKITA = f"{PAPER_DIR}/table1_akita"
AKITA_ENTRIES = [
    m for m, entry in MODELS.items() if entry["preset"]["architecture"] == "akita"
]
# Akita entries with interval-bound maps (posterior-predictive draws, assemble.interval_level set).
BOUNDED_AKITA = [
    m for m in AKITA_ENTRIES if m in STOCHASTIC and config["assemble"]["interval_level"]
]


def mixhic_metrics_tables(wildcards):
    """Each MIX-HIC entry's test metrics (written by the MIX-HIC stage), by entry name."""
    return {
        m: f"{model_dir(wildcards.cell_line, m)}/test_metrics_mixhic.tsv"
        for m in MIXHIC
    }


def mixhic_metrics_arguments(wildcards, input):
    """``--metrics NAME TSV`` for every MIX-HIC entry, in config order."""
    return " ".join(f"--metrics {m} {input[m]}" for m in MIXHIC)


def akita_table_inputs(wildcards):
    """The metrics table; for entries with bounds their reference bound maps, checkpoint, windows, and the experiment."""
    inputs = {"metrics": "results/cell_lines/{cell_line}/metrics/test_metrics.tsv"}
    for m in BOUNDED_AKITA:
        maps = f"{model_dir(wildcards.cell_line, m)}/maps"
        inputs[f"{m}_lower"] = f"{maps}/reference.lower.cool"
        inputs[f"{m}_upper"] = f"{maps}/reference.upper.cool"
        inputs[f"{m}_checkpoint"] = encoder_decoder_checkpoint(wildcards.cell_line, m)
        inputs[f"{m}_windows"] = window_table(m, "reference")
    if BOUNDED_AKITA:
        inputs["fasta"] = "results/reference/genome.fa.gz"
        inputs["cool"] = experimental_map(wildcards)
        inputs["aliases"] = config["reference"]["chrom_aliases"]
    return inputs


def akita_table_arguments(wildcards, input):
    """``--model NAME`` per Akita entry; ``--bounds ...`` and the experiment's flags for those with bounds."""
    flags = [f"--model {m}" for m in AKITA_ENTRIES]
    flags += [
        f"--bounds {m} {input[f'{m}_lower']} {input[f'{m}_upper']}"
        f" {input[f'{m}_checkpoint']} {input[f'{m}_windows']}"
        for m in BOUNDED_AKITA
    ]
    if BOUNDED_AKITA:
        flags.append(
            f"--fasta {input.fasta} --cool {cool_uri(wildcards, input)} --aliases {input.aliases}"
        )
    return " ".join(flags)


def paper_table_targets():
    """The tables of `snakemake paper` this config has models for, and the structure figure."""
    tables = [PAPER_MIXHIC] * bool(MIXHIC) + [PAPER_AKITA] * bool(AKITA_ENTRIES)
    return expand(
        [f"{table}.{ext}" for table in tables for ext in ("tsv", "md")],
        cell_line=CELL_LINES,
    ) + (
        [f"{STRUCTURE_PAPER}.png", f"{STRUCTURE_PAPER}.tsv"]
        if config["structure"]["generator"]["test_ensembles"]
        else []
    )


# --- end of the paper tables block (issue 20) ---------------------------------------------------------


def all_targets():
    genomes = ["reference"] + haplotype_genomes()
    per_model = dict(cell_line=CELL_LINES, model=MODELS)
    return (
        expand(f"{MODEL_DIR}/maps/{{genome}}.mcool", genome=genomes, **per_model)
        + expand(
            f"{MODEL_DIR}/maps/{{genome}}.sd.mcool",
            genome=genomes,
            cell_line=CELL_LINES,
            model=STOCHASTIC,
        )
        + expand(
            f"{MODEL_DIR}/maps/{{genome}}.{{bound}}.mcool",
            genome=genomes,
            cell_line=CELL_LINES,
            model=STOCHASTIC if config["assemble"]["interval_level"] else [],
            bound=["lower", "upper"],
        )
        + expand(f"{MODEL_DIR}/figures/test_windows.png", **per_model)
        + expand(
            f"{MODEL_DIR}/figures/structural_variants/{{sample}}.png",
            sample=samples.index,
            **per_model,
        )
        + expand(
            [
                "results/cell_lines/{cell_line}/metrics/test_metrics.tsv",
                "results/cell_lines/{cell_line}/figures/metrics.png",
            ],
            cell_line=CELL_LINES,
        )
        + (
            expand(
                f"{MODEL_DIR}/variant_effects/cohort.tsv.gz",
                cell_line=CELL_LINES,
                model=[m for m in MODELS if m not in MIXHIC],  # sequence models only
            )
            if config["effects"]["enabled"] and len(samples)
            else []
        )
        + mixhic_targets()
        + expand("results/figures/personal/{sample}.png", sample=samples.index)
        + expand(
            "results/qc/{sample}.coverage.tsv",
            sample=samples_with(("reads", "alignments")),
        )
        + expand(
            "results/qc/{sample}.{table}.tsv",
            sample=samples_with(truth=True),
            table=["call_accuracy", "sv_recovery", "sv_truvari"],
        )
    )


# The epigenome stage (workflow/rules/epigenome.smk, target `epigenome`): per cell line with tracks,
# bigWigs of its BAM tracks, one binned track store per genome, and the MIX-HIC Hi-C targets.
TRACK_DIR = "results/cell_lines/{cell_line}/tracks"
BAM_TRACKS = bam_tracks(config)
TRACKED = [name for name, entry in CELL_LINES.items() if entry.get("tracks")]


def track_bam(wildcards):
    """The BAM of a cell line's track given as ``{bam: path}``."""
    return BAM_TRACKS[wildcards.cell_line][wildcards.track]


def bam_track_names():
    return sorted({track for bams in BAM_TRACKS.values() for track in bams})


def coverage_blacklist(wildcards):
    """The BED bamCoverage skips: the configured one, else the reference's excluded regions."""
    return (
        config["epigenome"]["coverage"]["blacklist"] or "results/reference/excluded.bed"
    )


def all_cell_line_tracks(wildcards):
    """The bigWig of every track of the cell line, in config order (BAM tracks: the stage's own)."""
    tracks = CELL_LINES[wildcards.cell_line].get("tracks", {})
    return [track_bigwig(wildcards.cell_line, t, s) for t, s in tracks.items()]


def track_arguments(wildcards, input):
    """``NAME=BIGWIG ...`` of the cell line's tracks (``--tracks`` of epigenome store)."""
    names = CELL_LINES[wildcards.cell_line]["tracks"]
    return " ".join(f"{n}={p}" for n, p in zip(names, input.tracks))


def targets_map(wildcards):
    """The cell line's experimental map file (input of its Hi-C targets)."""
    return CELL_LINES[wildcards.cell_line]["cool"].split("::")[0]


def targets_uri(wildcards, input):
    """The map at epigenome.targets.resolution: an .mcool's resolution group, or the .cool itself."""
    if input.cool.endswith(".mcool"):
        resolution = config["epigenome"]["targets"]["resolution"]
        return f"{input.cool}::/resolutions/{resolution}"
    return input.cool


def epigenome_targets():
    """Every file of the epigenome stage, for cell lines that have tracks."""
    genomes = ["reference"] + haplotype_genomes()
    return expand(
        f"{TRACK_DIR}/{{genome}}.h5", cell_line=TRACKED, genome=genomes
    ) + expand(
        "results/cell_lines/{cell_line}/hic_targets.{ext}",
        cell_line=TRACKED,
        ext=["h5", "tsv"],
    )


# Structure stage (target `structure`, opt-in): simulated training ensembles.
STRUCTURE_DIR = "results/structure/simulated"
STRUCTURE_REGION = config["structure"]["simulation"]["region"]


def structure_map_inputs(wildcards):
    """The experimental map, reference and aliases of structure.simulation.region (none without one)."""
    if STRUCTURE_REGION is None:
        return {}
    return {
        "cool": CELL_LINES[STRUCTURE_REGION["cell_line"]]["cool"].split("::")[0],
        "fasta": "results/reference/genome.fa.gz",
        "aliases": config["reference"]["chrom_aliases"],
    }


def structure_map_arguments(wildcards, input):
    """The flags of structure_map_inputs (the map's URI keeps an .mcool's resolution)."""
    if STRUCTURE_REGION is None:
        return ""
    _, sep, group = CELL_LINES[STRUCTURE_REGION["cell_line"]]["cool"].partition("::")
    return f"--cool {input.cool}{sep}{group} --fasta {input.fasta} --aliases {input.aliases}"


def structure_targets():
    """Every simulated ensemble's files and figures, and the metrics table."""
    return (
        expand(
            [
                f"{STRUCTURE_DIR}/ensemble_{{index}}.{{ext}}",
            ],
            index=range(config["structure"]["simulation"]["ensembles"]),
            ext=["h5", "cool", "cif"],
        )
        + expand(
            f"{STRUCTURE_DIR}/figures/ensemble_{{index}}_{{figure}}.{{ext}}",
            index=range(config["structure"]["simulation"]["ensembles"]),
            figure=["contact_decay", "maps", "projection"],
            ext=["png", "tsv"],
        )
        + [f"{STRUCTURE_DIR}/metrics.tsv"]
        + sampled_structure_targets()
        + (
            [f"{STRUCTURE_PAPER}.png", f"{STRUCTURE_PAPER}.tsv"]
            if config["structure"]["generator"]["test_ensembles"]
            else []
        )
    )


# Ensembles sampled by the trained generator (rules train_structure_model, sample_structure) for
# every structure.sample.regions entry on every structure.sample.maps entry of every cell line.
STRUCTURE_MODEL = "results/structure/model.pt"
# The simulated ensembles the generator trains on; the last structure.generator.test_ensembles are
# held out for the comparison of generated and simulated ensembles (paper Fig. 4).
_ENSEMBLES = config["structure"]["simulation"]["ensembles"]
_HELD_OUT = config["structure"]["generator"]["test_ensembles"]
STRUCTURE_TRAINING = [
    f"{STRUCTURE_DIR}/ensemble_{i}.h5" for i in range(_ENSEMBLES - _HELD_OUT)
]
STRUCTURE_TEST = [
    f"{STRUCTURE_DIR}/ensemble_{i}.h5"
    for i in range(_ENSEMBLES - _HELD_OUT, _ENSEMBLES)
]
STRUCTURE_PAPER = "results/structure/paper/fig4_generated_vs_simulated"
SAMPLED_DIR = "results/structure/ensembles/{cell_line}/{source}"
STRUCTURE_SAMPLE_REGIONS = {
    f"{r['chrom']}_{r['start']}-{r['end']}": r
    for r in config["structure"]["sample"]["regions"]
}
for _name in config["structure"]["sample"]["maps"]:
    _genome = (sampled_map(_name, MODELS) or (None, "reference"))[1]
    if _genome not in ["reference"] + haplotype_genomes():
        raise WorkflowError(
            f"invalid configuration: config structure.sample.maps: {_name!r}: genome {_genome!r} "
            "is not reference or a haplotype of a sample"
        )


def sampled_map_inputs(wildcards):
    """The map of a sampled ensemble's source (experimental, or a model's predicted .mcool), reference, aliases."""
    model_genome = sampled_map(wildcards.source, MODELS)
    if model_genome is None:
        cool = CELL_LINES[wildcards.cell_line]["cool"].split("::")[0]
    else:
        cool = f"{model_dir(wildcards.cell_line, model_genome[0])}/maps/{model_genome[1]}.mcool"
    return {
        "cool": cool,
        "fasta": "results/reference/genome.fa.gz",
        "aliases": config["reference"]["chrom_aliases"],
    }


def sampled_map_arguments(wildcards, input):
    """The flags of a sampled ensemble's map and region (an experimental .mcool keeps its resolution)."""
    region = STRUCTURE_SAMPLE_REGIONS[wildcards.region]
    uri = input.cool
    if wildcards.source == "experimental":
        _, sep, group = CELL_LINES[wildcards.cell_line]["cool"].partition("::")
        uri = f"{input.cool}{sep}{group}"
    return (
        f"--cool {uri} --fasta {input.fasta} --aliases {input.aliases}"
        f" --chrom {region['chrom']} --start {region['start']} --end {region['end']}"
    )


def sampled_structure_targets():
    """Every sampled ensemble's files, metrics row and figures."""
    per_ensemble = dict(
        cell_line=CELL_LINES,
        source=config["structure"]["sample"]["maps"],
        region=STRUCTURE_SAMPLE_REGIONS,
    )
    return expand(
        f"{SAMPLED_DIR}/{{region}}.{{ext}}",
        ext=["h5", "cool", "cif", "metrics.tsv"],
        **per_ensemble,
    ) + expand(
        f"{SAMPLED_DIR}/figures/{{region}}_{{figure}}.{{ext}}",
        figure=["contact_decay", "maps", "projection"],
        ext=["png", "tsv"],
        **per_ensemble,
    )


# MIX-HIC model entries (workflow/rules/multimodal.smk): training inputs, per-genome outputs.
MIXHIC_TARGETS = "results/cell_lines/{cell_line}/hic_targets.h5"
LOOP_LABELS = "results/cell_lines/{cell_line}/loops/labels.tsv"


def has_cage(cell_line):
    """Whether the cell line has the CAGE track (multimodal.cage_track) the cage head learns."""
    return config["multimodal"]["cage_track"] in CELL_LINES[cell_line].get("tracks", {})


def loop_source(wildcards):
    """The cell line's loops BEDPE, else its experimental map (loops called on it)."""
    entry = CELL_LINES[wildcards.cell_line]
    return entry.get("loops") or entry["cool"].split("::")[0]


def loop_source_option(wildcards, input):
    if "loops" in CELL_LINES[wildcards.cell_line]:
        return f"--bedpe {input.source}"
    return f"--cool {targets_uri(wildcards, SimpleNamespace(cool=input.source))}"


def mixhic_settings(wildcards):
    """Settings of MIX-HIC training: the entry's preset and training, config multimodal, the splits."""
    return as_json(
        {
            "model": MODELS[wildcards.model]["preset"],
            "training": MODELS[wildcards.model]["training"],
            "multimodal": config["multimodal"],
            "chromosomes": config["reference"]["chromosomes"],
            **SPLITS,
        }
    )


def genome_store(wildcards):
    return f"results/cell_lines/{wildcards.cell_line}/tracks/{wildcards.genome}.h5"


def chain_option(wildcards, input):
    return f"--chain {input.chain}" if input.chain else ""


def cage_head(wildcards):
    """The cage head of a cell line with the CAGE track (else no input)."""
    return f"{MODEL_DIR}/mixhic_cage.pt" if has_cage(wildcards.cell_line) else []


def mixhic_targets():
    """Per MIX-HIC entry and cell line: every genome's loops BEDPE and CAGE bigWig, and the test table."""
    genomes = ["reference"] + haplotype_genomes()
    cage_lines = [c for c in CELL_LINES if has_cage(c)]
    return (
        expand(
            f"{MODEL_DIR}/loops/{{genome}}.bedpe",
            cell_line=CELL_LINES,
            model=MIXHIC,
            genome=genomes,
        )
        + expand(
            f"{MODEL_DIR}/cage/{{genome}}.bw",
            cell_line=cage_lines,
            model=MIXHIC,
            genome=genomes,
        )
        + expand(
            f"{MODEL_DIR}/test_metrics_mixhic.tsv", cell_line=CELL_LINES, model=MIXHIC
        )
    )
