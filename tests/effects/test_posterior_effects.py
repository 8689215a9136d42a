"""Variant effects of a stochastic model: each score per posterior draw, then its mean, sd and z over the draws."""

import numpy as np
import pytest
import torch

from effects_helpers import run
from hicmodels.effects.outputs import prediction_counts

SEQS = {"chr1": "A" * 3000}
SNV = ("chr1", 1501, "snv", "A", "G", "PASS", ".", "1|0")


class DrawsPredictor:
    """Draw ``k`` of a window: the constant map ``(k + 1) (1 + g)``, ``g`` the window's G count."""

    def __init__(self, samples, window_size=800, nbins=8):
        self.window_size, self.nbins, self.digest, self.samples = window_size, nbins, "draws", samples

    def __call__(self, codes):
        g = (codes == 2).sum(axis=1).astype(float)  # codes: A0 C1 G2 T3
        scale = np.arange(1, self.samples + 1, dtype=float)
        draws = scale[None, :, None, None] * (1 + g)[:, None, None, None] * np.ones((1, 1, self.nbins, self.nbins))
        return draws if self.samples > 1 else draws[:, 0]


def test_scores_per_draw_give_the_hand_computed_mean_sd_and_z(tmp_path):
    """REF draw k is k + 1 everywhere, ALT 2 (k + 1): mse_k = (log1p(2(k+1)) - log1p(k+1))^2 over 28 pixels."""
    table, maps, cache, _ = run(tmp_path, SEQS, [SNV], predictor=DrawsPredictor(3), backgrounds=["reference"])
    row = table.iloc[0]
    k = np.arange(1, 4)
    mse = (np.log1p(2 * k) - np.log1p(k)) ** 2
    scd = np.sqrt(28 * mse)  # 8 bins: 28 pixels off the main diagonal
    assert row["n_samples"] == 3 and cache.made == 2  # two windows, each predicted once with its three draws
    assert row["mse"] == pytest.approx(mse.mean()) and row["mse_sd"] == pytest.approx(mse.std(ddof=1))
    assert row["scd"] == pytest.approx(scd.mean()) and row["scd_sd"] == pytest.approx(scd.std(ddof=1))
    assert row["scd_z"] == pytest.approx(scd.mean() / scd.std(ddof=1))
    counts = prediction_counts(cache, 1, table, draws=3).iloc[0]
    assert counts["augmentations"] == 1 and counts["naive"] == 2 and counts["made"] == 2  # draws are no augmentation
    # the figure's maps: the mean over draws
    np.testing.assert_allclose(maps[0][1], 2.0)
    np.testing.assert_allclose(maps[0][2], 4.0)
    # one draw: one sample, no spread; the first draw's scores
    (tmp_path / "one").mkdir()
    single, _, _, _ = run(tmp_path / "one", SEQS, [SNV], predictor=DrawsPredictor(1), backgrounds=["reference"])
    assert single.iloc[0]["n_samples"] == 1 and single.iloc[0]["mse"] == pytest.approx(mse[0])
    assert np.isnan(single.iloc[0]["mse_sd"])


def test_model_predictor_draws_share_their_latent_across_windows(tmp_path):
    """A variational Akita with samples 3: draw k is the decoder at the latent seeded (seed/k, variant_effects)."""
    from hicmodels import models
    from hicmodels.effects.predictions import ModelPredictor
    from hicmodels.genome.sequence import encode
    from hicmodels.modelling.inputs import one_hot
    from hicmodels.modelling.prediction import draw_seed, seeded_normal

    config = {"architecture": "akita", "target_transform": "akita", "targets": 1, "target": 0, "crop": 1,
              "diagonal_offset": 2, "eps": 0.001, "tower_channels": 8, "pools": [4, 4, 4], "trunk": "transformer",
              "transformer_layers": 1, "heads": 2, "feedforward": 16, "dropout": 0.0, "bottleneck": 8,
              "head_channels": 8, "head_blocks": 1, "latent": 4}
    torch.manual_seed(0)
    model = models.build(config).eval()
    with torch.no_grad():
        model.variational.log_variance.bias.fill_(0.0)
    torch.save({"model_config": config, "state_dict": model.state_dict(), "contact_scale": 1.0, "bin_size": 64,
                "window_size": 1024, "values": "log_oe", "noise_variance": 0.5}, tmp_path / "vae.pt")
    settings = {"compile": False, "sampling_steps": None, "sampling_eta": 1, "seed": 5}
    rng = np.random.default_rng(0)
    codes = np.stack([encode("".join(rng.choice(list("ACGT"), 1024))) for _ in range(2)])
    draws = ModelPredictor(tmp_path / "vae.pt", {**settings, "samples": 3}, 1)(codes)
    point = ModelPredictor(tmp_path / "vae.pt", {**settings, "samples": 1}, 1)(codes)
    x = one_hot(torch.from_numpy(codes))
    with torch.no_grad():
        np.testing.assert_allclose(point, torch.exp(model(x)).numpy(), rtol=1e-5)  # one sample: the latent mean
        for k in range(3):  # no likelihood noise: REF and ALT differ by their sequence only
            noise = seeded_normal(["variant_effects"], (4, 16), draw_seed(5, k)).expand(2, -1, -1)
            np.testing.assert_allclose(draws[:, k], torch.exp(model(x, noise=noise)).numpy(), rtol=1e-5)
    assert draws.shape == (2, 3, 16, 16) and not np.allclose(draws[:, 0], draws[:, 1], equal_nan=True)
