"""Chromosome aliases: names used by other files -> the reference FASTA's names.

The alias table is a TSV with the header ``canonical<TAB>alias`` and one alias
per line (``resources/yeast/chrom_aliases.tsv``). A canonical name is the name
of a reference FASTA sequence; an alias is any other name for it (``chr1`` /
``1``, ``chrM`` / ``MT`` / ``chrMito``).
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
        alias -> canonical name.

    Raises
    ------
    InputError
        On a wrong header, a line without two fields, or an alias given two
        canonical names.
    """
    aliases = {}
    with open(path) as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header[:2] != ["canonical", "alias"]:
            raise InputError(f"alias table header must be 'canonical<TAB>alias', found {header!r}", path, 1)
        for lineno, line in enumerate(handle, 2):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 2 or not all(fields):
                raise InputError("alias line needs two non-empty tab-separated fields", path, lineno)
            canonical, alias = fields
            if aliases.get(alias, canonical) != canonical:
                raise InputError(f"alias {alias!r} names both {aliases[alias]!r} and {canonical!r}", path, lineno)
            aliases[alias] = canonical
    return aliases


def canonical_names(names, aliases, known):
    """Map names to the reference names they stand for.

    Parameters
    ----------
    names : iterable of str
        Names as found in some file.
    aliases : dict
        alias -> canonical (:func:`read_aliases`); may be empty.
    known : collection of str
        The reference FASTA's sequence names.

    Returns
    -------
    dict
        name -> reference name, or ``None`` where the name is neither a
        reference name nor an alias of one.
    """
    known = set(known)
    mapping = {}
    for name in set(names):
        if name in known:
            mapping[name] = name
        else:
            canonical = aliases.get(name)
            mapping[name] = canonical if canonical in known else None
    return mapping
