"""Insulation away from chromosome ends and masked bins, and the sequence baselines scored against it."""

import numpy as np
import pandas as pd
import pytest

from hicmodels.evaluation import metrics
from hicmodels.evaluation.baselines import sequence_profile
from hicmodels.evaluation.scoring import evaluate
from hicmodels.hic.band import band_from_dense
from hicmodels.hic.cool import ExperimentalMap, write_cool


def test_interior_bins_keep_a_window_from_ends_and_masked_bins():
    valid = np.ones(20, bool)
    valid[10] = False
    assert np.flatnonzero(metrics.interior_bins(valid, 3)).tolist() == [3, 4, 5, 6, 14, 15, 16]
    assert np.flatnonzero(metrics.interior_bins(np.ones(7, bool), 3)).tolist() == [3]


def _domains_map(n, rng, boundaries=(), contrast=2.0):
    offsets = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    domain = np.searchsorted(boundaries, np.arange(n), side="right")
    same = domain[:, None] == domain[None, :]
    noise = rng.lognormal(0, 0.05, (n, n))
    dense = 10.0 / (1 + offsets) * np.where(same, contrast, 1.0) * (noise + noise.T) / 2
    return band_from_dense(dense, 12)


def test_insulation_pearson_leaves_the_shared_edge_effects_out():
    """A decay-only prediction shares only the truncated diamonds at the ends and around a masked bin with the
    experiment: over all bins that alone correlates highly, over the interior bins it does not."""
    rng = np.random.default_rng(0)
    experimental = _domains_map(90, rng, boundaries=[17, 33, 52, 71], contrast=1.2)
    predicted = _domains_map(90, rng)
    for band in (experimental, predicted):
        band[45, :] = np.nan
        for k in range(1, 12):
            band[45 - k, k] = np.nan
    every = [metrics.insulation(b, 5) for b in (predicted, experimental)]
    ok = np.isfinite(every[0]) & np.isfinite(every[1])
    assert np.corrcoef(every[0][ok], every[1][ok])[0, 1] > 0.7
    assert abs(metrics.compare(predicted, experimental, insulation_window=5)["pearson_insulation"]) < 0.3
    assert metrics.compare(experimental, experimental, insulation_window=5)["pearson_insulation"] == pytest.approx(1.0)


def test_sequence_profiles_are_per_bin_fractions_averaged_over_neighbours():
    sequence = b"GGGGGCCCCC" + b"aaaaattttt" + b"ACGTACGTNN" + b"AAAATAAAAA"
    assert sequence_profile(sequence, "gc_content", 10, 4, 0).tolist() == [1.0, 0.0, 0.5, 0.0]
    assert sequence_profile(sequence, "gc_content", 10, 4, 1) == pytest.approx([0.5, 0.5, 0.5 / 3, 0.25])
    assert sequence_profile(sequence, "poly_at_tracts", 10, 4, 0).tolist() == [0.0, 1.0, 0.0, 0.5]
    assert np.isnan(sequence_profile(b"NNNNNNNNNN", "gc_content", 10, 1, 0)[0])
    with pytest.raises(ValueError, match="unknown sequence baseline"):
        sequence_profile(sequence, "cpg", 10, 4, 0)


def test_profile_pearson_of_the_insulation_itself_is_one():
    experimental = _domains_map(80, np.random.default_rng(1), boundaries=[20, 45, 60])
    score = metrics.insulation(experimental, 4)
    assert metrics.profile_pearson(score, experimental, 4) == pytest.approx(1.0)
    assert metrics.profile_pearson(-score, experimental, 4) == pytest.approx(-1.0)


def test_metrics_table_has_a_row_per_sequence_baseline(tmp_path):
    rng = np.random.default_rng(2)
    n, binsize = 60, 10
    sizes = pd.Series({"test": n * binsize, "train": n * binsize})
    rows, cols = np.triu_indices(n)
    dense = _domains_map(n, rng, boundaries=[15, 40])
    values = dense[rows, np.minimum(cols - rows, 11)] * (cols - rows < 12)
    pixels = {c: (rows, cols, values) for c in sizes.index}
    write_cool(tmp_path / "e.cool", sizes, binsize, pixels, {c: np.ones(n, bool) for c in sizes.index})
    write_cool(tmp_path / "m.cool", sizes, binsize, pixels, {c: np.ones(n, bool) for c in sizes.index},
               {"band_diagonals": 12})
    sequence = bytes(rng.choice(list(b"ACGT"), n * binsize).astype(np.uint8))
    settings = {"min_offset": 1, "scc_h": 1, "scc_max_offset": 8, "insulation_window": 4,
                "sequence_baseline_bins": 2, "boundary_tolerance": 1, "loop_donut": [5, 2], "loop_fdr": 0.1,
                "loop_tolerance": 2, "compartment_bin_bp": 100000, "compartment_min_span_bp": 1000000}
    table = evaluate(tmp_path / "m.cool", ExperimentalMap(tmp_path / "e.cool", {}, sizes), ["test"], ["train"], 12,
                     1.0, settings, "m", sequence_of={"test": sequence}.get)
    assert table["predictor"].tolist() == ["m", "distance_decay", "gc_content", "poly_at_tracts"]
    gc = table.set_index("predictor").loc["gc_content"]
    truth = ExperimentalMap(tmp_path / "e.cool", {}, sizes).band("test", 12)
    want = metrics.profile_pearson(sequence_profile(sequence, "gc_content", binsize, n, 2), truth, 4)
    assert gc["pearson_insulation"] == pytest.approx(want) and np.isfinite(want)
    assert gc["n_pixels"] == 0 and gc[["pearson_log1p", "scc", "pearson_oe"]].isna().all()
