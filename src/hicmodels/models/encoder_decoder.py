"""The HiCDiffusion encoder-decoder: DNA sequence (one-hot, plus optional tracks) -> Hi-C map.

Residual 1D conv encoder -> transformer encoder wrapped in a residual
connection -> pairwise 2D expansion -> dilated residual 2D decoder -> one
output channel. All sizes come from the constructor, so the paper model, the
small CPU presets and the sequence + tracks model (C.Origami-style: extra
input channels for binned epigenome tracks) are the same class.

The transformer attends over the sequence positions, as the HiCDiffusion
reference does since its commit 621f50d ("fix the model", 2024-07-03:
``batch_first=True`` with the features transposed to ``(batch, positions,
channels)``). Before that commit the reference passed ``(batch, channels,
positions)`` to a sequence-first transformer, which attends across the batch;
the published checkpoints (released with the prediction script
``predict_hicdiffusion.py`` in September 2024; this project's notes name
Zenodo record 13840733, not verified: no internet here) were made with the
fixed code, which is the code this class reproduces.

With the config schema's defaults three choices differ from the reference:
the readout is a 3x3 conv (the reference's ``reduce_layer`` is 1x1), the
output map is symmetrised, and the pairwise features put row before column.
``head_kernel=1, symmetric=False, pair_order="ji"`` give the reference exactly
(the ``hicdiffusion`` preset, used for imported checkpoints:
:mod:`hicmodels.models.published`).
"""

import torch
from torch import nn


class EncoderBlock(nn.Module):
    """conv-BN-ReLU-conv-BN, max-pooled, plus a pooled k3 projection of the input; ReLU."""

    def __init__(self, dim_in, dim_out, pool=2):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(dim_in, dim_out, 3, padding=1),
            nn.BatchNorm1d(dim_out),
            nn.ReLU(),
            nn.Conv1d(dim_out, dim_out, 3, padding=1),
            nn.BatchNorm1d(dim_out),
            nn.MaxPool1d(pool),
        )
        self.skip = nn.Sequential(nn.Conv1d(dim_in, dim_out, 3, padding=1), nn.MaxPool1d(pool))

    def forward(self, x):
        return torch.relu(self.body(x) + self.skip(x))


class DecoderBlock(nn.Module):
    """Dilated residual 2D block: conv-BN-ReLU-conv-BN added to the input, ReLU."""

    def __init__(self, dim, dilation):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(dim, dim, 3, padding=dilation, dilation=dilation),
            nn.BatchNorm2d(dim),
            nn.ReLU(),
            nn.Conv2d(dim, dim, 3, padding=dilation, dilation=dilation),
            nn.BatchNorm2d(dim),
        )

    def forward(self, x):
        return torch.relu(x + self.body(x))


def pairwise(x, order="ij"):
    """(batch, C, N) -> (batch, 2C, N, N): channel ``c`` of pixel ``(i, j)`` is ``x[c, i]``, then ``x[c, j]``.

    ``order="ji"`` puts ``x[c, j]`` first (HiCDiffusion's and C.Origami's ``repeat_dimension``/``diagonalize``).
    """
    n = x.shape[-1]
    rows = x.unsqueeze(-1).expand(-1, -1, n, n)
    cols = x.unsqueeze(-2).expand(-1, -1, n, n)
    return torch.cat([rows, cols] if order == "ij" else [cols, rows], dim=1)


class EncoderDecoder(nn.Module):
    """Sequence (+ tracks) -> contact map (``log1p`` scale).

    Parameters
    ----------
    channels : list of int
        Encoder channels, input first: block ``i`` maps ``channels[i]`` to
        ``channels[i + 1]``; ``channels[0]`` is 5 (one-hot A, C, G, T, N) plus
        the number of tracks.
    pools : list of int
        Max-pool factor of each encoder block; their product is the bin size.
    transformer_layers, heads, feedforward : int
        Transformer encoder depth, attention heads and feed-forward width.
    dilations : list of int
        One 2D decoder block per dilation.
    dropout : float
        Transformer dropout.
    head_kernel : int
        Kernel of the readout conv (1 or 3; the HiCDiffusion reference's is 1).
    symmetric : bool
        Symmetrise the output map (the reference does not).
    pair_order : str
        ``"ij"`` or ``"ji"`` (the reference's): the order of the two halves of
        the pairwise features, see :func:`pairwise`.

    Every argument is required: defaults live in the config schema
    (:func:`hicmodels.models.build` fills them in), and checkpoints written
    before the last three were options get the values they were trained with
    when loaded (:func:`hicmodels.modelling.checkpoints.load_checkpoint`).
    """

    def __init__(self, channels, pools, transformer_layers, heads, feedforward, dilations, dropout, head_kernel,
                 symmetric, pair_order):
        super().__init__()
        if len(pools) != len(channels) - 1:
            raise ValueError(f"{len(channels) - 1} encoder blocks need {len(channels) - 1} pools, got {len(pools)}")
        self.encoder = nn.Sequential(*(EncoderBlock(a, b, p) for a, b, p in zip(channels, channels[1:], pools)))
        dim = channels[-1]
        layer = nn.TransformerEncoderLayer(dim, heads, feedforward, dropout, batch_first=True)
        self.transformer = nn.TransformerEncoder(layer, transformer_layers, enable_nested_tensor=False)
        self.decoder = nn.Sequential(*(DecoderBlock(2 * dim, d) for d in dilations))
        self.head = nn.Conv2d(2 * dim, 1, head_kernel, padding=head_kernel // 2)
        self.latent_channels = 2 * dim
        self.symmetric, self.pair_order = symmetric, pair_order

    def encode(self, x):
        """(batch, channels[0], length) -> per-bin features (batch, channels[-1], bins): conv tower, transformer."""
        h = self.encoder(x)
        return torch.relu(h + self.transformer(h.transpose(1, 2)).transpose(1, 2))

    def latent(self, x):
        """(batch, channels[0], length) -> decoder features (batch, 2 * channels[-1], bins, bins)."""
        return self.decoder(pairwise(self.encode(x), self.pair_order))

    def readout(self, latent):
        """Decoder features -> map (batch, bins, bins), symmetrised unless ``symmetric`` is false."""
        y = self.head(latent).squeeze(1)
        return 0.5 * (y + y.transpose(-1, -2)) if self.symmetric else y

    def forward(self, x):
        return self.readout(self.latent(x))
