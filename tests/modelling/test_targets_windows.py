"""Which maps reach a model's targets: ``window_targets`` on a cooler whose balanced and raw pixels are known.

The cooler holds integer counts and a weight of 0.01 on every bin, so a balanced pixel is ``1e-4`` of its count.
Akita's coarse-graining pools pixels by their raw counts (cutoff 2), so the targets differ when the balanced map
(values far below 2) or scaled counts (far above 2) stand in for the counts.
"""

import cooler
import numpy as np
import pandas as pd
import pytest

from hicmodels.hic.cool import ExperimentalMap
from hicmodels.modelling.targets import akita_target, window_targets

N, BIN, WEIGHT, SCALE = 40, 10, 0.01, 1000.0
AKITA = {"architecture": "akita", "target_transform": "akita", "diagonal_offset": 2}


def counts_map():
    """Symmetric counts: distance decay times noise, a 2x2 block of zero counts and a few single counts."""
    rng = np.random.default_rng(4)
    i, j = np.indices((N, N))
    upper = np.triu(np.round(60.0 / (1 + np.abs(i - j)) * rng.lognormal(0, 0.3, (N, N))))
    counts = upper + np.triu(upper, 1).T
    counts[8:10, 24:26] = counts[24:26, 8:10] = 0
    counts[5, 30] = counts[30, 5] = counts[6, 31] = counts[31, 6] = 1
    return counts


@pytest.fixture(scope="module")
def experimental(tmp_path_factory):
    path = tmp_path_factory.mktemp("targets") / "x.cool"
    counts = counts_map()
    rows, cols = np.nonzero(np.triu(counts))
    bins = pd.DataFrame({"chrom": "chrA", "start": np.arange(N) * BIN, "end": np.arange(1, N + 1) * BIN,
                         "weight": WEIGHT})
    pixels = pd.DataFrame({"bin1_id": rows, "bin2_id": cols, "count": counts[rows, cols].astype(np.int64)})
    cooler.create_cooler(str(path), bins, pixels, ordered=True)
    return ExperimentalMap(path, {}, pd.Series({"chrA": N * BIN}))


def test_akita_targets_coarse_grain_the_raw_counts_at_unit_scale(experimental):
    counts = counts_map()
    windows = pd.DataFrame({"chrom": ["chrA"], "start": [0], "end": [N * BIN]})
    got = window_targets(experimental, windows, N, SCALE, AKITA)
    assert got.shape == (1, N, N) and got.dtype == np.float32
    want = akita_target(counts * WEIGHT**2 * SCALE, counts, 2)
    np.testing.assert_allclose(got[0], want, atol=1e-6)
    # the wrong counts give other targets: the balanced map as counts, or the counts scaled
    for wrong in (counts * WEIGHT**2, counts * SCALE):
        assert np.abs(akita_target(counts * WEIGHT**2, wrong, 2) - want).max() > 0.05


def test_log1p_targets_are_the_scaled_balanced_map(experimental):
    windows = pd.DataFrame({"chrom": ["chrA", "chrA"], "start": [0, 200], "end": [200, 400]})
    got = window_targets(experimental, windows, 20, SCALE, {"architecture": "encoder_decoder"})
    counts = counts_map()
    want = np.log1p(np.stack([counts[:20, :20], counts[20:, 20:]]) * WEIGHT**2 * SCALE)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert window_targets(experimental, windows.iloc[:0], 20, SCALE, AKITA).shape == (0, 20, 20)
