"""Our REF/ALT windows against supremo-lite 1.0.0 (test-only dependency, ``supremo_lite``).

Every variant class of the issue is compared: SNV, insertion, deletion, symbolic ``<DEL>``,
``<DUP>`` and ``<INV>``, a BND translocation and a BND tandem duplication. For each, the ALT
chromosome each tool builds is written out by hand here, and each tool's window is asserted to be a
slice of its own; where the two hand-written chromosomes differ, the difference is one of these
conventions (each asserted below):

- Centring. SuPreMo centres both windows on the VCF ``POS`` (the padding base of symbolic alleles
  and indels; the first breakend of a BND pair) and starts the ALT window where the REF window
  starts; we centre each window on its own allele's span (the REF span in REF, the ALT span in
  ALT, see :mod:`hicmodels.effects.pairs`), so a deletion's junction or an inversion's middle sits
  at the window centre. Same bases, different start: both starts are asserted.
- Padding base of symbolic ``<DUP>``/``<INV>``. VCF 4.2 (section 5.4): the changed stretch of a
  symbolic allele is ``POS + 1 .. END`` (1-based), after the padding base. We follow it;
  supremo-lite duplicates ``POS .. END - 1`` (padding base in, last base out) and inverts
  ``POS .. END`` (padding base in, one base longer).
- Symbolic ``<DEL>``: supremo-lite does not apply it (skipped as unsupported, its ALT window equals
  its REF window); its explicit-base spelling (REF = padding + deleted bases, ALT = padding) is
  applied and gives our ALT chromosome.
- BND ``t[p[`` joins: VCF keeps the breakend's own base ``t`` before the joined piece; supremo-lite
  drops it (its fusion is ``seq1[:POS - 1] + seq2[mate POS - 1:]``). Its REF "windows" of a BND are
  the two half-windows each side of the junction, padded with N; ours is the reference window
  around the first breakend (the grid the maps are compared on).
- BND tandem duplication (``]chr:e]t`` at ``s + 1`` with mate ``t[chr:s+1[`` at ``e``):
  ``get_alt_ref_sequences`` yields no window for it (it is classified ``SV_BND_DUP`` and left out
  of the fusion pairs); ``get_personal_genome`` applies it as a synthetic ``<DUP>`` one base
  shorter than the junction says (copy of ``e - s - 1`` bases); ours copies ``e - s``.
"""

import warnings

import pytest

from hicmodels.effects.pairs import Genome, sample_plan
from hicmodels.genome.fasta import IndexedFasta
from hicmodels.variants.policy import Policy
from hicmodels.variants.records import read_records

from effects_helpers import random_sequence
from variant_helpers import write_fasta, write_vcf

supremo = pytest.importorskip("supremo_lite")

COMPLEMENT = str.maketrans("ACGT", "TGCA")
L = 800
SEQ = random_sequence(4000)
SEQS = {"chr1": SEQ}
OTHER = random_sequence(5000, seed=6)


def rc(s):
    return s.translate(COMPLEMENT)[::-1]


def inverted(seq, start, end):
    return seq[:start] + rc(seq[start:end]) + seq[end:]


def ours(tmp_path, rows, seqs=SEQS):
    """The plan's one variant and our (start, window) in REF and ALT."""
    fasta = write_fasta(tmp_path / "ref.fa", seqs)
    vcf = write_vcf(tmp_path / "in.vcf", seqs, [r + ("1|1",) for r in rows])
    reference = IndexedFasta(fasta)
    _, edits, variants = sample_plan(read_records(vcf, "S1").assign(source=vcf), reference, {}, Policy.from_config({}))
    (v,) = variants[1]
    windows = []
    for genome in (Genome(None, reference, v.chrom), Genome(edits[1], reference, v.chrom)):
        start, window = genome.window(*genome.centre(v.chrom, v.start, v.end), L)
        windows.append((start, window.decode()))
    return v, windows, fasta, vcf


