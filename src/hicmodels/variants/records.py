"""Reading one sample's records from a VCF.

The VCF must be bgzip-compressed (or BCF), sorted and indexed (``.tbi`` or
``.csi``): the contract of the workflow's VCF inputs, checked here so that a
plain-text, unsorted or unindexed file fails at this step with a clear message.
Records are read in file order through ``bcftools view -s SAMPLE | bcftools
norm -m- -w 0 | bcftools query``: multi-allelic records are split into one
record per ALT (genotypes of the other ALTs become 0, as ``norm -m-`` does),
file order is kept (``-w 0``: norm's sorting buffer would otherwise hide
unsorted input), and only the columns used here are parsed.

Records are named ``CHROM:POS ID`` (as written in the VCF) in messages.
"""

import csv
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pysam

from ..errors import InputError
from .alleles import classify, made_of, sv_length_problem, symbolic_span

INFO_FIELDS = ("END", "SVLEN", "SVINSSEQ", "INSSEQ")
RECORD_COLUMNS = ["vcf_chrom", "vcf_pos", "id", "ref", "alt", "filter", *(f.lower() for f in INFO_FIELDS), "gt"]


def _bcftools():
    path = shutil.which("bcftools")
    if path is None:
        raise RuntimeError("bcftools is needed to read VCF files and is not on PATH")
    return path


