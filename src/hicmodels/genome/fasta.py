"""Indexed FASTA files: fast whole-sequence reads and bgzip + index writing.

One writer serves every FASTA the workflow makes: :func:`bgzf_fasta_writer`
(haplotype genomes, record by record) and :func:`write_bgzip_fasta` (the
reference, recompressed from a plain, gzip or bgzip FASTA through it).

Reading goes through the ``.fai`` (and, for bgzip files, the ``.gzi``) index and
returns ``bytes``; bgzip files are decompressed by ``bgzip -d`` (htslib, with
libdeflate where built so), about twice as fast as ``pysam.FastaFile.fetch``,
and a sequence can be read ahead in a background thread while the caller
works on another. Writing pipes wrapped lines through ``bgzip`` (the
htslib tool, which builds the ``.gzi`` as it compresses) and writes the ``.fai``
from the sequence lengths, so no second pass over the output is needed.
"""

import contextlib
import gzip
import shutil
import subprocess
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..files import atomic_output


def read_fai(path):
    """Read a ``.fai`` index: ``{name: (length, offset, linebases, linewidth)}``."""
    index = {}
    with open(path) as handle:
        for lineno, line in enumerate(handle, 1):
            fields = line.rstrip("\n").split("\t")
            try:
                name, numbers = fields[0], tuple(int(x) for x in fields[1:5])
            except ValueError:
                raise InputError("FASTA index line needs a name and four integers", path, lineno) from None
            if len(numbers) != 4:
                raise InputError("FASTA index line needs a name and four integers", path, lineno)
            index[name] = numbers
    return index


def _is_bgzf(head):
    """Whether the first bytes of a file are a BGZF block header."""
    return len(head) >= 14 and head[:4] == b"\x1f\x8b\x08\x04" and head[12:14] == b"BC"


