import math

import numpy as np
import pytest
import torch

from hicmodels.models.structure_diffusion import (
    CrossDiT,
    CrossDiTBlock,
    StructureVAE,
    backbone_parameters,
    euler_integrate,
    flow_matching_loss,
    guided_velocity,
    sincos,
    vae_loss,
)
from hicmodels.structure.preprocess import to_tokens


def test_a_fresh_crossdit_block_is_the_identity_and_a_trained_one_is_not():
    torch.manual_seed(0)
    block = CrossDiTBlock(dim=16, heads=4, mlp_ratio=4.0)
    x, context, c = torch.randn(2, 5, 16), torch.randn(2, 5, 16), torch.randn(2, 16)
    assert torch.equal(block(x, context, c), x)
    torch.nn.init.normal_(block.modulation[1].weight, std=0.1)
    out = block(x, context, c)
    assert not torch.allclose(out, x)
    # Cross-attention reads the context: another context changes the output.
    assert not torch.allclose(block(x, torch.randn(2, 5, 16), c), out)


def test_a_fresh_crossdit_predicts_zero_velocity_and_reads_the_map_once_trained():
    torch.manual_seed(0)
    model = CrossDiT(bins=6, latent_channels=3, dim=16, depth=2, heads=2, encoder_depth=1, mlp_ratio=2.0)
    x, t, hic = torch.randn(2, 6, 3), torch.rand(2), torch.rand(2, 6, 6)
    context = model.condition(hic, torch.zeros(2, dtype=torch.bool))
    assert context.shape == (2, 6, 16)
    assert torch.equal(model(x, t, context), torch.zeros(2, 6, 3))  # zero-initialised final layer (DiT)
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.2)
    context = model.condition(hic, torch.zeros(2, dtype=torch.bool))
    v = model(x, t, context)
    assert v.shape == (2, 6, 3)
    other = model.condition(torch.rand(2, 6, 6), torch.zeros(2, dtype=torch.bool))
    assert not torch.allclose(model(x, t, other), v)
    # A dropped condition is the learned null tokens whatever the map.
    dropped = model.condition(hic, torch.tensor([True, False]))
    assert torch.equal(dropped[0], model.null_condition[0]) and torch.equal(dropped[1], context[1])


@pytest.mark.parametrize("preset,paper", [((12, 384, 6), 45e6), ((24, 1024, 16), 634e6)])
def test_backbone_parameter_counts_match_table_1(preset, paper):
    depth, dim, heads = preset
    with torch.device("meta"):
        model = CrossDiT(bins=928, latent_channels=8, dim=dim, depth=depth, heads=heads, encoder_depth=8, mlp_ratio=4.0)
    # Table 1 counts the backbone (25 dim^2 per block: 4 + 4 attention, 8 MLP, 9 AdaLN-Zero); the depth-8
    # Hi-C encoder adds 12 dim^2 per layer on top (S: 59.8 M in all, L: 735.8 M).
    assert backbone_parameters(model) == pytest.approx(paper, rel=0.005)
    assert sum(p.numel() for p in model.parameters()) - backbone_parameters(model) == pytest.approx(
        8 * 12 * dim**2 + 2 * 928 * dim, rel=0.01)  # + the row embedding and the null tokens


