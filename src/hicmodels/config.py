"""Checking the workflow's config and sample sheet beyond what JSON schema can say.

The schemas in ``workflow/schemas`` fix the shape (keys, types, sample-name
pattern); here are the checks that need the file system or relate keys to each
other. Every problem is an :class:`~hicmodels.errors.InputError` that names
the file and line or config key.
"""

import math
import os

import jsonschema
import pandas as pd
import yaml

from .errors import InputError


def load_schema(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def read_samples(path, schema):
    """Read and check the sample sheet.

    Parameters
    ----------
    path : str
        Tab-separated sheet with a header line.
    schema : dict
        JSON schema of one row (``workflow/schemas/samples.schema.yaml``).

    Returns
    -------
    DataFrame
        Indexed by ``sample``; ``vcf_sample`` filled with the sample name where empty.
    """
    if not os.path.exists(path):
        raise InputError("sample sheet not found", path)
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment=None)
    table.columns = table.columns.str.strip()
    validator = jsonschema.Draft202012Validator(schema)
    for lineno, row in enumerate(table.to_dict("records"), 2):
        row = {k: v.strip() for k, v in row.items() if v.strip() != ""}
        errors = sorted(validator.iter_errors(row), key=lambda e: list(e.path))
        if errors:
            err = errors[0]
            field = f"column {err.path[0]!r}: " if err.path else ""
            raise InputError(f"{field}{err.message}", path, lineno)
    duplicated = table["sample"][table["sample"].duplicated()].tolist()
    if duplicated:
        raise InputError(f"sample names must be unique; repeated: {duplicated}", path)
    if "vcf_sample" not in table:
        table["vcf_sample"] = ""
    table["vcf_sample"] = table["vcf_sample"].where(table["vcf_sample"] != "", table["sample"])
    for lineno, row in enumerate(table.itertuples(), 2):
        _require_file(row.vcf, f"{path}:{lineno}: column 'vcf'")
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


def check_config(config):
    """Cross-key and file checks of a schema-valid config."""
    for key in ("reference.fasta", "reference.chrom_aliases", "hic.cool", "samples"):
        section, _, name = key.rpartition(".")
        value = config[section][name] if section else config[name]
        _require_file(value.split("::")[0], f"config {key}")
    if config["reference"]["exclude"]["centromeres"]:
        _require_file(config["reference"]["exclude"]["centromeres"], "config reference.exclude.centromeres")
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
        for name in tracks:
            if name not in config["model"]["tracks"]:
                raise InputError(f"{where} reads track {name!r}: add its bigWig to model.tracks")
            _require_file(config["model"]["tracks"][name], f"config model.tracks.{name}")
    diffusion = model["diffusion"]
    divisor = 2 ** (len(diffusion["dim_mults"]) - 1)
    if config["model"]["diffusion"] and windows["bins"] % divisor:
        raise InputError(f"{where}: the diffusion U-Net halves the map {len(diffusion['dim_mults']) - 1} times, "
                         f"so bins ({windows['bins']}) must be a multiple of {divisor}")
    steps = config["prediction"]["sampling_steps"]
    if steps is not None and steps > diffusion["timesteps"]:
        raise InputError(f"config prediction.sampling_steps: {steps} is more than the {diffusion['timesteps']} "
                         f"timesteps of {where}")
