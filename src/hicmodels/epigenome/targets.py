"""MIX-HIC's Hi-C targets: balanced contacts at 5 kb in 50 x 50 windows of two 250 kb segments.

The paper bins Hi-C at 5 kb, normalises it with KR and cuts it into 50 x 50
sub-matrices whose rows are one 250 kb segment (x) and columns another (y)
(Section 3: "each bin in the Hi-C matrix corresponds to specific x and y
coordinates, representing two distinct genomic segments"; Appendix A.1).
Windows with fewer than 10% non-zero contacts are dropped (Section 3, Table 1).

Here a chromosome is tiled into consecutive segments of ``window_bins`` bins
from its start (a last partial segment is left out), and a window is a pair
``(x, y)`` of segments with ``0 <= y - x <= max_offset``: 0 gives the
diagonal blocks, 1 adds the adjacent off-diagonal blocks (the layout of the
paper's downstream tasks: 250 kb upstream and 250 kb downstream of a TSS). The
paper does not state how far apart its pre-training segments may lie (Table 1's
48,415 to 1,032,048 windows per cell line imply many off-diagonal blocks), so
the distance is a setting.

Balancing: KR (Knight & Ruiz) is not offered by cooler or cooltools; ``ice``
uses cooler's iterative correction, which solves the same matrix-balancing
problem (every kept bin's row sum equal), so on the bins both keep the two
normalisations agree up to one scale factor. A cooler's stored ``weight``
column (``cooler balance``) is used when present, else weights are computed
(:func:`cooler.balance_cooler`, cis-only, its defaults). ``kr`` is refused
rather than approximated; ``none`` keeps raw counts.

A pixel counts as non-zero when its balanced value is finite and positive;
pixels of bins the balancing masks are stored as 0.
"""

import logging

import cooler
import h5py
import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import atomic_output, file_sha256, write_tsv
from ..genome.aliases import canonical_names

log = logging.getLogger(__name__)

FORMAT = "dna2hic hic targets 1"
WINDOW_COLUMNS = ["chrom", "x_start", "x_end", "y_start", "y_end", "nonzero_fraction", "status"]


def open_cooler(uri, resolution):
    """The cooler at ``uri`` (``.cool`` or ``.mcool::/resolutions/N``), which must have ``resolution`` bp bins."""
    path = uri.split("::")[0]
    try:
        clr = cooler.Cooler(uri)
    except (OSError, KeyError, ValueError) as err:
        raise InputError(f"not a cooler or corrupt ({str(err).splitlines()[0]})", path) from None
    if clr.binsize != resolution:
        raise InputError(f"bins of {clr.binsize} bp; the Hi-C targets need {resolution} bp "
                         f"(epigenome.targets.resolution): give a cooler at that resolution", uri)
    return clr


def balancing_weights(clr, balance):
    """Per-bin weights of ``balance`` (``ice`` or ``none``) and where they came from.

    Raises
    ------
    InputError
        For ``kr``, which no library here offers.
    """
    if balance == "kr":
        raise InputError("epigenome.targets.balance kr: KR balancing is offered by neither cooler nor cooltools; "
                         "use ice (the same matrix balancing, equal up to a scale factor on kept bins)")
    if balance == "none":
        return np.ones(len(clr.bins())), "none (raw counts)"
    if "weight" in clr.bins().columns:
        return clr.bins()["weight"][:].to_numpy(), "ice (the cooler's stored weight column)"
    weights, _ = cooler.balance_cooler(clr, cis_only=True, store=False)
    return weights, "ice (computed by cooler.balance_cooler, cis-only)"


def segment_pairs(nbins, window_bins, max_offset):
    """``(x, y)`` segment indices of a chromosome of ``nbins`` bins, ``0 <= y - x <= max_offset``, row-major."""
    count = nbins // window_bins
    return [(x, y) for x in range(count) for y in range(x, min(x + max_offset + 1, count))]