def test_vae_keeps_the_length_and_its_loss_masks_beads():
    torch.manual_seed(0)
    vae = StructureVAE(copies=2, beads_per_bin=2, hidden=16, latent_channels=4, blocks=2, kernel_size=3, circular=True)
    coords = np.random.default_rng(0).normal(size=(3, 2, 10, 3))
    mask = np.ones((3, 2, 10))
    mask[:, 1, 4:] = 0
    tokens = torch.tensor(to_tokens(coords * mask[..., None], mask, 2), dtype=torch.float32)
    out_coords, logits, mean, log_var = vae(tokens, generator=torch.Generator().manual_seed(0))
    assert out_coords.shape == (3, 5, 12) and logits.shape == (3, 5, 4) and mean.shape == (3, 5, 4)
    # A known case: predicted coordinates off by 1 on present beads only, by 100 on absent ones.
    truth = tokens.reshape(3, 5, 4, 4)
    present = truth[..., 3:]
    guess = (truth[..., :3] + torch.where(present > 0, 1.0, 100.0)).flatten(-2)
    logits = torch.where(truth[..., 3] > 0, 50.0, -50.0)
    zero = torch.zeros(3, 5, 4)
    terms = vae_loss(tokens, guess, logits, zero, zero, mask_weight=1.0, kl_weight=5e-3)
    assert terms["coord"].item() == pytest.approx(1.0)
    assert terms["mask"].item() == pytest.approx(0.0, abs=1e-6)
    assert terms["kl"].item() == 0.0
    # KL of N(1, e^1) to N(0, 1) per element: (1 + e - 1 - 1) / 2.
    terms = vae_loss(tokens, guess, -logits, torch.ones(3, 5, 4), torch.ones(3, 5, 4), 1.0, 5e-3)
    assert terms["kl"].item() == pytest.approx((math.e - 1) / 2)
    assert terms["mask"].item() == pytest.approx(50.0, rel=1e-4)
    assert terms["loss"].item() == pytest.approx(1.0 + 50.0 + 5e-3 * (math.e - 1) / 2, rel=1e-4)


def test_euler_transports_a_gaussian_with_the_oracle_velocity():
    """x0 ~ N(0, 1), x1 ~ N(m, s^2) independent: the marginal rectified-flow velocity is linear,
    E[x1 - x0 | x_t = x] = m + a(t) (x - t m) with a(t) = (t s^2 - (1 - t)) / ((1 - t)^2 + t^2 s^2);
    its flow carries N(0, 1) to N(m, s^2). Euler keeps the mean exactly and the sd within step error."""
    m, s = 3.0, 0.5

    def oracle(x, t):
        a = (t * s**2 - (1 - t)) / ((1 - t) ** 2 + t**2 * s**2)
        return m + a * (x - t * m)

    x0 = torch.randn(200000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    x0 = (x0 - x0.mean()) / x0.std()
    x1 = euler_integrate(oracle, x0, steps=50)
    assert x1.mean().item() == pytest.approx(m, abs=1e-9)
    assert x1.std().item() == pytest.approx(s, rel=0.05)  # 50 steps: 2.9 % short
    # Exactly: each Euler step multiplies the deviation from the mean by 1 + dt a(t_k).
    growth = np.prod([1 + (k / 50 * s**2 - (1 - k / 50)) / ((1 - k / 50) ** 2 + (k / 50 * s) ** 2) / 50
                      for k in range(50)])
    assert x1.std().item() == pytest.approx(growth, rel=1e-9)
    # First order: twice the steps roughly halves the sd error.
    error = {n: abs(euler_integrate(oracle, x0, n).std().item() - s) for n in (50, 100)}
    assert 1.6 < error[50] / error[100] < 2.4


def test_flow_loss_regresses_data_minus_noise_and_sampling_is_deterministic():
    torch.manual_seed(0)
    model = CrossDiT(bins=4, latent_channels=2, dim=8, depth=1, heads=2, encoder_depth=1, mlp_ratio=2.0)
    latents, hic = torch.randn(5, 4, 2), torch.rand(5, 4, 4)
    # A fresh model predicts 0, so its loss is E|x1 - x0|^2 with the same draws of noise.
    generator = torch.Generator().manual_seed(1)
    loss = flow_matching_loss(model, latents, hic, 0.1, torch.Generator().manual_seed(1))
    noise = torch.randn(latents.shape, generator=generator)
    assert loss.item() == pytest.approx(((latents - noise) ** 2).mean().item(), rel=1e-6)
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.3)
    with torch.no_grad():
        draws = [euler_integrate(guided_velocity(model, hic, w), torch.randn(5, 4, 2, generator=torch.Generator().manual_seed(2)), 10)
                 for w in (1.0, 1.0, 0.0, 2.0)]
    assert draws[0].numpy().tobytes() == draws[1].numpy().tobytes()
    assert not torch.allclose(draws[0], draws[2]) and not torch.allclose(draws[0], draws[3])
    # Guidance w is linear in the two velocities: w = 2 is 2 v_c - v_u.
    x, t = torch.randn(5, 4, 2), 0.3
    with torch.no_grad():
        v = {w: guided_velocity(model, hic, w)(x, t) for w in (0.0, 1.0, 2.0)}
    assert torch.allclose(v[2.0], 2 * v[1.0] - v[0.0], atol=1e-5)


