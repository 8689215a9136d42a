"""The workflow's config and sample sheet: defaults, validation and the checks JSON schema cannot say.

The schemas (``workflow/schemas``, shipped in the package as
``hicmodels/schemas``) fix the shape of the config and hold **every default**:
:func:`resolve` fills them in and validates, for the whole config (the
workflow) and for one section (a command run by hand). No default is written in
code. The checks here need the file system or relate keys to each other. Every
problem is an :class:`~hicmodels.errors.InputError` naming the file and line
or config key.
"""

import copy
import functools
import math
import os
import re
from pathlib import Path

import jsonschema
import pandas as pd
import yaml

from .calling.alignments import alignment_index, check_header
from .errors import InputError

SCHEMAS = Path(__file__).parent / "schemas"


def read_yaml(path):
    """A YAML file (config, JSON schema) as Python objects.

    Raises
    ------
    InputError
        Naming the file (and line) when it is missing, not text, or not valid YAML.
    """
    if not os.path.exists(path):
        raise InputError("YAML file not found", path)
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except UnicodeDecodeError:
        raise InputError("not a text file (YAML expected)", path) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(f"not valid YAML: {problem}", path, mark.line + 1 if mark else None) from None


@functools.cache
def config_schema():
    """The JSON schema of ``config/config.yaml``."""
    return read_yaml(SCHEMAS / "config.schema.yaml")


def samples_schema():
    """The JSON schema of one sample sheet row."""
    return read_yaml(SCHEMAS / "samples.schema.yaml")


def settings_schema(fragment):
    """A schema for part of a config: ``fragment`` with the config schema's definitions in reach of its ``$ref``s."""
    return {"definitions": config_schema()["definitions"], **fragment}


def section_schema(name):
    """The schema of one top-level config section."""
    return settings_schema(config_schema()["properties"][name])


def _resolve_ref(node, schema):
    while "$ref" in node:
        target = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def apply_defaults(instance, node, schema):
    """Fill in the ``default`` of every absent property, recursively, in place.

    Also the defaults of an ``allOf`` branch's ``then`` where the instance
    matches its ``if`` (keys that one architecture of a model preset has).

    Parameters
    ----------
    instance : dict
        Config (or part of one).
    node : dict
        The schema of ``instance``.
    schema : dict
        The document ``$ref``s point into.
    """
    node = _resolve_ref(node, schema)
    if not isinstance(instance, dict):
        return instance
    for key, child in node.get("properties", {}).items():
        child = _resolve_ref(child, schema)
        if key not in instance and "default" in child:
            instance[key] = copy.deepcopy(child["default"])
        if key in instance:
            apply_defaults(instance[key], child, schema)
    for branch in node.get("oneOf", []):
        branch = _resolve_ref(branch, schema)
        if branch.get("type") == "object":
            apply_defaults(instance, branch, schema)
    for branch in node.get("allOf", []):  # defaults of one kind only, e.g. an architecture's keys
        branch = _resolve_ref(branch, schema)
        if "then" in branch and jsonschema.Draft202012Validator(branch.get("if", {})).is_valid(instance):
            apply_defaults(instance, branch["then"], schema)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        for key in set(instance) - set(node.get("properties", {})):
            apply_defaults(instance[key], extra, schema)
    return instance


