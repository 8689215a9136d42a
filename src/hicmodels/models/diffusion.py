"""The HiCDiffusion diffusion stage: a DDPM that refines the encoder-decoder's map.

The target is the residual ``experimental - encoder_decoder(x)`` (``log1p``
scale). A denoising U-Net (after lucidrains' denoising-diffusion-pytorch 1.8,
the library HiCDiffusion builds on) is conditioned on the frozen
encoder-decoder's decoder features: those (``latent_channels``, 512 at paper
size) and the noised residual are each mapped to ``dim // 2`` channels by a k7
p3 conv and concatenated. Sampling runs from noise and the final map is the
encoder-decoder output plus the sampled residual: DDPM's ancestral chain, or
DDIM's (Song et al. 2021, eq. 12) over a stride of the training chain's times,
with eta = 1 (stochastic, DDPM's variance on the full chain) or eta = 0
(deterministic given the starting noise) or between.

The U-Net's output is trained with MSE against ``v = sqrt(a) * noise -
sqrt(1 - a) * residual`` (``a``: the cumulative signal fraction at the step),
from which each step reads both the noise and the clean residual. That is what
HiCDiffusion's code trains (``pred_v`` is denoising-diffusion-pytorch 1.8's
default objective). Predicting the noise itself diverges on the paper's
10-step chain: at its last step ``a`` is 4e-5, and the clean residual implied
by a noise estimate multiplies its error by ``sqrt((1 - a) / a)`` = 160
(measured on yeast: sampled residuals with std 7.3 where the data's is 0.42).

Noise is symmetric (an upper triangle mirrored), so the chain stays among
symmetric maps; HiCDiffusion instead symmetrises each sample step.
"""

import itertools
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def mirror(x):
    """The upper triangle (diagonal included) of the last two axes, mirrored below."""
    upper = torch.triu(x)
    return upper + torch.triu(x, 1).transpose(-1, -2)


def symmetrise(x):
    return 0.5 * (x + x.transpose(-1, -2))


def masked_mean(values, mask):
    """Mean of ``values`` where ``mask`` is True (no boolean indexing: no host sync on a GPU)."""
    return torch.where(mask, values, 0.0).sum() / mask.sum().clamp_min(1)


def sigmoid_beta_schedule(timesteps, start=-3, end=3, tau=1):
    """Noise schedule of Jabri et al. 2022 (fig. 8), denoising-diffusion-pytorch's default."""
    t = torch.linspace(0, timesteps, timesteps + 1, dtype=torch.float64) / timesteps
    v_start, v_end = torch.tensor(start / tau).sigmoid(), torch.tensor(end / tau).sigmoid()
    alphas_cumprod = (-((t * (end - start) + start) / tau).sigmoid() + v_end) / (v_end - v_start)
    alphas_cumprod = alphas_cumprod / alphas_cumprod[0]
    return torch.clip(1 - alphas_cumprod[1:] / alphas_cumprod[:-1], 0, 0.999)


def split_v(alphas_cumprod, x, v, t):
    """The clean residual and the noise that ``v`` implies for the sample ``x`` at time ``t``."""
    alpha = alphas_cumprod[t]
    return alpha.sqrt() * x - (1 - alpha).sqrt() * v, (1 - alpha).sqrt() * x + alpha.sqrt() * v


def denoise_step(alphas_cumprod, x_start, eps, t, t_next, noise, eta=1.0):
    """One reverse step from time ``t`` to ``t_next`` (-1: the end), given the clean residual and noise estimates.

    DDIM (Song et al. 2021, eq. 12 with sigma of eq. 16 times ``eta``): with
    ``eta = 1`` and ``t_next = t - 1`` this is the DDPM ancestral step, with
    the posterior variance as its variance; with ``eta = 0`` the step is
    deterministic and ``noise`` is not read.

    Returns
    -------
    Tensor
        The sample at ``t_next``; at the end, ``x_start``.
    """
    alpha = alphas_cumprod[t]
    if t_next < 0:
        return x_start
    alpha_next = alphas_cumprod[t_next]
    sigma = eta * ((1 - alpha / alpha_next) * (1 - alpha_next) / (1 - alpha)).sqrt()
    step = alpha_next.sqrt() * x_start + (1 - alpha_next - sigma**2).sqrt() * eps
    return step + sigma * noise if eta else step


class RMSNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.scale = dim**0.5
        self.g = nn.Parameter(torch.ones(1, dim, 1, 1))

    def forward(self, x):
        return F.normalize(x, dim=1) * self.g * self.scale


class SinusoidalPosEmb(nn.Module):
    def __init__(self, dim, theta=10000):
        super().__init__()
        self.dim, self.theta = dim, theta

    def forward(self, t):
        half = self.dim // 2
        freqs = torch.exp(torch.arange(half, device=t.device) * -(math.log(self.theta) / (half - 1)))
        angles = t.float()[:, None] * freqs[None]
        return torch.cat([angles.sin(), angles.cos()], dim=-1)


