"""Files of structure ensembles: HDF5 coordinates, mmCIF structures for viewers, the ensemble's ``.cool``.

HDF5 layout (``write_ensemble`` / ``read_ensemble``):

- ``coordinates`` (structures, beads, 3) float32: the parental chain, ``beads_per_bin`` beads per bin
- ``daughter`` (structures, beads, 3) float32: the replicated copy, zeros where ``masks[1]`` is 0
- ``masks`` (2, beads) uint8: paper 4.1's replication masks, row 0 parental (all 1), row 1 daughter
- ``contacts`` (bins, bins) float64: the ensemble's contact map (paper 4.1), the structures' pair
- ``input_contacts`` (bins, bins) float64, optional: the map the ensemble was conditioned on
- ``bins/chrom``, ``bins/start``, ``bins/end``: the bin table, 0-based half-open
- attributes: ``units``, ``seed``, ``source_map``, ``circular``, ``beads_per_bin``,
  ``contact_distance``, ``format``
"""

import h5py
import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import atomic_output

FORMAT = "dna2hic-structure-ensemble/1"
DATASETS = ("coordinates", "daughter", "masks", "contacts", "bins/chrom", "bins/start", "bins/end")
ATTRS = ("units", "seed", "source_map", "circular", "beads_per_bin", "contact_distance")


def write_ensemble(path, *, coordinates, daughter, masks, contacts, bins, units, seed, source_map, circular,
                   beads_per_bin, contact_distance, input_contacts=None):
    """Write an ensemble to HDF5 (layout in the module docstring), atomically.

    Parameters
    ----------
    bins : pandas.DataFrame
        ``chrom``, ``start``, ``end`` of the ensemble's bins.
    source_map : str
        What the ensemble was made from (a .cool URI and region, or ``simulation``).
    input_contacts : numpy.ndarray or None
        The map the ensemble was conditioned on (restraints, or a generator's condition).
    """
    n_structures, n_beads, _ = np.shape(coordinates)
    if n_beads != len(bins) * beads_per_bin:
        raise ValueError(f"{n_beads} beads for {len(bins)} bins of {beads_per_bin} beads")
    with atomic_output(path, suffix=".h5") as tmp, h5py.File(tmp, "w") as store:
        store.create_dataset("coordinates", data=np.asarray(coordinates, np.float32))
        store.create_dataset("daughter", data=np.asarray(daughter, np.float32))
        store.create_dataset("masks", data=np.asarray(masks, np.uint8))
        store.create_dataset("contacts", data=np.asarray(contacts, np.float64))
        if input_contacts is not None:
            store.create_dataset("input_contacts", data=np.asarray(input_contacts, np.float64))
        store.create_dataset("bins/chrom", data=bins["chrom"].astype(str).to_numpy().astype("S"))
        store.create_dataset("bins/start", data=bins["start"].to_numpy(np.int64))
        store.create_dataset("bins/end", data=bins["end"].to_numpy(np.int64))
        store.attrs.update({"format": FORMAT, "units": units, "seed": int(seed), "source_map": source_map,
                            "circular": bool(circular), "beads_per_bin": int(beads_per_bin),
                            "contact_distance": float(contact_distance)})


def read_ensemble(path):
    """Read an ensemble written by :func:`write_ensemble`.

    Returns
    -------
    dict
        The datasets as arrays (``bins`` a DataFrame) and the attributes.

    Raises
    ------
    InputError
        When the file is not an ensemble file or misses a dataset or attribute.
    """
    try:
        store = h5py.File(path, "r")
    except OSError as err:
        raise InputError(f"{path}: not an HDF5 file ({err})") from None
    with store:
        if store.attrs.get("format") != FORMAT:
            raise InputError(f"{path}: not a structure ensemble (attribute format is not {FORMAT!r})")
        missing = [name for name in DATASETS if name not in store] + [name for name in ATTRS if name not in store.attrs]
        if missing:
            raise InputError(f"{path}: structure ensemble lacks {', '.join(missing)}")
        ensemble = {name: store[name][()] for name in ("coordinates", "daughter", "masks", "contacts")}
        ensemble["input_contacts"] = store["input_contacts"][()] if "input_contacts" in store else None
        ensemble["bins"] = pd.DataFrame({"chrom": store["bins/chrom"][()].astype(str),
                                         "start": store["bins/start"][()], "end": store["bins/end"][()]})
        ensemble.update({name: store.attrs[name] for name in ATTRS})
    ensemble["circular"] = bool(ensemble["circular"])
    ensemble["seed"] = int(ensemble["seed"])
    ensemble["beads_per_bin"] = int(ensemble["beads_per_bin"])
    return ensemble