def resolve(instance, schema, where):
    """``instance`` with the schema's defaults filled in, validated.

    Raises
    ------
    InputError
        Naming ``where`` and the key path of the first problem.
    """
    instance = apply_defaults(copy.deepcopy(instance), schema, schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        key = ".".join(str(p) for p in err.path)
        raise InputError(f"{where}{' ' + key if key else ''}: {err.message}")
    return instance


INPUT_KINDS = {"reads": ("fastq1", "fastq2"), "alignments": ("bam",), "variants": ("vcf",)}
SAMPLE_COLUMNS = ["sample", "fastq1", "fastq2", "bam", "vcf", "vcf_sample", "truth", "edits"]


def _check_fields(path, expected):
    """No line has more (non-empty) tab-separated fields than the header.

    pandas would read a row with extra fields as its index and shift every
    value one column, so the wrong file would be taken for the wrong input.
    Missing trailing fields are empty; extra empty ones (trailing tabs) are
    ignored.
    """
    with open(path, encoding="utf-8", errors="replace") as handle:
        for lineno, line in enumerate(handle, 1):
            fields = line.rstrip("\r\n").split("\t")
            if any(f.strip() for f in fields[expected:]):
                raise InputError(f"{len(fields)} tab-separated fields, the header has {expected}", path, lineno)


def read_samples(path, schema):
    """Read and check the sample sheet.

    Each row gives exactly one kind of input (:data:`INPUT_KINDS`): paired
    reads (``fastq1`` + ``fastq2``), alignments (``bam``: a coordinate-sorted,
    indexed BAM or CRAM of one sample) or variants (``vcf``). Files must exist;
    a ``truth`` VCF, if given, must be indexed.

    Parameters
    ----------
    path : str
        Tab-separated sheet with a header line.
    schema : dict
        JSON schema of one row (:func:`samples_schema`).

    Returns
    -------
    DataFrame
        Indexed by ``sample``, every column of :data:`SAMPLE_COLUMNS` (empty
        string where not given), ``kind`` (a key of :data:`INPUT_KINDS`) and
        ``vcf_sample`` filled with the sample name where empty. ``edits`` is an
        optional trans-duplication BEDPE applied with the sample's variants.
    """
    if not os.path.exists(path):
        raise InputError("sample sheet not found", path)
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment=None)
    except pd.errors.EmptyDataError:
        raise InputError("sample sheet is empty: it needs a header line and one row per sample", path) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"sample sheet is not tab-separated text ({detail})", path) from None
    if table.empty:
        raise InputError("sample sheet has a header but no sample rows", path)
    _check_fields(path, len(table.columns))
    table.columns = table.columns.str.strip()
    unknown = [c for c in table.columns if c not in SAMPLE_COLUMNS]
    if unknown:
        raise InputError(f"unknown column(s) {unknown}; the columns are {SAMPLE_COLUMNS}", path, 1)
    table = table.apply(lambda column: column.str.strip()).reindex(columns=SAMPLE_COLUMNS, fill_value="")
    validator = jsonschema.Draft202012Validator(schema)
    kinds = []
    for lineno, row in enumerate(table.to_dict("records"), 2):
        row = {k: v for k, v in row.items() if v != ""}
        given = [kind for kind, columns in INPUT_KINDS.items() if any(c in row for c in columns)]
        if len(given) != 1:
            found = ", ".join(c for columns in INPUT_KINDS.values() for c in columns if c in row) or "none"
            raise InputError(f"give exactly one input: fastq1 + fastq2 (reads), bam (BAM/CRAM) or vcf"
                             f" (found: {found})", path, lineno)
        kinds.append(given[0])
        errors = sorted(validator.iter_errors(row), key=lambda e: list(e.path))
        if errors:
            err = errors[0]
            field = f"column {err.path[0]!r}: " if err.path else ""
            raise InputError(f"{field}{err.message}", path, lineno)
    table["kind"] = kinds
    duplicated = table["sample"][table["sample"].duplicated()].tolist()
    if duplicated:
        raise InputError(f"sample names must be unique; repeated: {duplicated}", path)
    table["vcf_sample"] = table["vcf_sample"].where(table["vcf_sample"] != "", table["sample"])
    for lineno, row in enumerate(table.itertuples(), 2):
        for column in (*INPUT_KINDS[row.kind], "truth", "edits"):
            value = getattr(row, column)
            if value:
                _require_file(value, f"{path}:{lineno}: column {column!r}")
        where = f"{path}:{lineno}: column 'bam': "
        if row.kind == "alignments":
            try:
                alignment_index(row.bam)
                check_header(row.bam)
            except InputError as err:
                raise InputError(f"{where}{err}") from None
        if row.truth and not any(os.path.exists(row.truth + ext) for ext in (".tbi", ".csi")):
            raise InputError(f"{path}:{lineno}: column 'truth': no index (.tbi or .csi) beside {row.truth}")
    return table.set_index("sample", drop=False)


