"""MIX-HIC arrays from a hand-made track store (hicmodels.multimodal.samples)."""

import numpy as np
import pandas as pd
import pytest

from hicmodels.epigenome.store import open_track_store, write_track_store
from hicmodels.errors import InputError
from hicmodels.modelling.tracks import TrackSet
from hicmodels.multimodal.samples import (bin_means, loop_samples, loop_windows, map_samples, split_rows,
                                          window_samples)

BIN, STEP, BINS = 1000, 100, 4  # 4 bins of 1 kb per segment, 10 track values per bin


@pytest.fixture
def store(tmp_path):
    """Tracks ``a`` (value = 100 bp index), ``b`` (minus it) and ``cage`` (log1p of bin index + 1, per 1 kb bin)."""
    n = 400
    index = np.arange(n, dtype=np.float32)
    values = {"chr1": np.stack([index, -index, np.log1p(np.repeat(np.arange(n // 10) + 1.0, 10))]).astype(np.float32)}
    path = tmp_path / "store.h5"
    write_track_store(path, TrackSet(["a", "b", "cage"], STEP, values), "reference", [])
    with open_track_store(path) as opened:
        yield opened


def test_window_tracks_are_x_then_y_in_the_model_track_order(store):
    windows = pd.DataFrame({"chrom": ["chr1", "chr1"], "x_start": [0, 5000], "y_start": [4000, 5000]})
    samples = window_samples(store, ["b", "a"], windows, BINS, BIN)
    assert samples["tracks"].shape == (2, 2, 80) and "cage" not in samples
    np.testing.assert_array_equal(samples["tracks"][0, 1], np.concatenate([np.arange(40), np.arange(40, 80)]))
    np.testing.assert_array_equal(samples["tracks"][0, 0], -samples["tracks"][0, 1])
    np.testing.assert_array_equal(samples["tracks"][1, 1], np.concatenate([np.arange(50, 90)] * 2))
    with pytest.raises(InputError, match=r"no tracks \['dnase'\] in the track store"):
        window_samples(store, ["a", "dnase"], windows, BINS, BIN)


def test_cage_values_are_per_bin_means_x_then_y(store):
    windows = pd.DataFrame({"chrom": ["chr1"], "x_start": [2000], "y_start": [10000]})
    samples = window_samples(store, ["a"], windows, BINS, BIN, cage="cage")
    np.testing.assert_allclose(samples["cage"][0], np.log1p([3, 4, 5, 6, 11, 12, 13, 14]), rtol=1e-6)
    # a bin's mean is over the signal, not the stored log1p values: log1p(mean(1, 3)) = log1p(2)
    assert bin_means(store, 2, "chr1", 0, 1, 2 * BIN)[0] == pytest.approx(np.log1p(1.5))


def test_map_samples_put_maps_on_the_contact_scale_and_count_the_distance(store):
    windows = pd.DataFrame({"chrom": ["chr1", "chr1"], "x_start": [0, 0], "y_start": [0, 4000]})
    maps = np.stack([np.full((BINS, BINS), 2.0), np.eye(BINS)]).astype(np.float32)
    samples = map_samples(store, ["a"], maps, windows, 0.5, BIN)
    np.testing.assert_allclose(samples["hic"][0], np.log1p(1.0))
    np.testing.assert_allclose(samples["hic"][1], np.log1p(0.5 * np.eye(BINS)))
    assert samples["distance"].tolist() == [0, 4]


def test_loop_windows_centre_the_segments_on_the_anchors(store):
    labels = pd.DataFrame({"chrom": ["chr1", "chr1"], "bin1": [5, 10], "bin2": [12, 30], "label": [1, 0]})
    windows = loop_windows(labels, BINS, BIN)
    assert windows[["x_start", "y_start"]].values.tolist() == [[3000, 10000], [8000, 28000]]
    samples = loop_samples(store, ["a"], labels, BINS, BIN)
    assert samples["loop"].tolist() == [1.0, 0.0] and samples["hic"].shape == (2, BINS, BINS)
    # the anchor bin 5 is the x segment's third bin: values 50..59 at positions 20..29
    np.testing.assert_array_equal(samples["tracks"][0, 0, 20:30], np.arange(50, 60))


def test_split_rows_by_chromosome():
    splits = {"test": ["chr3"], "validation": ["chr2"]}
    assert split_rows(["chr1", "chr2", "chr3", "chr1"], splits).tolist() == ["train", "validation", "test", "train"]
