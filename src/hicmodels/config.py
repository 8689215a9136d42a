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
        Indexed by ``sample``; ``vcf_sample`` filled with the sample name where
        empty; ``edits`` (optional trans-duplication BEDPE) ``""`` where not given.
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
    if "edits" not in table:
        table["edits"] = ""
    for lineno, row in enumerate(table.itertuples(), 2):
        _require_file(row.vcf, f"{path}:{lineno}: column 'vcf'")
        if row.edits:
            _require_file(row.edits, f"{path}:{lineno}: column 'edits'")
    return table.set_index("sample", drop=False)


def _require_file(path, where):
    if not os.path.exists(path):
        raise InputError(f"{where}: file not found: {path}")


def window_preset(config):
    return _preset(config, "windows")


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


def policy_arguments(config):
    """Command-line flags of ``hicmodels personal-genome`` for config section ``variants``."""
    policy = variant_policy(config)
    flags = [f"--filters={'any' if policy.filters is None else ','.join(policy.filters)}"]
    for name in ("unphased", "filter_missing", "ref_mismatch", "overlap", "unknown_contig"):
        flags.append(f"--{name.replace('_', '-')}={getattr(policy, name)}")
    return " ".join(shlex.quote(f) for f in flags)


def check_config(config):
    """Cross-key and file checks of a schema-valid config."""
    for key in ("reference.fasta", "reference.chrom_aliases", "hic.cool", "samples"):
        section, _, name = key.rpartition(".")
        value = config[section][name] if section else config[name]
        _require_file(value.split("::")[0], f"config {key}")
    if config["reference"]["exclude"]["centromeres"]:
        _require_file(config["reference"]["exclude"]["centromeres"], "config reference.exclude.centromeres")
    variant_policy(config)
    windows, model = window_preset(config), model_preset(config)
    bin_size = math.prod(model["pools"])
    if windows["size"] != windows["bins"] * bin_size:
        raise InputError(
            f"config: windows preset {config['windows']['preset']!r} has {windows['size']} bp in {windows['bins']} "
            f"bins, but model preset {config['model']['preset']!r} pools to {bin_size} bp per bin "
            f"({windows['bins']} x {bin_size} = {windows['bins'] * bin_size})"
        )
    if len(model["pools"]) != len(model["channels"]) - 1:
        raise InputError(f"config model preset {config['model']['preset']!r}: "
                         f"{len(model['channels']) - 1} encoder blocks need as many pools, got {len(model['pools'])}")
    assemble = config["assemble"]
    odd = [r for r in assemble["resolutions"] if r % assemble["bin_size"]]
    if odd:
        raise InputError(f"config assemble.resolutions: {odd} are not multiples of bin_size {assemble['bin_size']}")
    modelled = set(config["reference"]["chromosomes"])
    test, validation = config["hic"]["test_chromosomes"], config["hic"]["validation_chromosomes"]
    for key, chroms in (("test_chromosomes", test), ("validation_chromosomes", validation)):
        outside = sorted(set(chroms) - modelled)
        if outside:
            raise InputError(f"config hic.{key}: {outside} not in reference.chromosomes")
    both = sorted(set(test) & set(validation))
    if both:
        raise InputError(f"config hic: {both} are both test and validation chromosomes")
    if not modelled - set(test) - set(validation):
        raise InputError("config: no chromosome left for training")