class Block(nn.Module):
    def __init__(self, dim, dim_out):
        super().__init__()
        self.proj = nn.Conv2d(dim, dim_out, 3, padding=1)
        self.norm = RMSNorm(dim_out)

    def forward(self, x, scale_shift=None):
        x = self.norm(self.proj(x))
        if scale_shift is not None:
            scale, shift = scale_shift
            x = x * (scale + 1) + shift
        return F.silu(x)


class ResnetBlock(nn.Module):
    def __init__(self, dim, dim_out, time_dim):
        super().__init__()
        self.mlp = nn.Sequential(nn.SiLU(), nn.Linear(time_dim, dim_out * 2))
        self.block1, self.block2 = Block(dim, dim_out), Block(dim_out, dim_out)
        self.res_conv = nn.Conv2d(dim, dim_out, 1) if dim != dim_out else nn.Identity()

    def forward(self, x, time_emb):
        scale_shift = self.mlp(time_emb)[:, :, None, None].chunk(2, dim=1)
        return self.block2(self.block1(x, scale_shift)) + self.res_conv(x)


class LinearAttention(nn.Module):
    def __init__(self, dim, heads=4, dim_head=32):
        super().__init__()
        self.heads, self.scale = heads, dim_head**-0.5
        self.norm = RMSNorm(dim)
        self.to_qkv = nn.Conv2d(dim, heads * dim_head * 3, 1, bias=False)
        self.to_out = nn.Sequential(nn.Conv2d(heads * dim_head, dim, 1), RMSNorm(dim))

    def forward(self, x):
        b, _, h, w = x.shape
        q, k, v = (t.reshape(b, self.heads, -1, h * w) for t in self.to_qkv(self.norm(x)).chunk(3, dim=1))
        q, k = q.softmax(dim=-2) * self.scale, k.softmax(dim=-1)
        context = torch.einsum("bhdn,bhen->bhde", k, v)
        out = torch.einsum("bhde,bhdn->bhen", context, q)
        return self.to_out(out.reshape(b, -1, h, w))


class Attention(nn.Module):
    def __init__(self, dim, heads=4, dim_head=32):
        super().__init__()
        self.heads = heads
        self.norm = RMSNorm(dim)
        self.to_qkv = nn.Conv2d(dim, heads * dim_head * 3, 1, bias=False)
        self.to_out = nn.Conv2d(heads * dim_head, dim, 1)

    def forward(self, x):
        b, _, h, w = x.shape
        q, k, v = (t.reshape(b, self.heads, -1, h * w).transpose(-1, -2)
                   for t in self.to_qkv(self.norm(x)).chunk(3, dim=1))
        out = F.scaled_dot_product_attention(q, k, v)
        return self.to_out(out.transpose(-1, -2).reshape(b, -1, h, w))


