"""The epigenome stage: a cell line's tracks from BAMs or bigWigs to binned stores, and its Hi-C targets.

- :mod:`.coverage`: BAM checks and deepTools ``bamCoverage`` (RPGC) -> bigWig;
- :mod:`.store`: every track averaged per bin over a genome's chromosomes (haplotypes
  through their chain), ``log(x + 1)``, one HDF5 file per genome, and its reader
  :func:`open_track_store`;
- :mod:`.targets`: balanced Hi-C at 5 kb cut into MIX-HIC's 50 x 50 windows.
"""

from .store import open_track_store

__all__ = ["open_track_store"]
