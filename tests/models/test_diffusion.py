"""The diffusion stage against closed-form truth: schedule, DDPM step, sampling with an oracle."""

import math

import pytest
import torch

from hicmodels import models
from hicmodels.models.diffusion import denoise_step, mirror, sigmoid_beta_schedule, split_v

TINY = {"architecture": "encoder_decoder", "channels": [5, 4, 8], "pools": [4, 4], "transformer_layers": 1,
        "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0,
        "diffusion": {"dim": 8, "dim_mults": [1, 2], "timesteps": 10}}


@pytest.fixture
def model():
    torch.manual_seed(0)
    return models.build(models.diffusion_config(TINY)).eval()


def test_sigmoid_schedule_runs_from_data_to_noise():
    alphas_cumprod = torch.cumprod(1 - sigmoid_beta_schedule(10), 0)
    assert torch.all(alphas_cumprod[1:] < alphas_cumprod[:-1])
    assert alphas_cumprod[0] > 0.9 and alphas_cumprod[-1] < 1e-4


def test_full_chain_step_is_the_ddpm_posterior():
    betas = sigmoid_beta_schedule(10)
    ac = torch.cumprod(1 - betas, 0)
    t = 6
    x_start, x_t = torch.randn(4, 4, dtype=torch.float64), torch.randn(4, 4, dtype=torch.float64)
    eps = (x_t - ac[t].sqrt() * x_start) / (1 - ac[t]).sqrt()
    mean = (betas[t] * ac[t - 1].sqrt() / (1 - ac[t])) * x_start + (
        (1 - ac[t - 1]) * (1 - betas[t]).sqrt() / (1 - ac[t])) * x_t
    variance = betas[t] * (1 - ac[t - 1]) / (1 - ac[t])
    zeros, ones = torch.zeros(4, 4, dtype=torch.float64), torch.ones(4, 4, dtype=torch.float64)
    assert torch.allclose(denoise_step(ac, x_start, eps, t, t - 1, zeros), mean, atol=1e-10)
    assert torch.allclose(denoise_step(ac, x_start, eps, t, t - 1, ones) - mean, variance.sqrt().expand(4, 4),
                          atol=1e-10)
    assert torch.equal(denoise_step(ac, x_start, eps, 0, -1, None), x_start)


def test_v_splits_into_residual_and_noise():
    ac = torch.cumprod(1 - sigmoid_beta_schedule(10), 0).double()
    x_start, noise = torch.randn(3, 3, dtype=torch.float64), torch.randn(3, 3, dtype=torch.float64)
    for t in (0, 5, 9):
        x_t = ac[t].sqrt() * x_start + (1 - ac[t]).sqrt() * noise
        v = ac[t].sqrt() * noise - (1 - ac[t]).sqrt() * x_start
        got_start, got_noise = split_v(ac, x_t, v, t)
        assert torch.allclose(got_start, x_start, atol=1e-10) and torch.allclose(got_noise, noise, atol=1e-10)


def test_mirrored_noise_is_symmetric_with_unit_variance():
    noise = mirror(torch.randn(200, 1, 16, 16, generator=torch.Generator().manual_seed(1)))
    assert torch.equal(noise, noise.transpose(-1, -2))
    assert noise.var().item() == pytest.approx(1.0, abs=0.02)


def test_deterministic_ddim_step_by_hand():
    """eta = 0 (Song et al. 2021, eq. 12): x_next = sqrt(a_next) x0 + sqrt(1 - a_next) eps, no noise term."""
    ac = torch.tensor([0.9, 0.64, 0.36, 0.19], dtype=torch.float64)
    x_start, eps = torch.tensor([[2.0, -1.0]], dtype=torch.float64), torch.tensor([[0.5, 3.0]], dtype=torch.float64)
    expected = torch.tensor([[0.8 * 2.0 + 0.6 * 0.5, 0.8 * -1.0 + 0.6 * 3.0]], dtype=torch.float64)  # a_next = 0.64
    assert torch.allclose(denoise_step(ac, x_start, eps, 3, 1, None, eta=0.0), expected, atol=1e-12)
    # eta = 0.5 halves sigma: sigma^2 = 0.25 (1 - 0.19 / 0.64) (1 - 0.64) / (1 - 0.19)
    sigma = 0.5 * math.sqrt((1 - 0.19 / 0.64) * 0.36 / 0.81)
    ones = torch.ones(1, 2, dtype=torch.float64)
    half = 0.8 * x_start + math.sqrt(0.36 - sigma**2) * eps + sigma
    assert torch.allclose(denoise_step(ac, x_start, eps, 3, 1, ones, eta=0.5), half, atol=1e-12)


