"""Track store vs re-reading bigWigs: build time, size, and 250 kb windows read per second.

Writes two bigWig tracks over one chromosome of ``--length`` bp (a gamma-distributed
signal every 50 bp, as a ChIP/ATAC bigWig made by bamCoverage with 50 bp bins),
builds the reference track store at 100 bp (MIX-HIC's binning) and then reads
``--windows`` random 250 kb windows (2,500 bins x 2 tracks) two ways: from the
store (:meth:`hicmodels.epigenome.store.TrackStore.window`) and straight from the
bigWigs (pyBigWig ``values`` per base, averaged per bin: what a job without the store
does; pyBigWig's exact ``stats`` per bin is far slower still).

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/epigenome_store.py --out /tmp/epigenome_store

One JSON line per result.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pyBigWig

from hicmodels.epigenome.store import open_track_store, reference_tracks, sources, write_track_store

STEP, BIN, WINDOW = 50, 100, 250_000


def write_signal(path, length, rng):
    values = rng.gamma(0.5, 2.0, length // STEP)
    bw = pyBigWig.open(str(path), "w")
    bw.addHeader([("chr1", length)])
    bw.addEntries("chr1", 0, values=values.tolist(), span=STEP, step=STEP)
    bw.close()


def window_from_bigwig(bw, start):
    """log1p of each 100 bp bin's mean (absent bases as 0) of one window, as TrackSet's binning does it."""
    values = np.nan_to_num(bw.values("chr1", start, start + WINDOW, numpy=True), nan=0.0)
    return np.log1p(values.reshape(-1, BIN).mean(axis=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--length", type=int, default=50_000_000, help="chromosome length (bp)")
    parser.add_argument("--windows", type=int, default=500)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    paths = {name: out / f"{name}.bw" for name in ("atac", "dnase")}
    for path in paths.values():
        write_signal(path, args.length, rng)

    started = time.perf_counter()
    write_track_store(out / "reference.h5", reference_tracks(paths, ["chr1"], BIN), "reference", sources(paths))
    build = time.perf_counter() - started
    print(json.dumps({"result": "build", "length_bp": args.length, "tracks": 2, "bin_bp": BIN,
                      "seconds": round(build, 2), "store_mb": round((out / "reference.h5").stat().st_size / 2**20, 1),
                      "bigwig_mb": round(sum(p.stat().st_size for p in paths.values()) / 2**20, 1)}))

    starts = rng.integers(0, (args.length - WINDOW) // BIN, args.windows) * BIN
    with open_track_store(out / "reference.h5") as store:
        started = time.perf_counter()
        from_store = [store.window("chr1", s, s + WINDOW) for s in starts]
        store_seconds = time.perf_counter() - started
    handles = [pyBigWig.open(str(p)) for p in paths.values()]
    started = time.perf_counter()
    from_bigwigs = [np.stack([window_from_bigwig(bw, int(s)) for bw in handles]) for s in starts]
    bigwig_seconds = time.perf_counter() - started
    for bw in handles:
        bw.close()
    largest = max(float(np.abs(a - b).max()) for a, b in zip(from_store, from_bigwigs))
    print(json.dumps({"result": "windows", "windows": args.windows, "window_bp": WINDOW,
                      "store_windows_per_s": round(args.windows / store_seconds, 1),
                      "bigwig_windows_per_s": round(args.windows / bigwig_seconds, 1),
                      "max_abs_difference": largest}))


if __name__ == "__main__":
    main()
