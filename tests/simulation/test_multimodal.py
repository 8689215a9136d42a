"""MIX-HIC samples of synthetic chromosomes: windows, segments in x-then-y order, loop labels, matched negatives."""

import numpy as np
import pandas as pd
import pytest

from hicmodels.simulation import multimodal


def toy_chromosome(nbins=12, per_bin=3):
    tracks = np.arange(2 * nbins * per_bin, dtype=np.float32).reshape(2, nbins * per_bin)
    hic = np.arange(nbins * nbins, dtype=np.float32).reshape(nbins, nbins)
    return {"tracks": tracks, "hic": hic, "cage": np.arange(nbins, dtype=np.float32) * 10, "per_bin": per_bin,
            "loops": pd.DataFrame({"bin1": [3, 5], "bin2": [7, 8], "occupancy": [0.2, 0.1]})}


def test_map_windows():
    assert multimodal.map_windows(10, 4, 3, (0, 2)) == [(0, 0), (3, 3), (6, 6), (0, 2), (3, 5)]


def test_samples_put_the_x_segment_first():
    chrom = toy_chromosome()
    s = multimodal.samples(chrom, [(1, 5)], 4)
    assert s["tracks"].shape == (1, 2, 24) and s["hic"].shape == (1, 4, 4) and s["cage"].shape == (1, 8)
    np.testing.assert_array_equal(s["tracks"][0, 1], np.concatenate([chrom["tracks"][1, 3:15], chrom["tracks"][1, 15:27]]))
    np.testing.assert_array_equal(s["hic"][0], chrom["hic"][1:5, 5:9])  # rows x bins, columns y bins
    assert s["cage"][0].tolist() == [10, 20, 30, 40, 50, 60, 70, 80]
    assert s["distance"].tolist() == [4]


def test_loop_windows_centre_the_anchors_and_match_distances():
    rng = np.random.default_rng(0)
    loops = pd.DataFrame({"bin1": [30, 60, 100, 150, 190], "bin2": [40, 72, 108, 170, 215]})
    windows, labels = multimodal.loop_windows(loops, 230, 50, rng)
    assert labels.tolist() == [1.0] * 4 + [0.0] * 4  # (190, 215) is too close to the end for a 50-bin window
    assert windows[:4] == [(5, 15), (35, 47), (75, 83), (125, 145)]
    distances = {y - x for x, y in windows[4:]}
    assert distances <= {10, 12, 8, 20}
    anchors = loops[["bin1", "bin2"]].to_numpy()
    for x, y in windows[4:]:
        i, j = x + 25, y + 25
        assert np.all(np.maximum(np.abs(anchors[:, 0] - i), np.abs(anchors[:, 1] - j)) >= 2)
        assert x >= 0 and y + 50 <= 230


def test_synthetic_chromosome_arrays():
    chrom = multimodal.make_chromosome(120, np.random.default_rng(1))
    assert chrom["tracks"].shape == (2, 6000) and chrom["hic"].shape == (120, 120) and chrom["cage"].shape == (120,)
    assert len(chrom["loops"]) > 3 and chrom["per_bin"] == 50
    # the noise-free map is the observed counts' Poisson mean: 20,000 contacts per row on average
    rate, counts = np.expm1(chrom["truth"].astype(np.float64)), np.expm1(chrom["hic"].astype(np.float64))
    assert rate.sum(axis=1).mean() == pytest.approx(20_000, rel=1e-5)
    assert counts.sum() == pytest.approx(rate.sum(), rel=0.01)
    assert np.diagonal(counts, 3).sum() == pytest.approx(np.diagonal(rate, 3).sum(), rel=0.01)
    # a CTCF peak sits on each loop anchor's bin: its maximum beats the chromosome's median bin maximum
    ctcf = chrom["tracks"][0].reshape(120, 50).max(axis=1)
    assert np.all(ctcf[chrom["loops"]["bin1"]] > 2 * np.median(ctcf))


@pytest.mark.slow
def test_loop_labels_are_visible_in_the_map_at_matched_distances():
    """The known truth a loop model can reach: the window centre's contact over the mean at its distance separates
    the loops from the distance-matched non-loops of a held-out chromosome (AUROC >= 0.85)."""
    from sklearn.metrics import roc_auc_score

    from hicmodels.evaluation.mixhic import distance_decay

    rng = np.random.default_rng(5)
    chroms = [multimodal.make_chromosome(300, rng) for _ in range(3)]
    test = multimodal.loop_samples(chroms[2:], 50, np.random.default_rng(6))
    decay = distance_decay([c["hic"] for c in chroms[:2]], 300)

    def centre(s):  # observed / expected at the anchors' pixel
        return np.expm1(s["hic"][:, 25, 25]) / decay[s["distance"]]

    assert test["loop"].sum() >= 15
    assert roc_auc_score(test["loop"], centre(test)) >= 0.85  # 0.895 measured (32 windows, Poisson counts)
    # the same score with every window shifted off its anchors by 4 bins is far weaker
    windows = multimodal.loop_windows(chroms[2]["loops"], 300, 50, np.random.default_rng(6))[0]
    shifted = multimodal.samples(chroms[2], [(x + 4, y + 4) if y + 54 <= 300 else (x - 4, y - 4)
                                             for x, y in windows], 50)
    assert roc_auc_score(test["loop"], centre(shifted)) < 0.75