def _require_file(path, where):
    if not os.path.exists(path):
        raise InputError(f"{where}: file not found: {path}")


def leave_one_out(chromosomes, fold):
    """HiCDiffusion's chromosome folds: test chromosome ``fold``, validation the next one.

    The last chromosome has no next one: it is validated on the one before (HiCDiffusion,
    Methods "Data split": the chr22 model validates on chr21), not wrapped around to the first.

    Parameters
    ----------
    chromosomes : list of str
        Modelled chromosomes in order.
    fold : int
        0-based index of the test chromosome.
    """
    if not 0 <= fold < len(chromosomes):
        raise InputError(f"config training.fold: {fold} is outside 0..{len(chromosomes) - 1} (reference.chromosomes)")
    if len(chromosomes) < 2:
        raise InputError("config training.fold: leave-one-chromosome-out needs at least 2 reference.chromosomes")
    validation = fold + 1 if fold + 1 < len(chromosomes) else fold - 1
    return {"test": [chromosomes[fold]], "validation": [chromosomes[validation]]}


def chromosome_splits(config):
    """``{"test": [...], "validation": [...]}``: from ``training.fold`` if set, else the ``hic`` section."""
    if config["training"]["fold"] is not None:
        return leave_one_out(config["reference"]["chromosomes"], config["training"]["fold"])
    return {"test": config["hic"]["test_chromosomes"], "validation": config["hic"]["validation_chromosomes"]}


def resolve_config(config, where="config"):
    """The workflow's config with every default filled in, validated and checked (:func:`check_config`)."""
    resolved = resolve(config, config_schema(), where)
    check_config(resolved)
    return resolved


def model_entries(config):
    """The model zoo of a resolved config, each entry with its presets and settings resolved.

    Returns
    -------
    dict
        Model name -> ``preset`` (the model preset's config, a dict),
        ``preset_name``, ``windows`` (the window preset), ``window_preset``
        (its name), ``inputs``, ``weights`` (``"train"`` or
        ``{"checkpoint": path, "format": ...}``, format ``dna2hic`` or a
        published one, see :mod:`hicmodels.models.published`), ``diffusion``, ``joint`` and ``training`` (the
        training section with the preset's ``training`` over it and the entry's own settings over both;
        the preset without its ``training``).
    """
    entries = {}
    for name, entry in config["models"].items():
        where = f"config models.{name}"
        for key, presets in (("preset", "model_presets"), ("windows", "window_presets")):
            if entry[key] not in config[presets]:
                raise InputError(f"{where}.{key}: {entry[key]!r} is not one of {sorted(config[presets])} ({presets})")
        if "fold" in entry["training"]:
            raise InputError(f"{where}.training: fold is set for the whole run (training.fold), not per model")
        preset = dict(config["model_presets"][entry["preset"]])
        paper = preset.pop("training", {})  # the preset's paper's training: over the section, under the entry's
        merged = {**config["training"], **paper, **entry["training"],
                  "diffusion": {**config["training"]["diffusion"], **paper.get("diffusion", {}),
                                **entry["training"].get("diffusion", {})}}
        entries[name] = {
            "preset": preset, "preset_name": entry["preset"],
            "windows": dict(config["window_presets"][entry["windows"]]), "window_preset": entry["windows"],
            "inputs": list(entry["inputs"]), "weights": entry["weights"], "diffusion": entry["diffusion"],
            "joint": entry["joint"],
            "training": resolve(merged, section_schema("training"), f"{where}.training"),
        }
    return entries


def variant_policy(config):
    """The personal-genome policy of a config's ``variants`` section (:class:`hicmodels.variants.Policy`)."""
    from .variants.policy import Policy

    return Policy.from_config(config["variants"])


