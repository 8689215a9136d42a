"""REF/ALT windows are centred on the variant, and their maps land on common reference bins.

The toy model's map follows each bin's G+C content, so a map put on the wrong
bins (an off-by-one in centring, an inversion read on the wrong strand, a copy
not averaged) gives different numbers.
"""

import numpy as np
import pytest

from hicmodels.effects.pairs import Genome, sample_plan
from hicmodels.genome.fasta import IndexedFasta
from hicmodels.variants.policy import Policy
from hicmodels.variants.records import read_records

from effects_helpers import GCPredictor, random_sequence, run
from variant_helpers import write_fasta, write_vcf

SEQ = random_sequence(4000)
SEQS = {"chr1": SEQ}
DEL = ("chr1", 1400, "del", SEQ[1399], "<DEL>", "PASS", "SVTYPE=DEL;END=1600;SVLEN=-200")
INV = ("chr1", 1300, "inv", SEQ[1299], "<INV>", "PASS", "SVTYPE=INV;END=1700;SVLEN=400")
DUP = ("chr1", 1400, "dup", SEQ[1399], "<DUP>", "PASS", "SVTYPE=DUP;END=1600;SVLEN=200")


def one(table, maps, background="reference"):
    rows = table.index[(table["background"] == background)]
    assert len(rows) == 1
    return table.loc[rows[0]], maps[rows[0]]


def test_snv_sits_at_the_window_centre_in_both_genomes(tmp_path):
    alt = "A" if SEQ[1500] != "A" else "C"
    fasta = write_fasta(tmp_path / "ref.fa", SEQS)
    vcf = write_vcf(tmp_path / "in.vcf", SEQS, [("chr1", 1501, "snv", SEQ[1500], alt, "PASS", ".", "1|0")])
    reference = IndexedFasta(fasta)
    _, edits, variants = sample_plan(read_records(vcf, "S1").assign(source=vcf), reference, {}, Policy.from_config({}))
    (v,) = variants[1]
    assert (v.chrom, v.start, v.end, v.kind) == ("chr1", 1500, 1501, "snv")
    assert variants[2] == []
    for genome, base in ((Genome(None, reference, "chr1"), SEQ[1500]), (Genome(edits[1], reference, "chr1"), alt)):
        pchrom, centre = genome.centre("chr1", v.start, v.end)
        start, window = genome.window(pchrom, centre, 800)
        assert start == 1100 and chr(window[400]) == base
        shifted_start, _ = genome.window(pchrom, centre, 800, shift=-37)
        assert shifted_start == 1063