def chromosome_windows(clr, chrom, weights, settings):
    """Balanced maps (n, bins, bins) and window rows of one cooler chromosome (before the sparsity filter)."""
    size, resolution = settings["window_bins"], settings["resolution"]
    lo, hi = clr.extent(chrom)
    bias = weights[lo:hi]
    selector = clr.matrix(balance=False, sparse=False)
    maps, rows = [], []
    for x, y in segment_pairs(hi - lo, size, settings["max_offset"]):
        xs, ys = slice(x * size, (x + 1) * size), slice(y * size, (y + 1) * size)
        raw = selector[lo + xs.start : lo + xs.stop, lo + ys.start : lo + ys.stop].astype(np.float64)
        balanced = raw * bias[xs, None] * bias[None, ys]
        nonzero = np.isfinite(balanced) & (balanced > 0)
        maps.append(np.where(nonzero, balanced, 0.0).astype(np.float32))
        rows.append((x * size * resolution, (x + 1) * size * resolution, y * size * resolution,
                     (y + 1) * size * resolution, nonzero.mean()))
    return maps, rows


def hic_targets(uri, chromosomes, aliases, settings):
    """Every window of ``chromosomes`` with its balanced map and status.

    Parameters
    ----------
    uri : str
        Cooler URI at ``settings["resolution"]``.
    chromosomes : list of str
        Reference chromosome names (the cooler's pass through ``aliases``).
    aliases : dict
    settings : dict
        ``epigenome.targets``: ``resolution``, ``window_bins``, ``max_offset``, ``balance``,
        ``min_nonzero_fraction``.

    Returns
    -------
    maps : ndarray of float32, shape (kept windows, window_bins, window_bins)
    windows : DataFrame
        :data:`WINDOW_COLUMNS` of every window, status ``ok`` or ``sparse`` (dropped).
    provenance : str
        Where the balancing weights came from.
    """
    clr = open_cooler(uri, settings["resolution"])
    weights, provenance = balancing_weights(clr, settings["balance"])
    renamed, _ = canonical_names(clr.chromnames, aliases, set(chromosomes))
    own = {ref: name for name, ref in renamed.items()}
    absent = [c for c in chromosomes if c not in own]
    if absent:
        raise InputError(f"no chromosomes {absent} (names pass through reference.chrom_aliases)", uri.split("::")[0])
    maps, tables = [], []
    for chrom in chromosomes:
        chrom_maps, rows = chromosome_windows(clr, own[chrom], weights, settings)
        table = pd.DataFrame(rows, columns=WINDOW_COLUMNS[1:-1]).assign(chrom=chrom)
        keep = table["nonzero_fraction"].to_numpy() >= settings["min_nonzero_fraction"]
        tables.append(table.assign(status=np.where(keep, "ok", "sparse"))[WINDOW_COLUMNS])
        maps.extend(m for m, k in zip(chrom_maps, keep) if k)
        log.info("%s: %d windows, %d with < %g non-zero contacts dropped", chrom, len(table), int((~keep).sum()),
                 settings["min_nonzero_fraction"])
    size = settings["window_bins"]
    stacked = np.stack(maps) if maps else np.zeros((0, size, size), np.float32)
    return stacked, pd.concat(tables, ignore_index=True), provenance


def write_targets(path, table_path, maps, windows, attrs):
    """Write the kept windows' maps and window table (HDF5) and every window's row and status (TSV), atomically."""
    kept = windows[windows["status"] == "ok"]
    with atomic_output(path) as tmp, h5py.File(tmp, "w", track_order=True) as store:
        store.create_dataset("maps", data=maps, compression="gzip", shuffle=True,
                             chunks=(1, *maps.shape[1:]) if len(maps) else None)
        group = store.create_group("windows", track_order=True)
        group.create_dataset("chrom", data=kept["chrom"].to_numpy().astype("S"))
        for column in WINDOW_COLUMNS[1:-1]:
            group.create_dataset(column, data=kept[column].to_numpy())
        store.attrs.update({"format": FORMAT, **attrs})
    write_tsv(windows, table_path)


def read_targets(path):
    """``(maps, windows, attrs)`` of a Hi-C targets file; ``windows`` is the kept windows' table."""
    try:
        with h5py.File(path, "r") as store:
            if store.attrs.get("format") != FORMAT:
                raise InputError(f"not a Hi-C targets file (format {store.attrs.get('format')!r})", path)
            group = store["windows"]
            windows = pd.DataFrame({c: group[c][:] for c in WINDOW_COLUMNS[:-1]})
            windows["chrom"] = windows["chrom"].str.decode("ascii") if len(windows) else windows["chrom"].astype(str)
            return store["maps"][:], windows, dict(store.attrs)
    except FileNotFoundError:
        raise InputError("Hi-C targets file not found", path) from None


def source(uri):
    """Provenance of the cooler: its URI and its file's SHA-256."""
    return {"cool": uri, "sha256": file_sha256(uri.split("::")[0])}
