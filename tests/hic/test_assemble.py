"""Predicted maps back to reference coordinates through chains made by the variant engine.

End to end with known truth: VCF -> build_haplotypes -> chain -> window_to_reference / stitch_windows
-> resample, on synthetic maps whose every pixel is known in reference coordinates.
"""

import numpy as np
import pandas as pd
import pytest

from hicmodels.hic.assemble import personal_sequence_table, stitch_windows
from hicmodels.genome import windows as genome_windows
from hicmodels.genome.liftover import invert, personal_extras
from hicmodels.hic.rebin import resample, window_to_reference
from hicmodels.simulation.samples import random_sequence

from variant_helpers import build

BIN = 1_000
COMPLEMENT = str.maketrans("ACGT", "TGCA")


@pytest.fixture(scope="module")
def genome():
    rng = np.random.default_rng(11)
    return {"chrA": random_sequence(100 * BIN, rng).decode(), "chrB": random_sequence(60 * BIN, rng).decode()}


def block_map(a, b):
    """A symmetric map with domains (reference bins 0-14, 15-39, 40-69, 70-99), distance decay and a
    gradient along the chromosome, so that moved, reversed or missing bins show."""
    domain = np.searchsorted([15, 40, 70], a, side="right") == np.searchsorted([15, 40, 70], b, side="right")
    return np.where(domain, 3.0, 1.0) / (1.0 + np.abs(a - b)) * (1.0 + (a + b) / 200.0)


def on_reference_grid(lifted, ref_bins, n):
    full = np.full((n, n), np.nan)
    full[np.ix_(ref_bins, ref_bins)] = lifted
    return full


def test_block_matrix_with_a_deletion_and_an_inversion_lifts_to_the_expected_map(tmp_path, genome):
    rows = [
        ("chrA", 20 * BIN, "del", genome["chrA"][20 * BIN - 1], "<DEL>", "PASS", f"SVTYPE=DEL;END={30 * BIN}", "1|0"),
        ("chrA", 50 * BIN, "inv", genome["chrA"][50 * BIN - 1], "<INV>", "PASS", f"SVTYPE=INV;END={60 * BIN}", "1|0"),
    ]
    out = build(tmp_path, genome, rows)
    hap = out.hap[1]["chrA"]
    assert len(hap) == 90 * BIN
    assert hap[40 * BIN : 50 * BIN] == genome["chrA"][50 * BIN : 60 * BIN][::-1].translate(COMPLEMENT)
    # the reference bin of each personal bin, from the two SVs alone (not from the chain)
    i = np.arange(90)
    origin = np.select([i < 20, i < 40, i < 50], [i, i + 10, 59 - (i - 40)], i + 10)
    predicted = block_map(origin[:, None], origin[None, :])  # what a model reading hap1 would say

    ref_bins, weights, _ = window_to_reference(invert(out.blocks[1]), "chrA", 0, 90 * BIN, 90, "chrA", BIN)
    assert ref_bins.tolist() == [b for b in range(100) if not 20 <= b < 30]
    lifted = on_reference_grid(resample(predicted, weights, np.full(len(ref_bins), BIN), 0.5), ref_bins, 100)

    a = np.arange(100)
    expected = block_map(a[:, None], a[None, :])
    expected[20:30] = expected[:, 20:30] = np.nan  # deleted: masked
    np.testing.assert_allclose(lifted, expected, rtol=1e-12)


