import numpy as np
import pytest

from hicmodels.structure.ensemble import contact_frequency, pairwise_distances


def test_contact_frequency_counts_structures_by_hand():
    # Two structures of three beads on a line: spacing 1 in the first, 3 in the second.
    line = np.array([[0.0, 0, 0], [1, 0, 0], [2, 0, 0]])
    coords = np.stack([line, 3 * line])
    expected = np.array([[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]])
    assert np.array_equal(contact_frequency(coords, threshold=1.5), expected)
    # The cut-off is strict: a distance equal to it is no contact.
    assert contact_frequency(coords, threshold=1.0)[0, 1] == 0.0


def test_pairwise_distances_are_euclidean_and_shape_checked():
    coords = np.array([[[0.0, 0, 0], [3, 4, 0]]])
    assert np.allclose(pairwise_distances(coords)[0], [[0, 5], [5, 0]])
    with pytest.raises(ValueError, match="structures, beads, 3"):
        pairwise_distances(np.zeros((2, 3)))
