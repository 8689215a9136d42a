"""Akita v1 (Fudenberg et al. 2020): 1,048,576 bp of one-hot ACGT -> 448 x 448 bins of 2,048 bp, as O/E.

The trunk is a Basenji 1D tower: a k11 conv block pooling by 2, ten k5 blocks
pooling by 2 (2,048 bp per position), eight dilated residual pairs (dilation
``round(1.75 ** i)``) and a k5 block to 64 channels. The head averages
positions ``i`` and ``j`` into a 2D map, appends ``|i - j|`` as a channel, and
runs a 3x3 block and six dilated residual 2D pairs, symmetrising after each;
the map is cropped by ``crop`` bins on each side and its upper triangle from
diagonal ``diagonal_offset`` on goes through a dense layer to one value per
target (5 cell types in the published human model): ``log(observed /
expected)`` of the target maps (Akita's targets, see the README of dna2hic).
Every block is Basenji's "activation first": ReLU -> conv (no bias) -> batch
norm -> [max-pool]. Keras's ``BatchNormalization`` default epsilon is 1e-3.

The input is dna2hic's one-hot ``(batch, 5, length)``; the N channel is
dropped, so N reads as all zeros, as in Basenji. With ``target=None`` the
output is Akita's: ``(batch, upper-triangle pixels, targets)``; with ``target``
a target index it is that target's map on the whole window's bin grid,
``(batch, length / 2048, length / 2048)``, NaN in the cropped border and
below the diagonal offset (what prediction stores; the assembler averages
windows where they are not NaN).
"""

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


class Akita(nn.Module):
    """Akita v1 at the published sizes; module docstring for inputs and outputs.

    Parameters
    ----------
    targets : int
        Output targets (5 in the published human model).
    crop : int
        Bins cropped on each side of the 512-bin map (32).
    diagonal_offset : int
        First diagonal of the upper-triangle output (2).
    eps : float
        Batch-norm epsilon (the Keras file's; 1e-3 by default in Keras).
    target : int or None
        ``None``: Akita's output; an index: that target's window map.
    """

    def __init__(self, targets, crop, diagonal_offset, eps, target):
        super().__init__()
        self.crop, self.diagonal_offset, self.target = crop, diagonal_offset, target
        self.trunk = nn.Sequential(
            ConvBlock(4, 96, 11, pool=2, eps=eps),
            *(ConvBlock(96, 96, 5, pool=2, eps=eps) for _ in range(10)),
            *(Residual(96, 48, d, 1, eps) for d in dilation_rates(8)),
            ConvBlock(96, 64, 5, eps=eps),
        )
        self.head = nn.Sequential(
            ConvBlock(65, 48, 3, dimensions=2, eps=eps),
            *(Residual(48, 24, d, 2, eps, symmetric=True) for d in dilation_rates(6)),
        )
        self.dense = nn.Linear(48, targets)

    def upper_triangle(self, nbins):
        """Row and column indices of the output pixels on the cropped map (numpy's ``triu_indices`` order)."""
        return torch.triu_indices(nbins, nbins, self.diagonal_offset)

    def forward(self, x):
        h = self.trunk(x[:, :4])
        n = h.shape[-1]
        h2 = 0.5 * (h.unsqueeze(-1) + h.unsqueeze(-2))
        distance = (torch.arange(n, device=x.device)[:, None] - torch.arange(n, device=x.device)).abs()
        h2 = torch.cat([h2, distance.to(h2.dtype).expand(h2.shape[0], 1, n, n)], dim=1)
        h2 = symmetrise(self.head[0](h2))
        h2 = self.head[1:](h2)
        c = self.crop
        h2 = h2[..., c:n - c, c:n - c]
        rows, cols = self.upper_triangle(n - 2 * c)
        out = self.dense(h2[..., rows, cols].transpose(1, 2))
        if self.target is None:
            return out
        maps = out.new_full((x.shape[0], n, n), float("nan"))
        maps[:, rows + c, cols + c] = out[..., self.target]
        maps[:, cols + c, rows + c] = out[..., self.target]
        return maps