def test_duplicated_bins_are_the_mean_of_their_copies(tmp_path, genome):
    rows = [("chrA", 70 * BIN, "dup", genome["chrA"][70 * BIN - 1], "<DUP>", "PASS", f"SVTYPE=DUP;END={75 * BIN}", "1|1")]
    out = build(tmp_path, genome, rows)
    assert len(out.hap[1]["chrA"]) == 105 * BIN
    extras = personal_extras(out.blocks[1], {"chrA": 105 * BIN, "chrB": 60 * BIN})
    assert extras.values.tolist() == [["chrA", 75 * BIN, 80 * BIN, "extra_copy", "chrA", 70 * BIN, 75 * BIN, "+"]]
    rng = np.random.default_rng(0)
    predicted = rng.random((105, 105))
    predicted = predicted + predicted.T  # copies get different values, as from different contexts

    ref_bins, weights, _ = window_to_reference(invert(out.blocks[1]), "chrA", 0, 105 * BIN, 105, "chrA", BIN)
    assert ref_bins.tolist() == list(range(100))
    lifted = resample(predicted, weights, np.full(100, BIN), 0.5)

    copies = [[a] if a < 70 else [a, a + 5] if a < 75 else [a + 5] for a in range(100)]
    expected = np.array([[predicted[np.ix_(ca, cb)].mean() for cb in copies] for ca in copies])
    np.testing.assert_allclose(lifted, expected, rtol=1e-12)
    primary_only = predicted[np.ix_([c[0] for c in copies], [c[0] for c in copies])]
    assert not np.allclose(lifted[70:75, 70:75], primary_only[70:75, 70:75])


def test_translocation_windows_and_inserted_sequence_are_accounted_for(tmp_path, genome):
    a, b = genome["chrA"], genome["chrB"]
    inserted = "ACGT" * 750
    rows = [  # chrA:1-50,000 joined to chrB:30,001-; chrB:1-30,000 joined to chrA:50,001-
        ("chrA", 50_000, "tA1", a[49_999], f"{a[49_999]}[chrB:30001[", "PASS", "SVTYPE=BND", "1|0"),
        ("chrA", 50_001, "tA2", a[50_000], f"]chrB:30000]{a[50_000]}", "PASS", "SVTYPE=BND", "1|0"),
        ("chrB", 10_000, "ins", b[9_999], "<INS>", "PASS", f"SVTYPE=INS;SVINSSEQ={inserted}", "1|0"),
        ("chrB", 30_000, "tB2", b[29_999], f"{b[29_999]}[chrA:50001[", "PASS", "SVTYPE=BND", "1|0"),
        ("chrB", 30_001, "tB1", b[30_000], f"]chrA:50000]{b[30_000]}", "PASS", "SVTYPE=BND", "1|0"),
    ]
    out = build(tmp_path, genome, rows)
    hap = out.hap[1]
    assert hap["der_chrA+chrB"] == a[:50_000] + b[30_000:]
    assert hap["der_chrB+chrA"] == b[:10_000] + inserted + b[10_000:30_000] + a[50_000:]
    blocks, sizes = out.blocks[1], pd.Series({name: len(seq) for name, seq in hap.items()})

    reference = genome_windows.reference_windows(
        pd.Series({c: len(s) for c, s in genome.items()}), ["chrA", "chrB"], 20 * BIN, 5 * BIN, BIN,
        pd.DataFrame(columns=["chrom", "start", "end", "name"]), {})
    windows = genome_windows.haplotype_windows(reference, blocks, sizes).set_index("window_id", drop=False)
    assert (windows["status"] == "ok").all()
    # 15 kb of the window on der_chrA+chrB, 5 kb on der_chrB+chrA: the model reads the former,
    # running 2.5 kb into chrB's right arm
    w = windows.loc["chrA:35000-55000"]
    assert (w["pchrom"], w["pstart"], w["pend"], w["seq_start"], w["seq_end"]) == ("der_chrA+chrB", 35_000, 50_000,
                                                                                     32_500, 52_500)
    w = windows.loc["chrB:0-20000"]  # the covering interval holds the insertion
    assert (w["pchrom"], w["pstart"], w["pend"], w["seq_start"]) == ("der_chrB+chrA", 0, 23_000, 1_500)

    maps = np.ones((len(windows), 20, 20))
    chromsizes = pd.Series({c: len(s) for c, s in genome.items()})
    pixels, valid, elsewhere = stitch_windows(windows, windows["window_id"], maps, chromsizes, BIN, blocks,
                                              min_coverage=0.5)
    elsewhere = elsewhere.set_index("window_id")
    row = elsewhere.loc["chrA:35000-55000"]
    assert (row["novel_bp"], row["other_chrom_bp"], row["other_chroms"]) == (0, 2_500, "chrB:2500")
    assert elsewhere.loc["chrB:0-20000", "novel_bp"] == 3_000
    assert valid["chrA"].all()
    # chrB's first bin is read by no window: the insertion pushes the first window's re-centred
    # sequence 1.5 kb to the right
    assert valid["chrB"][1:].all() and not valid["chrB"][0]

    table = personal_sequence_table(windows, windows["window_id"], 20, blocks, sizes)
    assert table[["pchrom", "pstart", "pend", "kind"]].values.tolist() == [["der_chrB+chrA", 10_000, 13_000, "novel"]]
    # seq 1,500-21,500 in 1 kb bins: bins 8 (9,500-10,500) to 11 (12,500-13,500) hold inserted bases
    assert "chrB:0-20000[8-11]" in table["window_bins"].iloc[0].split(";")
    assert table["windows"].iloc[0] == table["window_bins"].iloc[0].count("[")


