"""What the stage CLIs share: the ``--config`` settings argument and the readers of common inputs."""

import argparse
import json

from ..config import apply_defaults, resolve
from ..errors import InputError


class HelpWithDefaults(argparse.HelpFormatter):
    """Help that shows an option's default, where it has one."""

    def _get_help_string(self, action):
        if action.required or action.default in (None, argparse.SUPPRESS, [], False):
            return action.help
        return f"{action.help} (default: {action.default})"


def add_settings(parser, schema, what):
    """Give a command its one ``--config`` argument: JSON settings checked (and completed) by ``schema``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    schema : callable
        Returns the JSON schema of the settings (:func:`hicmodels.config.section_schema` ...);
        called only when the command runs.
    what : str
        The config section(s) the settings are, for ``--help``.
    """
    document = schema()
    defaults = json.dumps(apply_defaults({}, document, document))
    parser.add_argument("--config", default="{}", metavar="JSON",
                        help=f"settings as JSON: {what}; absent keys take the config schema's defaults, "
                             f"{defaults}")
    parser.set_defaults(settings_schema=schema)


def parse_settings(args):
    """The command's resolved settings (``args.config`` completed with the schema's defaults)."""
    try:
        given = json.loads(args.config)
    except json.JSONDecodeError as err:
        raise InputError(f"--config is not JSON: {err}") from None
    return resolve(given, args.settings_schema(), "--config")


def reference_sizes(fasta):
    """Chromosome sizes of a reference FASTA."""
    from ..genome.reference import chromsizes

    return chromsizes(fasta)


def experimental_map(cool, aliases, fasta, balance):
    """An experimental cooler seen through the reference's chromosome names."""
    from ..genome.aliases import read_aliases
    from ..hic.cool import ExperimentalMap

    return ExperimentalMap(cool, read_aliases(aliases), reference_sizes(fasta), balance)


def tracks_and_aliases(tracks, aliases):
    """Track bigWigs (``NAME=PATH`` items) and the alias table to read them with."""
    from ..genome.aliases import read_aliases
    from ..modelling.tracks import parse_tracks

    return parse_tracks(tracks), read_aliases(aliases) if aliases else None


def add_command(commands, name, func, help):
    """A command parser under its stage that runs ``func(args)``."""
    parser = commands.add_parser(name, help=help, description=help, formatter_class=HelpWithDefaults)
    parser.set_defaults(func=func)
    return parser
