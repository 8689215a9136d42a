import numpy as np
import pandas as pd

from hicmodels.hic.assemble import stitch_windows
from hicmodels.hic.band import band_from_dense, dense_from_band
from hicmodels.hic.stitch import ChromosomeStitcher


def _symmetric(rng, n):
    m = rng.random((n, n))
    return m + m.T


def test_stitch_reproduces_a_matrix_where_windows_do_not_overlap():
    rng = np.random.default_rng(1)
    truth = _symmetric(rng, 30)
    windows = pd.DataFrame({
        "window_id": ["w0", "w1", "w2"], "chrom": "a", "start": [0, 100, 200], "end": [100, 200, 300],
        "seq_chrom": "a", "seq_start": [0, 100, 200], "seq_end": [100, 200, 300],
    })
    maps = np.stack([truth[i:i + 10, i:i + 10] for i in (0, 10, 20)])
    pixels, valid, elsewhere = stitch_windows(windows, ["w0", "w1", "w2"], maps, pd.Series({"a": 300, "b": 50}), 10,
                                              blocks=None, min_coverage=0.5)
    assert elsewhere.empty
    rows, cols, values = pixels["a"]
    got = np.full((30, 30), np.nan)
    got[rows, cols] = values
    for i in (0, 10, 20):
        np.testing.assert_array_equal(got[i:i + 10, i:i + 10][np.triu_indices(10)], truth[i:i + 10, i:i + 10][np.triu_indices(10)])
    assert np.isnan(got[0, 10])  # between windows: not predicted, not zero
    assert valid["a"].all() and "b" not in valid


def test_overlapping_windows_are_averaged():
    stitcher = ChromosomeStitcher(4)
    stitcher.add([0, 1, 2], np.full((3, 3), 1.0))
    stitcher.add([1, 2, 3], np.full((3, 3), 3.0))
    nan = np.full((3, 3), np.nan)
    nan[0, 0] = 7.0
    stitcher.add([1, 2, 3], nan)  # NaN pixels do not count
    rows, cols, values, coverage = stitcher.result()
    got = dict(zip(zip(rows.tolist(), cols.tolist()), values.tolist()))
    assert got[(0, 0)] == 1.0 and got[(0, 2)] == 1.0
    assert got[(1, 2)] == 2.0 and got[(2, 2)] == 2.0
    assert got[(1, 1)] == (1 + 3 + 7) / 3
    assert got[(3, 3)] == 3.0 and (0, 3) not in got
    windows_behind = dict(zip(zip(rows.tolist(), cols.tolist()), coverage.tolist()))
    assert windows_behind[(0, 0)] == 1 and windows_behind[(1, 1)] == 3 and windows_behind[(1, 2)] == 2


def test_band_round_trip():
    rng = np.random.default_rng(2)
    m = _symmetric(rng, 12)
    band = band_from_dense(m, 4)
    assert band.shape == (12, 4)
    assert band[3, 2] == m[3, 5] and np.isnan(band[11, 1])
    back = dense_from_band(band)
    near = np.abs(np.subtract.outer(np.arange(12), np.arange(12))) < 4
    np.testing.assert_array_equal(back[near], m[near])
    assert np.isnan(back[~near]).all()