def test_assemble_genome_writes_the_stitched_map_with_its_metadata(tmp_path):
    """Predictions file -> .cool: two overlapping reference windows averaged, model named in the metadata."""
    import cooler

    from hicmodels.hic.assemble import assemble_genome
    from hicmodels.modelling.store import write_predictions

    windows = pd.DataFrame({"window_id": ["w0", "w1"], "chrom": "chrA", "start": [0, 20], "end": [40, 60],
                            "seq_chrom": "chrA", "seq_start": [0, 20], "seq_end": [40, 60], "status": "ok"})
    maps = np.stack([np.full((4, 4), 1.0), np.full((4, 4), 3.0)]).astype(np.float32)
    write_predictions(tmp_path / "p.h5", windows["window_id"].to_numpy(), maps,
                      {"contact_scale": 2.0, "architecture": "encoder_decoder", "bin_size": 10})
    assemble_genome(predictions_path=tmp_path / "p.h5", windows=windows, chromsizes=pd.Series({"chrA": 70}),
                    settings={"bin_size": 10, "min_coverage": 0.5, "band_min_predicted": 0.99},
                    out_path=tmp_path / "m.cool", personal_sequence_path=tmp_path / "extra.tsv", model="yeast")
    clr = cooler.Cooler(str(tmp_path / "m.cool"))
    dense = clr.matrix(balance=True)[:]
    assert dense[0, 0] == 1.0 and dense[2, 3] == 2.0 and dense[5, 5] == 3.0  # bins 2-3: both windows
    assert dense[0, 5] == 0 and np.isnan(dense[6, 6])  # no window holds the pixel (none stored); bin 6 in no window
    metadata = clr.info["metadata"]
    assert metadata["model"] == "yeast" and metadata["contact_scale"] == 2.0
    # diagonal 3: (0, 3) and (2, 5) predicted, (1, 4) in no window: 2 of 3 pairs, so the band stops at 2
    assert metadata["max_predicted_distance_bp"] == 20 and metadata["band_diagonals"] == 3
    assert metadata["diagonal_coverage"] == pytest.approx([1, 1, 1, 2 / 3], abs=1e-6)
    assert clr.matrix(balance=True)[0, 3] == 0  # dropped with its diagonal
    assert pd.read_csv(tmp_path / "extra.tsv", sep="\t").empty


