"""C.Origami's ConvTransModel, written here so that its published weights load unchanged.

Sequence (one-hot) and epigenome tracks (CTCF, ATAC) go through two
strided residual 1D towers (2,097,152 bp -> 256 positions), are joined by a 1x1
conv, pass a pre-LayerNorm transformer, are expanded pairwise and decoded by
dilated residual 2D blocks into one 256 x 256 map (Tan et al. 2023,
``corigami`` 0.0.1 on PyPI). Module and parameter names follow the published
state dict (``encoder.conv_start_seq.0.weight``...), so the importer
(:mod:`hicmodels.models.published`) only strips Lightning's ``model.`` prefix.

Two input conventions differ from C.Origami's code and are handled outside the
forward pass: the model reads dna2hic's ``(batch, 5 + tracks, length)`` input
with one-hot A, C, G, T, N (C.Origami's is ``(batch, length, features)`` with
A, T, C, G, N; the importer permutes the sequence stem's input channels), and
dna2hic feeds every track as ``log1p`` (:mod:`hicmodels.modelling.tracks`)
where C.Origami feeds CTCF untransformed: tracks listed in ``raw_tracks`` get
``expm1`` first.

``positional_encoding`` names how the sinusoidal encoding is added. C.Origami's
code adds ``pe[:x.size(0)]`` to a batch-first tensor, so sample ``b`` of a
batch gets row ``b`` of the table at every position: the published weights
were trained with that. ``"published_batch_of_one"`` (the default) adds row 0
to every window, which is what C.Origami's own inference (one window at a
time) computes, and keeps a window's map independent of its batch;
``"published_batch_axis"`` reproduces the published forward pass for any batch
(parity tests); ``"positions"`` adds row ``i`` at position ``i`` (a transformer's
usual encoding, for models trained here).
"""

import math

import torch
from torch import nn

from .encoder_decoder import pairwise

SEQUENCE_HIDDEN = (32, 32, 32, 32, 64, 64, 128, 128, 128, 128, 256, 256)
POSITIONAL_ENCODINGS = ("published_batch_of_one", "published_batch_axis", "positions")


