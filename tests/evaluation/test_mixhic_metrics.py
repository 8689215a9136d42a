"""MIX-HIC's metrics and distance-decay windows against hand computation and scikit-learn."""

import numpy as np
import pytest
from sklearn import metrics as sk

from hicmodels.evaluation import mixhic


def test_distance_decay_windows_by_hand():
    contacts = np.array([[4.0, 2.0, 1.0], [2.0, 6.0, 3.0], [1.0, 3.0, 8.0]])
    decay = mixhic.distance_decay([np.log1p(contacts)], 3)
    assert decay.tolist() == pytest.approx([6.0, 2.5, 1.0])
    windows = mixhic.decay_windows(decay, [0, 1], 2)
    # window 0 (x = y): offsets [[0, 1], [1, 0]]; window 1 (y one bin after x): [[1, 2], [0, 1]]
    np.testing.assert_allclose(windows[0], np.log1p([[6.0, 2.5], [2.5, 6.0]]))
    np.testing.assert_allclose(windows[1], np.log1p([[2.5, 1.0], [6.0, 2.5]]))


def test_per_sample_scores_average_over_samples():
    observed = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 1.0, 0.0]])
    predicted = np.array([[1.0, 2.0, 3.0, 5.0], [0.5, 0.5, 0.5, 0.5]])
    r2 = [1 - 1 / 5, 1 - 1.0 / 1.0]  # SS_res / SS_tot per sample
    scores = mixhic.per_sample(predicted, observed)
    assert scores["r2"] == pytest.approx(np.mean(r2))
    pearson0 = np.corrcoef(predicted[0], observed[0])[0, 1]
    # the second prediction is constant: its r is undefined and the mean is NaN, not silently dropped
    assert np.isnan(scores["pearson"]) or scores["pearson"] == pytest.approx(pearson0)


def test_loop_scores_match_scikit_learn():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    probabilities = np.clip(0.3 * labels + rng.random(200) * 0.7, 0, 1)
    scores = mixhic.loop_scores(probabilities, labels)
    called = probabilities > 0.5
    assert scores["auroc"] == pytest.approx(sk.roc_auc_score(labels, probabilities), abs=1e-6)
    assert scores["precision"] == pytest.approx(sk.precision_score(labels, called), abs=1e-6)
    assert scores["recall"] == pytest.approx(sk.recall_score(labels, called), abs=1e-6)
    assert scores["f1"] == pytest.approx(sk.f1_score(labels, called), abs=1e-6)


def test_window_decay_by_hand():
    # window 0 (x = y) offsets [[0, 1], [1, 0]]; window 1 (y 2 bins after x) [[2, 3], [1, 2]]
    contacts = np.array([[[4.0, 2.0], [3.0, 6.0]], [[1.0, 0.0], [5.0, 2.0]]])
    decay = mixhic.window_decay(np.log1p(contacts), [0, 2])
    assert decay.tolist() == pytest.approx([(4 + 6) / 2, (2 + 3 + 5) / 3, (1 + 2) / 2, 0.0])
    assert mixhic.window_offsets([2], 2).tolist() == [[[2, 3], [1, 2]]]
    # offsets no pixel reaches are NaN, not 0
    decay = mixhic.window_decay(np.log1p(contacts[1:]), [2])
    assert np.isnan(decay[0]) and decay[1:].tolist() == pytest.approx([5.0, 1.5, 0.0])
