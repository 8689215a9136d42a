"""What one REF/ALT pair means: its class and the reference change it makes.

Pure functions on allele strings; coordinates are 0-based half-open, and
``pos0`` is the 0-based position of the record's first REF base (VCF POS - 1).

Sequence-resolved alleles are trimmed to the bases that change: the shared
prefix first (left-anchored, as ``bcftools``), then the shared suffix. What is
left replaces reference ``[start, end)``: equal lengths are an aligned
substitution (SNV/MNV, reference and personal bases correspond one to one);
otherwise the replaced bases are deleted and the new ones inserted, with no
base-to-base correspondence claimed (insertion, deletion, complex).

Symbolic alleles follow VCF 4.3: POS is the padding base before the event and
INFO/END the last affected base (1-based), so the event covers 0-based
``[POS, END)``; without END, ``|SVLEN|`` bases from POS.
"""

import re

import numpy as np

SYMBOLIC_CLASSES = {"DEL": "sv_del", "DUP": "sv_dup", "DUP:TANDEM": "sv_dup", "INV": "sv_inv", "INS": "sv_ins"}
BREAKEND = re.compile(r"^(?P<pre>[A-Za-z]*)(?P<b1>[\[\]])(?P<mate>.+):(?P<mpos>\d+)(?P<b2>[\[\]])(?P<post>[A-Za-z]*)$")
SEQUENCE = re.compile(r"^[A-Za-z]+$")
BASES = "ACGTNacgtn"
IUPAC_CODES = "RYKMSWBDHVrykmswbdhv"  # ambiguity codes; N is a base here
_TO_N = str.maketrans(IUPAC_CODES, "N" * 10 + "n" * 10)
COMPLEMENT = bytes.maketrans(b"ACGTNacgtnRYKMSWBDHVrykmswbdhv", b"TGCANtgcanYRMKSWVHDByrmkswvhdb")


def reverse_complement(seq):
    """Reverse complement of a ``bytes`` sequence (IUPAC codes included)."""
    return seq.translate(COMPLEMENT)[::-1]


def made_of(strings, alphabet):
    """Which strings are non-empty and made only of characters in ``alphabet``.

    Vectorised over a whole column: one pass over the joined strings.

    Returns
    -------
    ok : ndarray of bool
    lengths : ndarray of int64
        Length of each string.
    first : ndarray of uint8
        Code of each string's first character (0 for an empty string).
    """
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    data = np.frombuffer("".join(strings).encode("ascii", "replace"), dtype=np.uint8)  # one byte per character
    allowed = np.zeros(256, dtype=bool)
    allowed[np.frombuffer(alphabet.encode(), dtype=np.uint8)] = True
    starts = np.cumsum(lengths) - lengths
    filled = lengths > 0
    ok, first = np.zeros(len(lengths), dtype=bool), np.zeros(len(lengths), dtype=np.uint8)
    if filled.any():
        ok[filled] = np.add.reduceat((~allowed[data]).astype(np.int64), starts[filled]) == 0
        first[filled] = data[starts[filled]]
    return ok, lengths, first


def symbolic_kind(alt):
    """The class of a symbolic ALT (``<DEL>``, ``<DEL:ME>``, ``<DUP:TANDEM>`` ...), or ``None``."""
    if not (alt.startswith("<") and alt.endswith(">")):
        return None
    name = alt[1:-1]
    if name in SYMBOLIC_CLASSES:
        return SYMBOLIC_CLASSES[name]
    base = name.split(":")[0]
    if base in ("DEL", "INS") and name != base:  # subtypes such as DEL:ME, INS:ME:ALU
        return SYMBOLIC_CLASSES[base]
    return "symbolic"


def trim(ref, alt):
    """Drop the shared prefix, then the shared suffix (case-insensitive).

    Returns
    -------
    offset : int
        Bases dropped from the front.
    ref_rest, alt_rest : str
        What is left of each allele.
    """
    r, a = ref.upper(), alt.upper()
    n = min(len(r), len(a))
    p = 0
    while p < n and r[p] == a[p]:
        p += 1
    s = 0
    while s < n - p and r[len(r) - 1 - s] == a[len(a) - 1 - s]:
        s += 1
    return p, ref[p : len(ref) - s], alt[p : len(alt) - s]


def classify(ref, alt):
    """Class of one REF/ALT pair.

    ``snv``, ``mnv``, ``insertion``, ``deletion``, ``complex`` for
    sequence-resolved alleles; ``sv_del``, ``sv_dup``, ``sv_inv``, ``sv_ins``
    for the supported symbolic alleles, ``symbolic`` for the others; ``bnd``
    for breakends; ``star`` for the spanning-deletion allele ``*``;
    ``no_alt`` for ``.``; ``no_change`` where ALT equals REF.
    """
    if alt == ".":
        return "no_alt"
    if alt == "*":
        return "star"
    kind = symbolic_kind(alt)
    if kind is not None:
        return kind
    if "[" in alt or "]" in alt or (len(alt) > 1 and (alt.startswith(".") or alt.endswith("."))):
        return "bnd"
    _, r, a = trim(ref, alt)
    if not r and not a:
        return "no_change"
    if len(r) == len(a):
        return "snv" if len(r) == 1 else "mnv"
    if not r:
        return "insertion"
    if not a:
        return "deletion"
    return "complex"


