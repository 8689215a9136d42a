"""``hicmodels <stage> <command>``: every workflow step as a command, grouped by stage.

Each stage (a package of :mod:`hicmodels` and a rule file of the workflow)
registers its commands from ``hicmodels.cli.<stage>``. Files are named by
flags; settings arrive as one ``--config`` JSON of the config section(s) the
command uses, completed with the config schema's defaults.

Bad input (a missing or unreadable file too) and an output that could not be
written (disk full) end the command with exit status 2 and one ``error:`` line naming the file and record (the traceback too with
``--verbose``); other failures keep their traceback.
"""

import argparse
import logging
import sys
import traceback
from importlib.metadata import version

from ..errors import InputError, OutputError
from . import calling, effects, epigenome, evaluation, genome, hic, modelling, multimodal, simulation, structure, variants
from .common import parse_settings

STAGES = {"genome": genome, "variants": variants, "calling": calling, "modelling": modelling, "hic": hic,
          "evaluation": evaluation, "effects": effects, "epigenome": epigenome, "simulation": simulation,
          "structure": structure, "multimodal": multimodal}


def build_parser():
    parser = argparse.ArgumentParser(prog="hicmodels", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging; tracebacks of input errors")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('hicmodels')}")
    groups = parser.add_subparsers(dest="stage", required=True, metavar="STAGE")
    for name, module in STAGES.items():
        summary = module.__doc__.splitlines()[0].removeprefix(f"{name}: ")
        group = groups.add_parser(name, help=summary, description=module.__doc__)
        module.register(group.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if hasattr(args, "settings_schema"):
            args.settings = parse_settings(args)
        args.func(args)
    except (InputError, OutputError, FileNotFoundError, PermissionError, IsADirectoryError) as err:
        if args.verbose:
            traceback.print_exc()
        print(f"error: {_one_line(err)}", file=sys.stderr)
        return 2
    return 0


def _one_line(err):
    """An input error's message; a missing or unreadable file as ``<file>: <what>``."""
    if isinstance(err, (InputError, OutputError)):
        return str(err)
    if err.filename is not None:
        return f"{err.filename}: {err.strerror.lower() if err.strerror else 'cannot be read'}"
    return str(err).splitlines()[0]


if __name__ == "__main__":
    sys.exit(main())