def check_vcf(path):
    """Check the VCF exists and is indexed.

    Raises
    ------
    InputError
        If the file is missing or has neither a ``.tbi`` nor a ``.csi`` index.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("VCF not found", path)
    if not any(Path(f"{path}{ext}").exists() for ext in (".tbi", ".csi")):
        raise InputError(
            "missing index (.tbi or .csi): the VCF must be bgzip-compressed, sorted and indexed "
            "(bcftools sort -Oz -o x.vcf.gz x.vcf && bcftools index -t x.vcf.gz)",
            path,
        )


def _header(path, sample):
    """The INFO fields the header declares; checks the sample and GT."""
    try:
        with pysam.VariantFile(str(path)) as vcf:
            header = vcf.header
            samples, info, formats = list(header.samples), set(header.info), set(header.formats)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the VCF header: {err}", path) from None
    if sample not in samples:
        listed = ", ".join(samples[:5]) + (" ..." if len(samples) > 5 else "") if samples else "none"
        raise InputError(f"sample {sample!r} is not in the VCF (samples: {listed})", path)
    if "GT" not in formats:
        raise InputError("the header declares no FORMAT/GT: genotypes are needed", path)
    return info


def _query(path, sample, info):
    """Run the bcftools pipeline; returns the query output as a DataFrame of strings.

    ``view -s`` runs even for a single-sample file: besides keeping norm from
    splitting other samples' genotypes, it refuses records whose FILTER, INFO
    or FORMAT tags the header does not declare; passed on as BCF, such records
    would be dropped with only a warning.
    """
    bcftools = _bcftools()
    fields = "".join(f"\t%INFO/{f}" if f in info else "\t." for f in INFO_FIELDS)
    fmt = f"%CHROM\t%POS\t%ID\t%REF\t%ALT\t%FILTER{fields}[\t%GT]\n"
    commands = [
        [bcftools, "view", "--no-version", "-s", sample, "-Ou", str(path)],
        [bcftools, "norm", "--no-version", "-m-", "-w", "0", "-Ou", "-"],  # -w 0: keep file order
        [bcftools, "query", "-f", fmt, "-"],
    ]
    errors = [tempfile.TemporaryFile() for _ in commands]
    procs, upstream = [], None
    try:
        for command, err in zip(commands, errors):
            proc = subprocess.Popen(command, stdin=upstream, stdout=subprocess.PIPE, stderr=err)
            if upstream is not None:
                upstream.close()  # the next process owns it now
            procs.append(proc)
            upstream = proc.stdout
        try:
            table = pd.read_csv(
                upstream, sep="\t", header=None, names=RECORD_COLUMNS, dtype=object,
                keep_default_na=False, na_filter=False, quoting=csv.QUOTE_NONE,
            )
        except pd.errors.EmptyDataError:
            table = pd.DataFrame({c: pd.Series(dtype=object) for c in RECORD_COLUMNS})
        for proc, err in zip(procs, errors):  # the first failure explains the later ones
            if proc.wait() != 0:
                err.seek(0)
                lines = [x for x in err.read().decode(errors="replace").splitlines() if not x.startswith("Lines ")]
                raise InputError("bcftools could not read it: " + " | ".join(lines[-3:]), path)
    except BaseException:
        for proc in procs:  # nobody reads their output any more: stop them rather than wait
            proc.kill()
        raise
    finally:
        for proc in procs:
            proc.stdout.close()
            proc.wait()
        for err in errors:
            err.close()
    return table


def _genotype_alleles(gt):
    """``(allele1, allele2, phased)`` of one GT string; alleles 0, 1 or -1 (missing).

    A haploid call counts for both haplotypes.
    """
    phased = "/" not in gt
    alleles = gt.replace("|", "/").split("/")
    if len(alleles) > 2:
        raise ValueError(f"ploidy {len(alleles)} is not supported")
    try:
        values = [-1 if a == "." else int(a) for a in alleles]
    except ValueError:
        raise ValueError(f"malformed genotype {gt!r}") from None
    if any(v > 1 for v in values):  # norm -m- leaves 0/1 only
        raise ValueError(f"genotype {gt!r} names an ALT the record lacks")
    if len(values) == 1:
        return values[0], values[0], True
    return values[0], values[1], phased


def read_records(path, sample):
    """Read a sample's records, multi-allelic records split.

    Parameters
    ----------
    path : str or Path
        Sorted, indexed, bgzip-compressed VCF (or BCF).
    sample : str
        Sample column to read.

    Returns
    -------
    DataFrame
        One row per (record, ALT), in file order: ``vcf_chrom``, ``vcf_pos``
        (as written, 1-based), ``pos0`` (0-based), ``id``, ``ref``, ``alt``,
        ``filter``, ``end`` and ``svlen`` (integers, -1 where absent),
        ``insseq`` (INFO/SVINSSEQ, else INFO/INSSEQ, else ``.``),
        ``allele1``, ``allele2`` (0, 1, or -1 for missing), ``phased``,
        ``class`` (:func:`alleles.classify`) and ``label`` (``CHROM:POS ID``).

    Raises
    ------
    InputError
        Missing file, index, sample or GT; records out of order; a malformed
        genotype; anything bcftools cannot parse.
    """
    check_vcf(path)
    info = _header(path, sample)
    table = _query(path, sample, info)
    columns = (table[c].to_numpy() for c in ("vcf_chrom", "vcf_pos", "id"))
    table["label"] = [f"{c}:{p} {i}" if i != "." else f"{c}:{p}" for c, p, i in zip(*columns)]
    table["vcf_pos"] = table["vcf_pos"].astype(np.int64)
    table["pos0"] = table["vcf_pos"] - 1
    for column in ("end", "svlen"):
        given = (table[column] != ".").to_numpy()
        values = np.full(len(table), -1, dtype=np.int64)
        if given.any():
            parsed = pd.to_numeric(table[column][given].str.split(",").str[0], errors="coerce")
            if parsed.isna().any():
                first = table["label"][given].to_numpy()[np.argmax(parsed.isna().to_numpy())]
                raise InputError(f"{first}: INFO/{column.upper()} is not an integer", path)
            values[given] = parsed.to_numpy(dtype=np.int64)
        table[column] = values
    table["insseq"] = table["svinsseq"].where(table["svinsseq"] != ".", table["insseq"])
    check_sorted(table, path)
    genotypes = {}
    for gt in table["gt"].unique():
        try:
            genotypes[gt] = _genotype_alleles(gt)
        except ValueError as err:
            first = table["label"][(table["gt"] == gt).idxmax()]
            raise InputError(f"{first}: {err}", path) from None
    codes, uniques = pd.factorize(table["gt"])
    lookup = np.array([genotypes[g] for g in uniques], dtype=np.int64).reshape(-1, 3)
    table["allele1"], table["allele2"] = lookup[codes, 0], lookup[codes, 1]
    table["phased"] = lookup[codes, 2].astype(bool)
    table["class"] = classify_all(table["ref"], table["alt"])
    return table.drop(columns=["svinsseq"]).reset_index(drop=True)


def classify_all(refs, alts):
    """:func:`alleles.classify` over columns.

    SNVs and left-anchored indels of plain bases (nearly all records) are
    sorted out in bulk; every other pair goes through ``classify``.
    """
    ref, alt = refs.to_numpy(dtype=object), alts.to_numpy(dtype=object)
    ref_plain, ref_len, ref_first = made_of(ref, "ACGTN")
    alt_plain, alt_len, alt_first = made_of(alt, "ACGTN")
    plain = ref_plain & alt_plain
    same_first = ref_first == alt_first
    classes = np.full(len(ref), None, dtype=object)
    classes[plain & (ref_len == 1) & (alt_len == 1) & ~same_first] = "snv"
    classes[plain & same_first & (ref_len == 1) & (alt_len > 1)] = "insertion"
    classes[plain & same_first & (alt_len == 1) & (ref_len > 1)] = "deletion"
    rest = np.flatnonzero(classes == None)  # noqa: E711 (elementwise)
    known = {pair: classify(*pair) for pair in set(zip(ref[rest], alt[rest]))}
    classes[rest] = [known[pair] for pair in zip(ref[rest], alt[rest])]
    return classes


def check_sorted(table, path):
    """Records must come chromosome by chromosome, positions not decreasing.

    Raises
    ------
    InputError
        Naming the first record out of order and the one before it.
    """
    if len(table) < 2:
        return
    chrom = table["vcf_chrom"].to_numpy()
    pos = table["vcf_pos"].to_numpy()
    new_block = np.r_[True, chrom[1:] != chrom[:-1]]
    block_chroms = chrom[new_block]
    backwards = np.flatnonzero(~new_block[1:] & (pos[1:] < pos[:-1])) + 1
    reopened = pd.Index(block_chroms).duplicated()
    problems = []
    if len(backwards):
        problems.append(int(backwards[0]))
    if reopened.any():
        problems.append(int(np.flatnonzero(new_block)[np.argmax(reopened)]))
    if problems:
        i = min(problems)
        raise InputError(
            f"records are not sorted: {table['label'][i]} comes after {table['label'][i - 1]} "
            "(sort with bcftools sort, then index)",
            path,
        )


SV_CLASSES = ("sv_del", "sv_dup", "sv_inv", "sv_ins")


def structural_variants_of(path, sample, min_size, aliases=None, policy=None):
    """The structural variants a sample carries, as reference intervals (figures, summaries).

    Parameters
    ----------
    path : str or Path
        Sorted, indexed, bgzip-compressed VCF (or BCF), as :func:`read_records`.
    sample : str
    min_size : int
        Shortest event kept: bases deleted, inserted, duplicated or inverted.
    aliases : dict, optional
        alias -> reference name (:func:`hicmodels.genome.aliases.read_aliases`).
    policy : hicmodels.variants.policy.Policy, optional
        Records whose FILTER the policy does not accept are left out, as the
        personal-genome stage leaves them out; so are SVs whose END/SVLEN
        cannot be right under ``sv_length_conflict=skip`` (else they stop).

    Returns
    -------
    DataFrame
        ``chrom`` (a reference name where ``aliases`` knows one), ``start``,
        ``end`` (0-based, the reference bases affected; an insertion has
        ``start == end`` at its junction), ``label`` (type, ID and genotype),
        for records carried on at least one haplotype. Symbolic ``<DEL>``,
        ``<DUP>``, ``<INV>``, ``<INS>`` and sequence-resolved indels count;
        breakends do not (they have no single interval).
    """
    records = read_records(path, sample)
    records = records[(records["allele1"] == 1) | (records["allele2"] == 1)]
    if policy is not None:
        records = records[[policy.accepts_filter(v) for v in records["filter"]]]
    columns = ("label", "vcf_chrom", "pos0", "id", "ref", "alt", "class", "end", "svlen", "insseq", "gt")
    rows = []
    for label, chrom, pos0, vid, ref, alt, cls, end, svlen, insseq, gt in zip(*(records[c] for c in columns)):
        if cls in SV_CLASSES:
            problem = sv_length_problem(cls, pos0, end if end >= 0 else None, svlen if svlen != -1 else None, insseq)
            if problem is not None:
                if policy is not None and policy.sv_length_conflict == "skip":
                    continue  # the personal genome skips it too
                raise InputError(f"{label}: {problem}", path)
        if cls == "sv_ins":
            start, stop, size = pos0 + 1, pos0 + 1, len(insseq) if insseq != "." else abs(svlen)
        elif cls in SV_CLASSES:
            try:
                start, stop = symbolic_span(pos0, end if end >= 0 else None, svlen if svlen != -1 else None)
            except ValueError as err:
                raise InputError(f"{label}: {err}", path) from None
            size = stop - start
        elif cls in ("insertion", "deletion", "complex"):
            start, stop, size = pos0, pos0 + len(ref), abs(len(ref) - len(alt))
        else:
            continue
        if size >= min_size:
            kind = cls.removeprefix("sv_").upper() if cls in SV_CLASSES else "indel"
            rows.append((chrom, start, stop, " ".join(x for x in (kind, vid if vid != "." else "", gt) if x)))
    table = pd.DataFrame(rows, columns=["chrom", "start", "end", "label"]).astype({"start": np.int64, "end": np.int64})
    if aliases:
        table["chrom"] = table["chrom"].map(lambda name: aliases.get(name, name))
    return table
