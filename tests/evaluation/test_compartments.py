"""Compartment E1 (cooltools eigs_cis, GC-phased) of hand-made checkerboard maps with known compartments."""

import cooler
import numpy as np
import pandas as pd
import pytest

from hicmodels.evaluation import compartments

BINSIZE = 10_000
N = 120
LABELS = np.repeat([1, -1, 1, -1, 1, -1], 20)  # A/B domains of 20 bins (200 kb)
GC = np.where(LABELS > 0, 0.45, 0.35)  # A is the GC-rich compartment


def checkerboard(labels=LABELS, strength=0.6):
    i, j = np.indices((len(labels), len(labels)))
    return 100.0 / (np.abs(i - j) + 1.0) * (1 + strength * np.outer(labels, labels))


def band_of(matrix, width):
    n = len(matrix)
    band = np.full((n, width), np.nan)
    for k in range(width):
        band[: n - k, k] = np.diagonal(matrix, k)
    return band


def test_e1_of_a_full_map_equals_cooltools_on_its_cooler_and_recovers_the_compartments(tmp_path):
    import cooltools

    matrix = checkerboard()
    rows, cols = np.triu_indices(N)
    bins = pd.DataFrame({"chrom": "chrA", "start": np.arange(N) * BINSIZE, "end": np.arange(1, N + 1) * BINSIZE,
                         "weight": 1.0})
    cooler.create_cooler(str(tmp_path / "full.cool"), bins,
                         pd.DataFrame({"bin1_id": rows, "bin2_id": cols, "count": matrix[rows, cols]}),
                         dtypes={"count": float}, ordered=True)
    clr = cooler.Cooler(str(tmp_path / "full.cool"))
    view = pd.DataFrame({"chrom": ["chrA"], "start": [0], "end": [N * BINSIZE], "name": ["chrA"]})
    _, theirs = cooltools.eigs_cis(clr, phasing_track=bins[["chrom", "start", "end"]].assign(GC=GC), view_df=view)
    ours = compartments.eigenvector(band_of(matrix, N), GC, BINSIZE)
    np.testing.assert_allclose(ours, theirs["E1"].to_numpy(), atol=1e-9)
    assert (np.sign(ours) == LABELS).all()
    flipped = compartments.eigenvector(band_of(matrix, N), 0.8 - GC, BINSIZE)  # phasing picks the sign
    assert (np.sign(flipped) == -LABELS).all()


def test_band_limited_map_still_finds_the_compartments():
    e1 = compartments.eigenvector(band_of(checkerboard(), 50), GC, BINSIZE)  # 500 kb of 1.2 Mb stored
    assert (np.sign(e1) == LABELS).all()


def test_coarsen_band_sums_blocks_and_keeps_only_fully_stored_coarse_offsets():
    band = band_of(np.arange(36, dtype=float).reshape(6, 6) + np.arange(36).reshape(6, 6).T, 6)
    band[:, 4:] = np.nan  # stored to offset 3
    coarse = compartments.coarsen_band(band, 2, 3)
    # coarse offset 0 of block 0: pixels (0,0) (0,1) (1,1); offset 1 of block 0: (0,2) (0,3) (1,2) (1,3)
    full = np.arange(36).reshape(6, 6) + np.arange(36).reshape(6, 6).T
    assert coarse.shape == (3, 2)
    assert coarse[0, 0] == full[0, 0] + full[0, 1] + full[1, 1]
    assert coarse[0, 1] == full[0, 2] + full[0, 3] + full[1, 2] + full[1, 3]
    assert coarse[2, 1] == 0  # beyond the chromosome
    # stored to offset 4: coarse offset 2 would need fine offset 5, so it is not kept
    assert compartments.coarsen_band(band_of(full.astype(float), 6), 2, 4).shape == (3, 2)
    masked = band.copy()
    masked[2:4] = np.nan
    assert np.isnan(compartments.coarsen_band(masked, 2, 3)[1]).all()


def test_score_compartments_by_correlation_and_span():
    truth = band_of(checkerboard(), 60)
    same = band_of(checkerboard() * 3, 60)
    shifted = band_of(checkerboard(np.roll(LABELS, 10)), 60)  # domains half a domain off: labels uncorrelated
    scores = compartments.score_compartments({"same": same, "shifted": shifted}, truth, GC, BINSIZE, 59,
                                             20_000, 600_000)
    assert scores["same"]["pearson_e1"] == pytest.approx(1.0)
    assert abs(scores["shifted"]["pearson_e1"]) < 0.2
    assert compartments.compartments_scorable(59, BINSIZE, 600_000)
    assert not compartments.compartments_scorable(58, BINSIZE, 600_000)
    narrow = compartments.score_compartments({"same": same}, truth, GC, BINSIZE, 58, 20_000, 600_000)
    assert np.isnan(narrow["same"]["pearson_e1"])


def test_metrics_table_holds_e1_correlation_where_the_band_spans_the_minimum(tmp_path, caplog):
    from hicmodels.evaluation.scoring import evaluate
    from hicmodels.hic.cool import ExperimentalMap, write_cool

    sizes = pd.Series({"chrA": N * BINSIZE, "chrB": N * BINSIZE})
    rows, cols = np.triu_indices(N)
    valid = {c: np.ones(N, bool) for c in sizes.index}
    matrix = checkerboard()
    write_cool(tmp_path / "experiment.cool", sizes, BINSIZE, {c: (rows, cols, matrix[rows, cols]) for c in sizes.index},
               valid)
    keep = cols - rows < 60
    write_cool(tmp_path / "model.cool", sizes, BINSIZE, {c: (rows[keep], cols[keep], 2 * matrix[rows, cols][keep])
                                                         for c in sizes.index}, valid, {"band_diagonals": 60})
    bases = np.where(np.repeat(GC, BINSIZE) > 0.4, b"G"[0], b"A"[0]).astype(np.uint8)  # A bins GC-rich
    settings = {"min_offset": 1, "scc_h": 1, "scc_max_offset": 10, "insulation_window": 3, "boundary_tolerance": 1,
                "sequence_baseline_bins": 2, "loop_donut": [5, 2], "loop_fdr": 0.1, "loop_tolerance": 1,
                "compartment_bin_bp": 20_000, "compartment_min_span_bp": 600_000}
    experimental = ExperimentalMap(tmp_path / "experiment.cool", {}, sizes)
    table = evaluate(tmp_path / "model.cool", experimental, ["chrA"], ["chrB"], 60, 1.0, settings, "model",
                     sequence_of=lambda chrom: bases.tobytes())
    rows_of = table.set_index("predictor")
    assert rows_of.loc["model", "pearson_e1"] == pytest.approx(1.0)
    assert np.isnan(rows_of.loc["gc_content", "pearson_e1"])
    with caplog.at_level("INFO"):
        short = evaluate(tmp_path / "model.cool", experimental, ["chrA"], ["chrB"], 60, 1.0,
                         {**settings, "compartment_min_span_bp": 610_000}, "model",
                         sequence_of=lambda chrom: bases.tobytes())
    assert short["pearson_e1"].isna().all()
    assert "compartment E1 not computed: the scored band spans 600000 bp, under" in caplog.text
