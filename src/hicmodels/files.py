"""Atomic outputs: a result appears under its final name only once it is complete.

While it is written, an output lives beside its target as
``.<name>.<8 random characters>.tmp<suffixes>`` (a file or a folder). A run
killed with SIGKILL cannot remove it; the next write of the same target does
(:func:`remove_stale_temporaries`), so leftovers last only until the rule
runs again. Two processes must not write the same target at once (the
workflow's Snakemake lock sees to that).
"""

import contextlib
import hashlib
import errno
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .errors import OutputError

log = logging.getLogger(__name__)


def temporary_pattern(path):
    """The regular expression matching the temporary names of ``path``'s writes (names only)."""
    # mkstemp's random part: 8 characters of letters, digits and '_'
    return re.compile(rf"^\.{re.escape(Path(path).name)}\.[A-Za-z0-9_]{{8}}\.tmp")


def remove_stale_temporaries(path):
    """Remove the temporary files and folders that killed writes of ``path`` left beside it.

    Returns
    -------
    list of Path
        What was removed (also logged).
    """
    path = Path(path)
    if not path.parent.is_dir():
        return []
    pattern = temporary_pattern(path)
    removed = []
    for entry in path.parent.iterdir():
        if not pattern.match(entry.name):
            continue
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:
            continue
        removed.append(entry)
        log.info("removed %s, left by an interrupted write of %s", entry, path)
    return removed


@contextlib.contextmanager
def atomic_output(path, suffix=""):
    """Yield a temporary path next to ``path``; move it onto ``path`` on success.

    On any exception the temporary file (or directory) is removed and ``path``
    is left untouched, so a crashed step never leaves a half-written file that
    looks complete. Temporaries of ``path`` left by killed runs are removed
    first (:func:`remove_stale_temporaries`).

    Parameters
    ----------
    path : str or Path
        Final destination.
    suffix : str, optional
        Suffix for the temporary name, for tools that infer the format from it
        (for example ``".fa.gz"``). Defaults to the suffixes of ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    suffix = suffix or "".join(path.suffixes)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{suffix}", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # the caller (or the tool it runs) creates it
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as err:
        if _disk_full(err):
            raise OutputError("no space left on the device (or quota exceeded) while writing it; nothing was"
                              " written under its name: free space and rerun", path) from err
        raise
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
        elif os.path.lexists(tmp):
            os.unlink(tmp)


def _disk_full(err):
    """Whether an ``OSError`` (h5py's included, which carry the errno in their text) means the disk is full."""
    if isinstance(err, OutputError):
        return False
    if getattr(err, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
        return True
    return "No space left on device" in str(err) or "errno = 28" in str(err)


def write_tsv(table, path, index=False, **options):
    """Write a DataFrame (or Series) as tab-separated text through :func:`atomic_output`.

    ``options`` go to ``to_csv`` (``header=False`` for BED and sizes files,
    ``float_format``...).
    """
    with atomic_output(path) as tmp:
        table.to_csv(tmp, sep="\t", index=index, **options)


def file_sha256(path):
    """SHA-256 of a file's bytes, hex (which checkpoint made a prediction, which file was imported)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_bigwig(path, tracks, chromsizes, step):
    """Tracks (dict chrom -> one value per ``step`` bp, NaN: no entry) as a bigWig, atomically."""
    import pyBigWig  # only the writers of tracks need it

    with atomic_output(path, suffix=".bw") as tmp:
        bw = pyBigWig.open(str(tmp), "w")
        bw.addHeader([(c, int(chromsizes[c])) for c in tracks])
        for chrom, values in tracks.items():
            index = np.flatnonzero(np.isfinite(values))
            if len(index):
                starts = index * step
                ends = np.minimum(starts + step, int(chromsizes[chrom]))
                bw.addEntries([chrom] * len(index), starts.tolist(), ends=ends.tolist(),
                              values=np.asarray(values)[index].tolist())
        bw.close()
