import numpy as np
import pandas as pd
from scipy import sparse

from hicmodels.genome.liftover import BLOCK_COLUMNS, identity_blocks, invert
from hicmodels.hic.rebin import resample, split_at_bins, window_to_reference


def test_split_at_bins():
    bins, index, overlap = split_at_bins([7, 8], [5, 20], [25, 30], 10)
    assert bins.tolist() == [0, 1, 2, 2]
    assert index.tolist() == [7, 7, 7, 8]
    assert overlap.tolist() == [5, 10, 5, 10]


def test_resample_identity_is_exact():
    rng = np.random.default_rng(0)
    m = rng.random((6, 6))
    m[2] = m[:, 2] = np.nan
    got = resample(m, np.eye(6) * 10, np.full(6, 10), min_coverage=0.5)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(m))
    np.testing.assert_allclose(got[np.isfinite(m)], m[np.isfinite(m)])


def test_resample_to_coarser_bins_is_a_nan_aware_mean():
    m = np.arange(16, dtype=float).reshape(4, 4)
    m[0, 1] = np.nan
    weights = np.array([[5, 5, 0, 0], [0, 0, 5, 5]])  # two source bins per destination bin
    got = resample(m, weights)
    assert got[0, 0] == np.mean([0, 4, 5])  # (0,1) is missing
    assert got[0, 1] == np.mean([2, 3, 6, 7])
    assert got[1, 1] == np.mean([10, 11, 14, 15])


def _window_on_reference(mapping, seq_start, nbins, binsize):
    ref_bins, weights, _ = window_to_reference(invert(mapping), "a", seq_start, seq_start + nbins * binsize, nbins, "a",
                                               binsize)
    return ref_bins, weights


def test_deleted_and_inverted_bins_on_the_reference_grid():
    """A 10-bin window over a haplotype with reference bins 3-4 deleted and bins 6-7 inverted."""
    b = 10
    mapping = pd.DataFrame([
        ("a", 0, 30, "a", 0, 30, "+"),
        ("a", 50, 60, "a", 30, 40, "+"),
        ("a", 60, 80, "a", 40, 60, "-"),
        ("a", 80, 120, "a", 60, 100, "+"),
    ], columns=BLOCK_COLUMNS)
    ref_bins, weights = _window_on_reference(mapping, 0, 10, b)
    # personal bins 0..9 come from reference bins 0,1,2,5,7,6,8,9,10,11
    assert ref_bins.tolist() == [0, 1, 2, 5, 6, 7, 8, 9, 10, 11]
    dense = weights.toarray() / b
    source = [0, 1, 2, 3, 5, 4, 6, 7, 8, 9]  # personal bin of each reference bin above
    np.testing.assert_array_equal(dense, np.eye(10)[source])
    block = np.add.outer(np.arange(10), np.arange(10) * 100).astype(float)
    got = resample(block, weights, np.full(10, b), min_coverage=0.5)
    np.testing.assert_array_equal(got, block[np.ix_(source, source)])


def test_partially_deleted_bin_is_masked_below_min_coverage():
    b = 10
    mapping = pd.DataFrame([("a", 0, 13, "a", 0, 13, "+"), ("a", 20, 60, "a", 13, 53, "+")], columns=BLOCK_COLUMNS)
    ref_bins, weights = _window_on_reference(mapping, 0, 5, b)
    assert ref_bins.tolist() == [0, 1, 2, 3, 4, 5]
    got = resample(np.ones((5, 5)), weights, np.full(6, b), min_coverage=0.5)
    assert np.isnan(got[1]).all()  # reference bin 1 keeps 3 of 10 bases
    assert np.isfinite(np.delete(np.delete(got, 1, 0), 1, 1)).all()


def test_reference_window_off_grid_is_spread_by_overlap():
    sizes = pd.Series({"a": 100})
    ref_bins, weights, _ = window_to_reference(identity_blocks(sizes), "a", 15, 55, 4, "a", 10)
    assert ref_bins.tolist() == [1, 2, 3, 4, 5]
    assert sparse.csr_matrix(weights).toarray().tolist() == [
        [5, 0, 0, 0], [5, 5, 0, 0], [0, 5, 5, 0], [0, 0, 5, 5], [0, 0, 0, 5]]
