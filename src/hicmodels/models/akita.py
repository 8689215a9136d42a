"""Akita (Fudenberg et al. 2020): one-hot DNA -> a map of log(observed/expected), and its transformer/VAE variant.

Akita v1 at its published sizes reads 1,048,576 bp and predicts 448 x 448
bins of 2,048 bp. The trunk is a Basenji 1D tower: a k11 conv block pooling
by 2, ten k5 blocks pooling by 2 (2,048 bp per position), eight dilated
residual pairs (dilation ``round(1.75 ** i)``) and a k5 block to 64 channels
(the bottleneck). The head averages positions ``i`` and ``j`` into a 2D map,
appends ``|i - j|`` as a channel, and runs a 3x3 block and six dilated
residual 2D pairs, symmetrising after each; the map is cropped by ``crop``
bins on each side and its upper triangle from diagonal ``diagonal_offset`` on
goes through a dense layer to one value per target (5 cell types in the
published human model): ``log(observed / expected)`` of the target maps.
Every block is Basenji's "activation first": ReLU -> conv (no bias) -> batch
norm -> [max-pool]. Keras's ``BatchNormalization`` default epsilon is 1e-3.

Lu et al. ("From attention to Bayes", papers/attention-to-bayes-akita-vae)
keep the tower, bottleneck and head and replace the dilated residual pairs by
a bi-directional transformer encoder (3 layers, 6 heads, feed-forward 256;
section 3.1, A.4): ``trunk="transformer"``. Their generative model adds a
variational layer after the bottleneck (``latent``: mu and log-variance per
position, section 3.2) trained with MSE + KL to N(0, I) (:meth:`Akita.loss`);
sampling the latent gives a posterior-predictive distribution of maps.
Deviation: the tower's size (``tower_channels``, ``pools``) and the head's
are options, so a small preset trains on a CPU.

The input is dna2hic's one-hot ``(batch, 5, length)``; the N channel is
dropped, so N reads as all zeros, as in Basenji. With ``target=None`` the
output is Akita's: ``(batch, upper-triangle pixels, targets)``; with ``target``
a target index it is that target's map on the whole window's bin grid,
``(batch, length / bin, length / bin)``, NaN in the cropped border and
below the diagonal offset (what prediction stores; the assembler averages
windows where they are not NaN).
"""

import math

import torch
from torch import nn


def dilation_rates(repeat, rate_mult=1.75):
    """Basenji's dilations: ``int(round(rate))`` for rate = 1, 1.75, 1.75**2, ..."""
    rates, rate = [], 1.0
    for _ in range(repeat):
        rates.append(int(round(rate)))
        rate *= rate_mult
    return rates


class ConvBlock(nn.Module):
    """ReLU -> conv (``same`` padding, no bias) -> batch norm -> max-pool (1D or 2D)."""

    def __init__(self, dim_in, dim_out, kernel, dilation=1, pool=1, dimensions=1, eps=1e-3):
        super().__init__()
        conv, norm, maxpool = ((nn.Conv1d, nn.BatchNorm1d, nn.MaxPool1d) if dimensions == 1
                               else (nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d))
        self.conv = conv(dim_in, dim_out, kernel, padding="same", dilation=dilation, bias=False)
        self.norm = norm(dim_out, eps=eps)
        self.pool = maxpool(pool) if pool > 1 else nn.Identity()

    def forward(self, x):
        return self.pool(self.norm(self.conv(torch.relu(x))))


class Residual(nn.Module):
    """``x + wide(narrow(x))``: a dilated block to ``mid`` channels and a 1x1 block back; optionally symmetrised."""

    def __init__(self, dim, mid, dilation, dimensions, eps, symmetric=False):
        super().__init__()
        self.narrow = ConvBlock(dim, mid, 3, dilation, dimensions=dimensions, eps=eps)
        self.wide = ConvBlock(mid, dim, 1, dimensions=dimensions, eps=eps)
        self.symmetric = symmetric

    def forward(self, x):
        x = x + self.wide(self.narrow(x))
        return symmetrise(x) if self.symmetric else x


def symmetrise(x):
    return 0.5 * (x + x.transpose(-1, -2))



