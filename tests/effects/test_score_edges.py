"""Edges of the windows scores look through, by hand (part 3 of issue 18: an off-by-one at the triangle's far
edge passed every test of test_scores.py, whose 4-bin maps end where the triangle ends)."""

import numpy as np
import pytest

from hicmodels.effects.scores import score_maps


def test_triangle_takes_the_pixels_within_its_bins_on_both_sides_of_the_centre():
    n = 6
    x_ref = np.abs(np.subtract.outer(np.arange(n), np.arange(n))).astype(float)
    x_alt = x_ref.copy()
    x_alt[0, 2] = x_alt[2, 0] = x_ref[0, 2] + 2  # inside: i = centre - 2
    x_alt[1, 4] = x_alt[4, 1] = x_ref[1, 4] + 2  # outside: j = centre + 2
    s = score_maps(np.expm1(x_ref), np.expm1(x_alt), centre=2, triangle_bins=2)
    # pixels (i, j) with centre - 2 <= i < centre <= j < centre + 2: (0,2) (0,3) (1,2) (1,3); one differs by 2
    assert s["triangle"] == pytest.approx(0.5)
