"""lift_intervals against a per-base computation, and at chromosome scale."""

import numpy as np
import pandas as pd

from hicmodels.genome.liftover import BLOCK_COLUMNS, lift_intervals


def per_base(blocks, chrom, pos):
    """Every (pchrom, ppos, strand) the base lands on, from the block definition."""
    out = []
    for b in blocks.itertuples(index=False):
        if b.chrom == chrom and b.start <= pos < b.end:
            p = b.pstart + (pos - b.start) if b.strand == "+" else b.pend - 1 - (pos - b.start)
            out.append((b.pchrom, p, b.strand))
    return sorted(out)


def test_pieces_agree_with_per_base_lifting():
    rng = np.random.default_rng(5)
    for _ in range(30):
        rows = []
        for _ in range(rng.integers(1, 10)):
            s, n, p = (int(x) for x in rng.integers(0, 60, 3))
            rows.append((str(rng.choice(["a", "b"])), s, s + n % 12 + 1, str(rng.choice(["p", "q"])), p, p + n % 12 + 1, str(rng.choice(["+", "-"]))))
        blocks = pd.DataFrame(rows, columns=BLOCK_COLUMNS)
        starts = rng.integers(0, 70, 6)
        intervals = pd.DataFrame({"chrom": rng.choice(["a", "b"], 6), "start": starts, "end": starts + rng.integers(1, 15, 6)})
        pieces = lift_intervals(blocks, intervals.assign(i=np.arange(6)))
        for i, iv in enumerate(intervals.itertuples(index=False)):
            got = []
            for piece in pieces[pieces["i"] == i].itertuples(index=False):
                for k in range(piece.piece_end - piece.piece_start):
                    p = piece.pstart + k if piece.strand == "+" else piece.pend - 1 - k
                    got.append((piece.piece_start + k, (piece.pchrom, p, piece.strand)))
            want = [(x, hit) for x in range(iv.start, iv.end) for hit in per_base(blocks, iv.chrom, x)]
            assert sorted(got) == sorted(want)


def test_many_intervals_over_many_blocks_stay_linear():
    # 200k blocks and 200k intervals: a cross join per chromosome would need 4e10 rows
    n = 200_000
    starts = np.arange(n, dtype=np.int64) * 10
    blocks = pd.DataFrame({
        "chrom": "c", "start": starts, "end": starts + 8, "pchrom": "p", "pstart": starts + 1, "pend": starts + 9, "strand": "+",
    })
    points = pd.DataFrame({"chrom": "c", "start": starts + 3, "end": starts + 4})
    lifted = lift_intervals(blocks, points)
    assert len(lifted) == n and (lifted["pstart"].to_numpy() == starts + 4).all()
