"""Compare the .mcool files of two runs of the workflow, every resolution.

    python .ci/slurm/compare_mcools.py RUN_A/results/cell_lines/yeast/models/yeast/maps RUN_B/results/cell_lines/yeast/models/yeast/maps

Per file and resolution it prints the pixel count and the pixel sum of each run
and whether the two agree. They agree when the chromosome names, chromosome
lengths, bin size and resolutions are the same, the pixel sums are bitwise equal
and so are the pixel tables themselves (bin1_id, bin2_id, count) and the bin
weights (NaN where masked). Exit status 0 only if every file of either run has
its twin and every resolution agrees; 1 otherwise.
"""

import sys
from pathlib import Path

import cooler
import numpy as np


def describe(path):
    """{resolution uri: (cooler, pixel table, weights)} of an .mcool."""
    out = {}
    for uri in cooler.fileops.list_coolers(str(path)):
        clr = cooler.Cooler(f"{path}::{uri}")
        pixels = clr.pixels()[:]
        bins = clr.bins()[:]
        weight = bins["weight"].to_numpy() if "weight" in bins else None
        out[uri] = (clr, pixels, weight)
    return out


def compare(a_path, b_path):
    """Lines of the comparison of two .mcool files, and whether they agree."""
    a, b = describe(a_path), describe(b_path)
    lines, ok = [], True
    if list(a) != list(b):
        return [f"  resolutions differ: {list(a)} vs {list(b)}"], False
    for uri in a:
        (ca, pa, wa), (cb, pb, wb) = a[uri], b[uri]
        why = []
        if ca.chromnames != cb.chromnames:
            why.append("chromosome names")
        if ca.chromsizes.tolist() != cb.chromsizes.tolist():
            why.append("chromosome lengths")
        if ca.binsize != cb.binsize:
            why.append("bin size")
        sa, sb = float(pa["count"].sum()), float(pb["count"].sum())
        if sa != sb:
            why.append(f"pixel sum (difference {sa - sb:.6g})")
        same_pixels = len(pa) == len(pb) and all(
            np.array_equal(pa[c].to_numpy(), pb[c].to_numpy()) for c in ("bin1_id", "bin2_id", "count")
        )
        if not same_pixels:
            why.append("pixel table")
        if (wa is None) != (wb is None) or (wa is not None and not np.array_equal(wa, wb, equal_nan=True)):
            why.append("bin weights")
        ok &= not why
        lines.append(
            f"  {uri:<20} chroms={len(ca.chromnames)} bp={int(ca.chromsizes.sum())} pixels={len(pa)}/{len(pb)}"
            f" sum={sa!r}/{sb!r} " + ("same" if not why else "DIFFERENT: " + ", ".join(why))
        )
    return lines, ok


def main(a_dir, b_dir):
    a_dir, b_dir = Path(a_dir), Path(b_dir)
    names_a = sorted(p.name for p in a_dir.glob("*.mcool"))
    names_b = sorted(p.name for p in b_dir.glob("*.mcool"))
    ok = bool(names_a) and names_a == names_b
    print(f"comparing .mcool files: A={a_dir} B={b_dir} (pixels and sums shown as A/B)")
    if not names_a:
        print("  no .mcool files in A")
    if names_a != names_b:
        print(f"  file sets differ: only in A {sorted(set(names_a) - set(names_b))},"
              f" only in B {sorted(set(names_b) - set(names_a))}")
    n = 0
    for name in sorted(set(names_a) & set(names_b)):
        lines, same = compare(a_dir / name, b_dir / name)
        print(name)
        print("\n".join(lines))
        ok &= same
        n += len(lines)
    print(f"compare_mcools: {'OK' if ok else 'FAILED'}: {len(names_a)} files, {n} resolutions compared")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
