"""``predicted_band``'s cut and metadata from stitched pixels, worked out by hand for a fraction other than 0.99."""

import numpy as np
import pytest

from hicmodels.hic.assemble import predicted_band


def staggered_windows():
    """4 windows of 16 bins every 4 bins on a 32-bin chromosome, bins 28-31 in none (as in test_band_coverage).

    Diagonal k <= 12 is predicted at all 28 - k positions; k = 13, 14, 15 at 12, 8, 4 of 15, 14, 13.
    """
    starts = [0, 4, 8, 12]
    rows, cols = np.triu_indices(32)
    held = np.array([any(s <= i and j < s + 16 for s in starts) for i, j in zip(rows, cols)])
    valid = np.zeros(32, bool)
    valid[:28] = True
    return {"a": (rows[held], cols[held], np.ones(held.sum()))}, {"a": valid}


@pytest.mark.parametrize("fraction, last", [(0.99, 12), (0.8, 13), (0.5, 14), (0.3, 15)])
def test_band_follows_the_fraction_asked_for(fraction, last):
    pixels, valid = staggered_windows()
    got_last, band = predicted_band(pixels, valid, 10, fraction)
    assert got_last == last
    assert band["band_diagonals"] == last + 1 and band["max_predicted_distance_bp"] == 10 * last
    assert band["band_min_predicted"] == fraction
    assert band["diagonal_coverage"] == pytest.approx([1.0] * 13 + [12 / 15, 8 / 14, 4 / 13], abs=1e-6)


def test_no_band_and_diagonals_without_valid_pairs():
    # valid bins 0-2 only; pixels reach diagonal 4 through masked bins: diagonals 3 and 4 have no valid pair
    rows, cols = np.triu_indices(6)
    near = cols - rows <= 4
    valid = {"a": np.array([True, True, True, False, False, False])}
    last, band = predicted_band({"a": (rows[near], cols[near], np.ones(near.sum()))}, valid, 10, 0.99)
    assert last == 2 and band["diagonal_coverage"] == [1.0, 1.0, 1.0, 0.0, 0.0]
    # only the main diagonal's first bin stored: not even diagonal 0 is full
    last, band = predicted_band({"a": (np.array([0]), np.array([0]), np.ones(1))}, valid, 10, 0.99)
    assert last == -1 and band["band_diagonals"] == 0 and band["max_predicted_distance_bp"] == 0
    assert band["diagonal_coverage"] == pytest.approx([1 / 3])