def check_config(config):
    """Cross-key and file checks of a resolved, schema-valid config."""
    for key in ("reference.fasta", "reference.chrom_aliases", "samples"):
        section, _, name = key.rpartition(".")
        _require_file(config[section][name] if section else config[name], f"config {key}")
    for name, cell_line in config["hic"]["cell_lines"].items():
        _require_file(cell_line["cool"].split("::")[0], f"config hic.cell_lines.{name}.cool")
    if config["reference"]["exclude"]["centromeres"]:
        _require_file(config["reference"]["exclude"]["centromeres"], "config reference.exclude.centromeres")
    variant_policy(config)
    if config["calling"]["structural_variants"]["exclude"]:
        _require_file(config["calling"]["structural_variants"]["exclude"],
                      "config calling.structural_variants.exclude")
    _check_bam_tracks(config)
    for name, entry in model_entries(config).items():
        _check_model(config, name, entry)
    assemble = config["assemble"]
    odd = [r for r in assemble["resolutions"] if r % assemble["bin_size"]]
    if odd:
        raise InputError(f"config assemble.resolutions: {odd} are not multiples of bin_size {assemble['bin_size']}")
    modelled = set(config["reference"]["chromosomes"])
    splits = chromosome_splits(config)
    test, validation = splits["test"], splits["validation"]
    for key, chroms in (("test_chromosomes", test), ("validation_chromosomes", validation)):
        outside = sorted(set(chroms) - modelled)
        if outside:
            raise InputError(f"config hic.{key}: {outside} not in reference.chromosomes")
    both = sorted(set(test) & set(validation))
    if both:
        raise InputError(f"config hic: {both} are both test and validation chromosomes")
    if not modelled - set(test) - set(validation):
        raise InputError("config: no chromosome left for training")
    _check_structure(config)


def _check_structure(config):
    """The structure stage's cross-key checks: the restraining region's cell line, the kept beads, the
    generator's preset and its width split into heads."""
    simulation = config["structure"]["simulation"]
    region = simulation["region"]
    if region is not None:
        if region["cell_line"] not in config["hic"]["cell_lines"]:
            raise InputError(f"config structure.simulation.region.cell_line: {region['cell_line']!r} is not in "
                             f"hic.cell_lines")
        if region["start"] >= region["end"]:
            raise InputError("config structure.simulation.region: start must be before end")
    if simulation["beads_per_bin"] % simulation["kept_beads_per_bin"]:
        raise InputError(f"config structure.simulation: beads_per_bin {simulation['beads_per_bin']} is not a "
                         f"multiple of kept_beads_per_bin {simulation['kept_beads_per_bin']}")
    preset = config["structure"]["generator"]["preset"]
    if preset not in config["structure_presets"]:
        raise InputError(f"config structure.generator.preset: {preset!r} is not a key of structure_presets "
                         f"({', '.join(sorted(config['structure_presets']))})")
    for name, sizes in config["structure_presets"].items():
        if sizes["dim"] % sizes["heads"]:
            raise InputError(f"config structure_presets.{name}: dim {sizes['dim']} is not a multiple of heads {sizes['heads']}")
    held_out = config["structure"]["generator"]["test_ensembles"]
    if held_out >= simulation["ensembles"]:
        raise InputError(f"config structure.generator.test_ensembles: {held_out} of {simulation['ensembles']} "
                         "simulated ensembles leaves none to train on")
    for name in config["structure"]["sample"]["maps"]:
        sampled_map(name, config["models"])


def sampled_map(name, models):
    """The ``(model, genome)`` of a ``structure.sample.maps`` entry, or None for ``experimental``.

    ``<model>_<genome>`` is split at the model entry's name (model names may hold underscores).

    Raises
    ------
    InputError
        When no model entry, or more than one, starts the name.
    """
    if name == "experimental":
        return None
    split = [(model, name[len(model) + 1:]) for model in models if name.startswith(f"{model}_")]
    split = [(model, genome) for model, genome in split
             if genome == "reference" or re.fullmatch(r".+\.hap[12]", genome)]
    if len(split) != 1:
        raise InputError(f"config structure.sample.maps: {name!r} is not experimental or <model>_<genome> of one "
                         f"model entry ({', '.join(models)}) and genome reference or <sample>.hap<1|2>")
    return split[0]


