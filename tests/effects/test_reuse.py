"""Predictions are keyed by content: a window shared by variants, haplotypes or samples is predicted once."""

import numpy as np

from effects_helpers import random_sequence, run

SEQ = random_sequence(6000, seed=1)
SEQS = {"chr1": SEQ}
SNV = ("chr1", 2001, "snv", SEQ[2000], "A" if SEQ[2000] != "A" else "C", "PASS", ".")
DEL = ("chr1", 4000, "del", SEQ[3999], "<DEL>", "PASS", "SVTYPE=DEL;END=4200;SVLEN=-200")


def test_a_shared_variant_costs_one_alt_prediction_for_the_cohort(tmp_path):
    samples = [f"S{i}" for i in range(6)]
    gts = ["1|0", "0|1", "1|1", "1|0", "1|1", "0|1"]
    table, _, cache, _ = run(tmp_path, SEQS, [SNV + tuple(gts), DEL + tuple(gts)], samples=samples,
                             backgrounds=["reference"])
    rows = (np.char.count(gts, "1")).sum() * 2  # one row per carrying haplotype and variant
    assert len(table) == rows and cache.requested == 2 * rows
    assert cache.made == 4  # two loci x (REF, ALT), for every sample and haplotype


def test_identical_haplotypes_share_their_predictions(tmp_path):
    """A homozygous sample's two haplotypes are one genome: each background costs one pair per variant."""
    near = ("chr1", 2200, "del", SEQ[2199], "<DEL>", "PASS", "SVTYPE=DEL;END=2400;SVLEN=-200")
    table, _, cache, _ = run(tmp_path, SEQS, [SNV + ("1|1",), near + ("1|1",)])
    assert len(table) == 8 and cache.requested == 16
    # the SNV and the deletion share their windows: the haplotype background's pairs differ from
    # the reference background's (4 + 4), and hap2 reuses hap1's
    assert cache.made == 8
    scores = table.set_index(["variant", "haplotype", "background"])["scd"]
    for variant in table["variant"].unique():
        for background in ("reference", "haplotype"):
            assert scores[(variant, 1, background)] == scores[(variant, 2, background)]


def test_far_apart_variants_reuse_the_reference_pair_in_the_haplotype_background(tmp_path):
    seq = random_sequence(12000, seed=2)
    snv = ("chr1", 2001, "snv", seq[2000], "A" if seq[2000] != "A" else "C", "PASS", ".", "1|0")
    far = ("chr1", 9000, "del", seq[8999], "<DEL>", "PASS", "SVTYPE=DEL;END=9200;SVLEN=-200", "1|0")
    table, _, cache, _ = run(tmp_path, {"chr1": seq}, [snv, far])
    assert len(table) == 4 and cache.made == 4  # the haplotype windows hold one variant each
