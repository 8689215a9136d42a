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


def bin_contact_map(coords, threshold, beads_per_bin):
    """Ensemble contact map per Hi-C bin: the mean contact frequency of the bins' bead pairs.

    Paper 4.1 aggregates bin-bin contacts over an ensemble of structures with ``beads_per_bin``
    (2) beads per bin.

    Parameters
    ----------
    coords : numpy.ndarray
        (structures, bins * beads_per_bin, 3) coordinates, a bin's beads consecutive.
    threshold : float
        Contact distance.
    beads_per_bin : int

    Returns
    -------
    numpy.ndarray
        (bins, bins) symmetric contact frequencies in [0, 1].
    """
    beads = contact_frequency(coords, threshold)
    n_bins = beads.shape[0] // beads_per_bin
    if n_bins * beads_per_bin != beads.shape[0]:
        raise ValueError(f"{beads.shape[0]} beads are not a whole number of bins of {beads_per_bin}")
    return beads.reshape(n_bins, beads_per_bin, n_bins, beads_per_bin).mean(axis=(1, 3))


def separations(n, circular):
    """(n, n) genomic separation in bins: |i - j|, or min(|i - j|, n - |i - j|) on a circle (paper 5)."""
    offset = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    return np.minimum(offset, n - offset) if circular else offset


def contact_probability(contacts, circular):
    """P(s): the mean contact at each separation s over all bin pairs (NaN ignored).

    Parameters
    ----------
    contacts : numpy.ndarray
        (n, n) symmetric contact map.
    circular : bool
        Separation along a circle, min(|i-j|, N-|i-j|), as paper section 5 does for E. coli.

    Returns
    -------
    numpy.ndarray
        P(s) for s = 0 .. n // 2 (circular) or n - 1 (linear); NaN where no pair is finite.
    """
    contacts = np.asarray(contacts, dtype=np.float64)
    s = separations(contacts.shape[0], circular)
    finite = np.isfinite(contacts)
    length = s.max() + 1
    total = np.bincount(s[finite], weights=contacts[finite], minlength=length)
    count = np.bincount(s[finite], minlength=length)
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def map_scc(ensemble_map, input_map, h, max_offset):
    """HiCRep SCC between an ensemble's contact map and the input map (paper 5).

    The project's hicrep-equal :func:`hicmodels.evaluation.metrics.scc_hicrep` on the two maps'
    bands; like hicrep, strata are the matrix diagonals (linear offsets) also for circular maps.
    """
    from ..evaluation.metrics import scc_hicrep
    from ..hic.band import band_from_dense

    width = max_offset + 1
    return scc_hicrep(band_from_dense(np.asarray(ensemble_map, float), width),
                      band_from_dense(np.asarray(input_map, float), width), h=h, max_offset=max_offset)


def drmsd_matrix(coords):
    """dRMSD between every two structures: the RMS difference of their internal distances (paper 5).

    ``dRMSD(i, j) = sqrt(mean over bead pairs a < b of (D_i(a, b) - D_j(a, b))^2)``. The paper
    writes the normalisation as 2 / (L (L - 2)); the mean over the L (L - 1) / 2 pairs,
    2 / (L (L - 1)), is the usual dRMSD and is used here (the two differ by under 1/L).

    Parameters
    ----------
    coords : numpy.ndarray
        (structures, beads, 3).

    Returns
    -------
    numpy.ndarray
        (structures, structures) symmetric, zero diagonal.
    """
    coords = np.asarray(coords, dtype=np.float64)
    upper = np.triu_indices(coords.shape[1], k=1)
    distances = pairwise_distances(coords)[:, upper[0], upper[1]]
    # |d_i - d_j|^2 through the Gram matrix: one matrix product instead of a loop over pairs
    squared = np.einsum("sp,sp->s", distances, distances)
    gram = distances @ distances.T
    mean_square = np.maximum(squared[:, None] + squared[None, :] - 2 * gram, 0.0) / distances.shape[1]
    np.fill_diagonal(mean_square, 0.0)
    return np.sqrt(mean_square)


def mean_pairwise_drmsd(coords):
    """The ensemble's diversity: dRMSD averaged over all pairs of its structures (paper 5, Fig. 4b)."""
    matrix = drmsd_matrix(coords)
    upper = np.triu_indices(matrix.shape[0], k=1)
    return float(matrix[upper].mean())


def mean_bond_length(coords):
    """Mean distance between consecutive beads (a linear chain's bonds)."""
    return float(np.linalg.norm(np.diff(np.asarray(coords, np.float64), axis=1), axis=-1).mean())


def perturbation_ensemble(structure, n_structures, sigma, seed):
    """Copies of one structure with isotropic Gaussian noise of standard deviation ``sigma`` per coordinate.

    The baseline of paper section 5: the mean pairwise dRMSD of such an ensemble is the variation
    of minor deformations around one conformation. The paper does not give its sigma; its baseline
    0.072 at mean bond length 0.362 matches sigma = 0.1 bond lengths, since for distant bead pairs
    dRMSD is about 2 sigma (the noise of both beads in both copies, projected on the pair's axis).
    """
    structure = np.asarray(structure, dtype=np.float64)
    noise = np.random.default_rng(seed).normal(scale=sigma, size=(n_structures, *structure.shape))
    return structure[None] + noise


def summary(ensemble, scc_h, scc_max_offset, perturbation_sigma_bonds):
    """The ensemble's numbers of paper section 5 (Fig. 4b) as one row.

    Parameters
    ----------
    ensemble : dict
        As :func:`hicmodels.structure.io.read_ensemble` returns it.

    Returns
    -------
    dict
        ``structures``, ``bins``, ``circular``, ``replicated_fraction`` (of the daughter mask),
        ``scc`` (ensemble map vs input map; NaN without an input map), ``mean_pairwise_drmsd``,
        ``perturbation_drmsd`` (the baseline: the first structure with Gaussian noise of
        ``perturbation_sigma_bonds`` mean bond lengths, as many copies as structures, seed 0),
        ``mean_bond_length`` and the two dRMSDs in bond lengths; lengths in the file's unit.
    """
    coords = ensemble["coordinates"]
    bond = mean_bond_length(coords)
    diversity = mean_pairwise_drmsd(coords)
    baseline = mean_pairwise_drmsd(perturbation_ensemble(coords[0], max(len(coords), 2),
                                                         perturbation_sigma_bonds * bond, seed=0))
    scc = np.nan
    if ensemble["input_contacts"] is not None:
        scc = map_scc(ensemble["contacts"], ensemble["input_contacts"], scc_h, scc_max_offset)
    return {"structures": len(coords), "bins": len(ensemble["bins"]), "circular": ensemble["circular"],
            "replicated_fraction": float(ensemble["masks"][1].mean()), "scc": scc, "mean_pairwise_drmsd": diversity,
            "perturbation_drmsd": baseline, "mean_bond_length": bond, "drmsd_bonds": diversity / bond,
            "perturbation_drmsd_bonds": baseline / bond}