def track_bigwig(cell_line, track, source):
    """The bigWig of a cell line's track: the configured file, or the epigenome stage's for a ``{bam: path}`` track."""
    if isinstance(source, dict):
        return f"results/cell_lines/{cell_line}/tracks/{track}.bw"
    return source


def bam_tracks(config):
    """``{cell line: {track: BAM}}`` of the tracks given as BAMs (cell lines without any are left out)."""
    found = {}
    for cell_line, entry in config["hic"]["cell_lines"].items():
        bams = {t: s["bam"] for t, s in entry.get("tracks", {}).items() if isinstance(s, dict)}
        if bams:
            found[cell_line] = bams
    return found


def _check_bam_tracks(config):
    coverage = config["epigenome"]["coverage"]
    for cell_line, bams in bam_tracks(config).items():
        if coverage["effective_genome_size"] is None:
            raise InputError(f"config hic.cell_lines.{cell_line}.tracks: {sorted(bams)} are BAMs; set "
                             f"epigenome.coverage.effective_genome_size (RPGC normalisation needs it)")
        for track, bam in bams.items():
            _require_file(bam, f"config hic.cell_lines.{cell_line}.tracks.{track}.bam")
    if coverage["blacklist"]:
        _require_file(coverage["blacklist"], "config epigenome.coverage.blacklist")


# What each architecture can read (config models.<name>.inputs).
ARCHITECTURE_INPUTS = {"encoder_decoder": {"sequence", "tracks"}, "corigami": {"sequence", "tracks"},
                       "akita": {"sequence"}, "mixhic": {"tracks", "hic"}}
# The architectures trained here, and the preset keys training needs beyond the schema's (a MIX-HIC preset
# names the tracks its epigenome encoder reads: keys of the cell lines' tracks).
TRAINABLE = {"encoder_decoder": (), "akita": ("targets", "crop", "diagonal_offset", "eps"), "mixhic": ("tracks",)}
# The published formats a model entry can import (weights.format), and the architecture each gives.
FORMAT_ARCHITECTURES = {"hicdiffusion": "encoder_decoder", "corigami": "corigami", "akita": "akita"}
# Preset keys a published format fixes: how its network computes (the schema defaults are dna2hic's own choices).
PUBLISHED_SETTINGS = {"hicdiffusion": {"head_kernel": 1, "symmetric": False, "pair_order": "ji"}}


def _check_weights(entry, where, preset):
    """Where a model entry's weights come from, against its architecture."""
    architecture = entry["preset"]["architecture"]
    weights = entry["weights"]
    if weights == "train":
        if architecture not in TRAINABLE:
            raise InputError(f"{where}.weights: {preset} is a {architecture} model, which runs published weights "
                             f"only: give weights: {{checkpoint: FILE, format: {architecture}}}")
        missing = [key for key in TRAINABLE[architecture] if key not in entry["preset"]]
        if missing:
            raise InputError(f"{where}.weights: training {preset} needs {', '.join(missing)} in the preset "
                             f"(an imported {architecture} checkpoint brings its own)")
        return
    _require_file(weights["checkpoint"], f"{where}.weights.checkpoint")
    fmt = weights["format"]
    if fmt != "dna2hic" and FORMAT_ARCHITECTURES[fmt] != architecture:
        raise InputError(f"{where}.weights.format: a {fmt} checkpoint is a {FORMAT_ARCHITECTURES[fmt]} model, "
                         f"but {preset} is {architecture}")
    published = PUBLISHED_SETTINGS.get(fmt, {})
    differ = {key: value for key, value in published.items() if entry["preset"].get(key) != value}
    if differ:
        raise InputError(f"{where}.weights.format: {fmt} checkpoints need {preset} to set "
                         + ", ".join(f"{key}: {str(value).lower()}" for key, value in differ.items())
                         + " (the published model's; the schema's defaults differ)")
    if "params" in weights:
        if fmt != "akita":
            raise InputError(f"{where}.weights.params: only Akita checkpoints come with a params.json")
        _require_file(weights["params"], f"{where}.weights.params")
    if entry["diffusion"]:
        raise InputError(f"{where}: diffusion is trained here; a model given by checkpoint is used as it is "
                         f"(set diffusion: false)")