def test_insertion_window_is_centred_on_the_new_bases(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", SEQS)
    vcf = write_vcf(tmp_path / "in.vcf", SEQS, [("chr1", 1500, "ins", SEQ[1499], SEQ[1499] + "G" * 10, "PASS", ".",
                                                  "1|1")])
    reference = IndexedFasta(fasta)
    _, edits, variants = sample_plan(read_records(vcf, "S1").assign(source=vcf), reference, {}, Policy.from_config({}))
    (v,) = variants[1]
    genome = Genome(edits[1], reference, "chr1")
    _, window = genome.window(*genome.centre(v.chrom, v.start, v.end), 800)
    assert window[395:405] == b"G" * 10


def test_reference_map_is_unchanged_on_its_own_grid(tmp_path):
    table, maps, _, _ = run(tmp_path, SEQS, [DEL + ("1|0",)])
    row, (start, ref, alt) = one(table, maps)
    assert start == 1100
    codes = np.frombuffer(SEQ[1100:1900].encode(), dtype=np.uint8)
    expected = GCPredictor()(np.array([np.searchsorted([ord(c) for c in "ACGT"], codes)]))[0]
    np.testing.assert_allclose(ref, expected)


def test_deleted_bins_are_masked_and_flanks_keep_their_contacts(tmp_path):
    table, maps, _, _ = run(tmp_path, SEQS, [DEL + ("1|0",)])
    row, (start, ref, alt) = one(table, maps)
    assert (row["chrom"], row["start"], row["end"], row["class"], row["size"]) == ("chr1", 1400, 1600, "sv_del", 200)
    assert np.isnan(alt[[3, 4]]).all() and np.isnan(alt[:, [3, 4]]).all()
    left, right = [0, 1, 2], [5, 6, 7]
    for side in (left, right):
        np.testing.assert_allclose(alt[np.ix_(side, side)], ref[np.ix_(side, side)])
    # across the deletion the flanks come 2 bins closer: grid bins 2 and 5 are window bins 3 and 4
    assert np.isclose(alt[2, 5] / ref[2, 5], (1 + 3) / (1 + 1))


def test_inverted_bins_are_mirrored_back(tmp_path):
    table, maps, _, _ = run(tmp_path, SEQS, [INV + ("1|0",)])
    row, (start, ref, alt) = one(table, maps)
    assert (row["start"], row["end"], row["class"]) == (1300, 1700, "sv_inv") and start == 1100
    inside, outside = [2, 3, 4, 5], [0, 1, 6, 7]
    np.testing.assert_allclose(alt[np.ix_(inside, inside)], ref[np.ix_(inside, inside)])
    np.testing.assert_allclose(alt[np.ix_(outside[:2], outside[:2])], ref[np.ix_(outside[:2], outside[:2])])
    assert not np.allclose(alt[np.ix_(inside, outside)], ref[np.ix_(inside, outside)])


def test_duplicated_bins_average_their_copies(tmp_path):
    table, maps, _, _ = run(tmp_path, SEQS, [DUP + ("1|0",)])
    row, (start, ref, alt) = one(table, maps)
    assert (row["start"], row["end"], row["class"]) == (1400, 1600, "sv_dup") and start == 1100
    assert np.isnan(alt[0]).all() and np.isnan(alt[7]).all()  # the ALT window reads 1200-2000 of the reference
    np.testing.assert_allclose(alt[1, 2], ref[1, 2])
    np.testing.assert_allclose(alt[5, 6], ref[5, 6])
    # grid bin 3 is window bins 2 and 4 (both copies): mean of distances 0, 2, 2, 0 -> (1 + 1/3 + 1/3 + 1) / 4
    g = ref[3, 3] - 1  # the reference pixel at distance 0: 1 + g3^2 / b^2
    np.testing.assert_allclose(alt[3, 3], (1 + g) * (2 / 3))


def test_haplotype_background_sees_a_second_variant_in_the_window(tmp_path):
    """A planted interaction: the deletion's haplotype score differs from its alone score only where the
    haplotype carries the nearby inversion too."""
    far_inv = ("chr1", 1700, "inv2", SEQ[1699], "<INV>", "PASS", "SVTYPE=INV;END=1900;SVLEN=200")
    table, _, _, _ = run(tmp_path, SEQS, [DEL + ("1|1",), far_inv + ("1|0",)])
    dele = table[table["variant"].str.contains("del")].set_index(["haplotype", "background"])["scd"]
    assert np.isclose(dele[(2, "haplotype")], dele[(2, "reference")])
    assert np.isclose(dele[(1, "reference")], dele[(2, "reference")])
    assert not np.isclose(dele[(1, "haplotype")], dele[(1, "reference")])


def test_selection_by_class_size_region_and_count():
    import pandas as pd

    from hicmodels.effects.pairs import Variant, select

    variants = [Variant("a", "chr1", 100, 101, "snv", 1, (0,)), Variant("b", "chr1", 500, 550, "deletion", 50, (1,)),
                Variant("c", "chr2", 10, 50_010, "sv_del", 50_000, (2,)), Variant("d", "chr2", 90_000, 90_000,
                                                                               "insertion", 8, (3,))]
    keys = lambda chosen: [v.key for v in chosen]  # noqa: E731
    assert keys(select(variants)) == ["a", "b", "c", "d"]
    assert keys(select(variants, classes=["snv", "sv_del"])) == ["a", "c"]
    assert keys(select(variants, min_size=8)) == ["b", "c", "d"]
    regions = pd.DataFrame({"chrom": ["chr1", "chr2"], "start": [540, 89_999], "end": [600, 90_001]})
    assert keys(select(variants, regions=regions)) == ["b", "d"]  # an insertion point overlaps as 1 bp
    assert keys(select(variants, max_count=2)) == ["a", "b"]


class DecayPredictor(GCPredictor):
    """``M[i, j] = (1 + |i - j|)^-1``: featureless DNA, contacts set by distance alone."""

    def __call__(self, codes):
        i = np.arange(self.nbins)
        return np.repeat((1.0 / (1 + np.abs(np.subtract.outer(i, i))))[None], len(codes), axis=0)


def test_rearranging_featureless_dna_changes_scd_but_not_scd_oe(tmp_path):
    """On the reference grid a deletion brings its flanks closer, a duplication's copies are averaged and
    an inversion's bins are mirrored: contacts change with no feature moved (``scd`` > 0); against
    each window's own distance expectation nothing changed (``scd_oe`` = 0)."""
    for k, row in enumerate((DEL, DUP, INV)):
        (tmp_path / str(k)).mkdir()
        table, _, _, _ = run(tmp_path / str(k), SEQS, [row + ("1|0",)], predictor=DecayPredictor(),
                             backgrounds=["reference"])
        assert table["scd_oe"].iloc[0] == pytest.approx(0, abs=1e-12), row[2]
        assert table["scd"].iloc[0] > 0.1, row[2]
