"""Gaussian (Rouse) chains with harmonic crosslinks: structure ensembles with an exact contact map.

A chain of ``n`` beads joined by harmonic springs (bonds between neighbours, optional ring closure,
and crosslinks at chosen bead pairs, e.g. loop anchors) has the Boltzmann density
``exp(-x^T L x / 2)`` per axis, with ``L`` the Kirchhoff (graph Laplacian) matrix of the springs.
Translations are its null space; fixing the centre of mass, coordinates are exactly
``N(0, pinv(L))`` per axis, so ensembles are drawn without molecular dynamics and their expected
squared distances, and contact probabilities, follow in closed form. This is the known-truth
training and test data of the structure generator (:mod:`hicmodels.structure.training`); the
confined, self-avoiding MD polymer of the paper (section 3.1) is :mod:`hicmodels.structure.polymer`.

Units: a bond of stiffness 1 has per-axis variance 1 in a free chain, so its mean squared length is 3.
"""

import numpy as np
from scipy import stats


def kirchhoff(n_beads, loops=(), circular=False, loop_stiffness=1.0):
    """The Kirchhoff matrix of a chain with crosslinks.

    Parameters
    ----------
    n_beads : int
        Beads of the chain.
    loops : sequence of (int, int)
        Bead pairs joined by a harmonic crosslink.
    circular : bool
        Also bond the last bead to the first (a circular chromosome).
    loop_stiffness : float
        Spring constant of a crosslink relative to a bond.

    Returns
    -------
    numpy.ndarray
        (n_beads, n_beads) Laplacian: ``L[i, i]`` the summed stiffness at bead ``i``, ``-k`` per spring.
    """
    springs = [(i, i + 1, 1.0) for i in range(n_beads - 1)]
    if circular:
        springs.append((n_beads - 1, 0, 1.0))
    for i, j in loops:
        if not (0 <= i < n_beads and 0 <= j < n_beads) or i == j:
            raise ValueError(f"crosslink ({i}, {j}) is not a pair of distinct beads of 0..{n_beads - 1}")
        springs.append((i, j, float(loop_stiffness)))
    laplacian = np.zeros((n_beads, n_beads))
    for i, j, k in springs:
        laplacian[i, i] += k
        laplacian[j, j] += k
        laplacian[i, j] -= k
        laplacian[j, i] -= k
    return laplacian


def expected_squared_distances(laplacian):
    """Exact ``E|x_i - x_j|^2`` of the chain: ``3 (C_ii + C_jj - 2 C_ij)`` with ``C = pinv(L)`` (3 axes)."""
    cov = np.linalg.pinv(laplacian, hermitian=True)
    d = np.diag(cov)
    return 3.0 * (d[:, None] + d[None, :] - 2.0 * cov)


def expected_contacts(laplacian, threshold):
    """Exact contact probability ``P(|x_i - x_j| < threshold)``.

    ``x_i - x_j`` is isotropic Gaussian with per-axis variance ``s = E|x_i - x_j|^2 / 3``, so
    ``|x_i - x_j|^2 / s`` is chi-squared with 3 degrees of freedom. The diagonal is 1.
    """
    per_axis = expected_squared_distances(laplacian) / 3.0
    with np.errstate(divide="ignore"):
        scaled = np.where(per_axis > 0, threshold**2 / np.where(per_axis > 0, per_axis, 1.0), np.inf)
    return stats.chi2.cdf(scaled, df=3)


def sample_structures(laplacian, n_structures, rng):
    """Exact draws of the chain: (n_structures, beads, 3) coordinates, centre of mass at the origin.

    ``x = U diag(1/sqrt(lambda)) z`` over the non-zero eigenpairs of ``L`` (one zero mode, the
    translation, for a connected chain), ``z`` standard normal from ``rng``.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(laplacian)
    keep = eigenvalues > 1e-9 * eigenvalues.max()
    basis = eigenvectors[:, keep] / np.sqrt(eigenvalues[keep])
    z = rng.standard_normal((n_structures, int(keep.sum()), 3))
    return np.einsum("bm,smk->sbk", basis, z)


def random_loops(n_beads, n_loops, rng, min_separation=3):
    """``n_loops`` distinct bead pairs ``(i, j)``, ``j - i >= min_separation``, sorted."""
    pairs = [(i, j) for i in range(n_beads) for j in range(i + min_separation, n_beads)]
    if n_loops > len(pairs):
        raise ValueError(f"{n_loops} loops do not fit on {n_beads} beads at separation {min_separation}")
    chosen = rng.choice(len(pairs), size=n_loops, replace=False)
    return sorted(pairs[k] for k in chosen)


def ensemble_pairs(n_ensembles, n_structures, n_beads, n_loops, threshold, seed, circular=False,
                   loop_stiffness=1.0, min_separation=3, exact_maps=False):
    """Ensembles with random loop sets and their ensemble contact maps: (structure, map) training pairs.

    As paper section 4.1 does with its MD pool, each ensemble's map is the contact frequency of its
    own ``n_structures`` structures (:func:`hicmodels.structure.ensemble.contact_frequency`), so a
    structure is paired with the map of the ensemble it belongs to; with ``exact_maps`` the map is
    the ensemble's exact expectation instead (:func:`expected_contacts`: the limit of infinitely many
    structures, without the sampling noise of a small ensemble).

    Returns
    -------
    structures : numpy.ndarray
        (n_ensembles, n_structures, n_beads, 3).
    maps : numpy.ndarray
        (n_ensembles, n_beads, n_beads) ensemble contact frequencies.
    loops : list of list of (int, int)
        Each ensemble's crosslinks.
    """
    from ..structure.ensemble import contact_frequency

    rng = np.random.default_rng(seed)
    structures, maps, loop_sets = [], [], []
    for _ in range(n_ensembles):
        loops = random_loops(n_beads, n_loops, rng, min_separation)
        laplacian = kirchhoff(n_beads, loops, circular, loop_stiffness)
        coords = sample_structures(laplacian, n_structures, rng)
        structures.append(coords)
        maps.append(expected_contacts(laplacian, threshold) if exact_maps else contact_frequency(coords, threshold))
        loop_sets.append(loops)
    return np.stack(structures), np.stack(maps), loop_sets