def test_eta_one_is_the_sampler_as_it_was(model):
    """The default (eta = 1) gives the same bits as the loop before eta existed, written out here."""
    x = torch.randn(2, 5, 128)
    noise = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(5))
    latent, base = model.condition(x)
    ac, drawn = model.alphas_cumprod, mirror(noise)
    sample = drawn[:, :1]
    for i, (t, t_next) in enumerate([(9, 5), (5, 2), (2, -1)]):  # 3 strides of the 10-step chain
        x_start, eps = split_v(ac, sample, model.predict_v(sample, torch.full((2,), t), latent), t)
        if t_next < 0:
            sample = x_start
            break
        a, a_next = ac[t], ac[t_next]
        sigma = ((1 - a / a_next) * (1 - a_next) / (1 - a)).sqrt()
        sample = a_next.sqrt() * x_start + (1 - a_next - sigma**2).sqrt() * eps + sigma * drawn[:, i + 1 : i + 2]
    assert torch.equal(model(x, noise=noise), base + sample.squeeze(1))
    assert torch.equal(model(x, noise=noise, eta=1.0), model(x, noise=noise))


def test_deterministic_sampling_reads_only_the_starting_noise(model):
    x = torch.randn(2, 5, 128)
    noise = torch.randn(2, 4, 8, 8, generator=torch.Generator().manual_seed(3))
    changed = noise.clone()
    changed[:, 1:] = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(4))
    assert torch.equal(model(x, noise=noise, eta=0.0), model(x, noise=changed, eta=0.0))
    assert not torch.equal(model(x, noise=noise), model(x, noise=changed))
    with pytest.raises(ValueError, match="eta must be 0..1"):
        model(x, noise=noise, eta=1.5)


@pytest.mark.parametrize("eta", [1.0, 0.0])
@pytest.mark.parametrize("steps", [10, 3, 1])
def test_sampling_with_an_oracle_returns_the_residual(model, steps, eta):
    """If the U-Net knew v exactly, every chain (DDPM or strided) must end at the residual."""
    x = torch.randn(2, 5, 16 * 8)
    _, base = model.condition(x)
    residual = mirror(torch.randn(2, 1, 8, 8))
    ac = model.alphas_cumprod

    def oracle(noised, t, _):
        a = ac[t].view(-1, 1, 1, 1)
        noise = (noised - a.sqrt() * residual) / (1 - a).sqrt()
        return a.sqrt() * noise - (1 - a).sqrt() * residual

    model.predict_v = oracle
    sample = model(x, steps=steps, eta=eta)
    assert torch.allclose(sample, base + residual.squeeze(1), atol=1e-4)


def test_given_noise_makes_samples_reproducible(model):
    x = torch.randn(2, 5, 128)
    noise = torch.randn(2, 4, 8, 8, generator=torch.Generator().manual_seed(3))
    first, second = model(x, noise=noise), model(x, noise=noise)
    assert torch.equal(first, second)
    assert torch.allclose(first, first.transpose(1, 2))
    with pytest.raises(ValueError, match="sampling steps must be 1..10"):
        model(x, steps=11)


def test_loss_ignores_masked_pixels_and_trains_only_the_unet(model):
    model.train()
    x = torch.randn(2, 5, 128)
    target = torch.randn(2, 8, 8)
    target[:, 0, :] = target[:, :, 0] = math.nan
    loss = model.loss(x, target, torch.Generator().manual_seed(0))
    assert torch.isfinite(loss)
    loss.backward()
    assert all(p.grad is None for p in model.encoder_decoder.parameters())
    assert all(p.grad is not None for p in model.unet.parameters())
    assert not model.encoder_decoder.training  # BatchNorm of the frozen stage keeps its statistics
    generator = torch.Generator().manual_seed(0)
    assert model.loss(x, target, generator).item() == pytest.approx(
        model.loss(x, target, torch.Generator().manual_seed(0)).item())
