"""Structure preprocessing of paper section 4.1 and the per-bin token layout of the VAE.

Each structure is centred (centre of mass of its present beads at the origin), scaled so that the
mean Euclidean norm of its present beads is 1, and, for training only, rotated by a uniformly
random rotation (a unit quaternion uniform on S^3, i.e. Haar-uniform on SO(3)).

Token layout (section 4.1): one token per Hi-C bin holding, for each chromosome copy and each of
the bin's beads, ``x, y, z, m`` (``m`` the replication mask: 1 where the bead exists). The paper's
E. coli tokens are 2 copies x 2 beads x 4 = 16 channels; the order here is copy, then bead, then
``x, y, z, m``.
"""

import numpy as np
from scipy.spatial.transform import Rotation


def centre_and_scale(coords, mask):
    """Centre each structure on its present beads and scale their mean norm to 1.

    Parameters
    ----------
    coords : numpy.ndarray
        (structures, copies, beads, 3) coordinates.
    mask : numpy.ndarray
        (structures, copies, beads) 1 where a bead exists (absent beads are ignored and set to 0).

    Returns
    -------
    coords : numpy.ndarray
        The normalised coordinates (float64).
    scale : numpy.ndarray
        (structures,) the mean bead norm each structure was divided by.
    """
    coords = np.asarray(coords, dtype=np.float64)
    present = np.asarray(mask, dtype=bool)[..., None]
    count = present.sum(axis=(1, 2))
    centre = np.where(present, coords, 0.0).sum(axis=(1, 2)) / count
    centred = np.where(present, coords - centre[:, None, None, :], 0.0)
    norms = np.linalg.norm(centred, axis=-1)
    scale = norms.sum(axis=(1, 2)) / count[:, 0]
    return centred / scale[:, None, None, None], scale


def uniform_quaternions(n, rng):
    """``n`` unit quaternions ``(w, x, y, z)`` uniform on the 3-sphere (Shoemake, Graphics Gems III, 1992)."""
    u1, u2, u3 = rng.random((3, n))
    a, b = np.sqrt(1 - u1), np.sqrt(u1)
    return np.stack([a * np.sin(2 * np.pi * u2), a * np.cos(2 * np.pi * u2),
                     b * np.sin(2 * np.pi * u3), b * np.cos(2 * np.pi * u3)], axis=-1)


def random_rotations(n, rng):
    """``n`` (3, 3) rotation matrices uniform on SO(3) (section 4.1): uniform unit quaternions, converted
    by scipy (the quaternion map is the double cover of SO(3), so the matrices are Haar-uniform)."""
    return Rotation.from_quat(uniform_quaternions(n, rng), scalar_first=True).as_matrix()


def rotate(coords, rotations):
    """Rotate each structure of (structures, copies, beads, 3) ``coords`` by its (3, 3) matrix."""
    return np.einsum("sij,scbj->scbi", rotations, coords)


def to_tokens(coords, mask, beads_per_bin):
    """(structures, copies, beads, 3) coordinates + masks -> (structures, bins, copies * beads_per_bin * 4)."""
    structures, copies, beads, _ = coords.shape
    if beads % beads_per_bin:
        raise ValueError(f"{beads} beads do not split into bins of {beads_per_bin}")
    features = np.concatenate([coords, np.asarray(mask, dtype=coords.dtype)[..., None]], axis=-1)
    features = features.reshape(structures, copies, beads // beads_per_bin, beads_per_bin * 4)
    return features.transpose(0, 2, 1, 3).reshape(structures, beads // beads_per_bin, -1)


def from_tokens(tokens, copies, beads_per_bin):
    """Inverse of :func:`to_tokens`: (structures, copies, beads, 3) coordinates and (…, beads) masks."""
    structures, bins, _ = tokens.shape
    features = tokens.reshape(structures, bins, copies, beads_per_bin, 4).transpose(0, 2, 1, 3, 4)
    features = features.reshape(structures, copies, bins * beads_per_bin, 4)
    return features[..., :3], features[..., 3]
