"""Chromosome aliases: names used by other files -> the reference FASTA's names.

The alias table is a TSV with the header ``canonical<TAB>alias`` and one alias
per line (``resources/yeast/chrom_aliases.tsv``). A canonical name is the name
of a reference FASTA sequence; an alias is any other name for it (``chr1`` /
``1``, ``chrM`` / ``MT`` / ``chrMito``). Blank lines and lines starting with
``#`` are skipped.
"""

from ..errors import InputError


def read_aliases(path):
    """Read an alias table.

    Parameters
    ----------
    path : str or Path
        TSV with the header ``canonical<TAB>alias``.

    Returns
    -------
    dict
        alias -> canonical name; every canonical name also maps to itself.

    Raises
    ------
    InputError
        On a wrong header, a line without two non-empty fields, or a name
        claimed by two canonical names.
    """
    aliases = {}
    with open(path) as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header[:2] != ["canonical", "alias"]:
            raise InputError(f"expected a header 'canonical<TAB>alias', found {header!r}", path, 1)
        for lineno, line in enumerate(handle, 2):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 2 or not all(fields):
                raise InputError("alias line needs two non-empty tab-separated fields", path, lineno)
            canonical, alias = fields
            for name in (alias, canonical):
                if aliases.get(name, canonical) != canonical:
                    raise InputError(f"{name!r} is an alias of both {aliases[name]!r} and {canonical!r}", path, lineno)
                aliases[name] = canonical
    return aliases


def canonical_names(names, aliases, known):
    """Map ``names`` onto the ``known`` (reference) chromosome names.

    Parameters
    ----------
    names : iterable of str
        Names as found in some file (a cooler, a VCF); repeats are allowed.
    aliases : dict
        alias -> canonical (:func:`read_aliases`); may be empty.
    known : collection of str
        The reference FASTA's sequence names.

    Returns
    -------
    renamed : dict
        name -> reference name, for every name that has one.
    dropped : list of str
        Names with no reference counterpart (neither a reference name nor an
        alias of one), in first-seen order.

    Raises
    ------
    InputError
        Where two names stand for the same reference chromosome.
    """
    known = set(known)
    renamed, dropped = {}, []
    for name in dict.fromkeys(names):
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