def test_sd_map_combines_overlapping_windows_by_the_law_of_total_variance(tmp_path):
    """Window w0 says N(1, 0.25) everywhere, w1 N(3, 1): where both cover a pixel, var = (0.25 + 1)/2 + 1 = 1.625."""
    import cooler

    from hicmodels.errors import InputError
    from hicmodels.hic.assemble import assemble_genome
    from hicmodels.modelling.store import write_predictions

    windows = pd.DataFrame({"window_id": ["w0", "w1"], "chrom": "chrA", "start": [0, 20], "end": [40, 60],
                            "seq_chrom": "chrA", "seq_start": [0, 20], "seq_end": [40, 60], "status": "ok"})
    maps = np.stack([np.full((4, 4), 1.0), np.full((4, 4), 3.0)]).astype(np.float32)
    variances = np.stack([np.full((4, 4), 0.25), np.full((4, 4), 1.0)]).astype(np.float32)
    attrs = {"contact_scale": 1.0, "architecture": "akita", "bin_size": 10, "values": "observed/expected ratio"}
    write_predictions(tmp_path / "p.h5", windows["window_id"].to_numpy(), maps, {**attrs, "samples": 20}, variances)
    settings = {"bin_size": 10, "min_coverage": 0.5, "band_min_predicted": 0.99}
    assemble_genome(predictions_path=tmp_path / "p.h5", windows=windows, chromsizes=pd.Series({"chrA": 70}),
                    settings=settings, out_path=tmp_path / "m.cool", sd_out_path=tmp_path / "sd.cool")
    mean = cooler.Cooler(str(tmp_path / "m.cool")).matrix(balance=True)[:]
    sd_cool = cooler.Cooler(str(tmp_path / "sd.cool"))
    sd = sd_cool.matrix(balance=True)[:]
    assert mean[2, 3] == 2.0 and sd[2, 3] == pytest.approx(np.sqrt(1.625))
    assert sd[0, 1] == pytest.approx(0.5) and sd[5, 5] == pytest.approx(1.0)  # one window each
    assert np.isnan(sd[6, 6]) and sd_cool.bins()[:].equals(cooler.Cooler(str(tmp_path / "m.cool")).bins()[:])
    stored = [c.pixels()[:][["bin1_id", "bin2_id"]] for c in (sd_cool, cooler.Cooler(str(tmp_path / "m.cool")))]
    assert stored[0].equals(stored[1]) and stored[0].eval("bin2_id - bin1_id").max() == 2  # one band: diagonal 3 cut
    metadata = sd_cool.info["metadata"]
    assert metadata["samples"] == 20 and metadata["values"].startswith("posterior-predictive standard deviation")
    write_predictions(tmp_path / "one.h5", windows["window_id"].to_numpy(), maps, attrs)
    with pytest.raises(InputError, match="one draw per window"):
        assemble_genome(predictions_path=tmp_path / "one.h5", windows=windows, chromsizes=pd.Series({"chrA": 70}),
                        settings=settings, out_path=tmp_path / "m2.cool", sd_out_path=tmp_path / "sd2.cool")


