"""Scoring: held-out chromosomes and band width from the checkpoint and windows, models side by side."""

import numpy as np
import pandas as pd
import pytest

from hicmodels.evaluation.scoring import evaluate_checkpoint, side_by_side, split_chromosomes
from hicmodels.hic.cool import ExperimentalMap, write_cool

SETTINGS = {"min_offset": 1, "scc_h": 1, "scc_max_offset": 4, "insulation_window": 2, "boundary_tolerance": 1,
            "fid_inception_weights": None, "loop_donut": [5, 2], "loop_fdr": 0.1, "loop_tolerance": 2,
            "compartment_bin_bp": 100000, "compartment_min_span_bp": 1000000}


def _maps(n, rng):
    i, j = np.triu_indices(n)
    decay = 10.0 / (1 + j - i)
    return i, j, decay * rng.uniform(0.5, 1.5, len(i))


def _cool(path, sizes, pixels):
    write_cool(path, sizes, 10, pixels, {c: np.ones(n // 10, bool) for c, n in sizes.items()})


def test_a_perfect_model_scores_one_and_the_baseline_does_not(tmp_path):
    rng = np.random.default_rng(0)
    sizes = pd.Series({"train": 400, "test": 300})
    pixels = {c: _maps(n // 10, rng) for c, n in sizes.items()}
    _cool(tmp_path / "experiment.cool", sizes, pixels)
    experimental = ExperimentalMap(tmp_path / "experiment.cool", {}, sizes)
    scale = 0.5
    _cool(tmp_path / "model.cool", sizes, {c: (i, j, v * scale) for c, (i, j, v) in pixels.items()})
    windows = pd.DataFrame({"chrom": ["train", "train", "test", "test"], "start": [0, 80, 0, 40],
                            "end": [80, 160, 80, 120], "split": ["train", "train", "test", "test"]})
    checkpoint = {"window_size": 80, "bin_size": 10, "contact_scale": scale}
    table = evaluate_checkpoint(predicted_path=tmp_path / "model.cool", checkpoint=checkpoint, windows=windows,
                                experimental=experimental, settings=SETTINGS, name="perfect")
    assert table[["predictor", "chrom", "protocol"]].values.tolist() == [
        ["perfect", "test", "chromosome"], ["distance_decay", "test", "chromosome"],
        ["perfect", "test", "window"], ["distance_decay", "test", "window"]]
    model, baseline = table.iloc[0], table.iloc[1]
    per_window = table.iloc[2]
    assert per_window["n_windows"] == 2 and per_window["pearson_log1p"] == pytest.approx(1.0)
    assert np.isnan(per_window["fid"]) and table["fid"].isna().all()  # no Inception weights: unavailable
    assert per_window["n_pixels"] == 2 * sum(8 - k for k in range(1, 8))  # each window's own band
    assert model["pearson_log1p"] == pytest.approx(1.0) and model["scc"] == pytest.approx(1.0)
    assert model["pearson_oe"] == pytest.approx(1.0)
    assert baseline["pearson_oe"] == pytest.approx(0.0, abs=1e-9) and baseline["pearson_log1p"] < 0.99
    # the band is one window (8 bins) wide: offsets 1..7 of 30 bins
    assert model["n_pixels"] == sum(30 - k for k in range(1, 8))


def test_split_chromosomes_keep_table_order():
    windows = pd.DataFrame({"chrom": ["b", "a", "b", "c"], "split": ["train", "train", "train", "test"]})
    assert split_chromosomes(windows, "train") == ["b", "a"] and split_chromosomes(windows, "validation") == []


def _table(name, rows):
    return pd.DataFrame([{"predictor": p, "chrom": c, "scc": s} for p, c, s in rows]).replace({"MODEL": name})


def test_side_by_side_keeps_one_copy_of_a_shared_baseline():
    a = _table("a", [("MODEL", "x", 0.5), ("distance_decay", "x", 0.4), ("MODEL", "y", 0.6), ("distance_decay", "y", 0.3)])
    b = _table("b", [("MODEL", "x", 0.7), ("distance_decay", "x", 0.4), ("MODEL", "y", 0.1), ("distance_decay", "y", 0.3)])
    got = side_by_side({"a": a, "b": b})
    assert got.values.tolist() == [["a", "x", 0.5], ["b", "x", 0.7], ["distance_decay", "x", 0.4],
                                   ["a", "y", 0.6], ["b", "y", 0.1], ["distance_decay", "y", 0.3]]
    assert side_by_side({"a": a}).values.tolist() == a.values.tolist()  # one model: its table as it is


def test_side_by_side_names_baselines_that_differ():
    a = _table("a", [("MODEL", "x", 0.5), ("distance_decay", "x", 0.4)])
    b = _table("b", [("MODEL", "x", 0.7), ("distance_decay", "x", 0.2)])
    got = side_by_side({"a": a, "b": b})
    assert got["predictor"].tolist() == ["a", "b", "distance_decay@a", "distance_decay@b"]
    assert got["scc"].tolist() == [0.5, 0.7, 0.4, 0.2]


def test_an_oe_model_is_scored_on_the_training_p_of_s(tmp_path):
    """A cool of O/E ratios: O/E 1 everywhere scores exactly as the distance decay; the true O/E scores 1."""
    from hicmodels.evaluation.baselines import distance_decay
    from hicmodels.modelling.store import VALUE_NAMES

    rng = np.random.default_rng(1)
    sizes = pd.Series({"train": 400, "test": 300})
    pixels = {c: _maps(n // 10, rng) for c, n in sizes.items()}
    _cool(tmp_path / "experiment.cool", sizes, pixels)
    experimental = ExperimentalMap(tmp_path / "experiment.cool", {}, sizes)
    decay = distance_decay(experimental, ["train"], 8, 1.0)  # the training P(s), per offset
    valid = {c: np.ones(n // 10, bool) for c, n in sizes.items()}
    oe = {"values": VALUE_NAMES["log_oe"]}
    flat = {c: (i, j, np.ones(len(i))) for c, (i, j, _) in pixels.items()}
    write_cool(tmp_path / "flat.cool", sizes, 10, flat, valid, oe)
    truth = {c: (i, j, np.where(j - i < 8, v / decay[np.minimum(j - i, 7)], 1.0)) for c, (i, j, v) in pixels.items()}
    write_cool(tmp_path / "true_oe.cool", sizes, 10, truth, valid, oe)
    windows = pd.DataFrame({"chrom": ["train", "test", "test"], "start": [0, 0, 80], "end": [80, 80, 160],
                            "split": ["train", "test", "test"]})
    checkpoint = {"window_size": 80, "bin_size": 10, "contact_scale": 1.0}
    scores = {name: evaluate_checkpoint(predicted_path=tmp_path / f"{name}.cool", checkpoint=checkpoint,
                                        windows=windows, experimental=experimental, settings=SETTINGS, name=name)
              for name in ("flat", "true_oe")}
    model, baseline = scores["flat"].iloc[0], scores["flat"].iloc[1]
    for metric in ("pearson_log1p", "spearman_log1p", "scc", "n_pixels"):
        assert model[metric] == pytest.approx(baseline[metric])
    assert baseline["pearson_oe"] == pytest.approx(0.0, abs=1e-9)
    best = scores["true_oe"].iloc[0]
    assert best["pearson_oe"] == pytest.approx(1.0) and best["pearson_log1p"] == pytest.approx(1.0)
