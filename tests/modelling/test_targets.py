"""Akita's target preprocessing against a hand-written reference (O/E per diagonal, clip, interpolation, smoothing)."""

import numpy as np
import pytest
from cooltools.lib import numutils

from hicmodels.modelling.targets import akita_target, target_transform

N = 40
# below ~33 bins cooltools' distance bins (edge ratio 1.03) hold one diagonal each: the reference's O/E per
# diagonal is cooltools' there; compared: pixels 2 bins inside the edges (scipy reflects there) up to distance 28
I, J = np.indices((N, N))
COMPARED = (np.minimum(I, J) >= 2) & (np.maximum(I, J) < N - 2) & (np.abs(I - J) <= 28)


def synthetic_window(seed, masked=()):
    """A symmetric map: distance decay times log-normal structure, one 100-fold pixel, ``masked`` bins NaN."""
    rng = np.random.default_rng(seed)
    i, j = np.indices((N, N))
    structure = rng.normal(0, 0.3, (N, N))
    balanced = np.exp(np.triu(structure) + np.triu(structure, 1).T) / (1.0 + np.abs(i - j))
    balanced[12, 20] = balanced[20, 12] = 100 * balanced[12, 20]
    balanced[list(masked), :] = np.nan
    balanced[:, list(masked)] = np.nan
    return balanced


def reference(balanced, diagonal_offset=2):
    """Akita's steps written out: O/E per diagonal, log, clip, masked bins from their two neighbours, 5x5 Gaussian."""
    masked = np.isnan(balanced).all(axis=0)
    logged = np.full((N, N), np.nan)
    for d in range(N):
        i = np.arange(N - d)
        ok = ~masked[i] & ~masked[i + d]
        ratio = balanced[i[ok], i[ok] + d] / balanced[i[ok], i[ok] + d].mean()
        logged[i[ok], i[ok] + d] = logged[i[ok] + d, i[ok]] = np.clip(np.log(ratio), -2, 2)
    for b in np.flatnonzero(masked):  # linear interpolation across one masked bin
        logged[b, :] = (logged[b - 1, :] + logged[b + 1, :]) / 2
        logged[:, b] = (logged[:, b - 1] + logged[:, b + 1]) / 2
    i, j = np.indices((N, N))
    logged[np.abs(i - j) < diagonal_offset] = 0
    weights = np.exp(-0.5 * np.arange(-2, 3) ** 2)
    weights /= weights.sum()  # sigma 1, width 5
    smoothed = np.full((N, N), np.nan)
    for r in range(2, N - 2):
        for c in range(2, N - 2):
            smoothed[r, c] = weights @ logged[r - 2:r + 3, c - 2:c + 3] @ weights
    return smoothed


def test_well_covered_window_matches_the_hand_reference_and_clips():
    balanced = synthetic_window(seed=0)
    got = akita_target(balanced, balanced * 1e4, diagonal_offset=2)
    expected = reference(balanced)
    np.testing.assert_allclose(got[COMPARED], expected[COMPARED], atol=1e-5)
    assert np.array_equal(got, got.T)
    # the 100-fold pixel is clipped to 2 before smoothing: its smoothed value is bounded by 2 x centre weight...
    centre = (np.exp(0) / np.exp(-0.5 * np.arange(-2, 3) ** 2).sum()) ** 2
    assert got[12, 20] < 2 * centre + 0.5


def test_distance_decay_alone_is_zero_everywhere():
    i, j = np.indices((N, N))
    balanced = 1.0 / (1.0 + np.abs(i - j)) ** 1.2
    assert np.abs(akita_target(balanced, balanced * 1e4, diagonal_offset=2)[COMPARED]).max() < 1e-6


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # cooltools' empty pools
def test_masked_bin_is_interpolated_from_its_neighbours():
    balanced = synthetic_window(seed=1, masked=(17,))
    counts = np.nan_to_num(balanced * 1e4)
    got = akita_target(balanced, counts, diagonal_offset=2)
    assert np.isfinite(got).all()
    # cooltools pools the pixels sharing a 2x2 block with the masked bin even at high counts (as in Akita)
    pooled = numutils.adaptive_coarsegrain(balanced, counts, cutoff=2, max_levels=8)
    np.testing.assert_allclose(got[COMPARED], reference(pooled)[COMPARED], atol=1e-5)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_low_count_pixels_are_coarse_grained_first():
    """A pixel with no raw counts is pooled with its neighbours (cutoff 2) instead of reading as log 0 -> -2."""
    balanced = synthetic_window(seed=2)
    counts = np.full((N, N), 50.0)
    counts[8:10, 24:26] = counts[24:26, 8:10] = 1.0  # a 2x2 block below the cutoff: pooled one level up
    got = akita_target(balanced, counts, diagonal_offset=2)
    pooled = numutils.adaptive_coarsegrain(balanced, counts, cutoff=2, max_levels=8)
    assert not np.allclose(pooled, balanced)
    np.testing.assert_allclose(got[COMPARED], reference(pooled)[COMPARED], atol=1e-5)
    assert not np.allclose(got[COMPARED], reference(balanced)[COMPARED], atol=1e-3)


def test_window_without_contacts_is_all_nan_and_transform_defaults_to_log1p():
    assert np.isnan(akita_target(np.full((N, N), np.nan), np.zeros((N, N)), 2)).all()
    assert target_transform({"architecture": "encoder_decoder"}) == "log1p"
    assert target_transform({"architecture": "akita", "target_transform": "akita"}) == "akita"


@pytest.mark.parametrize("offset", [1, 3])
def test_first_diagonals_are_zero_before_smoothing(offset):
    balanced = synthetic_window(seed=3)
    got = akita_target(balanced, balanced * 1e4, diagonal_offset=offset)
    np.testing.assert_allclose(got[COMPARED], reference(balanced, offset)[COMPARED], atol=1e-5)