def test_interval_bounds_are_gaussian_in_model_space_stitched_by_total_variance(tmp_path):
    """Model space log O/E: w0 N(0, 0.25), w1 N(1, 1); overlap N(0.5, 0.875); bounds exp(mean -+ 1.645 sd)."""
    import cooler

    from hicmodels.errors import InputError
    from hicmodels.hic.assemble import assemble_genome
    from hicmodels.modelling.store import write_predictions

    windows = pd.DataFrame({"window_id": ["w0", "w1"], "chrom": "chrA", "start": [0, 20], "end": [40, 60],
                            "seq_chrom": "chrA", "seq_start": [0, 20], "seq_end": [40, 60], "status": "ok"})
    ids = windows["window_id"].to_numpy()
    model_means = np.stack([np.full((4, 4), 0.0), np.full((4, 4), 1.0)]).astype(np.float32)
    model_variances = np.stack([np.full((4, 4), 0.25), np.full((4, 4), 1.0)]).astype(np.float32)
    maps = np.exp(model_means)  # the stored mean map plays no part in the bounds
    attrs = {"contact_scale": 1.0, "architecture": "akita", "bin_size": 10, "values": "observed/expected ratio",
             "samples": 20, "model_space": "log_oe"}
    write_predictions(tmp_path / "p.h5", ids, maps, attrs, np.ones_like(maps), (model_means, model_variances))
    settings = {"bin_size": 10, "min_coverage": 0.5, "band_min_predicted": 0.99, "interval_level": 0.9}
    paths = (tmp_path / "lower.cool", tmp_path / "upper.cool")
    assemble_genome(predictions_path=tmp_path / "p.h5", windows=windows, chromsizes=pd.Series({"chrA": 70}),
                    settings=settings, out_path=tmp_path / "m.cool", bound_paths=paths)
    lower, upper = (cooler.Cooler(str(p)).matrix(balance=True)[:] for p in paths)
    z = 1.6448536269514722
    assert lower[2, 3] == pytest.approx(np.exp(0.5 - z * np.sqrt(0.875)))  # law of total variance in model space
    assert upper[2, 3] == pytest.approx(np.exp(0.5 + z * np.sqrt(0.875)))
    assert lower[0, 1] == pytest.approx(np.exp(-z * 0.5)) and upper[5, 5] == pytest.approx(np.exp(1 + z))
    assert upper[2, 2] == pytest.approx(np.exp(0.5 + z * np.sqrt(0.875)))
    assert upper[4, 5] == pytest.approx(np.exp(1 + z))  # w1 bins 2-3 -> reference bins 4-5, only w1 there
    assert lower[5, 5] == pytest.approx(np.exp(1 - z)) and np.isnan(lower[6, 6])
    stored = [cooler.Cooler(str(p)).pixels()[:][["bin1_id", "bin2_id"]] for p in (*paths, tmp_path / "m.cool")]
    assert stored[0].equals(stored[2]) and stored[1].equals(stored[2])  # the mean map's band and pixels
    metadata = cooler.Cooler(str(paths[0])).info["metadata"]
    assert metadata["interval_level"] == 0.9 and metadata["values"].startswith("lower bound of the central 0.9")
    # cooltools reads a bound map with its default options, as it reads the mean map
    import cooltools

    bound = cooler.Cooler(str(paths[1]))
    expected = cooltools.expected_cis(bound)
    assert np.isfinite(expected.loc[expected["dist"] == 2, "balanced.avg"]).all()  # diagonals 0-1 ignored by default
    assert np.isfinite(cooltools.insulation(bound, [30])["log2_insulation_score_30"]).any()
    # log1p contacts: expm1 of the bounds, clipped at 0
    write_predictions(tmp_path / "c.h5", ids, maps, {**attrs, "model_space": "log1p_contacts"}, np.ones_like(maps),
                      (model_means, model_variances))
    assemble_genome(predictions_path=tmp_path / "c.h5", windows=windows, chromsizes=pd.Series({"chrA": 70}),
                    settings={**settings, "interval_level": 0.5}, out_path=None, bound_paths=paths)
    lower, upper = (cooler.Cooler(str(p)).matrix(balance=True)[:] for p in paths)
    assert lower[0, 1] == 0.0 and upper[0, 1] == pytest.approx(np.expm1(0.6744897501960817 * 0.5))
    with pytest.raises(InputError, match="interval_level"):
        assemble_genome(predictions_path=tmp_path / "p.h5", windows=windows, chromsizes=pd.Series({"chrA": 70}),
                        settings={**settings, "interval_level": None}, out_path=None, bound_paths=paths)


def test_assemble_command_wants_both_bounds(tmp_path, capsys):
    from hicmodels import cli

    args = ["hic", "assemble", "--predictions", str(tmp_path / "p.h5"), "--windows", str(tmp_path / "w.tsv"),
            "--fasta", str(tmp_path / "g.fa"), "--config", '{"bin_size": 10, "resolutions": [10]}']
    assert cli.main(args + ["--lower-out", str(tmp_path / "lower.cool")]) == 2
    assert "give --lower-out and --upper-out together" in capsys.readouterr().err
