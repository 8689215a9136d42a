"""Atomic outputs: a result appears under its final name only once it is complete."""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_output(path, suffix=""):
    """Yield a temporary path next to ``path``; move it onto ``path`` on success.

    On any exception the temporary file (or directory) is removed and ``path``
    is left untouched, so a crashed step never leaves a half-written file that
    looks complete.

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
    suffix = suffix or "".join(path.suffixes)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{suffix}", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # the caller (or the tool it runs) creates it
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
        elif os.path.lexists(tmp):
            os.unlink(tmp)


def write_tsv(table, path, index=False, **options):
    """Write a DataFrame (or Series) as tab-separated text through :func:`atomic_output`.

    ``options`` go to ``to_csv`` (``header=False`` for BED and sizes files,
    ``float_format``...).
    """
    with atomic_output(path) as tmp:
        table.to_csv(tmp, sep="\t", index=index, **options)