ATOM_SITE = ("group_PDB", "id", "type_symbol", "label_atom_id", "label_alt_id", "label_comp_id", "label_asym_id",
             "label_entity_id", "label_seq_id", "pdbx_PDB_ins_code", "Cartn_x", "Cartn_y", "Cartn_z", "occupancy",
             "B_iso_or_equiv", "auth_seq_id", "auth_comp_id", "auth_asym_id", "auth_atom_id", "pdbx_PDB_model_num")


STRUCT_CONN = ("id", "conn_type_id", "ptnr1_label_asym_id", "ptnr1_label_comp_id", "ptnr1_label_seq_id",
               "ptnr1_label_atom_id", "ptnr2_label_asym_id", "ptnr2_label_comp_id", "ptnr2_label_seq_id",
               "ptnr2_label_atom_id")


def chain_bonds(masks, circular):
    """Bonds between kept beads as ``(chain, bead, chain, bead)``: the chains and the replication forks.

    Parental beads follow each other (and the last joins the first on a ring); daughter beads
    follow each other where both are replicated; a daughter bead next to an unreplicated position
    is bonded to the parental bead there (a fork).
    """
    n = masks.shape[1]
    bonds = [("A", i, "A", i + 1) for i in range(n - 1)] + ([("A", n - 1, "A", 0)] if circular else [])
    for i in np.flatnonzero(masks[1]):
        for j in (i - 1, i + 1):
            if not circular and not 0 <= j < n:
                continue
            j %= n
            if masks[1][j] and j == (i + 1) % n:
                bonds.append(("B", int(i), "B", int(j)))
            elif not masks[1][j]:
                bonds.append(("B", int(i), "A", int(j)))
    return bonds


def write_mmcif(path, coordinates, daughter, masks, scale, name, circular):
    """Write structures as one mmCIF file, one model per structure, for molecular viewers.

    Each bead is a carbon atom ``CA`` of a residue ``BEA`` numbered from 1 along the chain; chain A
    is the parental chain, chain B the daughter copy's replicated beads. The standard's
    ``_atom_site`` loop holds the beads and ``_struct_conn`` the bonds of :func:`chain_bonds`
    (PDBx/mmCIF dictionary), so viewers draw the chain although its beads are far apart.

    Parameters
    ----------
    coordinates, daughter : numpy.ndarray
        (structures, beads, 3).
    masks : numpy.ndarray
        (2, beads) replication masks; beads with ``masks[1] == 0`` have no daughter atom.
    scale : float
        Multiplies the coordinates (10 writes nm as the format's angstroms).
    name : str
        The data block's and entry's name.
    circular : bool
        Bond the parental chain's last bead to its first.
    """
    lines = [f"data_{name}", f"_entry.id {name}", "loop_"] + [f"_atom_site.{field}" for field in ATOM_SITE]
    atom = 0
    for model, (parental, copy) in enumerate(zip(np.asarray(coordinates), np.asarray(daughter)), start=1):
        for chain, beads, present in (("A", parental, masks[0]), ("B", copy, masks[1])):
            for index in np.flatnonzero(present):
                atom += 1
                x, y, z = (scale * beads[index]).tolist()
                lines.append(f"HETATM {atom} C CA . BEA {chain} 1 {index + 1} ? {x:.3f} {y:.3f} {z:.3f} 1.00 0.00 "
                             f"{index + 1} BEA {chain} CA {model}")
    lines += ["#", "loop_"] + [f"_struct_conn.{field}" for field in STRUCT_CONN]
    for number, (chain1, bead1, chain2, bead2) in enumerate(chain_bonds(masks, circular), start=1):
        lines.append(f"bond{number} covale {chain1} BEA {bead1 + 1} CA {chain2} BEA {bead2 + 1} CA")
    with atomic_output(path, suffix=".cif") as tmp:
        tmp.write_text("\n".join(lines) + "\n#\n")


def write_ensemble_cool(path, chromsizes, binsize, chrom, first_bin, contacts, metadata, assembly=None):
    """The ensemble's contact map as a ``.cool`` in reference coordinates, through :func:`hic.cool.write_cool`.

    The map covers bins ``first_bin .. first_bin + len(contacts)`` of ``chrom``; those bins get
    weight 1, every other bin NaN (not predicted), as the project's predicted maps do.
    """
    from ..hic.cool import write_cool

    contacts = np.asarray(contacts, np.float64)
    rows, cols = np.triu_indices(len(contacts))
    values = contacts[rows, cols]
    keep = values != 0
    n_bins = -(-int(chromsizes[chrom]) // binsize)
    valid = np.zeros(n_bins, bool)
    valid[first_bin : first_bin + len(contacts)] = True
    write_cool(path, chromsizes, binsize, {chrom: (rows[keep] + first_bin, cols[keep] + first_bin, values[keep])},
               {chrom: valid}, metadata=metadata, assembly=assembly)
