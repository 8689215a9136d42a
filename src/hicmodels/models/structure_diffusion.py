"""Hi-C-conditioned 3D structure generation (the E. coli DiffBacChrom paper): a per-bin 1D ResNet VAE
(section 3.2), a CrossDiT with a Hi-C transformer encoder (section 3.3), rectified flow (Liu et al.
2022) with classifier-free guidance, and the Euler sampler (section 4.3).

Shapes: structure tokens are (batch, bins, channels) (:mod:`hicmodels.structure.preprocess`), latents
(batch, bins, latent_channels), Hi-C maps (batch, bins, bins). The sequence length is never compressed,
so latent token ``i`` stays aligned with row ``i`` of the map (section 3.2).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn


class ResBlock1d(nn.Module):
    """Two convolutions with a skip, the basic block of ResNet18 in 1D (section 3.2).

    GroupNorm instead of ResNet's BatchNorm: batches here are small (the paper trains the VAE at 32)
    and GroupNorm computes the same in training and evaluation. Circular padding for circular
    chromosomes, so the first and last bins are neighbours.
    """

    def __init__(self, channels, kernel_size, circular):
        super().__init__()
        padding = dict(padding=kernel_size // 2, padding_mode="circular" if circular else "zeros")
        self.net = nn.Sequential(
            nn.GroupNorm(min(8, channels), channels), nn.SiLU(), nn.Conv1d(channels, channels, kernel_size, **padding),
            nn.GroupNorm(min(8, channels), channels), nn.SiLU(), nn.Conv1d(channels, channels, kernel_size, **padding))

    def forward(self, x):
        return x + self.net(x)


class StructureVAE(nn.Module):
    """Per-bin VAE of structure tokens (section 3.2, figure 1): the length is kept, one latent per bin.

    Parameters
    ----------
    copies : int
        Chromosome copies per structure (the paper's replication: 2, the second masked where unreplicated).
    beads_per_bin : int
        Beads per Hi-C bin (the paper: 2).
    hidden : int
        Convolution channels (the paper: 128).
    latent_channels : int
        Latent channels per bin.
    blocks : int
        Residual blocks in the encoder and in the decoder each (ResNet18: 8).
    kernel_size : int
        Convolution width in bins.
    circular : bool
        Circular padding (circular chromosomes).
    """

    def __init__(self, copies, beads_per_bin, hidden, latent_channels, blocks, kernel_size, circular):
        super().__init__()
        beads = copies * beads_per_bin
        self.coord_channels, self.mask_channels = 3 * beads, beads
        pad = dict(padding=kernel_size // 2, padding_mode="circular" if circular else "zeros")
        self.encoder = nn.Sequential(
            nn.Conv1d(4 * beads, hidden, kernel_size, **pad),
            *[ResBlock1d(hidden, kernel_size, circular) for _ in range(blocks)],
            nn.GroupNorm(min(8, hidden), hidden), nn.SiLU(), nn.Conv1d(hidden, 2 * latent_channels, 1))
        self.decoder = nn.Sequential(
            nn.Conv1d(latent_channels, hidden, kernel_size, **pad),
            *[ResBlock1d(hidden, kernel_size, circular) for _ in range(blocks)],
            nn.GroupNorm(min(8, hidden), hidden), nn.SiLU(), nn.Conv1d(hidden, 4 * beads, 1))

    def encode(self, tokens):
        """(batch, bins, channels) tokens -> posterior mean and log-variance, each (batch, bins, latent)."""
        mean, log_var = self.encoder(tokens.transpose(1, 2)).transpose(1, 2).chunk(2, dim=-1)
        return mean, log_var

    def decode(self, latent):
        """(batch, bins, latent) -> coordinate channels (batch, bins, copies * beads_per_bin * 3) and mask
        logits (batch, bins, copies * beads_per_bin), in the token order of ``to_tokens`` without ``m``."""
        out = self.decoder(latent.transpose(1, 2)).transpose(1, 2)
        return out[..., : self.coord_channels], out[..., self.coord_channels:]

    def forward(self, tokens, generator=None):
        mean, log_var = self.encode(tokens)
        noise = torch.randn(mean.shape, generator=generator, dtype=mean.dtype, device=mean.device)
        coords, mask_logits = self.decode(mean + noise * torch.exp(0.5 * log_var))
        return coords, mask_logits, mean, log_var


def split_tokens(tokens):
    """(batch, bins, beads * 4) tokens -> coordinates (batch, bins, beads * 3) and masks (batch, bins, beads)."""
    per_bead = tokens.reshape(*tokens.shape[:-1], -1, 4)
    return per_bead[..., :3].flatten(-2), per_bead[..., 3]


def vae_loss(tokens, coords, mask_logits, mean, log_var, mask_weight, kl_weight):
    """Section 3.2's loss ``L_coord + mask_weight L_mask + kl_weight L_KL`` (the paper: 1.0 and 5e-3, 4.2).

    ``L_coord`` averages the squared coordinate error over each structure's present beads, then over
    structures, so a structure's weight does not depend on how many beads it has (section 3.2);
    ``L_mask`` is the binary cross-entropy of the mask logits; ``L_KL`` is the KL divergence to N(0, I)
    per latent element (the paper does not say how it is reduced; a mean keeps ``kl_weight``
    independent of the map size).

    Returns
    -------
    dict
        ``loss`` and its terms ``coord``, ``mask``, ``kl`` (tensors).
    """
    true_coords, mask = split_tokens(tokens)
    bead_error = ((coords - true_coords) ** 2).reshape(*mask.shape, 3).mean(dim=-1)
    coord = ((bead_error * mask).sum(dim=(1, 2)) / mask.sum(dim=(1, 2))).mean()
    mask_term = F.binary_cross_entropy_with_logits(mask_logits, mask)
    kl = 0.5 * (mean**2 + log_var.exp() - 1 - log_var).mean()
    return {"loss": coord + mask_weight * mask_term + kl_weight * kl, "coord": coord, "mask": mask_term, "kl": kl}


def sincos(positions, dim):
    """Fixed sinusoidal embeddings (Vaswani et al. 2017) of (n,) ``positions`` -> (n, dim)."""
    half = dim // 2
    steps = torch.arange(half, dtype=torch.float32, device=positions.device)
    frequencies = torch.exp(-math.log(10000.0) * steps / half)
    angles = positions.float()[:, None] * frequencies[None]
    return torch.cat([torch.cos(angles), torch.sin(angles)], dim=-1)


def modulate(x, shift, scale):
    return x * (1 + scale[:, None]) + shift[:, None]


class HiCEncoder(nn.Module):
    """Section 3.3's Hi-C encoder: each map row is a token with the columns as its features (so token
    ``i`` describes bin ``i``), fixed sinusoidal positions, a pre-norm transformer encoder."""

    def __init__(self, bins, dim, depth, heads, mlp_ratio):
        super().__init__()
        self.embed = nn.Linear(bins, dim)
        self.register_buffer("position", sincos(torch.arange(bins), dim), persistent=False)
        layer = nn.TransformerEncoderLayer(dim, heads, int(dim * mlp_ratio), dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)

    def forward(self, hic):
        return self.norm(self.layers(self.embed(hic) + self.position))


class CrossDiTBlock(nn.Module):
    """DiT block with AdaLN-Zero (Peebles & Xie 2022) and cross-attention to the Hi-C tokens (PixArt-alpha).

    The global condition ``c`` sets shift, scale and gate of the self-attention, the cross-attention
    (the modulated ``x`` is the query, the Hi-C tokens keys and values, section 3.3) and the MLP. The
    modulation is zero-initialised, so every gate is 0 and a fresh block is the identity.
    """

    def __init__(self, dim, heads, mlp_ratio):
        super().__init__()
        self.norms = nn.ModuleList(nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6) for _ in range(3))
        self.self_attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.cross_attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, int(dim * mlp_ratio)), nn.GELU(approximate="tanh"),
                                 nn.Linear(int(dim * mlp_ratio), dim))
        self.modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 9 * dim))
        nn.init.zeros_(self.modulation[1].weight)
        nn.init.zeros_(self.modulation[1].bias)

    def forward(self, x, context, c):
        (s1, a1, g1), (s2, a2, g2), (s3, a3, g3) = [m.chunk(3, dim=-1) for m in self.modulation(c).chunk(3, dim=-1)]
        h = modulate(self.norms[0](x), s1, a1)
        x = x + g1[:, None] * self.self_attention(h, h, h, need_weights=False)[0]
        h = modulate(self.norms[1](x), s2, a2)
        x = x + g2[:, None] * self.cross_attention(h, context, context, need_weights=False)[0]
        return x + g3[:, None] * self.mlp(modulate(self.norms[2](x), s3, a3))


class CrossDiT(nn.Module):
    """Section 3.3's CrossDiT: predicts the rectified-flow velocity of per-bin latents given a Hi-C map.

    Parameters
    ----------
    bins : int
        Bins of the map and tokens of the latent sequence.
    latent_channels : int
        Channels of a latent token (the VAE's).
    dim, depth, heads : int
        Width, blocks and attention heads (table 1: S 384 / 12 / 6, L 1024 / 24 / 16).
    encoder_depth : int
        Layers of the Hi-C encoder (section 4.2: 8; its width and heads are the backbone's).
    mlp_ratio : float
        MLP width over ``dim`` (DiT: 4).
    """

    def __init__(self, bins, latent_channels, dim, depth, heads, encoder_depth, mlp_ratio):
        super().__init__()
        self.encoder = HiCEncoder(bins, dim, encoder_depth, heads, mlp_ratio)
        # Learned tokens replacing the Hi-C tokens of a dropped condition (classifier-free guidance), as
        # PixArt-alpha learns the embedding of a dropped caption.
        self.null_condition = nn.Parameter(torch.randn(1, bins, dim) * 0.02)
        self.embed = nn.Linear(latent_channels, dim)
        self.register_buffer("position", sincos(torch.arange(bins), dim), persistent=False)
        self.time = nn.Sequential(nn.Linear(256, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.blocks = nn.ModuleList(CrossDiTBlock(dim, heads, mlp_ratio) for _ in range(depth))
        self.final_norm = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.final_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim))
        self.out = nn.Linear(dim, latent_channels)
        for layer in (self.final_modulation[1], self.out):  # DiT's zero-initialised final layer
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def condition(self, hic, drop):
        """Hi-C tokens of (batch, bins, bins) maps; rows of ``drop`` (batch,) bool get the null tokens."""
        context = self.encoder(hic)
        return torch.where(drop[:, None, None], self.null_condition.expand_as(context), context)

    def forward(self, x, t, context):
        """Velocity at latents ``x`` (batch, bins, latent), times ``t`` (batch,) in [0, 1], Hi-C tokens ``context``.

        The global condition is ``c = t_emb + mean_i(z_c)`` (section 3.3); ``t`` is embedded at
        ``1000 t`` so the sinusoid frequencies span the range they were made for (DiT's integer steps).
        """
        c = self.time(sincos(1000.0 * t, 256)) + context.mean(dim=1)
        x = self.embed(x) + self.position
        for block in self.blocks:
            x = block(x, context, c)
        shift, scale = self.final_modulation(c).chunk(2, dim=-1)
        return self.out(modulate(self.final_norm(x), shift, scale))


def backbone_parameters(model):
    """Parameters of the CrossDiT without its Hi-C encoder and null tokens (what table 1 appears to count)."""
    skip = {id(p) for p in model.encoder.parameters()} | {id(model.null_condition)}
    return sum(p.numel() for p in model.parameters() if id(p) not in skip)


def flow_matching_loss(model, latents, hic, condition_dropout, generator):
    """Rectified-flow loss (Liu et al. 2022; Esser et al. 2024, cited in section 3.3).

    ``x_t = t x1 + (1 - t) x0`` with ``x0`` standard normal noise and ``x1`` the data (Liu et al.'s
    convention: t = 0 is noise, t = 1 data); the model regresses the constant velocity ``x1 - x0``.
    ``t`` is uniform on [0, 1] (Liu et al.; Esser et al.'s logit-normal weighting is not used: the paper
    does not say it uses it). Each sample's condition is dropped with probability ``condition_dropout``
    for classifier-free guidance (Ho & Salimans 2022).
    """
    batch = latents.shape[0]
    noise = torch.randn(latents.shape, generator=generator)
    t = torch.rand(batch, generator=generator)
    drop = torch.rand(batch, generator=generator) < condition_dropout
    x_t = t[:, None, None] * latents + (1 - t[:, None, None]) * noise
    velocity = model(x_t, t, model.condition(hic, drop))
    return F.mse_loss(velocity, latents - noise)


def euler_integrate(velocity, x0, steps):
    """Integrate ``dx/dt = velocity(x, t)`` from t = 0 to 1 with ``steps`` explicit Euler steps."""
    x, dt = x0, 1.0 / steps
    for k in range(steps):
        x = x + dt * velocity(x, k * dt)
    return x


def guided_velocity(model, hic, guidance):
    """The classifier-free-guided velocity ``v_u + w (v_c - v_u)`` for (batch, bins, bins) maps ``hic``.

    ``w = 1`` is the conditional model alone (the paper's CFG scale 1.0, section 4.3: "without
    amplifying the conditional signal"), ``w = 0`` the unconditional one, ``w > 1`` amplifies; the
    Hi-C tokens are computed once per sampling run.
    """
    batch = hic.shape[0]
    conditional = model.condition(hic, torch.zeros(batch, dtype=torch.bool))
    unconditional = model.condition(hic, torch.ones(batch, dtype=torch.bool))

    def velocity(x, t):
        times = torch.full((batch,), float(t))
        if guidance == 0:
            return model(x, times, unconditional)
        v_c = model(x, times, conditional)
        if guidance == 1:
            return v_c
        v_u = model(x, times, unconditional)
        return v_u + guidance * (v_c - v_u)

    return velocity