def _check_model(config, name, entry):
    """A model entry against its presets, the cell lines and the prediction settings."""
    where = f"config models.{name}"
    model, windows = entry["preset"], entry["windows"]
    preset = f"model preset {entry['preset_name']!r}"
    readable = ARCHITECTURE_INPUTS[model["architecture"]]
    if not set(entry["inputs"]) <= readable:
        raise InputError(f"{where}.inputs: {model['architecture']} models read {sorted(readable)}, "
                         f"not {sorted(set(entry['inputs']) - readable)}")
    _check_weights(entry, where, preset)
    if entry["joint"]:
        cell_lines = len(config["hic"]["cell_lines"])
        if model["architecture"] != "akita" or entry["weights"] != "train" or model.get("targets") != cell_lines:
            raise InputError(f"{where}.joint: trains an akita model here with one output per cell line: {preset} "
                             f"needs architecture akita and targets {cell_lines}, the entry weights: train")
        if model.get("tracks"):
            raise InputError(f"{where}.joint: a joint model reads sequence only ({preset} reads tracks)")
    if model.get("target_transform") == "akita" and model["architecture"] != "akita":
        raise InputError(f"{where}: {preset} has target_transform akita, which only akita models predict")
    if model["architecture"] != "encoder_decoder":
        from .models import bin_size as model_bin_size

        bin_size = model_bin_size(model)
        if entry["diffusion"]:
            raise InputError(f"{where}: the diffusion stage refines encoder_decoder models; {preset} is "
                             f"{model['architecture']} (set diffusion: false)")
        if windows["size"] != windows["bins"] * bin_size:
            raise InputError(f"{where}: window preset {entry['window_preset']!r} has {windows['size']} bp in "
                             f"{windows['bins']} bins; {preset} ({model['architecture']}) has {bin_size} bp bins")
        if model["architecture"] == "mixhic":
            _check_mixhic(config, where, entry, preset)
        else:
            _check_tracks(config, where, entry, preset, windows)
        return
    bin_size = math.prod(model["pools"])
    if windows["size"] != windows["bins"] * bin_size:
        raise InputError(
            f"{where}: window preset {entry['window_preset']!r} has {windows['size']} bp in {windows['bins']} "
            f"bins, but {preset} pools to {bin_size} bp per bin "
            f"({windows['bins']} x {bin_size} = {windows['bins'] * bin_size})"
        )
    if len(model["pools"]) != len(model["channels"]) - 1:
        raise InputError(f"{where}: {preset} has {len(model['channels']) - 1} encoder blocks, which need as many "
                         f"pools, got {len(model['pools'])}")
    tracks = model.get("tracks", [])
    if model["channels"][0] != 5 + len(tracks):
        raise InputError(f"{where}: {preset} channels[0] must be 5 (one-hot ACGTN) + {len(tracks)} tracks, "
                         f"got {model['channels'][0]}")
    _check_tracks(config, where, entry, preset, windows)
    _check_diffusion(config, where, entry, preset, windows)


