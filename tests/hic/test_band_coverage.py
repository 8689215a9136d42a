"""The honest band of a predicted map: no diagonal that fewer windows reach than it has positions.

Known truth: every window predicts the same distance decay ``f(k)``, so the stitched map is ``f`` on each
diagonal it holds. cooltools (``expected_cis``, ``insulation``, default options) reads the written ``.cool`` and
every level of the zoomified ``.mcool``; an unstored pixel counts as zero there, so a partly predicted diagonal
would show as a fall of P(s).
"""

import cooler
import numpy as np
import pandas as pd
import pytest
from cooltools import expected_cis, insulation

from hicmodels.hic.assemble import assemble_genome
from hicmodels.hic.cool import write_cool, zoomify
from hicmodels.hic.stitch import diagonal_coverage, full_band, within_band
from hicmodels.modelling.store import write_predictions

BIN, NBINS, WINDOW, STEP = 10, 160, 20, 4  # bins of 10 bp; windows of 20 bins every 4 bins: full band 16


def decay(k):
    return 5.0 / (1.0 + np.asarray(k, dtype=float))


def window_starts():
    return np.arange(0, NBINS - WINDOW + 1, STEP)


def covered_pairs(k, starts, width):
    """Brute force: positions i with some window holding both i and i + k."""
    return sum(any(s <= i and i + k < s + width for s in starts) for i in range(NBINS - k))


@pytest.fixture(scope="module")
def predicted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("band")
    starts = window_starts() * BIN
    windows = pd.DataFrame({"window_id": [f"w{i}" for i in range(len(starts))], "chrom": "chrA", "start": starts,
                            "end": starts + WINDOW * BIN, "seq_chrom": "chrA", "seq_start": starts,
                            "seq_end": starts + WINDOW * BIN})
    k = np.abs(np.subtract.outer(np.arange(WINDOW), np.arange(WINDOW)))
    maps = np.repeat(decay(k)[None], len(windows), axis=0).astype(np.float32)
    write_predictions(tmp / "p.h5", windows["window_id"].to_numpy(), maps,
                      {"contact_scale": 1.0, "architecture": "encoder_decoder", "bin_size": BIN})
    assemble_genome(predictions_path=tmp / "p.h5", windows=windows, chromsizes=pd.Series({"chrA": NBINS * BIN}),
                    settings={"bin_size": BIN, "min_coverage": 0.5, "band_min_predicted": 0.99},
                    out_path=tmp / "p.cool", model="m")
    zoomify(tmp / "p.cool", tmp / "p.mcool", [BIN, 2 * BIN, 4 * BIN])
    return tmp


def test_coverage_per_diagonal_counts_the_pairs_some_window_holds():
    starts = [0, 4, 8, 12]  # 4 windows of 16 bins every 4 on a 32-bin chromosome; bins 28-31 in none
    rows, cols = np.triu_indices(32)
    held = np.array([any(s <= i and j < s + 16 for s in starts) for i, j in zip(rows, cols)])
    valid = np.zeros(32, bool)
    valid[:28] = True
    pixels = {"a": (rows[held], cols[held], np.ones(held.sum()))}
    possible, predicted_pairs = diagonal_coverage(pixels, {"a": valid})
    assert len(possible) == 16
    assert possible.tolist() == [28 - k for k in range(16)]
    assert predicted_pairs.tolist() == [sum(any(s <= i and i + k < s + 16 for s in starts) for i in range(28 - k))
                                        for k in range(16)]
    assert predicted_pairs[:13].tolist() == possible[:13].tolist()  # k <= 16 - 4: every position
    assert predicted_pairs[13:].tolist() == [12, 8, 4]  # then (16 - k) / 4 of the interior: the cliff
    assert full_band(possible, predicted_pairs, 1.0) == 12
    assert full_band(possible, predicted_pairs, 0.6) == 13  # 12 of 15 at k = 13, 8 of 14 at k = 14
    kept = within_band(pixels, 12)["a"]
    assert (kept[1] - kept[0]).max() == 12 and len(kept[0]) == np.count_nonzero(cols[held] - rows[held] <= 12)


def test_full_band_needs_pairs_on_a_diagonal():
    assert full_band(np.array([5, 4, 0]), np.array([5, 4, 0]), 0.99) == 1
    assert full_band(np.array([5, 4]), np.array([4, 4]), 0.99) == -1


def test_assembled_map_stores_the_full_band_and_its_coverage(predicted):
    clr = cooler.Cooler(str(predicted / "p.cool"))
    metadata = clr.info["metadata"]
    assert metadata["band_diagonals"] == WINDOW - STEP + 1
    assert metadata["max_predicted_distance_bp"] == (WINDOW - STEP) * BIN
    starts = window_starts()
    expected_fraction = [covered_pairs(k, starts, WINDOW) / (NBINS - k) for k in range(WINDOW)]
    assert metadata["diagonal_coverage"] == pytest.approx(expected_fraction, abs=1e-6)
    assert metadata["diagonal_coverage"][WINDOW - 1] == pytest.approx(0.25, abs=0.01)  # the cliff that was cut
    pixels = clr.pixels()[:]
    assert (pixels["bin2_id"] - pixels["bin1_id"]).max() == WINDOW - STEP


