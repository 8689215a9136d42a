"""FID's image scaling of several maps at once, and a single window with a weights file present, by hand."""

import numpy as np
import torch

from hicmodels.evaluation.fid import as_images, inception_fid


def test_each_map_is_scaled_on_its_own_range():
    maps = np.array([[[1.0, 3.0], [3.0, np.nan]], [[10.0, 20.0], [20.0, 30.0]], [[7.0, 7.0], [7.0, 7.0]]])
    images = as_images(maps)
    assert images.shape == (3, 3, 2, 2)
    assert images[0, 0].tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert images[1, 0].tolist() == [[0.0, 0.5], [0.5, 1.0]]  # (x - 10) / 20, not over the pooled 1..30
    assert images[2, 0].tolist() == [[0.0, 0.0], [0.0, 0.0]]  # a flat map has no range: all 0
    assert torch.equal(images[:, 0], images[:, 1]) and torch.equal(images[:, 0], images[:, 2])


def test_one_window_is_not_enough_even_with_weights(tmp_path, caplog):
    weights = tmp_path / "inception.pt"
    weights.write_bytes(b"")  # present: the window count is what stops it, before the weights are read
    value, note = inception_fid(np.ones((1, 4, 4)), np.ones((1, 4, 4)), weights)
    assert np.isnan(value) and note == "FID unavailable: 1 window(s) scored, a covariance needs 2"
    assert note in caplog.text
