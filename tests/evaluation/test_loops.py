"""Loop calls (cooltools dots with the pandas-3 threshold step) and loop metrics on hand-made maps."""

import numpy as np
import pandas as pd
import pytest
import torch
from torchmetrics.functional.classification import binary_auroc

from hicmodels.evaluation import loops

BINSIZE = 10_000
N = 160
DOTS = [(40, 60), (90, 105), (110, 140)]  # separations 20, 15, 30 bins


def decay(n=N):
    i, j = np.indices((n, n))
    return 2000.0 / (np.abs(i - j) + 1.0)


def planted(expected, dots=DOTS):
    """``expected`` with each dot's pixel x6 and its 8 neighbours x2 (symmetric)."""
    lam = expected.copy()
    for a, b in dots:
        lam[a - 1 : a + 2, b - 1 : b + 2] *= 2
        lam[a, b] *= 3
        lam[b - 1 : b + 2, a - 1 : a + 2] = lam[a - 1 : a + 2, b - 1 : b + 2].T
    return lam


def poisson_map(lam, seed=0):
    counts = np.triu(np.random.default_rng(seed).poisson(lam)).astype(float)
    return counts + np.triu(counts, 1).T


def bedpe(pairs, chrom="chrom", binsize=BINSIZE):
    return pd.DataFrame([(chrom, a * binsize, (a + 1) * binsize, chrom, b * binsize, (b + 1) * binsize)
                         for a, b in pairs], columns=loops.BEDPE)


