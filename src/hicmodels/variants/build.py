"""Build a sample's two haplotype genomes: the entry points.

:func:`build_haplotypes` runs the whole step; :func:`build_haplotypes_command`
is the same with plain-string settings, for the command line.
"""

import contextlib
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..files import write_tsv
from ..genome.aliases import read_aliases
from ..genome.fasta import IndexedFasta, bgzf_fasta_writer
from .sequences import write_haplotype
from .breakends import interpret, pair_mates
from .checks import RecordChecks
from .editsfile import read_edits
from .layout import layout
from .ledger import HAPLOTYPES, Ledger
from .ops import Join, TransDup
from .overlaps import Overlaps
from .policy import Policy
from .records import read_records

log = logging.getLogger(__name__)


def output_paths(out_dir):
    """The files :func:`build_haplotypes` writes into ``out_dir``.

    Returns
    -------
    dict
        ``hap1_fasta``, ``hap1_chain``, ``hap2_fasta``, ``hap2_chain``,
        ``rejects``, ``summary`` -> path (each FASTA also gets ``.fai`` and
        ``.gzi`` next to it).
    """
    out_dir = Path(out_dir)
    paths = {}
    for hap in HAPLOTYPES:
        paths[f"hap{hap}_fasta"] = out_dir / f"hap{hap}.fa.gz"
        paths[f"hap{hap}_chain"] = out_dir / f"hap{hap}.chain"
    paths["rejects"] = out_dir / "rejects.tsv"
    paths["summary"] = out_dir / "summary.tsv"
    return paths


def _load_records(vcf, sample, edits):
    records = read_records(vcf, sample).assign(source=str(vcf))
    if edits is not None:
        records = pd.concat([records, read_edits(edits).assign(source="")], ignore_index=True)
    return records


def plan_haplotypes(records, reference, aliases, policy, ledger):
    """Check records and lay out both haplotypes; nothing is written.

    Returns
    -------
    dict
        haplotype -> ``(layout, replacements, ops)`` (:class:`.layout.Layout`,
        the kept replacements, the kept structural operations).
    """
    checked = RecordChecks(records, reference, aliases, policy, ledger).run()
    labels, sources = records["label"].to_numpy(), records["source"].to_numpy()
    joins = {r: op for r, op in checked.structural.items() if isinstance(op, Join)}
    plans = {}
    for hap in HAPLOTYPES:
        carried = set(np.flatnonzero(checked.carried[hap]).tolist())
        junctions, mismatched = pair_mates(joins, carried)
        ledger.reject(hap, mismatched, "bnd_mate_mismatch")
        ops = [op for r, op in checked.structural.items() if r in carried and not isinstance(op, Join)]
        ops += interpret(junctions)
        for op in ops:
            if isinstance(op, TransDup):
                ledger.classes[list(op.records)] = "trans_dup"
        overlaps = Overlaps(hap, ledger, policy, labels, sources)
        kept_ops = overlaps.structural(ops)
        replacements = checked.replacements[checked.carried[hap][checked.replacements["rec"].to_numpy()]]
        kept = overlaps.replacements(replacements, kept_ops)
        plan = layout(reference.sizes, kept_ops, labels)
        applied = np.zeros(len(records), dtype=bool)
        applied[[r for op in kept_ops for r in op.records]] = True
        applied[kept["rec"].to_numpy()] = True
        ledger.settle(hap, applied & ~checked.placed, "applied")
        ledger.settle(hap, applied & checked.placed, "applied", "unphased")
        if plan.dropped:
            where = ", ".join(f"{c}:{s}-{e}" for c, s, e, _ in plan.dropped)
            log.warning("haplotype %d: pieces left with no chromosome end are dropped: %s", hap, where)
        plans[hap] = (plan, kept, kept_ops)
    return plans


def build_haplotypes(reference, vcf, sample, out_dir, policy=None, aliases=None, edits=None, threads=1):
    """Apply a sample's variants to the reference: two haplotype genomes.

    Parameters
    ----------
    reference : str or Path
        Reference FASTA, bgzip or plain, indexed (``.fai``, and ``.gzi`` for
        bgzip).
    vcf : str or Path
        Sorted, bgzip-compressed, indexed VCF/BCF holding ``sample``.
    sample : str
        Sample to build.
    out_dir : str or Path
        Outputs are ``{out_dir}/hap1.fa.gz`` ... (:func:`output_paths`); the
        directory is created if needed.
    policy : Policy, optional
        ``None``: the config schema's defaults (:meth:`.policy.Policy.from_config` of ``{}``).
    aliases : str or Path, optional
        Alias table (``canonical<TAB>alias``) for chromosome names.
    edits : str or Path, optional
        Trans-duplication edits file (:mod:`.editsfile`).
    threads : int
        bgzip compression threads.

    Returns
    -------
    DataFrame
        The summary table (:data:`.ledger.SUMMARY_COLUMNS`).

    Raises
    ------
    InputError
        On bad input (naming the file and record); no output is written then.
    """
    policy = policy or Policy.from_config({})
    paths = output_paths(out_dir)
    log.info("building haplotypes of %s from %s; policy: %s", sample, vcf, ", ".join(policy.describe()))
    ref = IndexedFasta(reference)
    ref.prefetch(next(iter(ref.sizes)))  # the first chromosome is read while bcftools reads the VCF
    records = _load_records(vcf, sample, edits)
    ledger = Ledger(records)
    plans = plan_haplotypes(records, ref, read_aliases(aliases) if aliases else {}, policy, ledger)
    with contextlib.ExitStack() as stack:  # both FASTAs open: bgzip compresses one while the other is built
        for hap, (plan, replacements, _) in plans.items():
            fasta = stack.enter_context(bgzf_fasta_writer(paths[f"hap{hap}_fasta"], threads=threads))
            write_haplotype(plan, replacements, ref, fasta, paths[f"hap{hap}_chain"])
    write_tsv(ledger.rejects(), paths["rejects"])
    summary = ledger.summary()
    write_tsv(summary, paths["summary"])
    for hap in HAPLOTYPES:
        counts = summary[summary["haplotype"] == hap].groupby("outcome")["count"].sum()
        log.info("haplotype %d: %s", hap, ", ".join(f"{k} {v}" for k, v in counts.items()))
    skipped = summary[summary["outcome"] == "skipped"]
    for hap, cls, reason, count in zip(skipped["haplotype"], skipped["class"], skipped["reason"], skipped["count"]):
        log.warning("haplotype %d: %d %s records skipped (%s); see %s", hap, count, cls, reason, paths["rejects"])
    return summary
