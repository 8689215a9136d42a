"""Akita's trainable variants: sizes against the papers, the variational layer's KL and draws, the masked loss."""

import math

import numpy as np
import pytest
import torch
import yaml

from hicmodels import models
from hicmodels.models.akita import Akita, sinusoidal_positions

from conftest import REPO

PRESETS = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["model_presets"]
SMALL = {**PRESETS["akita_synthetic"], "dropout": 0.0}


def one_hot_batch(batch, length, seed):
    codes = torch.randint(0, 4, (batch, length), generator=torch.Generator().manual_seed(seed))
    return torch.nn.functional.one_hot(codes, 5).float().transpose(1, 2)


def count(module):
    return sum(p.numel() for p in module.parameters())


def test_paper_presets_have_the_papers_sizes():
    """Akita v1 as published (746,149 + 5,504 Keras BN moments); the transformer swaps 8 residual pairs for 3 layers."""
    v1 = count(models.build({"architecture": "akita", "targets": 5, "crop": 32, "diagonal_offset": 2, "eps": 1e-3,
                             "target": None}))
    assert v1 == 751_653 - 5_504
    residual_pair = 96 * 48 * 3 + 2 * 48 + 48 * 96 + 2 * 96  # k3 conv to 48, BN, 1x1 conv back, BN
    # one post-norm layer: in/out projections with biases, feed-forward 96 -> 256 -> 96, two layer norms
    layer = (4 * 96 * 96 + 4 * 96) + (96 * 256 + 256 + 256 * 96 + 96) + 2 * 2 * 96
    transformer = models.build({**PRESETS["akita_transformer"], "targets": 5})
    assert count(transformer) == v1 - 8 * residual_pair + 3 * layer
    vae = models.build({**PRESETS["akita_vae"], "targets": 5})
    # mu and log-variance: 64 x 64 each (section 3.2) plus biases; the head reads 64 + 1 channels as before
    assert count(vae.variational) == 2 * (64 * 64 + 64)
    assert count(vae) == count(transformer) + 2 * (64 * 64 + 64)
    assert models.bin_size(PRESETS["akita_vae"]) == 2048 and models.bin_size(SMALL) == 128


def test_sinusoidal_positions_are_vaswanis():
    encoding = sinusoidal_positions(7, 6)
    position, channel = 5, 2  # sin(pos / 10000^(2i/d)) at i = 1; cos at channel 3
    assert encoding[position, channel].item() == pytest.approx(math.sin(position / 10000 ** (2 / 6)), abs=1e-6)
    assert encoding[position, channel + 1].item() == pytest.approx(math.cos(position / 10000 ** (2 / 6)), abs=1e-6)
    assert encoding[0].tolist() == pytest.approx([0, 1, 0, 1, 0, 1])


def test_window_map_is_symmetric_with_nan_border_and_first_diagonals():
    model = models.build(SMALL).eval()
    with torch.no_grad():
        maps = model(one_hot_batch(2, 4096, seed=0))
    assert maps.shape == (2, 32, 32)
    finite = torch.isfinite(maps[0])
    i, j = np.indices((32, 32))
    inside = (np.minimum(i, j) >= 2) & (np.maximum(i, j) < 30) & (np.abs(i - j) >= 2)
    assert np.array_equal(finite.numpy(), inside)
    assert torch.equal(maps[:, finite], maps.transpose(1, 2)[:, finite])


def with_known_variational(model, mu, variance):
    """Set the variational layer so every position's latent is N(mu, variance) whatever the trunk says."""
    with torch.no_grad():
        for layer, bias in ((model.variational.mu, mu), (model.variational.log_variance, math.log(variance))):
            layer.weight.zero_()
            layer.bias.fill_(bias)
    return model


def test_kl_and_reparameterised_draws_are_exact():
    model = with_known_variational(models.build(SMALL).eval(), mu=1.0, variance=4.0)
    x = one_hot_batch(3, 4096, seed=1)
    z, kl = model.encode(x)  # eval, no noise: the mean
    assert torch.allclose(z, torch.ones_like(z))
    # KL(N(1, 4) || N(0, 1)) = 0.5 (mu^2 + s^2 - 1 - log s^2) per channel, summed over the 16 channels
    assert torch.allclose(kl, torch.full((3,), 16 * 0.5 * (1 + 4 - 1 - math.log(4))))
    noise = torch.randn(z.shape, generator=torch.Generator().manual_seed(0))
    drawn, _ = model.encode(x, noise)
    assert torch.allclose(drawn, 1 + 2 * noise)
    a = model.encode(x, generator=torch.Generator().manual_seed(5))[0]
    b = model.encode(x, generator=torch.Generator().manual_seed(5))[0]
    assert torch.equal(a, b) and not torch.equal(a, z)
    model.train()
    assert not torch.equal(model.encode(x)[0], model.encode(x)[0])  # training: a fresh draw each call


def test_loss_is_masked_upper_triangle_mse_plus_beta_kl():
    model = with_known_variational(models.build({**SMALL, "beta": 0.25}).eval(), mu=0.5, variance=1.0)
    x = one_hot_batch(2, 4096, seed=2)
    target = torch.randn(2, 32, 32, generator=torch.Generator().manual_seed(3))
    target[0, 3, 9] = target[1, 4:8, :] = float("nan")
    with torch.no_grad():
        predicted = model(x).numpy()  # variance 1 but eval without a generator: the mean, as the loss below
        z, kl = model.encode(x)
        expected_kl = 16 * 0.5 * 0.5 ** 2
        assert torch.allclose(kl, torch.full((2,), expected_kl))
        rows, cols = np.triu_indices(32, 2)
        keep = (rows >= 2) & (cols < 30)
        truth = target.numpy()[:, rows[keep], cols[keep]]
        error = (predicted[:, rows[keep], cols[keep]] - truth) ** 2
        mse = np.nanmean(np.where(np.isnan(truth), np.nan, error))
        model.variational.log_variance.bias.fill_(-60.0)  # sigma ~ 0: a draw is the mean, so the loss is exact
        loss = model.loss(x, target, generator=torch.Generator().manual_seed(0))
    kl_now = 16 * 0.5 * (0.5 ** 2 + math.exp(-60.0) - 1 + 60.0)
    assert loss.item() == pytest.approx(mse + 0.25 * kl_now, rel=1e-5)


def test_dilated_trunk_without_latent_has_no_kl():
    model = models.build({**SMALL, "trunk": "dilated", "residual_blocks": 2, "latent": None}).eval()
    z, kl = model.encode(one_hot_batch(1, 4096, seed=4))
    assert kl is None and z.shape == (1, 16, 32)
    with pytest.raises(ValueError, match="unknown Akita trunk 'lstm'"):
        Akita(1, 2, 2, 1e-3, 0, trunk="lstm")