def _conv_bn_relu(dim_in, dim_out, kernel, stride=1, dimensions=1, dilation=1):
    conv, norm = (nn.Conv1d, nn.BatchNorm1d) if dimensions == 1 else (nn.Conv2d, nn.BatchNorm2d)
    padding = dilation * (kernel // 2)
    return [conv(dim_in, dim_out, kernel, stride, padding, dilation=dilation), norm(dim_out), nn.ReLU()]


class StridedBlock(nn.Module):
    """Strided conv-BN-ReLU (``scale``), then ``relu(scale + res(scale))`` with a conv-BN-ReLU-conv-BN ``res``."""

    def __init__(self, dim_in, dim_out, kernel=5):
        super().__init__()
        self.scale = nn.Sequential(*_conv_bn_relu(dim_in, dim_out, kernel, stride=2))
        self.res = nn.Sequential(*_conv_bn_relu(dim_out, dim_out, kernel), *_conv_bn_relu(dim_out, dim_out, kernel)[:2])

    def forward(self, x):
        x = self.scale(x)
        return torch.relu(x + self.res(x))


class DilatedBlock(nn.Module):
    """``relu(x + res(x))`` with two dilated 3x3 conv-BN (ReLU between)."""

    def __init__(self, dim, dilation):
        super().__init__()
        self.res = nn.Sequential(*_conv_bn_relu(dim, dim, 3, dimensions=2, dilation=dilation),
                                 *_conv_bn_relu(dim, dim, 3, dimensions=2, dilation=dilation)[:2])

    def forward(self, x):
        return torch.relu(x + self.res(x))


def _tower(dim_in):
    """Stem (k3, stride 2) and 12 strided blocks, at half C.Origami's single-tower widths."""
    hidden = [h // 2 for h in SEQUENCE_HIDDEN]
    stem = nn.Sequential(*_conv_bn_relu(dim_in, hidden[0], 3, stride=2))
    blocks = nn.Sequential(*(StridedBlock(a, b) for a, b in zip([hidden[0]] + hidden[:-1], hidden)))
    return stem, blocks


class SplitEncoder(nn.Module):
    """Sequence and track towers, joined by a 1x1 conv: (batch, 5 + tracks, L) -> (batch, hidden, L / 8192)."""

    def __init__(self, tracks, hidden):
        super().__init__()
        self.conv_start_seq, self.res_blocks_seq = _tower(5)
        self.conv_start_epi, self.res_blocks_epi = _tower(tracks)
        self.conv_end = nn.Conv1d(SEQUENCE_HIDDEN[-1], hidden, 1)

    def forward(self, x):
        seq = self.res_blocks_seq(self.conv_start_seq(x[:, :5]))
        epi = self.res_blocks_epi(self.conv_start_epi(x[:, 5:]))
        return self.conv_end(torch.cat([seq, epi], dim=1))


class Attention(nn.Module):
    """Sinusoidal encoding (buffer ``pos_encoder.pe``, [max_len, 1, hidden]) and a pre-LN transformer."""

    def __init__(self, hidden, layers, heads, feedforward, dropout, max_len, positional_encoding):
        super().__init__()
        if positional_encoding not in POSITIONAL_ENCODINGS:
            raise ValueError(f"positional_encoding {positional_encoding!r} is not one of {POSITIONAL_ENCODINGS}")
        self.positional_encoding = positional_encoding
        self.pos_encoder = nn.Module()
        position = torch.arange(max_len).unsqueeze(1)
        frequency = torch.exp(torch.arange(0, hidden, 2) * (-math.log(10000.0) / hidden))
        pe = torch.zeros(max_len, 1, hidden)
        pe[:, 0, 0::2], pe[:, 0, 1::2] = torch.sin(position * frequency), torch.cos(position * frequency)
        self.pos_encoder.register_buffer("pe", pe)
        layer = nn.TransformerEncoderLayer(hidden, heads, feedforward, dropout, batch_first=True, norm_first=True)
        self.module = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)

    def forward(self, x):
        """(batch, positions, hidden) -> the same shape."""
        pe = self.pos_encoder.pe
        if self.positional_encoding == "published_batch_axis":
            x = x + pe[:x.shape[0]]
        elif self.positional_encoding == "published_batch_of_one":
            x = x + pe[0]
        else:
            x = x + pe[:x.shape[1], 0]
        return self.module(x)


class Decoder(nn.Module):
    """3x3 conv-BN-ReLU, dilated residual blocks (dilations 2, 4, ... 32), 1x1 conv to one channel."""

    def __init__(self, dim_in, hidden, blocks=5):
        super().__init__()
        self.conv_start = nn.Sequential(*_conv_bn_relu(dim_in, hidden, 3, dimensions=2))
        self.res_blocks = nn.Sequential(*(DilatedBlock(hidden, 2 ** (i + 1)) for i in range(blocks)))
        self.conv_end = nn.Conv2d(hidden, 1, 1)

    def forward(self, x):
        return self.conv_end(self.res_blocks(self.conv_start(x)))


class COrigami(nn.Module):
    """C.Origami ConvTransModel: (batch, 5 + tracks, length) -> map (batch, length / 8192, length / 8192).

    Parameters
    ----------
    track_channels : int
        Epigenome tracks read beside the sequence (2: CTCF, ATAC).
    hidden : int
        ``mid_hidden``: encoder output and transformer width (256).
    decoder_hidden : int
        Width of the 2D decoder (256; C.Origami's ``Decoder`` default, whatever ``mid_hidden`` is).
    transformer_layers, heads, feedforward : int
        8, 8 and 512 in C.Origami.
    dropout : float
        Transformer and positional-encoding dropout (inactive in eval mode).
    max_len : int
        Rows of the positional-encoding table (256).
    positional_encoding : str
        One of :data:`POSITIONAL_ENCODINGS` (module docstring).
    raw_tracks : list of int
        Tracks C.Origami reads untransformed (CTCF: ``[0]``); ``expm1`` undoes dna2hic's ``log1p``.
    """

    def __init__(self, track_channels, hidden, decoder_hidden, transformer_layers, heads, feedforward, dropout,
                 max_len, positional_encoding, raw_tracks):
        super().__init__()
        self.raw_tracks = list(raw_tracks)
        self.encoder = SplitEncoder(track_channels, hidden)
        self.attn = Attention(hidden, transformer_layers, heads, feedforward, dropout, max_len, positional_encoding)
        self.decoder = Decoder(2 * hidden, decoder_hidden)

    def forward(self, x):
        if self.raw_tracks:
            x = x.clone()
            channels = [5 + t for t in self.raw_tracks]
            x[:, channels] = torch.expm1(x[:, channels])
        h = self.encoder(x)
        h = self.attn(h.transpose(1, 2)).transpose(1, 2)
        return self.decoder(pairwise(h, "ji")).squeeze(1)