def called(table):
    return sorted(zip(table["start1"] // BINSIZE, table["start2"] // BINSIZE))


def test_planted_dots_are_called_at_their_pixels():
    calls = loops.call_loops(poisson_map(planted(decay())), binsize=BINSIZE, max_separation=50)
    assert called(calls) == DOTS
    assert list(calls.columns) == [*loops.BEDPE, "score"]
    assert (calls["score"] > 3).all()  # the dot pixel is x6 over a donut that is half x2


def test_no_dots_on_a_smooth_decay_map_nor_on_its_poisson_noise():
    assert loops.call_loops(np.rint(decay()), binsize=BINSIZE, max_separation=50).empty
    assert loops.call_loops(poisson_map(decay()), binsize=BINSIZE, max_separation=50).empty


def test_max_separation_and_band_input_are_honoured():
    counts = poisson_map(planted(decay()))
    near = loops.call_loops(counts, binsize=BINSIZE, max_separation=25)
    assert called(near) == [(40, 60), (90, 105)]  # the dot 30 bins apart is beyond 25
    band = np.full((N, 41), np.nan)  # stored to offset 40: the donut of a loop 30 apart reaches 40
    for k in range(41):
        band[: N - k, k] = np.diagonal(counts, k)
    assert called(loops.call_loops(band, binsize=BINSIZE, max_separation=30)) == DOTS


def _histograms(all_pass):
    """cooltools' own histogram of scored pixels: two lambda-chunks, observed counts 0..40."""
    from cooltools.api.dotfinder import histogram_scored_pixels

    rng = np.random.default_rng(1)
    lam = np.repeat([3.0, 12.0], 500)
    counts = rng.poisson(lam)
    if all_pass:
        counts[:5], counts[500:505] = 30, 40  # outliers in both chunks
    scored = pd.DataFrame({"count": counts, "la_exp.donut.value": lam})
    return histogram_scored_pixels(scored, ["donut"], np.array([-np.inf, 1.0, 4.0, 16.0, np.inf]))


def test_thresholds_equal_cooltools_where_cooltools_runs():
    from cooltools.api.dotfinder import determine_thresholds

    histograms = _histograms(all_pass=True)
    theirs, their_q = determine_thresholds(histograms, 0.1)
    ours, our_q = loops.lambda_chunk_thresholds(histograms, 0.1)
    pd.testing.assert_series_equal(ours["donut"], theirs["donut"])
    pd.testing.assert_frame_equal(our_q["donut"], their_q["donut"])
    # by the definition, chunk (1, 4]: the first count k with 0.1 * #(count >= k) >= 500 * P(Poisson(4) > k)
    from scipy.stats import poisson

    column = histograms["donut"].iloc[:, 1].to_numpy()
    counts = histograms["donut"].index.to_numpy()
    by_hand = next(k for k in counts if 0.1 * column[counts >= k].sum() >= 500 * poisson.sf(k, 4.0))
    assert ours["donut"].iloc[1] == by_hand


def test_a_chunk_where_nothing_passes_gets_an_unreachable_threshold():
    from cooltools.api.dotfinder import determine_thresholds

    histograms = _histograms(all_pass=False)
    with pytest.raises(ValueError, match="all NA"):  # the crash the workaround is for (pandas >= 3)
        determine_thresholds(histograms, 0.1)
    ours, _ = loops.lambda_chunk_thresholds(histograms, 0.1)
    assert ours["donut"].iloc[1] == ours["donut"].iloc[2] == histograms["donut"].index.max() + 1


def test_matching_is_one_to_one_within_the_tolerance():
    truth = bedpe([(10, 20), (12, 22)])
    # (11, 21) is within 1 of both truths, (13, 23) only of the second: greedy nearest-first would pair
    # (11, 21) with (12, 22) and leave (13, 23) unmatched
    predicted = bedpe([(11, 21), (13, 23), (11, 20)])
    pairs = loops.match_loops(predicted, truth, 1)
    assert len(pairs) == 2 and {t for _, t in pairs} == {0, 1}
    assert loops.match_loops(bedpe([(12, 20)]), bedpe([(10, 20)]), 1) == []  # two bins off on one anchor
    assert loops.match_loops(bedpe([(12, 20)]), bedpe([(10, 20)]), 2) == [(0, 0)]
    assert loops.match_loops(bedpe([(10, 20)], chrom="chrA"), bedpe([(10, 20)], chrom="chrB"), 3) == []


def test_precision_recall_f1_by_hand():
    truth = bedpe([(10, 20), (30, 45), (50, 70), (80, 90)])
    predicted = bedpe([(10, 21), (31, 44), (60, 65)])  # two of three calls hit two of four loops
    scores = loops.loop_metrics(predicted, truth, 1)
    assert scores["loop_precision"] == pytest.approx(2 / 3)
    assert scores["loop_recall"] == pytest.approx(2 / 4)
    assert scores["loop_f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    none = loops.loop_metrics(bedpe([]), truth, 1)
    assert np.isnan(none["loop_precision"]) and none["loop_recall"] == 0 and np.isnan(none["loop_f1"])


def test_auroc_equals_torchmetrics_with_ties_and_skips_missing_scores():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 5, 200).astype(float)  # many ties
    labels = rng.random(200) < 0.3
    expected = binary_auroc(torch.tensor(scores), torch.tensor(labels.astype(int))).item()
    assert loops.loop_auroc(scores, labels) == pytest.approx(expected, abs=1e-6)
    assert loops.loop_auroc([0.1, 0.4, 0.35, 0.8, np.nan], [0, 0, 1, 1, 1]) == pytest.approx(0.75)
    assert np.isnan(loops.loop_auroc([1.0, 2.0], [1, 1]))


def test_negatives_keep_each_loops_separation_and_stay_clear_of_loops():
    truth = bedpe(DOTS)
    negatives = loops.distance_matched_negatives(truth, N, 2, seed=0)
    assert list((negatives["start2"] - negatives["start1"]) // BINSIZE) == [20, 15, 30]
    assert len(loops.match_loops(negatives, truth, 2)) == 0
    pd.testing.assert_frame_equal(negatives, loops.distance_matched_negatives(truth, N, 2, seed=0))


def test_score_loops_perfect_map_against_decay_and_a_too_narrow_band():
    truth_dense = poisson_map(planted(decay()))
    width = 41
    band = np.full((N, width), np.nan)
    smooth = np.full((N, width), np.nan)
    for k in range(width):
        band[: N - k, k] = np.diagonal(truth_dense, k)
        smooth[: N - k, k] = np.diagonal(decay(), k)
    depth = np.nansum(band)
    scores, calls = loops.score_loops({"same": band / 7.0, "decay": smooth}, band, depth, BINSIZE, width - 1,
                                      (5, 2), 0.1, 1)
    assert calls["predictor"].tolist() == ["experiment"] * 3 + ["same"] * 3
    assert calls["matched"].all() and called(calls[calls["predictor"] == "same"]) == DOTS
    assert scores["same"] == {"loop_precision": 1.0, "loop_recall": 1.0, "loop_f1": 1.0, "loop_auroc": 1.0,
                              "n_loops": 3, "n_true_loops": 3}  # a map's scale does not change its calls
    assert scores["decay"]["n_loops"] == 0 and scores["decay"]["loop_recall"] == 0
    assert scores["decay"]["loop_auroc"] == 0.5  # equal values at equal separations
    assert not loops.loops_scorable(19, (5, 2)) and loops.loops_scorable(20, (5, 2))
    narrow, none = loops.score_loops({"same": band}, band, depth, BINSIZE, 19, (5, 2), 0.1, 1)
    assert all(np.isnan(v) for v in narrow["same"].values()) and none.empty


def _write_maps(tmp_path, band):
    from hicmodels.hic.cool import write_cool

    sizes = pd.Series({"chrA": N * BINSIZE, "chrB": N * BINSIZE})
    maps = {"chrA": poisson_map(planted(decay())), "chrB": poisson_map(decay(), seed=1)}
    rows, cols = np.triu_indices(N)
    valid = {c: np.ones(N, bool) for c in sizes.index}
    write_cool(tmp_path / "experiment.cool", sizes, BINSIZE, {c: (rows, cols, m[rows, cols]) for c, m in maps.items()},
               valid)
    keep = cols - rows < band
    write_cool(tmp_path / "model.cool", sizes, BINSIZE,
               {c: (rows[keep], cols[keep], m[rows[keep], cols[keep]] / 50.0) for c, m in maps.items()}, valid,
               {"band_diagonals": band})
    return sizes


SETTINGS = {"min_offset": 1, "scc_h": 1, "scc_max_offset": 10, "insulation_window": 3, "boundary_tolerance": 1,
            "loop_donut": [5, 2], "loop_fdr": 0.1, "loop_tolerance": 1, "compartment_bin_bp": 100000,
            "compartment_min_span_bp": 1000000}


def test_metrics_table_scores_loops_where_the_band_is_wide_enough(tmp_path, caplog):
    from hicmodels.evaluation.scoring import evaluate
    from hicmodels.hic.cool import ExperimentalMap

    sizes = _write_maps(tmp_path, band=41)
    experimental = ExperimentalMap(tmp_path / "experiment.cool", {}, sizes)
    table = evaluate(tmp_path / "model.cool", experimental, ["chrA"], ["chrB"], 41, 1.0, SETTINGS, "model")
    rows = table.set_index("predictor")
    assert rows.loc["model", loops.LOOP_COLUMNS].tolist() == [1.0, 1.0, 1.0, 1.0, 3, 3]
    assert rows.loc["distance_decay", ["loop_recall", "loop_auroc", "n_loops"]].tolist() == [0.0, 0.5, 0]

    sizes = _write_maps(tmp_path, band=16)  # yeast's band: offsets 0..15 < 4 w
    with caplog.at_level("INFO"):
        narrow = evaluate(tmp_path / "model.cool", experimental, ["chrA"], ["chrB"], 41, 1.0, SETTINGS, "model")
    assert narrow[loops.LOOP_COLUMNS].isna().all().all()
    assert "loop metrics not computed: the scored band reaches offset 15, loop calls need 20" in caplog.text


def test_loops_figure_marks_the_experiments_loops_above_and_the_calls_below_the_diagonal(tmp_path, monkeypatch):
    from hicmodels.evaluation import paper

    drawn, save = [], paper.save_figure
    monkeypatch.setattr(paper, "save_figure", lambda fig, path, table: (drawn.append(fig), save(fig, path, table)))
    counts = poisson_map(planted(decay()))
    band = np.full((N, 41), np.nan)
    for k in range(41):
        band[: N - k, k] = np.diagonal(counts, k)
    scores, calls = loops.score_loops({"model": band}, band, np.nansum(band), BINSIZE, 40, (5, 2), 0.1, 1, "chrA")
    table = pd.DataFrame([{"predictor": name, **values} for name, values in scores.items()])
    paper.loops_figure(("chrA", 30 * BINSIZE, 80 * BINSIZE), {"experiment": counts[30:80, 30:80],
                       "model": counts[30:80, 30:80]}, calls, table, BINSIZE, tmp_path / "loops.png")
    written = pd.read_csv(tmp_path / "loops.tsv", sep="\t")
    assert written["predictor"].tolist() == ["experiment"] * 3 + ["model"] * 3 and written["matched"].all()
    panels = [ax for ax in drawn[0].axes if ax.images]
    assert panels[1].get_title() == "model\nP 1.00 R 1.00 F1 1.00"
    centre = BINSIZE / 2
    # the one loop inside the region, (40, 60): experiment at (x = 60, y = 40), the model's call mirrored
    truth_points = np.concatenate([c.get_offsets() for c in panels[1].collections[:2]])
    np.testing.assert_allclose(truth_points, [[60 * BINSIZE + centre, 40 * BINSIZE + centre]])
    np.testing.assert_allclose(panels[1].collections[2].get_offsets(), [[40 * BINSIZE + centre, 60 * BINSIZE + centre]])


def test_a_map_without_loops_scores_without_calls():
    band = np.full((N, 41), np.nan)
    for k in range(41):
        band[: N - k, k] = np.diagonal(np.rint(decay()), k)
    scores, calls = loops.score_loops({"model": band}, band, np.nansum(band), BINSIZE, 40, (5, 2), 0.1, 1)
    assert scores["model"]["n_true_loops"] == 0 and scores["model"]["n_loops"] == 0
    assert np.isnan(scores["model"]["loop_recall"]) and np.isnan(scores["model"]["loop_auroc"]) and calls.empty
