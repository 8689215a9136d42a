"""What to do with records that cannot be applied as they stand.

The settings are config section ``variants``; their defaults, listed below,
live in the config schema (:func:`hicmodels.config.section_schema`) and keep
the haplotypes faithful to the VCF. Each setting is logged at the start of a
run and its effect counted in the summary.

=============== ========== ====================================================
setting         default    choices
=============== ========== ====================================================
unphased        ``hap1``   ``hap1``: an unphased heterozygous ALT (``0/1``)
                           goes to haplotype 1 only, which keeps the ALT
                           dosage (one copy); ``both``: to both haplotypes;
                           ``skip``: to neither (rejected on both, reason
                           ``unphased``). Under ``hap1`` the missing allele
                           of ``./1`` is counted on haplotype 2.
filters         ``PASS``   FILTER values accepted; ``None`` accepts any FILTER
filter_missing  ``accept`` FILTER ``.`` means no filter was run, so nothing
                           failed: ``accept`` applies the record, ``reject``
                           skips it (reason ``filter``)
ref_mismatch    ``error``  REF differs from the reference: ``error`` stops,
                           ``skip`` rejects the record (reason
                           ``ref_mismatch``)
overlap         ``skip``   a record overlapping one already applied to the
                           same haplotype: ``skip`` keeps the first and
                           rejects the later one (reason ``overlap``), as
                           ``bcftools consensus`` does; ``error`` stops
unknown_contig  ``error``  a chromosome in neither the reference nor the alias
                           table: ``error`` stops, ``skip`` rejects the record
                           (reason ``unknown_contig``)
sv_length_      ``error``  a symbolic SV whose length cannot be right: SVLEN
conflict                   negative for ``<DUP>``/``<INV>``/``<INS>``, SVLEN 0,
                           END and SVLEN that disagree (``|SVLEN| != END -
                           POS``), END before or at POS, SVLEN that differs
                           from the length of an ``<INS>``'s sequence, neither
                           END nor SVLEN: ``error`` stops, ``skip`` rejects
                           the record (reason ``sv_length_conflict``)
iupac           ``error``  an ALT, inserted sequence or breakend insertion
                           holding IUPAC ambiguity codes (R, Y, K, M, S, W,
                           B, D, H, V): ``error`` stops, ``skip`` rejects the
                           record (reason ``iupac``), ``to_n`` writes each
                           code as N (counted in the log)
=============== ========== ====================================================
"""

import dataclasses

CHOICES = {
    "unphased": ("hap1", "both", "skip"),
    "filter_missing": ("accept", "reject"),
    "ref_mismatch": ("error", "skip"),
    "overlap": ("skip", "error"),
    "unknown_contig": ("error", "skip"),
    "sv_length_conflict": ("error", "skip"),
    "iupac": ("error", "skip", "to_n"),
}


@dataclasses.dataclass(frozen=True)
class Policy:
    """The settings of the table above (module docstring)."""

    unphased: str
    filters: tuple | None
    filter_missing: str
    ref_mismatch: str
    overlap: str
    unknown_contig: str
    sv_length_conflict: str
    iupac: str

    def __post_init__(self):
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"policy {name}={getattr(self, name)!r}: choose one of {', '.join(allowed)}")
        if self.filters is not None:
            object.__setattr__(self, "filters", tuple(self.filters))

    @classmethod
    def from_config(cls, section):
        """The policy of config section ``variants`` (missing settings take the schema's defaults).

        ``filters`` is a list of FILTER values, or ``any`` to accept every FILTER.
        """
        from ..config import resolve, section_schema
        from ..errors import InputError

        settings = resolve(section, section_schema("variants"), "config variants")
        filters = settings.pop("filters")
        if filters != "any":
            odd = [f for f in filters if any(c in f for c in ",; \t")]
            if odd:
                raise InputError(f"config variants.filters: {odd} are not FILTER names")
        return cls(filters=None if filters == "any" else tuple(filters), **settings)

    def accepts_filter(self, value):
        """Whether a record with FILTER ``value`` (``;``-separated; ``.``: none run) is applied."""
        if self.filters is None:
            return True
        if value == ".":
            return self.filter_missing == "accept"
        return set(value.split(";")) <= set(self.filters)

    def describe(self):
        """One line per setting, for the log."""
        filters = "any" if self.filters is None else ",".join(self.filters)
        settings = {**dataclasses.asdict(self), "filters": filters}
        return [f"{name}={value}" for name, value in settings.items()]