class IndexedFasta:
    """Read whole sequences (or slices) of an indexed FASTA file as ``bytes``.

    Parameters
    ----------
    path : str or Path
        Plain or bgzip-compressed FASTA with a ``.fai`` index (and ``.gzi`` for
        bgzip), as written by ``samtools faidx``.
    cache : int, optional
        How many whole sequences to keep in memory (least recently used first
        out), read-ahead included. Slices of a cached sequence cost no read.

    Attributes
    ----------
    sizes : dict
        Sequence name -> length, in file order.
    """

    def __init__(self, path, cache=2):
        self.path = Path(path)
        if not self.path.exists():
            raise InputError("reference FASTA not found", self.path)
        fai = Path(f"{self.path}.fai")
        if not fai.exists():
            raise InputError("missing index (.fai); run `samtools faidx` on it", self.path)
        self.index = read_fai(fai)
        self.sizes = {name: entry[0] for name, entry in self.index.items()}
        with open(self.path, "rb") as handle:
            head = handle.read(18)
        self._bgzip = None
        if head[:2] == b"\x1f\x8b":
            if not _is_bgzf(head):
                raise InputError("gzip-compressed but not bgzip; recompress with `zcat | bgzip`", self.path)
            if not Path(f"{self.path}.gzi").exists():
                raise InputError("missing index (.gzi) of the bgzip file; run `samtools faidx` on it", self.path)
            self._bgzip = shutil.which("bgzip")
            if self._bgzip is None:
                raise RuntimeError("bgzip (htslib) is needed to read bgzip FASTA files and is not on PATH")
        self._cache = OrderedDict()
        self._cache_size = cache
        self._ahead = {}
        self._reader = ThreadPoolExecutor(max_workers=1)

    def _read_raw(self, offset, size):
        """``size`` bytes of the uncompressed file from ``offset``."""
        if self._bgzip is None:
            with open(self.path, "rb") as handle:
                handle.seek(offset)
                return handle.read(size)
        command = [self._bgzip, "-d", "-c", "-b", str(offset), "-s", str(size), str(self.path)]
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        if done.returncode != 0:
            raise InputError(f"bgzip could not read it: {done.stderr.decode(errors='replace').strip()}", self.path)
        return done.stdout

    def _load(self, name):
        length, offset, linebases, linewidth = self.index[name]
        raw = self._read_raw(offset, (length // linebases) * linewidth + length % linebases)
        seq = raw.replace(b"\n", b"")
        if linewidth - linebases > 1:  # CRLF line ends
            seq = seq.replace(b"\r", b"")
        if len(seq) != length:
            raise InputError(f"sequence {name!r} has {len(seq)} bases, the index says {length}", self.path)
        return seq

    def prefetch(self, name):
        """Start reading sequence ``name`` in the background (no-op if cached)."""
        if name in self.index and name not in self._cache and name not in self._ahead:
            self._ahead[name] = self._reader.submit(self._load, name)

    def fetch(self, name, start=0, end=None):
        """Bases ``[start, end)`` of sequence ``name`` (the whole sequence by default).

        The whole sequence is read and cached, so consecutive slices of one
        sequence cost a single read.
        """
        if name not in self.index:
            raise KeyError(name)
        seq = self._cache.pop(name, None)
        if seq is None:
            ahead = self._ahead.pop(name, None)
            seq = ahead.result() if ahead is not None else self._load(name)
            while self._cache and len(self._cache) + len(self._ahead) >= self._cache_size > 0:
                self._cache.popitem(last=False)
        if self._cache_size > 0:
            self._cache[name] = seq
        if start == 0 and (end is None or end == len(seq)):
            return seq
        return seq[start:end]


def _wrapped(seq, width):
    """``seq`` as FASTA lines of ``width`` bases, in memory-bounded pieces."""
    lines = len(seq) // width
    bases = np.frombuffer(seq, dtype=np.uint8)
    step = max(1, (1 << 24) // width)
    for first in range(0, lines, step):
        last = min(lines, first + step)
        block = np.empty((last - first, width + 1), dtype=np.uint8)
        block[:, :width] = bases[first * width : last * width].reshape(-1, width)
        block[:, width] = ord("\n")
        yield block
    if len(seq) % width:
        yield seq[lines * width :] + b"\n"


class _FastaSink:
    """The ``write`` side of :func:`bgzf_fasta_writer`.

    Each record is wrapped and piped to bgzip in a background thread, so the
    caller builds the next sequence while bgzip compresses this one; records
    still go out in order (a write waits for the one before).
    """

    def __init__(self, stream, width):
        self._stream = stream
        self._width = width
        self._offset = 0
        self._pending = None
        self._error = None
        self.fai = []

    def _send(self, header, seq):
        try:
            self._stream.write(header)
            for piece in _wrapped(seq, self._width):
                self._stream.write(piece)
        except BaseException as err:  # re-raised in the caller's thread by wait()
            self._error = err

    def wait(self):
        """Block until the records handed over so far are in the pipe."""
        if self._pending is not None:
            self._pending.join()
            self._pending = None
        if self._error is not None:
            raise self._error

    def write(self, name, seq):
        """Append one record; ``seq`` is ``bytes``."""
        self.wait()
        header = f">{name}\n".encode()
        self._offset += len(header)
        linebases = min(self._width, len(seq))  # as samtools: one short line counts its own length
        self.fai.append((name, len(seq), self._offset, linebases, linebases + 1))
        self._offset += len(seq) + -(-len(seq) // self._width)
        self._pending = threading.Thread(target=self._send, args=(header, seq), daemon=True)
        self._pending.start()


@contextlib.contextmanager
def bgzf_fasta_writer(path, width=60, level=1, threads=1):
    """Write a bgzip FASTA with its ``.fai`` and ``.gzi``, atomically.

    Yields an object whose ``write(name, seq)`` appends a record. On success the
    index files and then the FASTA appear under their final names; on any error
    none of them does.

    Parameters
    ----------
    path : str or Path
        Output ``.fa.gz``; the indexes go to ``path + ".fai"`` / ``".gzi"``.
    width : int
        Bases per line.
    level : int
        Deflate level (1 is fast and within ~15 % of the best size on DNA).
    threads : int
        ``bgzip`` compression threads.
    """
    bgzip = shutil.which("bgzip")
    if bgzip is None:
        raise RuntimeError("bgzip (htslib) is needed to write FASTA files and is not on PATH")
    path = Path(path)
    with (
        atomic_output(path) as tmp,
        atomic_output(f"{path}.fai") as tmp_fai,
        atomic_output(f"{path}.gzi") as tmp_gzi,
        open(tmp, "wb") as out,
    ):
        command = [bgzip, "-c", "-l", str(level), "-@", str(threads), "-i", "-I", str(tmp_gzi)]
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.PIPE)
        sink = _FastaSink(proc.stdin, width)
        try:
            yield sink
            sink.wait()
            proc.stdin.close()
        except BaseException:
            proc.kill()
            proc.wait()
            with contextlib.suppress(BaseException):
                sink.wait()
            raise
        if proc.wait() != 0:
            raise RuntimeError(f"bgzip failed writing {path}: {proc.stderr.read().decode().strip()}")
        with open(tmp_fai, "w") as fai:
            fai.writelines("\t".join(str(x) for x in entry) + "\n" for entry in sink.fai)


def _open_binary(path):
    """A FASTA for reading bytes: gzip (bgzip included) or plain."""
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def read_fasta_records(path):
    """Yield ``(name, sequence)`` of each record of a plain or gzip FASTA, in order.

    The name is the header's first word; line ends (LF or CRLF) are dropped,
    bases are passed on as they are.

    Raises
    ------
    InputError
        On text before the first header, an empty name, a repeated name, a
        record with no bases (0-length chromosome) or a file with no record.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("FASTA not found", path)
    name, lines, seen, header_line = None, [], set(), 0

    def record():
        seq = b"".join(lines)
        if not seq:
            raise InputError(f"sequence {name!r} is empty (0 bases): remove the record", path, header_line)
        return name, seq

    with _open_binary(path) as handle:
        for lineno, line in enumerate(handle, 1):
            if line.startswith(b">"):
                if name is not None:
                    yield record()
                fields = line[1:].split()
                if not fields:
                    raise InputError("FASTA header without a name", path, lineno)
                name, lines, header_line = fields[0].decode(), [], lineno
                if name in seen:
                    raise InputError(f"sequence name {name!r} is repeated", path, lineno)
                seen.add(name)
            elif name is None:
                if line.strip():
                    raise InputError("text before the first '>' header: not a FASTA file", path, lineno)
            else:
                lines.append(line.rstrip(b"\r\n"))
    if name is None:
        raise InputError("no FASTA record", path)
    yield record()


def write_bgzip_fasta(fasta_in, fasta_out, threads=1):
    """Recompress a FASTA (plain, gzip or bgzip) with bgzip and index it (``.fai``, ``.gzi``).

    Sequences are rewrapped at 60 bases a line by :func:`bgzf_fasta_writer`;
    the three files appear together, or not at all on error.
    """
    Path(fasta_out).parent.mkdir(parents=True, exist_ok=True)
    with bgzf_fasta_writer(fasta_out, threads=threads) as out:
        for name, seq in read_fasta_records(fasta_in):
            out.write(name, seq)
