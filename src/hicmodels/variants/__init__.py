"""Reading, checking and applying VCF variants to build haplotype genomes.

Entry point: :func:`build_haplotypes`.

Outputs in ``out_dir`` (:func:`output_paths`)
---------------------------------------------
``hap1.fa.gz``, ``hap2.fa.gz``
    Haplotype genomes, bgzip (deflate level 1), 60 bases a line, each with
    ``.fai`` and ``.gzi`` indexes.
``hap1.chain``, ``hap2.chain``
    UCSC chains, reference = target, haplotype = query; ``-`` strand chains
    for inverted pieces. Chains holding the primary copy of their reference
    bases come first (:func:`hicmodels.genome.liftover.mark_copies`).
``rejects.tsv``
    One row per (record, haplotype) not applied: ``record`` (``CHROM:POS ID``,
    or ``file:line name`` for the edits file), ``chrom``, ``pos`` (as written
    in the input: VCF POS, or the 0-based target start of an edits line),
    ``id``, ``ref``, ``alt``, ``class``, ``haplotype``, ``reason`` (a key of
    :data:`.ledger.REASONS`), ``detail``.
``summary.tsv``
    ``haplotype``, ``class``, ``outcome`` (``applied``, ``skipped``,
    ``not_carried``), ``reason`` (the skip reason; for applied records
    ``unphased`` where the ``unphased`` policy placed them, else ``.``),
    ``count``.

Classes
-------
``snv``, ``mnv``, ``insertion``, ``deletion``, ``complex`` (sequence-resolved
REF/ALT, :mod:`.alleles`), ``sv_del``, ``sv_ins`` (``<DEL>``, ``<INS>`` with
INFO/SVINSSEQ or INFO/INSSEQ), ``sv_dup`` (``<DUP>``, ``<DUP:TANDEM>``: tandem),
``sv_inv`` (``<INV>``), ``bnd`` (breakends), ``trans_dup`` (trans-duplications,
from a breakend pair or the edits file, :mod:`.editsfile`). Anything else is
rejected with its reason, never dropped silently.

Breakend semantics (:mod:`.breakends`, :mod:`.layout`)
-------------------------------------------------------
A junction cuts both chromosomes at its breakends and joins the two sides it
names; haplotype chromosomes are the resulting walks through reference
pieces. A walk from the start to the end of one reference chromosome keeps its
name; other walks are derivative chromosomes named ``der_`` + the chromosomes
they run through (``der_chrIV+chrII`` for chrIV's left arm joined to chrII's
right arm), so a reciprocal translocation yields ``der_chrA+chrB`` and
``der_chrB+chrA``. Walks with no chromosome end at either side are dropped
(logged). A junction from the end of an interval back to its start is a tandem
duplication; a junction pair that leaves chromosome T, runs through a source
interval and returns to T is a trans-duplication (the source is copied over
``T[t1, t2)`` and keeps its own sequence).

Policies
--------
:class:`.policy.Policy` (config section ``variants``): unphased heterozygous
genotypes, FILTER, REF mismatch, overlaps, unknown chromosomes, symbolic SVs
whose END/SVLEN cannot be right (``sv_length_conflict``; ``skip`` lists them in
``rejects.tsv``), IUPAC ambiguity codes in ALT or inserted bases (``iupac``;
``skip``, or ``to_n`` to write N). Nothing is resolved silently: a negative
SVLEN of a ``<DUP>`` is not read as its absolute value, END and SVLEN that
disagree are not settled in favour of either. Inputs: :mod:`.records` (VCF contract: bgzip, sorted,
indexed), :mod:`.checks` (record checks), :mod:`.overlaps` (collisions).
"""

from .build import build_haplotypes, output_paths
from .policy import CHOICES, Policy

__all__ = ["build_haplotypes", "output_paths", "Policy", "CHOICES"]
