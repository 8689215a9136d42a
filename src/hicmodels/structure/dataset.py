"""Training ensembles: one polymer simulation per ensemble, paired with its contact map (paper 4.1).

The paper samples N = 500 structures per ensemble out of a pool of MD conformations and aggregates
their contacts into the ensemble's Hi-C map; each (structure, ensemble map) pair is one training
sample. Here each ensemble is one simulation (its own seed and replication factor G) whose sampled
structures make the ensemble, so ensembles are independent given the config.
"""

import numpy as np
import pandas as pd

from ..errors import InputError
from .ensemble import bin_contact_map
from .polymer import simulate


def simulation_arguments(settings, index, circular, n_bins, contacts):
    """:func:`polymer.simulate`'s keyword arguments for ensemble ``index`` of ``structure.simulation``.

    Raises
    ------
    InputError
        When an extrusion barrier lies outside the simulated bins.
    """
    restraints = settings["restraints"]
    extrusion = settings["extrusion"]
    outside = [b for b, _ in (extrusion or {}).get("barriers", []) if b >= n_bins]
    if outside:
        raise InputError(f"config structure.simulation.extrusion.barriers: bins {outside} are outside the "
                         f"{n_bins} simulated bins")
    return dict(
        n_bins=n_bins, beads_per_bin=settings["beads_per_bin"], kept_beads_per_bin=settings["kept_beads_per_bin"],
        circular=circular,
        replication_factor=settings["replication_factors"][index % len(settings["replication_factors"])],
        bond_length_nm=settings["bond_length_nm"], bond_wiggle=settings["bond_wiggle"],
        repulsion_kT=settings["repulsion_kT"], confinement=settings["confinement"],
        wall_stiffness_kT=settings["wall_stiffness_kT"], temperature_k=settings["temperature_k"],
        bead_mass_amu=settings["bead_mass_amu"], friction_per_ps=settings["friction_per_ps"],
        timestep_ps=settings["timestep_ps"], equilibration_steps=settings["equilibration_steps"],
        release_stages=settings["release_stages"], release_steps=settings["release_steps"],
        n_structures=settings["structures"], sample_every=settings["sample_every"], seed=settings["seed"] + index,
        threads=settings["threads"], contacts=contacts, restraint_top_fraction=restraints["top_fraction"],
        restraint_min_separation_bins=restraints["min_separation_bins"], restraint_kT=restraints["strength_kT"],
        extrusion=extrusion,
    )


def training_ensemble(settings, index, bins, circular, input_contacts=None, source_map="simulation"):
    """Simulate ensemble ``index`` and pair its structures with their contact map.

    Parameters
    ----------
    settings : dict
        ``structure.simulation`` (resolved).
    index : int
        Which ensemble: its seed is ``settings["seed"] + index``, its G the index-th of
        ``replication_factors`` (cyclically).
    bins : pandas.DataFrame
        ``chrom``, ``start``, ``end`` of the simulated bins.
    circular : bool
    input_contacts : numpy.ndarray or None
        (bins, bins) map whose strongest pairs restrain the start; stored beside the ensemble.
    source_map : str
        Where ``input_contacts`` came from, stored in the file.

    Returns
    -------
    dict
        The keyword arguments of :func:`hicmodels.structure.io.write_ensemble` (plus ``input_contacts``).
    """
    arguments = simulation_arguments(settings, index, circular, len(bins), input_contacts)
    run = simulate(**arguments)
    kept = settings["kept_beads_per_bin"]
    return {
        "coordinates": run["parental"], "daughter": run["daughter"], "masks": run["masks"],
        # the ensemble map of the parental chain: the bins' contacts the way a Hi-C map of one copy counts them
        "contacts": bin_contact_map(run["parental"], settings["contact_distance_nm"], kept),
        "bins": bins.reset_index(drop=True), "units": "nm", "seed": arguments["seed"], "source_map": source_map,
        "circular": circular, "beads_per_bin": kept, "contact_distance": settings["contact_distance_nm"],
        "input_contacts": input_contacts,
    }


def unrestrained_bins(settings):
    """The bin table of an unrestrained polymer: ``bins`` bins of ``bin_size`` on a chromosome ``polymer``."""
    starts = np.arange(settings["bins"], dtype=np.int64) * settings["bin_size"]
    return pd.DataFrame({"chrom": "polymer", "start": starts, "end": starts + settings["bin_size"]})


def training_arrays(ensembles):
    """Stack ensembles (as :func:`hicmodels.structure.io.read_ensemble` returns them) into training arrays.

    Each structure is paired with its own ensemble's contact map (paper 4.1).

    Parameters
    ----------
    ensembles : list of dict
        Ensembles of the same bins, beads per bin and topology.

    Returns
    -------
    coords : numpy.ndarray
        (structures, 2, beads, 3): the parental chain, then the daughter copy.
    mask : numpy.ndarray
        (structures, 2, beads): each structure's ensemble's replication masks.
    maps : numpy.ndarray
        (ensembles, bins, bins) the ensembles' contact maps.
    map_index : numpy.ndarray
        (structures,) the row of ``maps`` of each structure.

    Raises
    ------
    InputError
        Naming the first ensemble that differs from the first in bins, beads per bin or topology.
    """
    first = ensembles[0]
    for number, ensemble in enumerate(ensembles):
        for key in ("beads_per_bin", "circular", "units", "contact_distance"):
            if ensemble[key] != first[key]:
                raise InputError(f"training ensemble {number}: {key} {ensemble[key]!r}, the first has {first[key]!r}")
        if len(ensemble["bins"]) != len(first["bins"]):
            raise InputError(f"training ensemble {number}: {len(ensemble['bins'])} bins, the first has "
                             f"{len(first['bins'])}")
    coords = np.concatenate([np.stack([e["coordinates"], e["daughter"]], axis=1) for e in ensembles])
    mask = np.concatenate([np.broadcast_to(e["masks"], (len(e["coordinates"]), *e["masks"].shape)) for e in ensembles])
    maps = np.stack([e["contacts"] for e in ensembles])
    map_index = np.concatenate([np.full(len(e["coordinates"]), i) for i, e in enumerate(ensembles)])
    return coords.astype(np.float64), mask.astype(np.float64), maps, map_index