class Unet(nn.Module):
    """Conditional denoising U-Net: (noised residual, time, latent) -> predicted ``v``.

    Parameters
    ----------
    dim : int
        Channels at full resolution (paper: 64); the residual and the latent
        get ``dim // 2`` each.
    dim_mults : list of int
        Channel multiplier per resolution (paper: 1, 2, 4, 8); the map side
        must be divisible by ``2 ** (len(dim_mults) - 1)``.
    cond_channels : int
        Channels of the conditioning latent.

    Linear attention at every resolution but the lowest, full attention there
    and in the middle, as in denoising-diffusion-pytorch 1.8.
    """

    def __init__(self, dim=64, dim_mults=(1, 2, 4, 8), cond_channels=512):
        super().__init__()
        self.init_x = nn.Conv2d(1, dim // 2, 7, padding=3)
        self.init_cond = nn.Conv2d(cond_channels, dim // 2, 7, padding=3)
        dims = [dim, *(dim * m for m in dim_mults)]
        in_out = list(itertools.pairwise(dims))
        time_dim = dim * 4
        self.time_mlp = nn.Sequential(SinusoidalPosEmb(dim), nn.Linear(dim, time_dim), nn.GELU(),
                                      nn.Linear(time_dim, time_dim))
        self.downs, self.ups = nn.ModuleList(), nn.ModuleList()
        for i, (a, b) in enumerate(in_out):
            last = i == len(in_out) - 1
            self.downs.append(nn.ModuleList([
                ResnetBlock(a, a, time_dim), ResnetBlock(a, a, time_dim),
                (Attention if last else LinearAttention)(a),
                nn.Conv2d(a, b, 3, padding=1) if last else nn.Sequential(nn.PixelUnshuffle(2), nn.Conv2d(4 * a, b, 1)),
            ]))
        self.mid1, self.mid_attn, self.mid2 = (ResnetBlock(dims[-1], dims[-1], time_dim), Attention(dims[-1]),
                                               ResnetBlock(dims[-1], dims[-1], time_dim))
        for i, (a, b) in enumerate(reversed(in_out)):
            last = i == len(in_out) - 1
            self.ups.append(nn.ModuleList([
                ResnetBlock(b + a, b, time_dim), ResnetBlock(b + a, b, time_dim),
                (Attention if i == 0 else LinearAttention)(b),
                nn.Conv2d(b, a, 3, padding=1) if last else nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(b, a, 3, padding=1)),
            ]))
        self.final_block = ResnetBlock(2 * dim, dim, time_dim)
        self.final_conv = nn.Conv2d(dim, 1, 1)
        self.divisor = 2 ** (len(dim_mults) - 1)

    def forward(self, x, time, cond):
        if x.shape[-1] % self.divisor:
            raise ValueError(f"map side {x.shape[-1]} is not divisible by {self.divisor} (dim_mults)")
        x = torch.cat([self.init_x(x), self.init_cond(cond)], dim=1)
        r, t, skips = x, self.time_mlp(time), []
        for block1, block2, attn, down in self.downs:
            x = block1(x, t)
            skips.append(x)
            x = block2(x, t)
            x = attn(x) + x
            skips.append(x)
            x = down(x)
        x = self.mid1(x, t)
        x = self.mid2(self.mid_attn(x) + x, t)
        for block1, block2, attn, up in self.ups:
            x = block1(torch.cat([x, skips.pop()], dim=1), t)
            x = block2(torch.cat([x, skips.pop()], dim=1), t)
            x = up(attn(x) + x)
        return self.final_conv(self.final_block(torch.cat([x, r], dim=1), t))


class HiCDiffusion(nn.Module):
    """Encoder-decoder map refined by a sampled residual.

    Parameters
    ----------
    encoder_decoder : EncoderDecoder
        Trained first stage; frozen here (no gradients, always in eval mode).
    dim, dim_mults : int, list of int
        U-Net size (:class:`Unet`).
    timesteps : int
        Length of the diffusion chain (paper: 10).
    """

    def __init__(self, encoder_decoder, dim=64, dim_mults=(1, 2, 4, 8), timesteps=10):
        super().__init__()
        self.encoder_decoder = encoder_decoder.requires_grad_(False)
        self.unet = Unet(dim, dim_mults, encoder_decoder.latent_channels)
        self.timesteps = timesteps
        self.register_buffer("alphas_cumprod", torch.cumprod(1 - sigmoid_beta_schedule(timesteps), 0).float())

    def condition(self, x):
        """The frozen encoder-decoder's latent and map (in eval mode whatever the trainer set)."""
        self.encoder_decoder.eval()
        with torch.no_grad():
            latent = self.encoder_decoder.latent(x)
            return latent, self.encoder_decoder.readout(latent)

    def predict_v(self, x, t, latent):
        return symmetrise(self.unet(x, t, latent))

    def loss(self, x, target, generator=None):
        """MSE of the predicted ``v`` over the finite pixels of ``target`` (batch, bins, bins).

        Times and noise are drawn from ``generator`` (default: torch's global one).
        """
        latent, base = self.condition(x)
        residual = (target - base).unsqueeze(1)
        finite = torch.isfinite(residual)
        x_start = torch.where(finite, residual, 0.0)
        t = torch.randint(0, self.timesteps, (len(x),), device=x.device, generator=generator)
        noise = mirror(torch.randn(x_start.shape, device=x.device, generator=generator))
        alpha = self.alphas_cumprod[t].view(-1, 1, 1, 1)
        noised = alpha.sqrt() * x_start + (1 - alpha).sqrt() * noise
        v = alpha.sqrt() * noise - (1 - alpha).sqrt() * x_start
        return masked_mean((self.predict_v(noised, t, latent) - v) ** 2, finite)

    def forward(self, x, noise=None, steps=None, eta=1.0):
        """Sampled map (batch, bins, bins): encoder-decoder output + sampled residual.

        Parameters
        ----------
        x : Tensor
            Model input (batch, channels, length).
        noise : Tensor, optional
            (batch, steps, bins, bins) standard normal draws: the start of the
            chain, then one per step but the last. Drawn here if not given;
            pass them for reproducible samples.
        steps : int, optional
            Sampling steps (default: ``noise.shape[1]``, else ``timesteps``).
        eta : float
            DDIM's eta, 0 to 1 (:func:`denoise_step`); with 0 only the start of
            ``noise`` is read.
        """
        latent, base = self.condition(x)
        steps = noise.shape[1] if noise is not None else steps or self.timesteps
        if not 1 <= steps <= self.timesteps:
            raise ValueError(f"sampling steps must be 1..{self.timesteps}, got {steps}")
        if not 0 <= eta <= 1:
            raise ValueError(f"DDIM's eta must be 0..1, got {eta}")
        if noise is None:
            noise = torch.randn(len(x), steps, *base.shape[-2:], device=x.device)
        noise = mirror(noise.to(base.dtype))
        times = np.linspace(-1, self.timesteps - 1, steps + 1).astype(int).tolist()[::-1]
        sample = noise[:, :1]
        for i, (t, t_next) in enumerate(itertools.pairwise(times)):
            v = self.predict_v(sample, torch.full((len(x),), t, device=x.device), latent)
            x_start, eps = split_v(self.alphas_cumprod, sample, v, t)
            step_noise = noise[:, i + 1 : i + 2] if t_next >= 0 else None
            sample = denoise_step(self.alphas_cumprod, x_start, eps, t, t_next, step_noise, eta)
        return base + sample.squeeze(1)
