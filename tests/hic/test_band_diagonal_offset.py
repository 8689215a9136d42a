"""The stored band of a model that predicts no pixel on its first diagonals (Akita's diagonal_offset)."""

import numpy as np

from hicmodels.hic.stitch import diagonal_coverage, full_band


def test_unpredicted_leading_diagonals_do_not_end_the_band():
    possible = np.array([10, 9, 8, 7, 6, 5])
    # diagonals 0 and 1 never predicted (Akita's offset 2), 2-4 fully, 5 at 3 of 5
    predicted = np.array([0, 0, 8, 7, 6, 3])
    assert full_band(possible, predicted, 0.99) == 4
    assert full_band(possible, predicted, 0.5) == 5
    # a gap after the first predicted diagonal still ends it
    assert full_band(possible, np.array([0, 0, 8, 0, 6, 5]), 0.99) == 2
    assert full_band(possible, np.array([0, 0, 7, 7, 6, 5]), 0.99) == -1  # the first predicted diagonal is short
    assert full_band(possible, np.zeros(6, int), 0.99) == -1  # nothing predicted


def test_an_offset_map_keeps_its_predicted_diagonals():
    """Pixels of 12 bins at offsets 2..5 only: the band reaches diagonal 5."""
    rows, cols = np.triu_indices(12, 2)
    keep = cols - rows <= 5
    pixels = {"c": (rows[keep], cols[keep], np.ones(keep.sum()))}
    possible, predicted = diagonal_coverage(pixels, {"c": np.ones(12, bool)})
    assert predicted[:2].tolist() == [0, 0] and full_band(possible, predicted, 0.99) == 5
