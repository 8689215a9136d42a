"""Trans-duplications listed in a per-sample edits file (BEDPE).

HiCDiffusion-style trans-duplications copy a source interval over a target
interval. Besides the breakend pair a VCF can give (:mod:`.breakends`), they
can be listed in a tab-separated BEDPE file, 0-based half-open like BED, with
eleven columns and optional ``#`` comment/header lines::

    #chrom1 start1 end1 chrom2 start2 end2 name score strand1 strand2 genotype
    chrII   1000   2000 chrIV  5000   6000 td1  .     +       +       1|0

``chrom1:start1-end1`` is the source (must be non-empty), ``chrom2:start2-end2``
the target it overwrites (``start2 == end2`` inserts the copy at ``start2``),
the copy is reverse-complemented where ``strand1 != strand2``, and ``genotype``
is a phased genotype (``1|0``, ``0|1``, ``1|1``, ``0|0``) saying which
haplotypes carry it. Chromosome names pass through the alias table.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

EDIT_COLUMNS = ["chrom1", "start1", "end1", "chrom2", "start2", "end2", "name", "score", "strand1", "strand2", "genotype"]
GENOTYPES = {"0|0": (0, 0), "1|0": (1, 0), "0|1": (0, 1), "1|1": (1, 1)}


def read_edits(path):
    """Read an edits file into records the builder can carry.

    Returns
    -------
    DataFrame
        One row per edit: the :data:`EDIT_COLUMNS` (coordinates as integers)
        plus the columns of :func:`.records.read_records`: ``label``
        (``file:line name``), ``vcf_chrom``/``vcf_pos``/``pos0`` (target
        chromosome and start as written), ``id``, ``ref``/``alt`` (``.``),
        ``class`` (``trans_dup``), ``allele1``/``allele2``, ``phased``, and
        empty INFO values.

    Raises
    ------
    InputError
        Naming ``file:line`` for a wrong field count, a non-integer or negative
        coordinate, an empty source, a reversed target, a bad strand or a
        genotype that is not one of :data:`GENOTYPES`.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("edits file not found", path)
    rows = []
    with open(path) as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != len(EDIT_COLUMNS):
                raise InputError(f"expected {len(EDIT_COLUMNS)} tab-separated fields, found {len(fields)}", path, lineno)
            row = dict(zip(EDIT_COLUMNS, fields))
            try:
                for key in ("start1", "end1", "start2", "end2"):
                    row[key] = int(row[key])
            except ValueError:
                raise InputError(f"{key} {row[key]!r} is not an integer", path, lineno) from None
            if min(row["start1"], row["start2"]) < 0:
                raise InputError("coordinates must be >= 0", path, lineno)
            if row["end1"] <= row["start1"]:
                raise InputError(f"empty source {row['start1']}-{row['end1']}: end1 must exceed start1", path, lineno)
            if row["end2"] < row["start2"]:
                raise InputError(f"target end2 {row['end2']} is before start2 {row['start2']}", path, lineno)
            if row["strand1"] not in ("+", "-") or row["strand2"] not in ("+", "-"):
                raise InputError("strand1 and strand2 must be '+' or '-'", path, lineno)
            if row["genotype"] not in GENOTYPES:
                raise InputError(f"genotype {row['genotype']!r}: use one of {', '.join(GENOTYPES)}", path, lineno)
            row["label"] = f"{path.name}:{lineno} {row['name']}".rstrip()
            rows.append(row)
    table = pd.DataFrame(rows, columns=EDIT_COLUMNS + ["label"])
    alleles = np.array([GENOTYPES[g] for g in table["genotype"]], dtype=np.int64).reshape(-1, 2)
    return table.assign(
        vcf_chrom=table["chrom2"], vcf_pos=table["start2"].astype(np.int64), pos0=table["start2"].astype(np.int64),
        id=table["name"], ref=".", alt=".", filter="PASS", end=-1, svlen=-1, svtype=".", insseq=".", gt=table["genotype"],
        **{"class": "trans_dup"}, allele1=alleles[:, 0], allele2=alleles[:, 1], phased=True,
    )