def _check_tracks(config, where, entry, preset, windows):
    model = entry["preset"]
    tracks = model.get("tracks", [])
    if ("tracks" in entry["inputs"]) != bool(tracks):
        raise InputError(f"{where}.inputs: {preset} reads {'tracks ' + str(tracks) if tracks else 'no tracks'}; "
                         f"inputs must {'' if tracks else 'not '}list tracks")
    if tracks:
        if "track_bin" not in model:
            raise InputError(f"{where}: {preset} reads tracks and needs track_bin")
        if windows["size"] % model["track_bin"]:
            raise InputError(f"{where}: window size {windows['size']} is not a multiple of track_bin "
                             f"{model['track_bin']} of {preset}")
        for cell_line, lines in config["hic"]["cell_lines"].items():
            for track in tracks:
                key = f"hic.cell_lines.{cell_line}.tracks"
                if track not in lines.get("tracks", {}):
                    raise InputError(f"{where} reads track {track!r}: add its bigWig to {key}")
                source = lines["tracks"][track]
                _require_file(source["bam"] if isinstance(source, dict) else source, f"config {key}.{track}")


def _check_mixhic(config, where, entry, preset):
    """A MIX-HIC entry (workflow/rules/multimodal.smk) against the epigenome stage's geometry and the cell lines.

    The entry predicts maps from tracks alone (MIX-HIC-InferMap), so its preset is the ``hic`` task's and
    ``inputs`` is ``[tracks]``; its windows, the Hi-C targets and the track store must cut the same 5 kb
    bins and 100 bp track values (paper section 3, A.1).
    """
    from .models import bin_size as model_bin_size, complete

    model = complete(entry["preset"])
    if entry["inputs"] != ["tracks"]:
        raise InputError(f"{where}.inputs: {preset} predicts maps from tracks alone (MIX-HIC-InferMap): "
                         f"inputs must be [tracks], got {entry['inputs']}")
    if model["task"] != "hic":
        raise InputError(f"{where}: {preset} has task {model['task']}; a model entry names the hic task's preset "
                         f"(its loop and cage heads are fine-tuned from the same pre-training)")
    if len(model["tracks"]) != model["epigenome_tracks"]:
        raise InputError(f"{where}: {preset} names {len(model['tracks'])} tracks {model['tracks']} but has "
                         f"epigenome_tracks {model['epigenome_tracks']}")
    epigenome, bins, bin_size = config["epigenome"], model["map_bins"], model_bin_size(model)
    if entry["windows"]["bins"] != bins:
        raise InputError(f"{where}: window preset {entry['window_preset']!r} has {entry['windows']['bins']} bins; "
                         f"{preset} predicts {bins} x {bins} maps")
    if epigenome["targets"]["resolution"] != bin_size or epigenome["targets"]["window_bins"] != bins:
        raise InputError(f"config epigenome.targets: resolution {epigenome['targets']['resolution']} and window_bins "
                         f"{epigenome['targets']['window_bins']} must be {bin_size} and {bins} for {preset} ({where})")
    if epigenome["tracks"]["bin_size"] * model["segment_length"] != bins * bin_size:
        raise InputError(f"config epigenome.tracks.bin_size: {model['segment_length']} values of "
                         f"{epigenome['tracks']['bin_size']} bp do not span {bins} bins of {bin_size} bp "
                         f"(segment_length of {preset}, {where})")
    for cell_line, lines in config["hic"]["cell_lines"].items():
        for track in model["tracks"]:
            if track not in lines.get("tracks", {}):
                raise InputError(f"{where} reads track {track!r}: add its bigWig or BAM to "
                                 f"hic.cell_lines.{cell_line}.tracks")
        if "loops" in lines:
            _require_file(lines["loops"], f"config hic.cell_lines.{cell_line}.loops")


def _check_diffusion(config, where, entry, preset, windows):
    diffusion = entry["preset"]["diffusion"]
    divisor = 2 ** (len(diffusion["dim_mults"]) - 1)
    if entry["diffusion"] and windows["bins"] % divisor:
        raise InputError(f"{where}: the diffusion U-Net of {preset} halves the map {len(diffusion['dim_mults']) - 1} "
                         f"times, so bins ({windows['bins']}) must be a multiple of {divisor}")
    steps = config["prediction"]["sampling_steps"]
    if entry["diffusion"] and steps is not None and steps > diffusion["timesteps"]:
        raise InputError(f"config prediction.sampling_steps: {steps} is more than the {diffusion['timesteps']} "
                         f"timesteps of {preset} ({where})")
