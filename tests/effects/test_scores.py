"""Each score on hand-made maps with hand-computed answers."""

import numpy as np
import pytest

from hicmodels.effects.scores import SCORES, directionality, observed_over_expected, score_maps, ssim, summarise


def from_logs(x):
    """A symmetric contact map whose log1p is ``x`` (given on the upper triangle)."""
    x = np.triu(x) + np.triu(x, 1).T
    return np.expm1(x)


# log1p maps: X_ref[i, j] = j - i, X_alt the same but pixel (0, 3) = 5 (a difference of 2)
N = 4
X_REF = np.subtract.outer(np.arange(N), np.arange(N)).T.astype(float)
X_REF = np.abs(X_REF)
X_ALT = X_REF.copy()
X_ALT[0, 3] = 5.0
REF, ALT = from_logs(X_REF), from_logs(X_ALT)


def test_pixel_scores_by_hand():
    s = score_maps(REF, ALT, centre=2, min_offset=1, triangle_bins=2, insulation_window=1, di_window=1)
    # six pixels with offset >= 1; one differs by 2
    assert s["mse"] == pytest.approx(4 / 6)
    assert s["scd"] == pytest.approx(2.0)
    # ref [1,1,1,2,2,3], alt [1,1,1,2,2,5]: sum dr*da = 6, sum dr^2 = 10/3, sum da^2 = 12
    assert s["corr"] == pytest.approx(1 - 6 / np.sqrt(40))
    # diagonal means differ only at offset 3 (by 2): mean over offsets 1, 2, 3
    assert s["decay"] == pytest.approx(2 / 3)
    # pixels across bin 2 within 2 bins: (0,2) (0,3) (1,2) (1,3); one differs by 2
    assert s["triangle"] == pytest.approx(0.5)


def test_parameters_change_the_pixels_used():
    assert score_maps(REF, ALT, centre=2, min_offset=2)["mse"] == pytest.approx(4 / 3)  # (0,2) (1,3) (0,3)
    assert score_maps(REF, ALT, centre=2, triangle_bins=1)["triangle"] == pytest.approx(0.0)  # only (1,2)
    assert score_maps(REF, ALT, centre=1, triangle_bins=3)["triangle"] == pytest.approx(2 / 3)  # (0,1) (0,2) (0,3)


def test_identical_maps_score_zero():
    s = score_maps(REF, REF.copy(), centre=2, insulation_window=2, di_window=1)
    for name in ("mse", "scd", "corr", "ssi", "scc", "decay", "triangle", "insulation", "di"):
        assert s[name] == pytest.approx(0.0, abs=1e-12), name


def test_ssim_by_hand():
    assert ssim(np.array([0.0, 2.0]), np.array([0.0, 2.0])) == pytest.approx(1.0)
    # range 2: C1 = 0.02^2, C2 = 0.06^2; means 1, variances 1, covariance -1
    c1, c2 = 0.02**2, 0.06**2
    assert ssim(np.array([0.0, 2.0]), np.array([2.0, 0.0])) == pytest.approx((2 + c1) * (-2 + c2) / ((2 + c1) * (2 + c2)))


def test_directionality_index_by_hand():
    m = np.array([[5.0, 1.0, 0.0], [1.0, 5.0, 3.0], [0.0, 3.0, 5.0]])
    di = directionality(m, 1)
    # bin 1: upstream A = 1, downstream B = 3, E = 2: +((1-2)^2 + (3-2)^2) / 2 = 1
    assert np.isnan(di[0]) and np.isnan(di[2]) and di[1] == pytest.approx(1.0)
    flat = np.array([[5.0, 2.0, 0.0], [2.0, 5.0, 2.0], [0.0, 2.0, 5.0]])
    assert score_maps(flat, m, centre=1, di_window=1)["di"] == pytest.approx(1.0)


def test_removing_a_boundary_raises_insulation_at_the_centre():
    n, c = 8, 4
    same = np.equal.outer(np.arange(n) < c, np.arange(n) < c)
    ref = from_logs(np.where(same, 2.0, 0.5))
    alt = from_logs(np.full((n, n), 2.0))
    s = score_maps(ref, alt, centre=c, insulation_window=2)
    assert s["insulation_centre"] > 0.5 and s["insulation"] > 0
    assert s["triangle"] == pytest.approx(1.5)  # every pixel across the boundary rose from 0.5 to 2
    back = score_maps(alt, ref, centre=c, insulation_window=2)
    assert back["insulation_centre"] == pytest.approx(-s["insulation_centre"])


def test_compartment_score_ignores_the_eigenvector_sign_and_sees_a_switch():
    """(A map with distance decay alone has no compartments: pca is NaN there, see the test above.)"""
    n = 10
    a = np.where(np.arange(n) % 4 < 2, 1, -1)
    ref = np.exp(0.8 * np.outer(a, a)) / (1 + np.abs(np.subtract.outer(np.arange(n), np.arange(n))))
    assert score_maps(ref, ref.copy(), centre=5)["pca"] == pytest.approx(0.0, abs=1e-9)
    b = a.copy()
    b[:5] = -b[:5]  # half of the bins switch compartment
    alt = np.exp(0.8 * np.outer(b, b)) / (1 + np.abs(np.subtract.outer(np.arange(n), np.arange(n))))
    assert score_maps(ref, alt, centre=5)["pca"] > 0.5


def test_masked_bins_are_left_out():
    alt = ALT.copy()
    alt[0, :] = alt[:, 0] = np.nan  # bin 0 deleted: only (1,2) (1,3) (2,3), all equal
    s = score_maps(REF, alt, centre=2)
    assert s["mse"] == 0 and s["scd"] == 0


def test_summary_mean_sd_and_z():
    one = dict.fromkeys(SCORES, 1.0)
    three = dict.fromkeys(SCORES, 3.0)
    s = summarise([one, three])
    assert s["n_samples"] == 2 and s["mse"] == 2.0
    assert s["mse_sd"] == pytest.approx(np.sqrt(2)) and s["mse_z"] == pytest.approx(2 / np.sqrt(2))
    single = summarise([one])
    assert single["mse"] == 1.0 and np.isnan(single["mse_sd"]) and np.isnan(single["mse_z"])


def test_observed_over_expected_by_hand():
    m = np.array([[4.0, 2.0, 1.0], [2.0, 2.0, 6.0], [1.0, 6.0, 0.0]])
    # diagonal means: offset 0: 2, offset 1: 4, offset 2: 1
    np.testing.assert_allclose(observed_over_expected(m), [[2, 0.5, 1], [0.5, 1, 1.5], [1, 1.5, 0]])
    assert np.isnan(observed_over_expected(np.zeros((2, 2)))).all()


def test_scd_oe_is_the_scd_of_log_observed_over_expected():
    ref_oe = np.array([[1.0, 2.0, 1.0], [2.0, 1.0, 0.5], [1.0, 0.5, 1.0]])
    alt_oe = np.array([[1.0, 1.0, 4.0], [1.0, 1.0, 0.5], [4.0, 0.5, 1.0]])
    s = score_maps(REF[:3, :3], REF[:3, :3], centre=1, ref_oe=ref_oe, alt_oe=alt_oe)
    # pixels (0,1) (0,2) (1,2): log ratios -log 2, log 4, 0
    assert s["scd_oe"] == pytest.approx(np.sqrt(np.log(2) ** 2 + np.log(4) ** 2))
    assert s["scd"] == 0 and np.isnan(score_maps(REF, ALT, centre=2)["scd_oe"])
