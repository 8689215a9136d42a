"""Contact maps of structure ensembles: the bridge between 3D coordinates and Hi-C maps."""

import numpy as np


def pairwise_distances(coords):
    """Euclidean distances between all beads of each structure.

    Parameters
    ----------
    coords : numpy.ndarray
        (structures, beads, 3) coordinates.

    Returns
    -------
    numpy.ndarray
        (structures, beads, beads) distances.
    """
    coords = np.asarray(coords, dtype=np.float64)
    if coords.ndim != 3 or coords.shape[-1] != 3:
        raise ValueError(f"coordinates must be (structures, beads, 3), got {coords.shape}")
    diff = coords[:, :, None, :] - coords[:, None, :, :]
    return np.sqrt(np.einsum("sijk,sijk->sij", diff, diff))


def contact_frequency(coords, threshold):
    """Fraction of the ensemble's structures in which two beads are within ``threshold``.

    The ensemble-averaged contact map of paper section 4.1 (a pair is in contact when its distance
    is below a cut-off); the diagonal is 1.

    Parameters
    ----------
    coords : numpy.ndarray
        (structures, beads, 3) coordinates.
    threshold : float
        Contact distance, in the coordinates' unit.

    Returns
    -------
    numpy.ndarray
        (beads, beads) symmetric contact frequencies in [0, 1].
    """
    return (pairwise_distances(coords) < threshold).mean(axis=0)
