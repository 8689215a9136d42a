"""Record checks: which records apply to which haplotype, and what each one does.

In order, for every record:

1. Genotype: ``1`` on a haplotype carries the ALT there, ``0`` does not
   (outcome ``not_carried``), ``.`` is skipped (``missing_genotype``). Phased
   genotypes are read left = haplotype 1; haploid calls count for both
   haplotypes; an unphased heterozygous ALT is placed by the ``unphased``
   policy (:mod:`.policy`).
2. For records carried somewhere: chromosome names through the alias table
   (``unknown_contig``), FILTER (``filter``), alleles that cannot be applied
   (``unsupported_allele``, ``spanning_deletion``, ``single_breakend``,
   ``ins_without_sequence``, ``no_change``), symbolic SVs whose END/SVLEN
   cannot be right (``sv_length_conflict`` policy), IUPAC ambiguity codes in
   ALT or inserted bases (``iupac`` policy; other characters stop the run),
   REF against the reference
   (``ref_mismatch``). A record that contradicts itself (REF or END past the
   chromosome end, END before POS, a malformed breakend) stops the run.
3. What the record does: a *replacement* of reference bases (SNV, MNV,
   insertion, deletion, complex, ``<DEL>``, ``<INS>``), applied inside a
   chromosome piece, or a *structural operation* (``<DUP>``, ``<INV>``, a
   breakend, a trans-duplication; :mod:`.ops`).

ALT bases take the case of the reference base at POS, as in ``bcftools
consensus`` (soft-masked stretches stay lower case).
"""

import dataclasses
import logging

import numpy as np
import pandas as pd

from ..errors import InputError
from ..genome.aliases import canonical_names
from .alleles import (
    BASES, SEQUENCE, breakend_bases, iupac_to_n, made_of, parse_breakend, sequence_problem, sv_length_problem,
    symbolic_span, trim,
)
from .ledger import HAPLOTYPES
from .ops import Inversion, Join, TandemDup, TransDup

REPLACE_COLUMNS = ["rec", "chrom", "start", "end", "alt", "aligned", "span_start", "span_end"]
REPLACE_CLASSES = ("snv", "mnv", "insertion", "deletion", "complex", "sv_del", "sv_ins")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SEQUENCE_CLASSES = ("snv", "mnv", "insertion", "deletion", "complex")
SYMBOLIC_SV_CLASSES = ("sv_del", "sv_dup", "sv_inv", "sv_ins")

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Checked:
    """Records that passed the checks.

    Attributes
    ----------
    carried : dict
        haplotype -> boolean mask of records whose ALT it carries and that
        have no outcome yet.
    placed : ndarray of bool
        Records carried only because of the ``unphased`` policy.
    replacements : DataFrame
        :data:`REPLACE_COLUMNS`: reference ``[start, end)`` becomes ``alt``
        (bytes); ``aligned`` where lengths match base for base; ``span_*`` is
        the REF span used for overlaps.
    structural : dict
        record index -> structural operation.
    """

    carried: dict
    placed: np.ndarray
    replacements: pd.DataFrame
    structural: dict


