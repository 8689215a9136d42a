import numpy as np
import pytest

from hicmodels.simulation.gaussian_chain import (
    ensemble_pairs,
    expected_contacts,
    expected_squared_distances,
    kirchhoff,
    random_loops,
    sample_structures,
)
from hicmodels.structure.ensemble import contact_frequency, pairwise_distances


def test_expected_squared_distances_are_rouse_and_resistance_distances():
    n = 12
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    d = np.abs(i - j)
    assert np.allclose(expected_squared_distances(kirchhoff(n)), 3 * d)
    # A ring: two parallel paths of d and n - d bonds.
    assert np.allclose(expected_squared_distances(kirchhoff(n, circular=True)), 3 * d * (n - d) / n)
    # A crosslink of stiffness 4 across 7 bonds: parallel springs, effective compliance 1 / (4 + 1/7).
    r2 = expected_squared_distances(kirchhoff(n, loops=[(2, 9)], loop_stiffness=4.0))
    assert r2[2, 9] == pytest.approx(3 / (4 + 1 / 7))
    assert r2[0, 1] == pytest.approx(3.0)  # outside the loop, a bond is a bond


@pytest.mark.parametrize("circular", [False, True])
def test_sampled_ensembles_match_the_analytic_distances_and_contacts(circular):
    n, count = 16, 4000
    laplacian = kirchhoff(n, loops=[(1, 12), (5, 9)], circular=circular, loop_stiffness=3.0)
    coords = sample_structures(laplacian, count, np.random.default_rng(7))
    assert coords.shape == (count, n, 3)
    assert np.allclose(coords.mean(axis=1), 0.0)  # centre of mass fixed
    expected = expected_squared_distances(laplacian)
    observed = (pairwise_distances(coords) ** 2).mean(axis=0)
    # |r|^2 = s chi2_3 with s = E|r|^2 / 3: its sd is sqrt(6) s = sqrt(2/3) E|r|^2.
    stderr = np.sqrt(2 / 3) * expected / np.sqrt(count)
    off = ~np.eye(n, dtype=bool)
    assert np.abs((observed - expected)[off] / stderr[off]).max() < 5
    p = expected_contacts(laplacian, threshold=2.0)
    freq = contact_frequency(coords, threshold=2.0)
    assert np.abs(freq - p).max() < 5 * np.sqrt(0.25 / count)
    assert np.allclose(np.diag(p), 1.0)
    # The loop anchors are in contact far more often than beads as far apart along a plain chain.
    plain = expected_contacts(kirchhoff(n, circular=circular), threshold=2.0)
    assert p[1, 12] > 0.5 > 2 * plain[1, 12]


def test_sampling_is_seeded_and_a_wrong_axis_would_show():
    laplacian = kirchhoff(10, loops=[(0, 6)])
    a = sample_structures(laplacian, 50, np.random.default_rng(3))
    b = sample_structures(laplacian, 50, np.random.default_rng(3))
    assert a.tobytes() == b.tobytes()
    assert not np.array_equal(a, sample_structures(laplacian, 50, np.random.default_rng(4)))
    # Axes are independent and identically distributed.
    per_axis = a.reshape(-1, 3).var(axis=0)
    assert per_axis.max() / per_axis.min() < 1.5


def test_loops_and_ensemble_pairs():
    rng = np.random.default_rng(0)
    loops = random_loops(20, 4, rng, min_separation=5)
    assert len(set(loops)) == 4 and all(j - i >= 5 for i, j in loops)
    with pytest.raises(ValueError, match="do not fit"):
        random_loops(5, 3, rng, min_separation=4)
    with pytest.raises(ValueError, match="distinct beads"):
        kirchhoff(5, loops=[(2, 2)])
    structures, maps, loop_sets = ensemble_pairs(3, 200, 20, 2, threshold=2.0, seed=1, loop_stiffness=4.0)
    assert structures.shape == (3, 200, 20, 3) and maps.shape == (3, 20, 20)
    for coords, contact_map, loops in zip(structures, maps, loop_sets):
        assert np.array_equal(contact_map, contact_frequency(coords, 2.0))
        for i, j in loops:
            assert contact_map[i, j] > 0.4
    assert not np.array_equal(maps[0], maps[1])  # different loops, different maps
    again = ensemble_pairs(3, 200, 20, 2, threshold=2.0, seed=1, loop_stiffness=4.0)
    assert again[0].tobytes() == structures.tobytes()
    exact = ensemble_pairs(3, 200, 20, 2, threshold=2.0, seed=1, loop_stiffness=4.0, exact_maps=True)
    assert exact[0].tobytes() == structures.tobytes()  # the same draws, only the maps differ
    assert np.array_equal(exact[1][0], expected_contacts(kirchhoff(20, loop_sets[0], loop_stiffness=4.0), 2.0))
    assert np.abs(exact[1] - maps).max() < 0.15
