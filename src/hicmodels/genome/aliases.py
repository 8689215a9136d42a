"""Chromosome name aliases: one canonical name (the reference FASTA's) per sequence."""

import logging

import pandas as pd

from ..errors import InputError

log = logging.getLogger(__name__)


def read_aliases(path):
    """Read a two-column TSV (``canonical``, ``alias``) into an alias -> canonical dict.

    Every canonical name also maps to itself. An alias claimed by two canonical
    names is an error.
    """
    table = pd.read_csv(path, sep="\t", dtype=str, comment="#")
    if list(table.columns[:2]) != ["canonical", "alias"]:
        raise InputError("expected a header 'canonical<TAB>alias'", path, 1)
    mapping = {}
    for lineno, (canonical, alias) in enumerate(table[["canonical", "alias"]].itertuples(index=False), 2):
        if pd.isna(canonical) or pd.isna(alias):
            raise InputError("empty field", path, lineno)
        for name in (alias, canonical):
            if mapping.get(name, canonical) != canonical:
                raise InputError(f"{name!r} is an alias of both {mapping[name]!r} and {canonical!r}", path, lineno)
            mapping[name] = canonical
    return mapping


def canonical_names(names, aliases, known):
    """Map ``names`` onto the ``known`` (reference) chromosome names.

    Parameters
    ----------
    names : iterable of str
        Names as found in some file (a cooler, a VCF).
    aliases : dict
        alias -> canonical, from :func:`read_aliases`.
    known : collection of str
        The reference chromosome names.

    Returns
    -------
    renamed : dict
        name -> reference name, for every name that has one.
    dropped : list of str
        Names with no reference counterpart, in input order.
    """
    known = set(known)
    renamed, dropped = {}, []
    for name in names:
        target = name if name in known else aliases.get(name)
        if target in known:
            renamed[name] = target
        else:
            dropped.append(name)
    seen = {}
    for name, target in renamed.items():
        if target in seen:
            raise InputError(f"chromosomes {seen[target]!r} and {name!r} both map to {target!r}")
        seen[target] = name
    return renamed, dropped
