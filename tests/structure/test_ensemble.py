import numpy as np
import pytest

from hicmodels.structure.ensemble import (
    bin_contact_map,
    contact_frequency,
    contact_probability,
    drmsd_matrix,
    map_scc,
    mean_bond_length,
    mean_pairwise_drmsd,
    pairwise_distances,
    perturbation_ensemble,
    separations,
)


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


def test_bin_contact_map_averages_each_bins_bead_pairs():
    # one structure, two bins of two beads: beads 0, 1, 2 within reach of each other, bead 3 far
    coords = np.array([[[0.0, 0, 0], [1, 0, 0], [2, 0, 0], [10, 0, 0]]])
    beads = contact_frequency(coords, 2.5)
    assert beads[0, 2] == 1 and beads[2, 3] == 0
    # bin 0 = beads 0, 1; bin 1 = beads 2, 3: of the four cross pairs, (0,2) and (1,2) touch
    assert np.array_equal(bin_contact_map(coords, 2.5, 2), [[1.0, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="whole number of bins"):
        bin_contact_map(coords, 2.5, 3)
    # three bins of two beads against block means written out
    many = np.random.default_rng(0).normal(size=(5, 6, 3))
    beads = contact_frequency(many, 1.5)
    blocks = [[beads[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].mean() for j in range(3)] for i in range(3)]
    assert np.allclose(bin_contact_map(many, 1.5, 2), blocks)


def test_circular_contact_probability_uses_the_shorter_way_round():
    n = 10
    decay = 1.0 / (1 + np.arange(n // 2 + 1))
    ring = decay[separations(n, circular=True)]  # a map of a ring: contact by circular separation
    assert np.allclose(contact_probability(ring, circular=True), decay)
    linear = contact_probability(ring, circular=False)
    assert len(linear) == n
    # read linearly, a ring's P(s) is symmetric: s and N - s are the same separation
    assert np.allclose(linear[1:], linear[1:][::-1])
    assert not np.allclose(linear[1:], np.sort(linear[1:])[::-1])  # so it is not monotone
    # a linear chain's map (decay by |i - j|) is not symmetric read the same way
    chain = 1.0 / (1 + separations(n, circular=False))
    p = contact_probability(chain, circular=False)
    assert np.allclose(p, 1.0 / (1 + np.arange(n)))
    assert separations(5, True)[0].tolist() == [0, 1, 2, 2, 1]


def test_contact_probability_ignores_missing_pixels():
    m = np.ones((4, 4))
    m[0, 1] = m[1, 0] = np.nan
    m[1, 2] = m[2, 1] = 4.0
    # separation 1 (linear): pairs (1,2), (2,3) twice each, (0,1) missing: (4 + 1) / 2
    assert contact_probability(m, circular=False)[1] == pytest.approx(2.5)


def test_drmsd_by_hand():
    line = np.array([[0.0, 0, 0], [1, 0, 0], [2, 0, 0]])
    stretched = 2 * line  # internal distances (2, 4, 2) against (1, 2, 1): mean square (1 + 4 + 1) / 3
    rotation = np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])
    moved = line @ rotation.T + [5.0, -3, 2]  # a rigid motion changes no internal distance
    matrix = drmsd_matrix(np.stack([line, stretched, moved]))
    assert matrix[0, 1] == pytest.approx(np.sqrt(2))
    assert matrix[0, 2] == pytest.approx(0, abs=1e-7)
    assert np.allclose(matrix, matrix.T)
    assert mean_pairwise_drmsd(np.stack([line, stretched, moved])) == pytest.approx(2 * np.sqrt(2) / 3)


def test_drmsd_matches_a_loop_over_pairs():
    coords = np.random.default_rng(1).normal(size=(5, 7, 3))
    upper = np.triu_indices(7, k=1)
    d = pairwise_distances(coords)[:, upper[0], upper[1]]
    expected = np.array([[np.sqrt(np.mean((a - b) ** 2)) for b in d] for a in d])
    assert np.allclose(drmsd_matrix(coords), expected)


def test_perturbation_baseline_is_twice_sigma_and_reproduces_the_papers_ratio():
    # a random-walk chain with the paper's mean bond length 0.362 (section 5)
    rng = np.random.default_rng(0)
    steps = rng.normal(size=(300, 3))
    chain = np.cumsum(0.362 * steps / np.linalg.norm(steps, axis=1, keepdims=True), axis=0)
    assert mean_bond_length(chain[None]) == pytest.approx(0.362)
    baseline = mean_pairwise_drmsd(perturbation_ensemble(chain, 20, sigma=0.0362, seed=1))
    # the paper's baseline: 0.072, 0.2 bond lengths
    assert baseline == pytest.approx(0.072, abs=0.002)
    double = mean_pairwise_drmsd(perturbation_ensemble(chain, 20, sigma=0.0724, seed=1))
    assert double == pytest.approx(2 * baseline, rel=0.03)
    first, again = perturbation_ensemble(chain, 3, 0.1, seed=2), perturbation_ensemble(chain, 3, 0.1, seed=2)
    assert np.array_equal(first, again)


def test_map_scc_is_one_for_the_same_map_and_reads_only_its_offsets():
    rng = np.random.default_rng(0)
    n = 60
    base = 1.0 / (1 + separations(n, circular=False)) * rng.lognormal(0, 0.3, (n, n))
    base = np.triu(base) + np.triu(base, 1).T
    assert map_scc(base, base, h=1, max_offset=10) == pytest.approx(1.0)
    far = base.copy()
    noise = rng.lognormal(0, 1.0, (n, n))
    far[separations(n, False) > 10] *= (np.triu(noise) + np.triu(noise, 1).T)[separations(n, False) > 10]
    # changes beyond offset 10 (plus the smoothing's reach h) are not scored at max_offset 8
    assert map_scc(far, base, h=1, max_offset=8) == pytest.approx(1.0)
    assert map_scc(far, base, h=1, max_offset=20) < 0.9
    shuffled = rng.permutation(base.ravel()).reshape(n, n)
    assert map_scc((shuffled + shuffled.T) / 2, base, h=1, max_offset=10) < 0.5


def test_map_scc_is_the_projects_hicrep_scc_with_its_smoothing_and_offsets():
    from hicmodels.evaluation.metrics import scc_hicrep
    from hicmodels.hic.band import band_from_dense

    rng = np.random.default_rng(3)
    n = 40
    maps = []
    for _ in range(2):
        m = 1.0 / (1 + separations(n, circular=False)) * rng.lognormal(0, 0.5, (n, n))
        maps.append(np.triu(m) + np.triu(m, 1).T)
    values = {}
    for h, offset in ((0, 6), (2, 6), (2, 12)):
        values[h, offset] = map_scc(*maps, h=h, max_offset=offset)
        expected = scc_hicrep(band_from_dense(maps[0], offset + 1), band_from_dense(maps[1], offset + 1), h=h,
                              max_offset=offset)
        assert values[h, offset] == pytest.approx(expected)
    assert len({round(v, 6) for v in values.values()}) == 3  # each setting changes the number