class RecordChecks:
    """Run the checks of the module docstring over one sample's records.

    Parameters
    ----------
    records : DataFrame
        From :func:`.records.read_records`, plus edits-file rows
        (:func:`.editsfile.read_edits`) appended; ``source`` is the file to
        name in errors (empty where ``label`` names it already).
    reference : IndexedFasta
    aliases : dict
        alias -> canonical name.
    policy : Policy
    ledger : Ledger
    """

    def __init__(self, records, reference, aliases, policy, ledger):
        self.records = records
        self.reference = reference
        self.aliases = aliases
        self.policy = policy
        self.ledger = ledger
        self.labels = records["label"].to_numpy()
        self.sources = records["source"].to_numpy()

    def fail(self, i, message):
        """Stop on record ``i``."""
        raise InputError(f"{self.labels[i]}: {message}", self.sources[i] or None)

    def run(self):
        """Check every record; returns :class:`Checked`."""
        self.carried, placed = self._genotypes()
        self.dropped = np.zeros(len(self.records), dtype=bool)
        live = self.carried[1] | self.carried[2]
        chroms = self._contigs(live)
        self._filters(live & ~self.dropped)
        self._alleles(live & ~self.dropped)
        self._sv_lengths(live & ~self.dropped)
        self._sequences(live & ~self.dropped)
        lower = self._reference_bases(live & ~self.dropped, chroms)
        replacements, structural = self._effects(live & ~self.dropped, chroms, lower)
        carried = {h: self.carried[h] & self.ledger.open(h) for h in HAPLOTYPES}
        return Checked(carried, placed, replacements, structural)

    def _reject(self, mask, reason, detail=None):
        """Skip the records in ``mask`` on every haplotype that carries them.

        ``detail`` is one string, or a function from record indices to one
        string per record.
        """
        for h in HAPLOTYPES:
            rows = np.flatnonzero(mask & self.carried[h] & self.ledger.open(h))
            self.ledger.reject(h, rows, reason, detail(rows) if callable(detail) else detail)
        self.dropped |= mask

    def _reject_one(self, i, reason, detail=None):
        """:meth:`_reject` for record ``i`` alone."""
        mask = np.zeros(len(self.records), dtype=bool)
        mask[i] = True
        self._reject(mask, reason, detail)

    def _reference_name(self, name):
        """The reference name of chromosome ``name``, or ``None``."""
        return canonical_names([name], self.aliases, self.reference.sizes)[0].get(name)

    def _unknown_contig(self, i, name):
        """Record ``i`` names chromosome ``name``, unknown: stop or skip, per policy."""
        message = f"chromosome {name!r} is in neither the reference nor the alias table"
        if self.policy.unknown_contig == "error":
            self.fail(i, message)
        self._reject_one(i, "unknown_contig", message)

    def _genotypes(self):
        """Haplotype -> mask of records carrying the ALT there, and the mask placed by policy."""
        r, ledger = self.records, self.ledger
        a = {1: r["allele1"].to_numpy(), 2: r["allele2"].to_numpy()}
        het = ~r["phased"].to_numpy() & ((a[1] == 1) != (a[2] == 1))
        alt = {h: (a[h] == 1) & ~het for h in HAPLOTYPES}
        missing = {h: (a[h] == -1) & ~het for h in HAPLOTYPES}
        mode = self.policy.unphased
        if mode == "hap1":
            alt[1] |= het
            missing[2] |= het & ((a[1] == -1) | (a[2] == -1))
        elif mode == "both":
            alt[1] |= het
            alt[2] |= het
        for h in HAPLOTYPES:
            ledger.reject(h, missing[h], "missing_genotype")
            if mode == "skip":
                ledger.reject(h, het, "unphased")
            ledger.settle(h, ~alt[h] & ~missing[h] & ~(het & (mode == "skip")), "not_carried")
        return alt, het & (mode != "skip")

    def _contigs(self, live):
        """Reference names of the records' chromosomes (NaN where unknown or not live)."""
        r = self.records
        try:
            names, _ = canonical_names(r["vcf_chrom"][live], self.aliases, self.reference.sizes)
        except InputError as err:  # two names for one reference chromosome
            raise InputError(str(err), self.sources[int(np.argmax(live))] or None) from None
        chroms = r["vcf_chrom"].map(names).where(live)
        unknown = live & chroms.isna().to_numpy()
        if unknown.any():
            first = int(np.argmax(unknown))
            self._unknown_contig(first, r["vcf_chrom"][first])
            names = r["vcf_chrom"].to_numpy()
            self._reject(unknown, "unknown_contig", lambda rows: [
                f"chromosome {n!r} is in neither the reference nor the alias table" for n in names[rows]
            ])
        return chroms

    def _filters(self, live):
        """Reject the records in ``live`` whose FILTER is not accepted."""
        policy = self.policy
        values = self.records["filter"].to_numpy()
        verdict = {v: policy.accepts_filter(v) for v in set(values[live])}
        ok = np.ones(len(values), dtype=bool)
        ok[live] = [verdict[v] for v in values[live]]
        self._reject(live & ~ok, "filter", lambda rows: [f"FILTER={v}" for v in values[rows]])

    def _alleles(self, live):
        """Reject the records in ``live`` whose alleles cannot be applied."""
        r = self.records
        cls, alt = r["class"].to_numpy(), r["alt"].to_numpy()
        bnd = cls == "bnd"
        single = np.zeros(len(cls), dtype=bool)
        single[bnd] = [a.startswith(".") or a.endswith(".") for a in alt[bnd]]
        no_sequence = (cls == "sv_ins") & (r["insseq"].to_numpy() == ".")
        self._reject(live & (cls == "symbolic"), "unsupported_allele", lambda rows: [f"ALT {a} is not applied" for a in alt[rows]])
        self._reject(live & (cls == "star"), "spanning_deletion")
        self._reject(live & (cls == "no_change"), "no_change")
        self._reject(live & single, "single_breakend")
        self._reject(live & no_sequence, "ins_without_sequence")

    def _sv_lengths(self, live):
        """Symbolic SVs in ``live`` whose END/SVLEN cannot be right: stop or skip, per policy."""
        r = self.records
        cls = r["class"].to_numpy()
        rows = np.flatnonzero(live & np.isin(cls, SYMBOLIC_SV_CLASSES))
        pos0, end, svlen, insseq = (r[c].to_numpy() for c in ("pos0", "end", "svlen", "insseq"))
        problems = {}
        for i in rows.tolist():
            problem = sv_length_problem(cls[i], int(pos0[i]), int(end[i]) if end[i] >= 0 else None,
                                        int(svlen[i]) if svlen[i] != -1 else None, insseq[i])
            if problem is not None:
                problems[i] = problem
        if not problems:
            return
        if self.policy.sv_length_conflict == "error":
            first = min(problems)
            self.fail(first, f"{problems[first]} (set variants.sv_length_conflict: skip to skip such records)")
        mask = np.zeros(len(r), dtype=bool)
        mask[list(problems)] = True
        self._reject(mask, "sv_length_conflict", lambda rows: [problems[i] for i in rows])

    def _sequences(self, live):
        """ALT and inserted bases of the records in ``live``: ACGTN, or IUPAC codes handled per policy.

        Anything else (digits, ``X``, ...) stops the run.
        """
        r = self.records
        cls, alt, insseq = r["class"].to_numpy(), r["alt"].to_numpy(), r["insseq"].to_numpy()
        sequence = live & np.isin(cls, SEQUENCE_CLASSES)
        ins = live & (cls == "sv_ins") & (insseq != ".")
        bnd = live & (cls == "bnd")
        bases = np.full(len(r), "", dtype=object)
        bases[sequence] = alt[sequence]
        bases[ins] = insseq[ins]
        bases[bnd] = [breakend_bases(a) for a in alt[bnd]]
        checked = np.flatnonzero(sequence | ins | bnd)
        plain = made_of(bases[checked], BASES)[0] | (bases[checked] == "")
        iupac = np.zeros(len(r), dtype=bool)
        for i in checked[~plain].tolist():
            what = "inserted sequence" if ins[i] else "ALT"
            shown = bases[i] if ins[i] else alt[i]
            problem = sequence_problem(bases[i])
            if problem == "not_bases":
                self.fail(i, f"{what} {shown[:20]!r} is not made of bases (A, C, G, T, N or IUPAC codes)")
            if problem == "iupac":
                iupac[i] = True
        if not iupac.any():
            return
        def detail(rows):
            return [f"{'inserted sequence' if ins[i] else 'ALT'} {(insseq[i] if ins[i] else alt[i])[:20]!r}"
                    " holds IUPAC ambiguity codes" for i in rows]
        if self.policy.iupac == "error":
            first = int(np.argmax(iupac))
            self.fail(first, detail([first])[0] + " (set variants.iupac to skip or to_n to accept such records)")
        if self.policy.iupac == "skip":
            self._reject(iupac, "iupac", detail)
            return
        rows = np.flatnonzero(iupac)
        self.records = self.records.copy()
        alt, insseq = alt.copy(), insseq.copy()
        for i in rows.tolist():
            if ins[i]:
                insseq[i] = iupac_to_n(insseq[i])
            elif bnd[i]:
                alt[i] = _bnd_to_n(alt[i])
            else:
                alt[i] = iupac_to_n(alt[i])
        self.records["alt"], self.records["insseq"] = alt, insseq
        log.warning("%d records hold IUPAC ambiguity codes, written as N (policy iupac=to_n); first: %s",
                    len(rows), self.labels[rows[0]])

    def _reference_bases(self, live, chroms):
        """Check REF against the reference; returns a mask of records at lower-case bases."""
        r = self.records
        lower = np.zeros(len(r), dtype=bool)
        is_vcf = (r["ref"] != ".").to_numpy()
        rows = np.flatnonzero(live & is_vcf)
        mismatch = np.zeros(len(r), dtype=bool)
        pos0, refs = r["pos0"].to_numpy(), r["ref"].to_numpy()
        groups = list(pd.Series(rows).groupby(chroms.to_numpy()[rows], sort=False))
        for k, (chrom, group) in enumerate(groups):
            if k + 1 < len(groups):
                self.reference.prefetch(groups[k + 1][0])  # read the next one while checking this one
            rows_c = group.to_numpy()
            seq = self.reference.fetch(chrom)
            size = len(seq)
            lengths = np.fromiter(map(len, refs[rows_c]), dtype=np.int64, count=len(rows_c))
            past = pos0[rows_c] + lengths > size
            if past.any():
                i = rows_c[np.argmax(past)]
                self.fail(i, f"REF {refs[i]!r} at POS {pos0[i] + 1} extends past the end of {chrom} (length {size})")
            bases = np.frombuffer(seq, dtype=np.uint8)
            lower[rows_c] = bases[pos0[rows_c]] >= ord("a")
            single = lengths == 1
            want = np.frombuffer("".join(refs[rows_c[single]]).encode(), dtype=np.uint8)
            mismatch[rows_c[single]] = (bases[pos0[rows_c[single]]] & 0xDF) != (want & 0xDF)
            for i in rows_c[~single]:
                mismatch[i] = seq[pos0[i] : pos0[i] + len(refs[i])].upper() != refs[i].upper().encode()
        if mismatch.any():
            if self.policy.ref_mismatch == "error":
                i = int(np.argmax(mismatch))
                found = self.reference.fetch(chroms[i], pos0[i], pos0[i] + len(refs[i])).decode()
                self.fail(i, f"REF {refs[i]!r} does not match the reference {found!r} at {chroms[i]}:{pos0[i] + 1}")
            self._reject(mismatch, "ref_mismatch", lambda rows: [f"REF {x!r} does not match the reference" for x in refs[rows]])
        return lower

    def _effects(self, live, chroms, lower):
        """Replacements and structural operations of the records in ``live``."""
        r = self.records
        cls = r["class"].to_numpy()
        rows = np.flatnonzero(live & np.isin(cls, REPLACE_CLASSES))
        replacements = self._replacements(rows, chroms.to_numpy(), lower)
        structural = {}
        for i in np.flatnonzero(live & ~np.isin(cls, REPLACE_CLASSES)):
            op = self._structural(int(i), chroms[i])
            if op is not None:
                structural[int(i)] = op
        return replacements, structural

    def _replacements(self, rows, chroms, lower):
        """Replacement table of the replacement records ``rows``.

        Plain SNVs and left-anchored indels (nearly all records) are done in
        bulk; the rest go through :func:`.alleles.trim` one by one.
        """
        r = self.records
        pos0, refs, alts = r["pos0"].to_numpy()[rows], r["ref"].to_numpy()[rows], r["alt"].to_numpy()[rows]
        cls = r["class"].to_numpy()[rows]
        sequence = (cls != "sv_del") & (cls != "sv_ins")
        letters, alt_len, alt_first = made_of(alts, LETTERS)
        bad = sequence & ~letters
        if bad.any():
            k = int(np.argmax(bad))
            self.fail(rows[k], f"ALT {alts[k][:20]!r} is not made of bases")
        ref_len = np.fromiter(map(len, refs), dtype=np.int64, count=len(rows))
        ref_first = made_of(refs, LETTERS)[2]
        indel = (cls == "insertion") & (ref_len == 1) | (cls == "deletion") & (alt_len == 1)
        anchored = indel & ((ref_first | 0x20) == (alt_first | 0x20))  # same first base, any case
        snv = (cls == "snv") & (ref_len == 1)
        ins = (cls == "insertion") & anchored
        dels = (cls == "deletion") & anchored
        start = np.where(snv, pos0, pos0 + 1)
        end = np.where(snv, pos0 + 1, np.where(ins, pos0 + 1, pos0 + ref_len))
        new = np.where(snv, alts, "").astype(object)
        new[ins] = [a[1:] for a in alts[ins]]
        for k in np.flatnonzero(~(snv | ins | dels)):
            start[k], end[k], new[k] = self._replacement(rows[k], int(pos0[k]), refs[k], alts[k], cls[k], chroms)
        strings = new.tolist()
        for k in np.flatnonzero(lower[rows]).tolist():
            strings[k] = strings[k].lower()
        encoded = "\n".join(strings).encode().split(b"\n") if strings else []  # bases only: one encode, one split
        new_len = np.fromiter(map(len, encoded), dtype=np.int64, count=len(rows))
        return pd.DataFrame({
            "rec": rows.astype(np.int64), "chrom": chroms[rows], "start": start.astype(np.int64),
            "end": end.astype(np.int64), "alt": encoded, "aligned": (end - start) == new_len,
            "span_start": pos0.astype(np.int64), "span_end": np.maximum(end, pos0 + ref_len).astype(np.int64),
        }, columns=REPLACE_COLUMNS)

    def _replacement(self, i, p, ref, alt, cls, chroms):
        """``(start, end, new bases)`` of one replacement record ``i`` at 0-based ``p``."""
        r = self.records
        if cls == "sv_del":
            end, svlen = r["end"].iat[i], r["svlen"].iat[i]
            try:
                s, e = symbolic_span(p, end if end >= 0 else None, svlen if svlen != -1 else None)
            except ValueError as err:
                self.fail(i, str(err))
            self._within(i, chroms[i], e)
            return s, e, ""
        if cls == "sv_ins":
            end, new = r["end"].iat[i], r["insseq"].iat[i]
            if 0 <= end < p + 1:
                self.fail(i, f"END={end} is before POS={p + 1}")
            if not SEQUENCE.match(new):
                self.fail(i, f"inserted sequence {new[:20]!r} is not made of bases")
            return p + 1, p + 1, new
        offset, old, new = trim(ref, alt)
        return p + offset, p + offset + len(old), new

    def _within(self, i, chrom, end):
        """Stop if record ``i`` reaches past the end of ``chrom``."""
        size = self.reference.sizes[chrom]
        if end > size:
            self.fail(i, f"END={end} is past the end of {chrom} (length {size})")

    def _structural(self, i, chrom):
        """The operation of record ``i``, or ``None`` where it is rejected."""
        r = self.records.iloc[i]
        cls = r["class"]
        if cls in ("sv_dup", "sv_inv"):
            try:
                s, e = symbolic_span(int(r["pos0"]), r["end"] if r["end"] >= 0 else None, r["svlen"] if r["svlen"] != -1 else None)
            except ValueError as err:
                self.fail(i, str(err))
            self._within(i, chrom, e)
            return (TandemDup if cls == "sv_dup" else Inversion)(chrom, s, e, records=(i,))
        if cls == "bnd":
            return self._breakend(i, r, chrom)
        return self._trans_dup(i, r)

    def _breakend(self, i, r, chrom):
        """The join of breakend record ``i``, or ``None`` where it is rejected."""
        try:
            side_a, side_b, inserted, mate_chrom, mate_pos = parse_breakend(chrom, int(r["pos0"]), r["ref"], r["alt"])
        except ValueError as err:
            self.fail(i, str(err))
        mate = self._reference_name(mate_chrom)
        if mate is None:
            self._unknown_contig(i, mate_chrom)
            return None
        size = self.reference.sizes[mate]
        if not (1 <= mate_pos <= size):
            self.fail(i, f"mate position {mate_chrom}:{mate_pos} is outside {mate} (length {size})")
        side_b = (mate, *side_b[1:])
        if side_a[:2] == side_b[:2] and side_a[2] != side_b[2]:
            self._reject_one(i, "no_change", "the junction restores the reference adjacency")
            return None
        return Join(side_a, side_b, inserted, records=(i,))

    def _trans_dup(self, i, r):
        """The trans-duplication of edits-file row ``i``, or ``None`` where it is rejected."""
        names = {name: self._reference_name(name) for name in (r["chrom1"], r["chrom2"])}
        for name in (r["chrom1"], r["chrom2"]):
            if names[name] is None:
                self._unknown_contig(i, name)
                return None
        source = (names[r["chrom1"]], int(r["start1"]), int(r["end1"]))
        target = (names[r["chrom2"]], int(r["start2"]), int(r["end2"]))
        for (chrom, _, end), what in ((source, "source"), (target, "target")):
            size = self.reference.sizes[chrom]
            if end > size:
                self.fail(i, f"{what} end {end} is past the end of {chrom} (length {size})")
        if source[0] == target[0] and not (target[2] <= source[1] or target[1] >= source[2]):
            self.fail(i, "source and target overlap")
        return TransDup(source, target, reverse=r["strand1"] != r["strand2"], records=(i,))


def _bnd_to_n(alt):
    """A breakend ALT with the IUPAC codes of its bases (not of the mate's name) written as N."""
    for bracket in "[]":
        if alt.count(bracket) == 2:
            head, mate, tail = alt.split(bracket)
            return iupac_to_n(head) + bracket + mate + bracket + iupac_to_n(tail)
    return iupac_to_n(alt)