def sinusoidal_positions(length, dim):
    """Vaswani et al. 2017's fixed positional encoding, ``(length, dim)``: sin on even, cos on odd channels."""
    position = torch.arange(length, dtype=torch.float32)[:, None]
    frequency = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    encoding = torch.zeros(length, dim)
    encoding[:, 0::2] = torch.sin(position * frequency)
    encoding[:, 1::2] = torch.cos(position * frequency[: dim // 2])
    return encoding


class TransformerTrunk(nn.Module):
    """The paper's replacement of the dilated residual blocks: positional encoding + a post-norm transformer encoder.

    Bi-directional (no mask), on the tower's ``(batch, dim, positions)``
    output, which it returns in the same layout (Lu et al., section 3.1 and
    A.3: "positional encoding + self-attention head + add & norm").
    """

    def __init__(self, dim, layers, heads, feedforward, dropout):
        super().__init__()
        layer = nn.TransformerEncoderLayer(dim, heads, feedforward, dropout, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)

    def forward(self, x):
        h = x.transpose(1, 2)
        h = h + sinusoidal_positions(h.shape[1], h.shape[2]).to(h.device, h.dtype)
        return self.encoder(h).transpose(1, 2)


class Variational(nn.Module):
    """The paper's variational layer after the bottleneck: per position, ``mu`` and ``log sigma^2`` of the latent.

    Two linear maps from the bottleneck's channels to ``latent`` (64 -> 64 in
    the paper: "64 x 64 = 4096 parameters each", section 3.2). We
    parameterise the log-variance, not sigma, so the KL term needs no
    positivity constraint (the paper does not say which it learned).
    """

    def __init__(self, dim, latent):
        super().__init__()
        self.latent = latent
        self.mu = nn.Linear(dim, latent)
        self.log_variance = nn.Linear(dim, latent)

    def forward(self, h, noise=None):
        """``(z, kl)``: ``z = mu + sigma * noise`` (``mu`` when ``noise`` is None), ``kl`` per example.

        ``h`` and ``noise`` (standard normal) are ``(batch, channels, positions)``, as is ``z``.

        ``kl`` is ``KL(N(mu, sigma^2) || N(0, I))`` summed over the latent's
        channels and averaged over positions: the paper's ``sum_j`` over
        the ``J``-dimensional ``z`` of each bottleneck position (A.2).
        """
        h = h.transpose(1, 2)
        noise = None if noise is None else noise.transpose(1, 2)
        mu, log_variance = self.mu(h), self.log_variance(h)
        kl = (0.5 * (mu.square() + log_variance.exp() - 1 - log_variance)).sum(-1).mean(-1)
        z = mu if noise is None else mu + torch.exp(0.5 * log_variance) * noise.to(mu.dtype)
        return z.transpose(1, 2), kl


class Akita(nn.Module):
    """Akita: the published v1 by default, trainable here with a transformer trunk and a variational layer.

    Parameters
    ----------
    targets : int
        Output targets (5 in the published human model).
    crop : int
        Bins cropped on each side of the map (32 for 512 bins).
    diagonal_offset : int
        First diagonal of the upper-triangle output (2).
    eps : float
        Batch-norm epsilon (the Keras file's; 1e-3 by default in Keras).
    target : int or None
        ``None``: Akita's output; an index: that target's window map.
    tower_channels : int
        Channels of the 1D conv tower and trunk (96 in Akita v1).
    pools : sequence of int
        Max-pool factor of each tower block, the first with a kernel of 11,
        the others 5; their product is the bin size (Akita v1: eleven 2s, 2,048 bp).
    trunk : {"dilated", "transformer"}
        Akita's dilated residual blocks, or the paper's transformer encoder.
    residual_blocks : int
        Dilated residual pairs of the ``dilated`` trunk (8).
    transformer_layers, heads, feedforward : int
        The ``transformer`` trunk (the paper, A.4 and section 3.1: 3, 6, 256).
    dropout : float
        Transformer dropout (the paper: 0.15 without, 0.1 with the variational layer).
    bottleneck : int
        Channels of the trunk's last block (64).
    head_channels : int
        Channels of the 2D head (48).
    head_blocks : int
        Dilated residual 2D pairs of the head (6).
    latent : int or None
        Channels of the variational latent after the bottleneck (the paper: 64); ``None``: no variational layer.
    beta : float
        Weight of the KL term in :meth:`loss` (1: the paper's ELBO, A.2).

    Notes
    -----
    Every size defaults to the published Akita v1 (751,653 parameters with
    ``targets=5``), so checkpoints imported before these options existed
    still build; the config schema states the same defaults.
    """

    def __init__(self, targets, crop, diagonal_offset, eps, target, tower_channels=96, pools=(2,) * 11,
                 trunk="dilated", residual_blocks=8, transformer_layers=3, heads=6, feedforward=256, dropout=0.0,
                 bottleneck=64, head_channels=48, head_blocks=6, latent=None, beta=1.0):
        super().__init__()
        if trunk not in ("dilated", "transformer"):
            raise ValueError(f"unknown Akita trunk {trunk!r}; known: dilated, transformer")
        self.crop, self.diagonal_offset, self.target, self.beta = crop, diagonal_offset, target, beta
        width = tower_channels
        tower = [ConvBlock(4, width, 11, pool=pools[0], eps=eps),
                 *(ConvBlock(width, width, 5, pool=p, eps=eps) for p in pools[1:])]
        body = ([Residual(width, width // 2, d, 1, eps) for d in dilation_rates(residual_blocks)]
                if trunk == "dilated" else [TransformerTrunk(width, transformer_layers, heads, feedforward, dropout)])
        self.trunk = nn.Sequential(*tower, *body, ConvBlock(width, bottleneck, 5, eps=eps))
        self.variational = Variational(bottleneck, latent) if latent else None
        head_in = (latent or bottleneck) + 1
        self.head = nn.Sequential(
            ConvBlock(head_in, head_channels, 3, dimensions=2, eps=eps),
            *(Residual(head_channels, head_channels // 2, d, 2, eps, symmetric=True)
              for d in dilation_rates(head_blocks)),
        )
        self.dense = nn.Linear(head_channels, targets)

    def upper_triangle(self, nbins):
        """Row and column indices of the output pixels on the cropped map (numpy's ``triu_indices`` order)."""
        return torch.triu_indices(nbins, nbins, self.diagonal_offset)

    def encode(self, x, noise=None, generator=None):
        """``(features, kl)``: the trunk's output (a latent draw for a variational model) and the KL per example.

        A variational model draws standard normal noise (from ``generator``,
        or the global generator) in training mode or when a generator is
        given: the paper's one reparameterised sample. Otherwise it uses
        ``noise`` (``(batch, latent, positions)``) or, when None, the latent mean.
        """
        h = self.trunk(x[:, :4])
        if self.variational is None:
            return h, None
        if noise is None and (self.training or generator is not None):
            noise = torch.randn(h.shape[0], self.variational.latent, h.shape[-1], generator=generator,
                                device=h.device)
        return self.variational(h, noise)

    def decode(self, h):
        """Akita's head: ``(batch, upper-triangle pixels, targets)`` from ``(batch, channels, positions)``."""
        n = h.shape[-1]
        h2 = 0.5 * (h.unsqueeze(-1) + h.unsqueeze(-2))
        distance = (torch.arange(n, device=h.device)[:, None] - torch.arange(n, device=h.device)).abs()
        h2 = torch.cat([h2, distance.to(h2.dtype).expand(h2.shape[0], 1, n, n)], dim=1)
        h2 = symmetrise(self.head[0](h2))
        h2 = self.head[1:](h2)
        c = self.crop
        h2 = h2[..., c:n - c, c:n - c]
        rows, cols = self.upper_triangle(n - 2 * c)
        return self.dense(h2[..., rows, cols].transpose(1, 2))

    def forward(self, x, noise=None):
        h = self.encode(x, noise)[0]
        out = self.decode(h)
        if self.target is None:
            return out
        n, c = h.shape[-1], self.crop
        rows, cols = self.upper_triangle(n - 2 * c)
        maps = out.new_full((x.shape[0], n, n), float("nan"))
        maps[:, rows + c, cols + c] = out[..., self.target]
        maps[:, cols + c, rows + c] = out[..., self.target]
        return maps

    def squared_errors(self, x, target, generator=None):
        """``(squared error sum, pixel count)`` of output ``self.target`` (0 when None) on the upper triangle, and KL.

        ``target`` is the window's map ``(batch, bins, bins)``, NaN where
        masked, or every output's maps ``(batch, targets, bins, bins)``
        (Akita's joint training of several cell lines: the errors of all
        outputs together); the latent is drawn as :meth:`encode` does.
        """
        h, kl = self.encode(x, generator=generator)
        out = self.decode(h)
        n, c = target.shape[-1], self.crop
        rows, cols = self.upper_triangle(n - 2 * c)
        if target.ndim == 4:  # (batch, pixels, targets) against the same pixels of each target map
            truth = target[..., rows + c, cols + c].transpose(1, 2)
        else:
            out, truth = out[..., self.target or 0], target[:, rows + c, cols + c]
        finite = torch.isfinite(truth)
        squared = torch.where(finite, (out - torch.where(finite, truth, 0.0)).square(), 0.0)
        return squared.sum(), finite.sum(), kl

    def loss(self, x, target, generator=None):
        """Masked MSE + ``beta`` x mean KL (:meth:`squared_errors`).

        The paper's loss (section 3.2, A.2: Gaussian likelihood, N(0, I)
        prior, one latent sample). ``generator`` seeds the latent draw
        (validation: the same draw every epoch).
        """
        total, count, kl = self.squared_errors(x, target, generator)
        mse = total / count.clamp_min(1)  # several targets: pooled over their pixels (Akita's mean over targets
        # when the targets mask the same pixels)
        return mse if kl is None else mse + self.beta * kl.mean()