class PointMassVelocity(torch.nn.Module):
    """The exact rectified-flow velocity when every data point is ``target``: (target - x) / (1 - t)."""

    def __init__(self, target):
        super().__init__()
        self.target = target

    def condition(self, hic, drop):
        return None

    def forward(self, x, t, context):
        return (self.target - x) / (1 - t[:, None, None])


def test_flow_loss_is_zero_for_the_exact_velocity_with_data_at_t_1():
    target = torch.randn(1, 4, 2, generator=torch.Generator().manual_seed(0))
    latents = target.expand(64, -1, -1)
    loss = flow_matching_loss(PointMassVelocity(target), latents, torch.zeros(64, 4, 4), 0.1,
                              torch.Generator().manual_seed(1))
    assert loss.item() < 1e-10
    # (With the data at t = 0 the loss of this field would not vanish.) The field of another point is wrong:
    assert flow_matching_loss(PointMassVelocity(torch.zeros(1, 4, 2)), latents, torch.zeros(64, 4, 4), 0.1,
                              torch.Generator().manual_seed(1)).item() > 0.1


def test_a_circular_vae_commutes_with_rotating_the_bin_order_and_a_linear_one_does_not():
    torch.manual_seed(0)
    tokens = torch.randn(2, 12, 4)
    for circular, equivariant in ((True, True), (False, False)):
        vae = StructureVAE(copies=1, beads_per_bin=1, hidden=8, latent_channels=2, blocks=2, kernel_size=3,
                           circular=circular)
        mean, _ = vae.encode(tokens)
        shifted, _ = vae.encode(torch.roll(tokens, 5, dims=1))
        assert torch.allclose(torch.roll(mean, 5, dims=1), shifted, atol=1e-5) == equivariant


def test_condition_dropout_replaces_the_map():
    torch.manual_seed(0)
    model = CrossDiT(bins=4, latent_channels=2, dim=8, depth=1, heads=2, encoder_depth=1, mlp_ratio=2.0)
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.3)
    latents, maps = torch.randn(6, 4, 2), [torch.rand(6, 4, 4), torch.rand(6, 4, 4)]

    def loss(hic, dropout):
        return flow_matching_loss(model, latents, hic, dropout, torch.Generator().manual_seed(3)).item()

    assert loss(maps[0], 1.0) == loss(maps[1], 1.0)  # every map dropped: the map cannot matter
    assert loss(maps[0], 0.0) != loss(maps[1], 0.0)


def test_sincos_embeds_on_the_positions_device():
    """On a GPU the frequencies must live beside the positions (the meta device stands in for one here)."""
    embedded = sincos(torch.arange(4, device="meta"), 8)
    assert embedded.device.type == "meta" and embedded.shape == (4, 8)
    cpu = sincos(torch.tensor([0, 3]), 4)  # cos/sin of 3 * 10000^(-k/2), k = 0, 1
    torch.testing.assert_close(cpu[1], torch.tensor([math.cos(3.0), math.cos(0.03), math.sin(3.0), math.sin(0.03)]))
