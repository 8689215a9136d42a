"""A HiGlass view of a genome's maps side by side: reference and haplotypes, synchronised.

One HiGlass view per map, left to right in the order given (the reference first):
a heatmap of the ``.mcool`` with the chromosome axis above and to the left of it
(``horizontal-/vertical-chromosome-labels`` tracks on the chromosome sizes).
Every view's zoom and location are locked together, and the heatmaps share
one colour scale (a value-scale lock), so the same pixel in two maps is
compared at the same place and by the same colours. Maps of a haplotype are
in reference coordinates (``hic assemble`` lifts them back), so locking their
locations lines up the same reference bins.

Tilesets are either local files, served to the Jupyter widget by higlass-python
itself (``server=None``), or tilesets of a HiGlass server, named by uid (each
map's name, and ``chromsizes`` for the axis; :func:`ingest_commands` prints how
to load them with ``higlass-manage``).
"""

from dataclasses import dataclass, field
from pathlib import Path

CHROMSIZES_UID = "chromsizes"


@dataclass
class MapView:
    """A view config and what its tracks read.

    Attributes
    ----------
    conf : higlass.Viewconf
        ``conf.widget()`` shows it in Jupyter; ``conf.model_dump_json()`` is the
        JSON a HiGlass server or app loads.
    files : dict
        Tileset uid -> file it reads.
    tilesets : list
        The local tilesets (kept alive here: higlass-python's registry holds them weakly).
    """

    conf: object
    files: dict = field(default_factory=dict)
    tilesets: list = field(default_factory=list)


def write_chromsizes(mcool, path):
    """The chromosome sizes of a ``.mcool`` (its finest resolution) as a two-column TSV."""
    import cooler

    uri = mcool
    if cooler.fileops.is_multires_file(str(mcool)):
        uri = f"{mcool}::{cooler.fileops.list_coolers(str(mcool))[0]}"
    cooler.Cooler(str(uri)).chromsizes.to_csv(path, sep="\t", header=False)
    return path


def map_view(maps, chromsizes, server=None, width=None, height=6):
    """Side-by-side, synchronised HiGlass views of a genome's maps.

    Parameters
    ----------
    maps : dict
        Name -> ``.mcool`` path, in the order shown (the reference first).
    chromsizes : str
        Two-column TSV of chromosome sizes (:func:`write_chromsizes`).
    server : str, optional
        A HiGlass server's API URL (``http://host:8989/api/v1``) whose tilesets
        are the maps' names and ``chromsizes``; default: local tilesets for the widget.
    width, height : int
        Size of each view in HiGlass's grid (12 columns wide; default width: the
        12 columns shared among the maps).

    Returns
    -------
    MapView
    """
    import higlass as hg

    out = MapView(conf=None)

    def tileset(uid, path, load):
        """A tileset and the uid its tracks name."""
        if server is not None:
            out.files[uid] = str(path)
            return hg.remote(uid, server=server)
        local = load(str(path))
        out.tilesets.append(local)
        out.files[local.track().tilesetUid] = str(path)
        return local

    axis = tileset(CHROMSIZES_UID, chromsizes, hg.chromsizes)
    views, heatmaps = [], []
    width = width or max(12 // len(maps), 1)
    for name, path in maps.items():
        heatmap = tileset(name, Path(path), hg.cooler).track("heatmap", height=250).opts(name=name)
        top = axis.track("horizontal-chromosome-labels")
        left = axis.track("vertical-chromosome-labels")
        view = hg.view((top, "top"), (left, "left"), (heatmap, "center"), width=width, height=height)
        views.append(view)
        heatmaps.append((view, heatmap))
    conf = views[0].viewconf()
    for view in views[1:]:
        conf = hg.hconcat(conf, view)
    if len(views) > 1:
        conf = conf.locks(hg.lock(*views), value_scale=hg.lock(*heatmaps))
    out.conf = conf
    return out


def ingest_commands(maps, chromsizes, assembly=None):
    """``higlass-manage ingest`` lines that load the files as the tilesets :func:`map_view` names."""
    lines = [f"higlass-manage ingest {chromsizes} --filetype chromsizes-tsv --datatype chromsizes"
             f" --uid {CHROMSIZES_UID}" + (f" --assembly {assembly}" if assembly else "")]
    lines += [f"higlass-manage ingest {path} --uid {name}" + (f" --assembly {assembly}" if assembly else "")
              for name, path in maps.items()]
    return lines