@pytest.mark.parametrize("factor", [1, 2, 4])
def test_cooltools_expected_has_no_cliff_inside_the_stored_band(predicted, factor):
    """``expected_cis`` with default options: each stored diagonal is the known decay summed over the coarse
    pixel's base pixels; nothing is stored beyond the band the metadata states."""
    uri = str(predicted / "p.cool") if factor == 1 else f"{predicted / 'p.mcool'}::resolutions/{factor * BIN}"
    clr = cooler.Cooler(uri)
    last = clr.info["metadata"]["band_diagonals"] - 1
    assert last == (WINDOW - STEP + 1) // factor - 1
    assert clr.info["metadata"]["max_predicted_distance_bp"] == last * factor * BIN
    table = expected_cis(clr).set_index("dist")
    a, b = np.meshgrid(np.arange(factor), np.arange(factor))
    for d in range(2, last + 1):  # default ignore_diags: 2
        truth = decay(factor * d + b - a).sum()
        # the chromosome's n - d pixels at distance d all hold the truth: no fall anywhere in the band
        assert table.loc[d, "balanced.avg"] == pytest.approx(truth, rel=1e-6), d  # float32 predictions
    beyond = table.loc[last + 1 :]
    assert (beyond["count.sum"].fillna(0) == 0).all()


@pytest.mark.parametrize("factor", [1, 2])
def test_cooltools_insulation_is_flat_on_a_decay_only_map(predicted, factor):
    """A map of distance decay alone has the same diamond everywhere: log2 insulation 0 away from the ends."""
    uri = str(predicted / "p.cool") if factor == 1 else f"{predicted / 'p.mcool'}::resolutions/{factor * BIN}"
    clr = cooler.Cooler(uri)
    window = 4 * factor * BIN  # a diamond of 4 coarse bins, inside the band at both levels
    track = insulation(clr, [window])
    score = track[f"log2_insulation_score_{window}"].to_numpy()
    n = len(score)
    interior = score[4 : n - 4]
    assert np.isfinite(interior).all()
    np.testing.assert_allclose(interior, 0.0, atol=1e-12)
    assert not track[f"is_boundary_{window}"].to_numpy()[4 : n - 4].any()


def test_zoomify_keeps_every_pixel_of_a_map_without_a_band(tmp_path):
    rows, cols = np.triu_indices(4)
    write_cool(tmp_path / "x.cool", pd.Series({"a": 40}), 10, {"a": (rows, cols, np.ones(len(rows)))},
               {"a": np.ones(4, bool)}, {"model": "m"})
    zoomify(tmp_path / "x.cool", tmp_path / "x.mcool", [10, 20])
    coarse = cooler.Cooler(f"{tmp_path / 'x.mcool'}::resolutions/20")
    assert coarse.matrix(balance=False)[:].tolist() == [[3, 4], [4, 3]] and coarse.info["metadata"] == {"model": "m"}


def test_cooltools_read_an_offset_models_map_with_default_options(tmp_path):
    """Akita predicts nothing on diagonals 0-1 (``diagonal_offset`` 2): its assembled map keeps the band from
    diagonal 2 on, and expected_cis / insulation with default options read the known decay there."""
    starts = window_starts() * BIN
    windows = pd.DataFrame({"window_id": [f"w{i}" for i in range(len(starts))], "chrom": "chrA", "start": starts,
                            "end": starts + WINDOW * BIN, "seq_chrom": "chrA", "seq_start": starts,
                            "seq_end": starts + WINDOW * BIN})
    k = np.abs(np.subtract.outer(np.arange(WINDOW), np.arange(WINDOW)))
    maps = np.repeat(np.where(k < 2, np.nan, decay(k))[None], len(windows), axis=0).astype(np.float32)
    write_predictions(tmp_path / "p.h5", windows["window_id"].to_numpy(), maps,
                      {"contact_scale": 1.0, "architecture": "akita", "bin_size": BIN})
    assemble_genome(predictions_path=tmp_path / "p.h5", windows=windows, chromsizes=pd.Series({"chrA": NBINS * BIN}),
                    settings={"bin_size": BIN, "min_coverage": 0.5, "band_min_predicted": 0.99},
                    out_path=tmp_path / "p.cool", model="m")
    clr = cooler.Cooler(str(tmp_path / "p.cool"))
    assert clr.info["metadata"]["band_diagonals"] == WINDOW - STEP + 1
    offsets = clr.pixels()[:].eval("bin2_id - bin1_id")
    assert offsets.min() == 2 and offsets.max() == WINDOW - STEP
    table = expected_cis(clr).set_index("dist")
    for d in range(2, WINDOW - STEP + 1):
        assert table.loc[d, "balanced.avg"] == pytest.approx(decay(d), rel=1e-6), d
    score = insulation(clr, [4 * BIN])[f"log2_insulation_score_{4 * BIN}"].to_numpy()
    np.testing.assert_allclose(score[4:-4], 0.0, atol=1e-12)
