"""Checking the workflow's config and sample sheet beyond what JSON schema can say.

The schemas in ``workflow/schemas`` fix the shape (keys, types, sample-name
pattern); here are the checks that need the file system or relate keys to each
other. Every problem is an :class:`~hicmodels.errors.InputError` that names
the file and line or config key.
"""

import math
import os
import shlex

import jsonschema
import pandas as pd
import yaml

from .alignments import alignment_index, check_header
from .errors import InputError


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
        JSON schema of one row (``workflow/schemas/samples.schema.yaml``).

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


def window_preset(config):
    return _preset(config, "windows")


def leave_one_out(chromosomes, fold):
    """The paper's chromosome folds: test chromosome ``fold``, validation the next one (cyclic).

    Parameters
    ----------
    chromosomes : list of str
        Modelled chromosomes in order.
    fold : int
        0-based index of the test chromosome.
    """
    if not 0 <= fold < len(chromosomes):
        raise InputError(f"config training.fold: {fold} is outside 0..{len(chromosomes) - 1} (reference.chromosomes)")
    return {"test": [chromosomes[fold]], "validation": [chromosomes[(fold + 1) % len(chromosomes)]]}


def chromosome_splits(config):
    """``{"test": [...], "validation": [...]}``: from ``training.fold`` if set, else the ``hic`` section."""
    if config["training"]["fold"] is not None:
        return leave_one_out(config["reference"]["chromosomes"], config["training"]["fold"])
    return {"test": config["hic"]["test_chromosomes"], "validation": config["hic"]["validation_chromosomes"]}


def model_preset(config):
    return _preset(config, "model")


def _preset(config, section):
    name = config[section]["preset"]
    presets = config[section]["presets"]
    if name not in presets:
        raise InputError(f"config {section}.preset: {name!r} is not one of {sorted(presets)}")
    return dict(presets[name])


def variant_policy(config):
    """The personal-genome policy of config section ``variants`` (:class:`hicmodels.variants.Policy`).

    ``filters`` is a list of FILTER values or the string ``any``.
    """
    from .variants.policy import Policy

    settings = dict(config["variants"])
    filters = settings.pop("filters")
    if filters != "any":
        odd = [f for f in filters if not f or any(c in f for c in ",; \t")]
        if odd:
            raise InputError(f"config variants.filters: {odd} are not FILTER names")
    try:
        return Policy(filters=None if filters == "any" else tuple(filters), **settings)
    except ValueError as err:
        raise InputError(f"config variants: {err}") from None


def policy_arguments(config, names=("filters", "unphased", "filter_missing", "ref_mismatch", "overlap",
                                      "unknown_contig")):
    """Command-line flags of ``hicmodels personal-genome`` for config section ``variants``.

    ``names`` picks the settings: the SV figure takes only the FILTER ones.
    """
    policy = variant_policy(config)
    values = {**{n: getattr(policy, n) for n in names}, "filters": "any" if policy.filters is None else ",".join(policy.filters)}
    return " ".join(shlex.quote(f"--{name.replace('_', '-')}={values[name]}") for name in names)


def check_config(config):
    """Cross-key and file checks of a schema-valid config."""
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
    windows, model = window_preset(config), model_preset(config)
    bin_size = math.prod(model["pools"])
    if windows["size"] != windows["bins"] * bin_size:
        raise InputError(
            f"config: windows preset {config['windows']['preset']!r} has {windows['size']} bp in {windows['bins']} "
            f"bins, but model preset {config['model']['preset']!r} pools to {bin_size} bp per bin "
            f"({windows['bins']} x {bin_size} = {windows['bins'] * bin_size})"
        )
    _check_model(config, model, windows)
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


def _check_model(config, model, windows):
    """The selected model preset against itself, the windows and the prediction settings."""
    where = f"config model preset {config['model']['preset']!r}"
    if len(model["pools"]) != len(model["channels"]) - 1:
        raise InputError(f"{where}: {len(model['channels']) - 1} encoder blocks need as many pools, "
                         f"got {len(model['pools'])}")
    tracks = model.get("tracks", [])
    if model["channels"][0] != 5 + len(tracks):
        raise InputError(f"{where}: channels[0] must be 5 (one-hot ACGTN) + {len(tracks)} tracks, "
                         f"got {model['channels'][0]}")
    if tracks:
        if "track_bin" not in model:
            raise InputError(f"{where}: a preset with tracks needs track_bin")
        if windows["size"] % model["track_bin"]:
            raise InputError(f"{where}: window size {windows['size']} is not a multiple of track_bin "
                             f"{model['track_bin']}")
        for cell_line, entry in config["hic"]["cell_lines"].items():
            for name in tracks:
                key = f"hic.cell_lines.{cell_line}.tracks"
                if name not in entry.get("tracks", {}):
                    raise InputError(f"{where} reads track {name!r}: add its bigWig to {key}")
                _require_file(entry["tracks"][name], f"config {key}.{name}")
    diffusion = model["diffusion"]
    divisor = 2 ** (len(diffusion["dim_mults"]) - 1)
    if config["model"]["diffusion"] and windows["bins"] % divisor:
        raise InputError(f"{where}: the diffusion U-Net halves the map {len(diffusion['dim_mults']) - 1} times, "
                         f"so bins ({windows['bins']}) must be a multiple of {divisor}")
    steps = config["prediction"]["sampling_steps"]
    if steps is not None and steps > diffusion["timesteps"]:
        raise InputError(f"config prediction.sampling_steps: {steps} is more than the {diffusion['timesteps']} "
                         f"timesteps of {where}")
