"""What became of every record on every haplotype: the rejects and summary tables.

Each (record, haplotype) pair ends with one outcome: ``applied``,
``not_carried`` (the genotype has REF on that haplotype) or ``skipped`` with a
reason from :data:`REASONS`. Skipped pairs are the rows of the rejects table, so
the summary's ``skipped`` counts and the rejects table always agree.
"""

import numpy as np
import pandas as pd

REASONS = {
    "missing_genotype": "the genotype is missing (.) on this haplotype",
    "unphased": "unphased heterozygous genotype under policy unphased=skip",
    "filter": "FILTER is not among the accepted values",
    "unknown_contig": "chromosome in neither the reference nor the alias table (policy unknown_contig=skip)",
    "ref_mismatch": "REF differs from the reference (policy ref_mismatch=skip)",
    "overlap": "overlaps a record already applied to this haplotype",
    "unsupported_allele": "symbolic ALT other than <DEL>, <DUP>, <INV>, <INS>",
    "spanning_deletion": "ALT * stands for a deletion written by another record",
    "single_breakend": "single breakend: no mate to join to",
    "ins_without_sequence": "<INS> without the inserted sequence (INFO/SVINSSEQ or INFO/INSSEQ)",
    "no_change": "ALT equals REF",
    "sv_length_conflict": "END/SVLEN of a symbolic SV cannot be right (policy sv_length_conflict=skip)",
    "iupac": "IUPAC ambiguity codes in the ALT or inserted sequence (policy iupac=skip)",
    "bnd_mate_mismatch": "the records of one breakend junction disagree on this haplotype",
}
REJECT_COLUMNS = ["record", "chrom", "pos", "id", "ref", "alt", "class", "haplotype", "reason", "detail"]
SUMMARY_COLUMNS = ["haplotype", "class", "outcome", "reason", "count"]
HAPLOTYPES = (1, 2)


class Ledger:
    """Outcome, reason and detail of each (record, haplotype).

    Parameters
    ----------
    records : DataFrame
        ``label``, ``vcf_chrom``, ``vcf_pos``, ``id``, ``ref``, ``alt``,
        ``class``; row ``i`` is record ``i``.
    """

    def __init__(self, records):
        self.records = records.reset_index(drop=True)
        n = len(self.records)
        self.classes = self.records["class"].to_numpy(dtype=object, copy=True)
        self.outcome = {h: np.full(n, "", dtype=object) for h in HAPLOTYPES}
        self.reason = {h: np.full(n, ".", dtype=object) for h in HAPLOTYPES}
        self.detail = {h: np.full(n, "", dtype=object) for h in HAPLOTYPES}

    def open(self, hap):
        """Boolean mask of records without an outcome yet on ``hap``."""
        return self.outcome[hap] == ""

    def settle(self, hap, rows, outcome, reason=".", detail=""):
        """Give records ``rows`` (indices or mask) an outcome on ``hap``."""
        self.outcome[hap][rows] = outcome
        self.reason[hap][rows] = reason
        self.detail[hap][rows] = detail

    def reject(self, hap, rows, reason, detail=None):
        """Skip records on ``hap`` for ``reason`` (a key of :data:`REASONS`).

        ``detail`` (one string, or one per row) defaults to the reason's description.
        """
        if reason not in REASONS:
            raise KeyError(reason)
        self.settle(hap, rows, "skipped", reason, REASONS[reason] if detail is None else detail)

    def rejects(self):
        """The rejects table (:data:`REJECT_COLUMNS`), in record order."""
        parts = []
        for hap in HAPLOTYPES:
            rows = np.flatnonzero(self.outcome[hap] == "skipped")
            r = self.records.iloc[rows]
            parts.append(pd.DataFrame({
                "_row": rows, "record": r["label"].to_numpy(), "chrom": r["vcf_chrom"].to_numpy(),
                "pos": r["vcf_pos"].to_numpy(), "id": r["id"].to_numpy(), "ref": r["ref"].to_numpy(),
                "alt": r["alt"].to_numpy(), "class": self.classes[rows], "haplotype": hap,
                "reason": self.reason[hap][rows], "detail": self.detail[hap][rows],
            }))
        table = pd.concat(parts, ignore_index=True).sort_values(["_row", "haplotype"], kind="stable")
        return table[REJECT_COLUMNS].reset_index(drop=True)

    def summary(self):
        """Counts per haplotype, class, outcome and reason (:data:`SUMMARY_COLUMNS`)."""
        parts = []
        for hap in HAPLOTYPES:
            if self.open(hap).any():
                raise RuntimeError(f"records without an outcome on haplotype {hap}")
            parts.append(pd.DataFrame({
                "haplotype": hap, "class": self.classes, "outcome": self.outcome[hap], "reason": self.reason[hap],
            }))
        table = pd.concat(parts, ignore_index=True)
        counts = table.groupby(SUMMARY_COLUMNS[:-1], sort=True).size().rename("count").reset_index()
        return counts[SUMMARY_COLUMNS]



OUTCOMES = ("applied", "skipped", "not_carried")


def summary_by_class(summary):
    """The summary table (:data:`SUMMARY_COLUMNS`) as one row per class, one column per (haplotype, outcome).

    Returns
    -------
    DataFrame
        Indexed by class (plus a ``total`` row); columns ``hap1 applied``,
        ``hap1 skipped``, ``hap1 not_carried``, ``hap2 ...``; counts, 0 where none.
    """
    wide = summary.pivot_table(index="class", columns=["haplotype", "outcome"], values="count", aggfunc="sum")
    columns = pd.MultiIndex.from_product([HAPLOTYPES, OUTCOMES], names=["haplotype", "outcome"])
    wide = wide.reindex(columns=columns, fill_value=0).fillna(0).astype(np.int64)
    wide.columns = [f"hap{h} {o}" for h, o in wide.columns]
    wide.loc["total"] = wide.sum()
    return wide