def theirs(fasta, vcf):
    """supremo-lite's chunks: ``[(alt, ref, metadata)]`` (warnings about skipped records silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(supremo.get_alt_ref_sequences(str(fasta), vcf, L, encode=False))


def one_window(chunks):
    (alt, ref, meta), = chunks
    start = int(meta["window_start"].iloc[0])
    return start, ref[0][3], alt[0][3], int(meta["variant_pos0"].iloc[0])


# (row, our ALT chromosome, supremo-lite's ALT chromosome, our REF start, our ALT start)
CASES = {
    "snv": (("chr1", 1501, "snv", SEQ[1500], "A" if SEQ[1500] != "A" else "C", "PASS", "."),
            lambda row: SEQ[:1500] + row[4] + SEQ[1501:], None, 1100, 1100),
    "insertion": (("chr1", 1501, "ins", SEQ[1500], SEQ[1500] + "GGGGG", "PASS", "."),
                  SEQ[:1501] + "GGGGG" + SEQ[1501:], None, 1101, 1103),
    "deletion": (("chr1", 1501, "del", SEQ[1500:1511], SEQ[1500], "PASS", "."),
                 SEQ[:1501] + SEQ[1511:], None, 1106, 1101),
    "sv_inv": (("chr1", 1300, "inv", SEQ[1299], "<INV>", "PASS", "SVTYPE=INV;END=1700;SVLEN=400"),
               inverted(SEQ, 1300, 1700), inverted(SEQ, 1299, 1700), 1100, 1100),
    "sv_dup": (("chr1", 1400, "dup", SEQ[1399], "<DUP>", "PASS", "SVTYPE=DUP;END=1600;SVLEN=200"),
               SEQ[:1600] + SEQ[1400:1600] + SEQ[1600:], SEQ[:1599] + SEQ[1399:1599] + SEQ[1599:], 1100, 1200),
}


@pytest.mark.parametrize("case", list(CASES))
def test_windows_are_slices_of_each_tools_alt_chromosome(tmp_path, case):
    row, our_chrom, their_chrom, our_ref_start, our_alt_start = CASES[case]
    our_chrom = our_chrom(row) if callable(our_chrom) else our_chrom
    their_chrom = our_chrom if their_chrom is None else their_chrom
    v, ((ref_start, our_ref), (alt_start, our_alt)), fasta, vcf = ours(tmp_path, [row])
    their_start, their_ref, their_alt, pos0 = one_window(theirs(fasta, vcf))
    assert pos0 == row[1] - 1 and their_start == pos0 - L // 2  # SuPreMo: both windows start at POS - L/2
    assert (ref_start, alt_start) == (our_ref_start, our_alt_start)  # ours: each centred on its allele
    assert our_ref == SEQ[ref_start : ref_start + L] and their_ref == SEQ[their_start : their_start + L]
    assert our_alt == our_chrom[alt_start : alt_start + L]
    assert their_alt == their_chrom[their_start : their_start + L]
    if case in ("sv_inv", "sv_dup"):  # the padding-base convention makes a real difference
        assert their_alt != our_chrom[their_start : their_start + L]


def test_symbolic_deletion_is_not_applied_by_supremo_lite_and_its_explicit_spelling_matches_ours(tmp_path):
    symbolic = ("chr1", 1400, "sdel", SEQ[1399], "<DEL>", "PASS", "SVTYPE=DEL;END=1600;SVLEN=-200")
    explicit = ("chr1", 1400, "edel", SEQ[1399:1600], SEQ[1399], "PASS", ".")
    deleted = SEQ[:1400] + SEQ[1600:]
    (tmp_path / "s").mkdir()
    (tmp_path / "e").mkdir()
    v, ((ref_start, our_ref), (alt_start, our_alt)), fasta, vcf = ours(tmp_path / "s", [symbolic])
    assert (v.start, v.end, v.kind) == (1400, 1600, "sv_del")
    assert (ref_start, alt_start) == (1100, 1000)  # REF: centre 1500; ALT: the junction at 1400
    assert our_alt == deleted[alt_start : alt_start + L]
    start, their_ref, their_alt, _ = one_window(theirs(fasta, vcf))
    assert their_alt == their_ref == SEQ[start : start + L]  # skipped: ALT = REF
    _, _, fasta, vcf = ours(tmp_path / "e", [explicit])
    start, _, their_alt, _ = one_window(theirs(fasta, vcf))
    assert their_alt == deleted[start : start + L]


def test_bnd_translocation_windows(tmp_path):
    """chr1 up to base 2000 (1-based) joined to chr2 from base 3001 on: ``t[p[`` with mate ``]p]t``."""
    seqs = {"chr1": SEQ, "chr2": OTHER}
    rows = [("chr1", 2000, "b1", SEQ[1999], SEQ[1999] + "[chr2:3001[", "PASS", "SVTYPE=BND;MATEID=b2"),
            ("chr2", 3001, "b2", OTHER[3000], "]chr1:2000]" + OTHER[3000], "PASS", "SVTYPE=BND;MATEID=b1")]
    v, ((ref_start, our_ref), (alt_start, our_alt)), fasta, vcf = ours(tmp_path, rows, seqs)
    assert (v.chrom, v.start, v.kind) == ("chr1", 2000, "bnd")
    ours_fused, their_fused = SEQ[:2000] + OTHER[3000:], SEQ[:1999] + OTHER[3000:]  # supremo-lite drops t
    assert (ref_start, alt_start) == (1600, 1600)  # both centred on the junction after base 2000
    assert our_ref == SEQ[1600:2400] and our_alt == ours_fused[1600:2400]
    ((alt, (left, right), meta),) = theirs(fasta, vcf)
    start = int(meta["window_start"].iloc[0])
    assert start == 1999 - L // 2 and meta["variant_type"].iloc[0] == "SV_BND"
    assert alt[0] == their_fused[start : start + L] and alt[0] != ours_fused[start : start + L]
    # its REF: half-windows each side of the junction, N-padded; ours reads through the junction's
    # reference position instead (the map grid is chr1's)
    assert left[0] == SEQ[start:1999] + "N" * (L - (1999 - start))
    assert right[0] == "N" * (L // 2) + OTHER[3000 : 3000 + L // 2]


def test_bnd_tandem_duplication(tmp_path):
    """``[1400, 1600)`` (0-based) copied in tandem, written as two breakends."""
    rows = [("chr1", 1401, "d1", SEQ[1400], "]chr1:1600]" + SEQ[1400], "PASS", "SVTYPE=BND;MATEID=d2"),
            ("chr1", 1600, "d2", SEQ[1599], SEQ[1599] + "[chr1:1401[", "PASS", "SVTYPE=BND;MATEID=d1")]
    v, ((ref_start, our_ref), (alt_start, our_alt)), fasta, vcf = ours(tmp_path, rows)
    duplicated = SEQ[:1600] + SEQ[1400:]
    assert (v.start, v.end, v.kind, v.size) == (1400, 1600, "bnd", 200)
    assert (ref_start, alt_start) == (1100, 1200)  # as the symbolic <DUP> of the same stretch
    assert our_ref == SEQ[1100:1900] and our_alt == duplicated[1200:2000]
    assert theirs(fasta, vcf) == []  # no window from get_alt_ref_sequences
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        genome = supremo.get_personal_genome(str(fasta), vcf, encode=False)
    assert str(genome["chr1"]) == SEQ[:1599] + SEQ[1400:1599] + SEQ[1599:]  # a 199-bp copy
    assert len(str(genome["chr1"])) == len(duplicated) - 1