def symbolic_span(pos0, end, svlen):
    """0-based ``[start, end)`` covered by a symbolic SV.

    Parameters
    ----------
    pos0 : int
        0-based position of the padding base (VCF POS - 1).
    end : int or None
        INFO/END (1-based, inclusive), if given.
    svlen : int or None
        INFO/SVLEN, if given.

    Raises
    ------
    ValueError
        Where neither is given, or the span is empty or reversed.
    """
    pos = pos0 + 1
    if end is None:
        if svlen is None:
            raise ValueError("needs INFO/END or INFO/SVLEN")
        end = pos + abs(svlen)
    if end < pos:
        raise ValueError(f"END={end} is before POS={pos}")
    if end == pos:
        raise ValueError(f"END={end} equals POS: the SV covers no base")
    return pos, end


def sequence_problem(seq):
    """``None`` for plain bases (ACGTN, either case), ``"iupac"`` where IUPAC
    ambiguity codes appear among them, else ``"not_bases"``."""
    rest = "".join(c for c in seq if c not in BASES)
    if not rest:
        return None
    return "iupac" if all(c in IUPAC_CODES for c in rest) else "not_bases"


def iupac_to_n(seq):
    """``seq`` with every IUPAC ambiguity code written as N (n for lower case)."""
    return seq.translate(_TO_N)


def breakend_bases(alt):
    """The bases a breakend ALT carries (its REF base and any inserted ones), or ``""``."""
    match = BREAKEND.match(alt)
    if match is None:
        return alt.strip(".") if alt.startswith(".") or alt.endswith(".") else ""
    return match["pre"] + match["post"]


def sv_length_problem(cls, pos0, end, svlen, inserted=None):
    """Why the END/SVLEN of a symbolic SV cannot be right, or ``None``.

    Parameters
    ----------
    cls : str
        ``sv_del``, ``sv_dup``, ``sv_inv`` or ``sv_ins``.
    pos0 : int
        0-based position of the padding base.
    end, svlen : int or None
        INFO/END and INFO/SVLEN where given.
    inserted : str, optional
        The inserted sequence of an ``<INS>`` (``None`` or ``"."`` where absent).

    Notes
    -----
    A ``<DEL>`` may give SVLEN either sign (VCF 4.2 writes it negative, 4.4
    positive); a ``<DUP>``, ``<INV>`` or ``<INS>`` adds or keeps bases, so a
    negative SVLEN there is a contradiction, not a length to take the
    absolute value of. Where both are given, ``|SVLEN|`` must equal
    ``END - POS``.
    """
    pos = pos0 + 1
    kind = "<" + cls.removeprefix("sv_").upper() + ">"
    if svlen is not None and svlen == 0:
        return "SVLEN=0: the SV has no length"
    if svlen is not None and svlen < 0 and cls != "sv_del":
        return f"SVLEN={svlen} is negative for a {kind}"
    if cls == "sv_ins":
        if end is not None and end < pos:
            return f"END={end} is before POS={pos}"
        if svlen is not None and inserted not in (None, ".") and abs(svlen) != len(inserted):
            return f"SVLEN={svlen} differs from the {len(inserted)} bases of the inserted sequence"
        return None
    if end is None and svlen is None:
        return "needs INFO/END or INFO/SVLEN"
    if end is not None and end < pos:
        return f"END={end} is before POS={pos}"
    if end is not None and end == pos:
        return f"END={end} equals POS: the SV covers no base"
    if end is not None and svlen is not None and abs(svlen) != end - pos:
        return f"END={end} and SVLEN={svlen} disagree (END - POS = {end - pos})"
    return None


def parse_breakend(chrom, pos0, ref, alt):
    """The junction written by a breakend ALT (VCF 4.3 section 5.4).

    A junction joins two breakend sides. A side is ``(chrom, x, "L")`` for the
    part of the chromosome left of boundary ``x`` (bases ``[.., x)``) or
    ``(chrom, x, "R")`` for the part right of it (``[x, ..)``). ``t[p[`` joins
    the left part ending at this base to the right part starting at ``p``;
    ``t]p]`` to the reverse complement of the left part ending at ``p``;
    ``]p]t`` and ``[p[t`` put that part before the right part starting at this
    base.

    Returns
    -------
    side_a, side_b : tuple
        This record's side and its mate's.
    inserted : bytes
        Bases inserted at the junction, read going from ``side_a`` to
        ``side_b`` (leaving a left part forward, a right part backward).
    mate_chrom : str
        The mate's chromosome as written.
    mate_pos : int
        The mate's 1-based position as written.

    Raises
    ------
    ValueError
        Malformed ALT, or the base it carries differs from REF.
    """
    match = BREAKEND.match(alt)
    if match is None or match["b1"] != match["b2"] or bool(match["pre"]) == bool(match["post"]):
        raise ValueError(f"malformed breakend ALT {alt!r}")
    bracket, mate_chrom, mate_pos = match["b1"], match["mate"], int(match["mpos"])
    if match["pre"]:
        base, inserted = match["pre"][0], match["pre"][1:].encode()
        side_a = (chrom, pos0 + 1, "L")
    else:
        base, inserted = match["post"][-1], reverse_complement(match["post"][:-1].encode())
        side_a = (chrom, pos0, "R")
    if base.upper() != ref[:1].upper():
        raise ValueError(f"breakend ALT {alt!r} carries base {base!r}, REF is {ref!r}")
    # '[' points at the part right of the mate position, ']' at the part left of it
    side_b = (mate_chrom, mate_pos - 1, "R") if bracket == "[" else (mate_chrom, mate_pos, "L")
    return side_a, side_b, inserted, mate_chrom, mate_pos
