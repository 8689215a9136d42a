"""The test chromosome's MIX-HIC table (hicmodels.multimodal.scores): baseline offsets and the contract's rows."""

import numpy as np
import pytest

from hicmodels.evaluation.mixhic import window_decay
from hicmodels.multimodal.scores import COLUMNS, baseline_windows, held_out_table

BINS = 3


def decay_map(distance, law):
    """log1p window of a y segment ``distance`` bins after x, contact ``law(offset)``."""
    offsets = np.abs(distance + np.arange(BINS)[None, :] - np.arange(BINS)[:, None])
    return np.log1p(law(offsets))


def law(offset):
    return 10.0 / (offset + 1)


def test_window_decay_is_the_mean_contact_per_genomic_offset():
    maps = np.stack([decay_map(0, law), decay_map(BINS, law)])
    np.testing.assert_allclose(window_decay(maps, [0, BINS]), law(np.arange(2 * BINS)))
    # two diagonal windows of different strength: each offset averages over both, pixel by pixel
    weak = np.stack([decay_map(0, law), decay_map(0, lambda o: law(o) / 2)])
    np.testing.assert_allclose(window_decay(weak, [0, 0]), 0.75 * law(np.arange(BINS)))


def test_the_table_has_the_papers_rows_and_the_baseline_recovers_a_pure_decay():
    rng = np.random.default_rng(0)
    train = np.stack([decay_map(d, law) for d in (0, BINS, 0)])
    observed = np.stack([decay_map(d, law) for d in (0, BINS)])
    predicted = observed + rng.normal(0, 0.1, observed.shape)
    table = held_out_table("mix", maps={"predicted": predicted, "observed": observed, "distances": np.array([0, BINS]),
                                    "train_observed": train, "train_distances": np.array([0, BINS, 0])},
                       loops={"probabilities": np.array([0.9, 0.8, 0.2, 0.6]), "labels": np.array([1, 1, 0, 0])},
                       cage={"predicted": np.array([[1.0, 2, 3, 4]]), "observed": np.array([[2.0, 4, 6, 8]])})
    assert list(table.columns) == COLUMNS
    assert table[["table", "task", "predictor", "metric"]].values.tolist() == [
        [2, "hic", "mix", "pearson"], [2, "hic", "mix", "r2"],
        [2, "hic", "distance_decay", "pearson"], [2, "hic", "distance_decay", "r2"],
        [3, "loops", "mix", "precision"], [3, "loops", "mix", "recall"], [3, "loops", "mix", "f1"],
        [3, "loops", "mix", "auroc"], [4, "cage", "mix", "pearson"], [4, "cage", "mix", "r2"]]
    value = table.set_index(["predictor", "task", "metric"])["value"]
    assert value["distance_decay", "hic", "r2"] == pytest.approx(1.0)  # the maps are the decay itself
    assert value["mix", "hic", "r2"] < 1.0
    assert value["mix", "loops", "precision"] == pytest.approx(2 / 3) and value["mix", "loops", "recall"] == 1.0
    assert value["mix", "loops", "auroc"] == pytest.approx(1.0)
    assert value["mix", "cage", "pearson"] == pytest.approx(1.0)


def test_offsets_beyond_the_training_windows_take_the_farthest_mean():
    train = np.stack([decay_map(0, law)])
    baseline = baseline_windows(train, [0], np.array([0, BINS]), BINS)
    np.testing.assert_allclose(baseline[0], decay_map(0, law))
    # the far window's offsets 1..5: offsets 1 and 2 as trained, 3..5 at the offset-2 mean
    offsets = BINS + np.arange(BINS)[None, :] - np.arange(BINS)[:, None]
    np.testing.assert_allclose(baseline[1], np.log1p(law(np.minimum(offsets, BINS - 1))))
