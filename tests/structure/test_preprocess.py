import numpy as np
import pytest

from hicmodels.structure.ensemble import pairwise_distances
from hicmodels.structure.preprocess import (
    centre_and_scale,
    from_tokens,
    random_rotations,
    rotate,
    to_tokens,
    uniform_quaternions,
)


def test_rotations_are_proper_and_uniform():
    rotations = random_rotations(20000, np.random.default_rng(0))
    assert np.allclose(rotations @ rotations.transpose(0, 2, 1), np.eye(3), atol=1e-12)
    assert np.allclose(np.linalg.det(rotations), 1.0)
    # Haar-uniform: a rotated unit vector is uniform on the sphere, mean 0 and second moment I/3
    # (sd of a mean of 20,000 coordinates of variance 1/3: 0.004).
    for axis in np.eye(3):
        v = rotations @ axis
        assert np.abs(v.mean(axis=0)).max() < 0.02
        assert np.allclose(v.T @ v / len(v), np.eye(3) / 3, atol=0.02)
    # The rotation angle of a Haar rotation has density (1 - cos a) / pi: mean pi/2 + 2/pi.
    angle = np.arccos(np.clip((np.trace(rotations, axis1=1, axis2=2) - 1) / 2, -1, 1))
    assert angle.mean() == pytest.approx(np.pi / 2 + 2 / np.pi, abs=0.02)
    q = uniform_quaternions(5, np.random.default_rng(1))
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0)


def test_centring_scaling_and_rotation_keep_distances_up_to_the_scale():
    rng = np.random.default_rng(2)
    coords = rng.normal(size=(4, 2, 10, 3)) * 7 + 3
    mask = np.ones((4, 2, 10))
    mask[:, 1, 6:] = 0  # the second copy is replicated on its first 6 beads only
    normalised, scale = centre_and_scale(coords, mask)
    present = mask.astype(bool)
    for s in range(4):
        beads = normalised[s][present[s]]
        assert np.allclose(beads.mean(axis=0), 0.0)
        assert np.linalg.norm(beads, axis=1).mean() == pytest.approx(1.0)
        original = coords[s][present[s]]
        assert np.allclose(pairwise_distances(beads[None])[0] * scale[s], pairwise_distances(original[None])[0])
    assert np.all(normalised[:, 1, 6:] == 0)
    rotated = rotate(normalised, random_rotations(4, rng))
    flat = rotated[:, 0]
    assert np.allclose(pairwise_distances(flat), pairwise_distances(normalised[:, 0]))
    assert not np.allclose(flat, normalised[:, 0])


def test_tokens_hold_copy_bead_xyzm_per_bin_and_round_trip():
    coords = np.arange(2 * 2 * 4 * 3, dtype=float).reshape(2, 2, 4, 3)
    mask = np.ones((2, 2, 4))
    mask[:, 1, 2:] = 0
    tokens = to_tokens(coords, mask, beads_per_bin=2)
    assert tokens.shape == (2, 2, 16)  # the paper's 16 channels per bin (section 4.1)
    # Bin 1 of structure 0: copy 0's beads 2 and 3, then copy 1's (absent).
    assert np.array_equal(tokens[0, 1], np.r_[coords[0, 0, 2], 1, coords[0, 0, 3], 1, coords[0, 1, 2], 0,
                                              coords[0, 1, 3], 0])
    back, back_mask = from_tokens(tokens, copies=2, beads_per_bin=2)
    assert np.array_equal(back, coords) and np.array_equal(back_mask, mask)
    with pytest.raises(ValueError, match="do not split"):
        to_tokens(coords, mask, beads_per_bin=3)
