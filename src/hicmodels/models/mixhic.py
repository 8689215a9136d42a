"""MIX-HIC (papers/mixhic-v2, the NeurIPS version we follow): a multimodal model of Hi-C maps and epigenomic tracks.

A sample is a 250 kb x 250 kb window at 5 kb: a ``(50, 50)`` Hi-C map and
the tracks of its x and y segments, each averaged per 100 bp (2,500 values)
and concatenated to 5,000 values per track (section 3, A.1).

- Hi-C encoder (section 4.1): 2 x 2 patches projected to ``C`` channels,
  three stages of ``T`` transformer blocks each followed by a downsampling
  (2 x 2 token merging, channels doubled: ``C_i = 2^i C``) and a bottleneck
  of ``T`` blocks at ``C_3 = 8C``.
- Epigenome encoder: four conv + max-pool blocks from 5,000 positions to
  ``L2 = 100`` (one per 5 kb bin of the x and y segments), then three stages
  of ``T`` blocks with a downsampling by 2 (channels doubled) and a bottleneck.
- Cross-modal interaction block: four dense layers give modal-invariant and
  modal-specific features (``C_2 = 4C`` each) of both modalities; their
  concatenation has ``C_3`` channels.
- Cross-modal mapping block (eq. 5): 1D adaptive pooling of one modality's
  concatenated features to the other's length, then a dense layer: E2M is the
  Hi-C embedding inferred from tracks alone ("MIX-HIC-Infer").
- Fine-tuning (section 4.2): ``T`` contact-map-grounded fusion blocks
  (self-attention on the track tokens, cross-attention to the Hi-C tokens or
  to E2M when no map is given, feed-forward) and one task head: ``hic``
  (a 50 x 50 map), ``loop`` (one logit) or ``cage`` (100 values, one per 5 kb
  bin of the x then y segment).

Choices the paper leaves open (stated so they can be changed): the number
of attention heads and the feed-forward width (``heads``, ``mlp_ratio``),
pre-norm GELU transformer blocks, learned positional embeddings (as ViT), the
conv blocks' kernel and pooling factors (``conv_kernel``, ``conv_pools``:
their product must take 5,000 to 100), upsampling by nearest-neighbour
repetition after a dense projection. Deviation: the paper's lengths
``N / 4^i`` and ``L2 / 2^i`` are not integers for 625 patches and 100
positions; odd token grids are zero-padded before each downsampling, so the
Hi-C tokens go 625 -> 169 -> 49 -> 16 and the track tokens 100 -> 50 -> 25 -> 13.
"""

import torch
import torch.nn.functional as F
from torch import nn

TASKS = ("hic", "loop", "cage")


def transformer(dim, depth, heads, mlp_ratio, dropout):
    """``depth`` pre-norm transformer encoder blocks on ``(batch, tokens, dim)``."""
    layer = nn.TransformerEncoderLayer(dim, heads, dim * mlp_ratio, dropout, activation="gelu", batch_first=True,
                                       norm_first=True)
    return nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)


def pad_even(x, dims):
    """Zero-pad the trailing end of each axis in ``dims`` (of ``x``) to an even length."""
    pad = [0] * (2 * x.ndim)
    for d in dims:
        pad[2 * (x.ndim - 1 - d) + 1] = x.shape[d] % 2
    return F.pad(x, pad)


class HiCEncoder(nn.Module):
    """ViT-like encoder of a ``(batch, bins, bins)`` map -> bottleneck tokens ``(batch, alpha_3, 8C)``."""

    def __init__(self, bins, patch, dim, depth, heads, mlp_ratio, dropout):
        super().__init__()
        self.patch, self.side = patch, bins // patch
        self.embed = nn.Linear(patch * patch, dim)  # "a feedforward network projects these patches"
        self.positions = nn.Parameter(nn.init.trunc_normal_(torch.empty(1, self.side ** 2, dim), std=0.02))
        dims = [dim * 2 ** i for i in range(4)]
        self.stages = nn.ModuleList(transformer(d, depth, heads, mlp_ratio, dropout) for d in dims[:3])
        self.merges = nn.ModuleList(nn.Conv2d(d, 2 * d, 2, stride=2) for d in dims[:3])  # 2 x 2 tokens -> 1
        self.bottleneck = transformer(dims[3], depth, heads, mlp_ratio, dropout)

    def forward(self, hic):
        b, p, s = hic.shape[0], self.patch, self.side
        x = hic.reshape(b, s, p, s, p).permute(0, 1, 3, 2, 4).reshape(b, s * s, p * p)
        x, side = self.embed(x) + self.positions, s
        for stage, merge in zip(self.stages, self.merges):
            grid = stage(x).transpose(1, 2).reshape(b, -1, side, side)
            grid = merge(pad_even(grid, (2, 3)))
            side = grid.shape[-1]
            x = grid.flatten(2).transpose(1, 2)
        return self.bottleneck(x)


class EpigenomeEncoder(nn.Module):
    """Conv + max-pool blocks, then transformer stages: ``(batch, tracks, 5000)`` -> bottleneck and skips.

    :meth:`forward` returns the bottleneck tokens ``(batch, beta_3, 8C)`` and
    the stage inputs ``[X_E^0, X_E^1, X_E^2]`` (lengths 100, 50, 25 and
    channels C, 2C, 4C) that the decoder's skip connections read.
    """

    def __init__(self, tracks, length, dim, conv_kernel, conv_pools, depth, heads, mlp_ratio, dropout):
        super().__init__()
        channels = [tracks] + [dim] * len(conv_pools)
        self.convs = nn.Sequential(*(
            nn.Sequential(nn.Conv1d(a, b, conv_kernel, padding="same"), nn.BatchNorm1d(b), nn.GELU(), nn.MaxPool1d(p))
            for a, b, p in zip(channels, channels[1:], conv_pools)))
        tokens = length
        for p in conv_pools:
            tokens //= p
        self.positions = nn.Parameter(nn.init.trunc_normal_(torch.empty(1, tokens, dim), std=0.02))
        dims = [dim * 2 ** i for i in range(4)]
        self.stages = nn.ModuleList(transformer(d, depth, heads, mlp_ratio, dropout) for d in dims[:3])
        self.downs = nn.ModuleList(nn.Conv1d(d, 2 * d, 2, stride=2) for d in dims[:3])
        self.bottleneck = transformer(dims[3], depth, heads, mlp_ratio, dropout)

    def forward(self, tracks):
        x = self.convs(tracks).transpose(1, 2) + self.positions
        skips = []
        for stage, down in zip(self.stages, self.downs):
            skips.append(x)
            x = down(pad_even(stage(x).transpose(1, 2), (2,))).transpose(1, 2)
        return self.bottleneck(x), skips


class Interaction(nn.Module):
    """Four dense layers: modal-invariant and modal-specific features (``C_3 -> C_2`` each) of both modalities."""

    def __init__(self, dim):
        super().__init__()
        self.hic_invariant, self.hic_specific = nn.Linear(dim, dim // 2), nn.Linear(dim, dim // 2)
        self.tracks_invariant, self.tracks_specific = nn.Linear(dim, dim // 2), nn.Linear(dim, dim // 2)

    def hic(self, x):
        """``(invariant, specific)`` token features of the Hi-C bottleneck."""
        return self.hic_invariant(x), self.hic_specific(x)

    def tracks(self, x):
        """``(invariant, specific)`` token features of the track bottleneck."""
        return self.tracks_invariant(x), self.tracks_specific(x)


class Mapping(nn.Module):
    """Eq. 5: adaptive average pooling along the tokens to ``length``, then a dense layer ``C_3 -> C_3``."""

    def __init__(self, dim, length):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool1d(length)
        self.dense = nn.Linear(dim, dim)

    def forward(self, x):
        return self.dense(self.pool(x.transpose(1, 2)).transpose(1, 2))


class FusionBlock(nn.Module):
    """Contact-map-grounded fusion (section 4.2): self-attention on tracks, cross-attention to Hi-C, feed-forward."""

    def __init__(self, dim, heads, mlp_ratio, dropout):
        super().__init__()
        self.norm_self, self.norm_query, self.norm_context, self.norm_ff = (nn.LayerNorm(dim) for _ in range(4))
        self.self_attention = nn.MultiheadAttention(dim, heads, dropout, batch_first=True)
        self.cross_attention = nn.MultiheadAttention(dim, heads, dropout, batch_first=True)
        self.feedforward = nn.Sequential(nn.Linear(dim, dim * mlp_ratio), nn.GELU(), nn.Dropout(dropout),
                                         nn.Linear(dim * mlp_ratio, dim))

    def forward(self, tracks, hic):
        h = self.norm_self(tracks)
        x = tracks + self.self_attention(h, h, h, need_weights=False)[0]
        context = self.norm_context(hic)
        x = x + self.cross_attention(self.norm_query(x), context, context, need_weights=False)[0]
        return x + self.feedforward(self.norm_ff(x))


class Decoder(nn.Module):
    """Three stages of transformer blocks + upsampling with skips to the track encoder (section 4.2).

    Stage ``k`` (k = 3, 2, 1) runs ``T`` blocks, projects to the channels of
    skip ``X_E^{k-1}``, repeats tokens to its length and concatenates it, so
    the output is ``(batch, L2, 2C)`` (the paper's ``X_out``).
    """

    def __init__(self, dim, depth, heads, mlp_ratio, dropout):
        super().__init__()
        widths = [8 * dim, 8 * dim, 4 * dim]  # 8C in; after each concatenation twice the skip's channels
        skips = [4 * dim, 2 * dim, dim]
        self.stages = nn.ModuleList(transformer(w, depth, heads, mlp_ratio, dropout) for w in widths)
        self.projections = nn.ModuleList(nn.Linear(w, s) for w, s in zip(widths, skips))

    def forward(self, x, skips):
        for stage, projection, skip in zip(self.stages, self.projections, reversed(skips)):
            x = projection(stage(x)).transpose(1, 2)
            x = F.interpolate(x, size=skip.shape[1], mode="nearest").transpose(1, 2)
            x = torch.cat([x, skip], dim=-1)
        return x


def feedforward(dim_in, dim_out):
    """The heads' two dense layers."""
    return nn.Sequential(nn.Linear(dim_in, dim_in), nn.GELU(), nn.Linear(dim_in, dim_out))


class MixHiC(nn.Module):
    """MIX-HIC: encoders, interaction and mapping blocks (pre-training), fusion and one task head (fine-tuning).

    Parameters
    ----------
    task : {"hic", "loop", "cage"}
        The head built (section 4.2).
    epigenome_tracks : int
        Track channels (the paper: 2, ATAC-seq and DNase-seq).
    map_bins : int
        Hi-C bins per window side (50).
    patch : int
        Hi-C patch side (2).
    segment_length : int
        Track values per segment (2,500: 250 kb at 100 bp); the input has two.
    dim : int
        ``C`` (paper: 128 for Hi-C and loops, 256 for CAGE, A.3).
    depth : int
        ``T``, transformer blocks per encoder stage, fusion and decoder stage (2).
    heads, mlp_ratio : int
        Attention heads and feed-forward width / dim of every transformer block.
    conv_kernel : int
    conv_pools : list of int
        The four conv blocks' max-pool factors; ``2 * segment_length / prod``
        must be ``2 * map_bins`` (one token per 5 kb bin).
    dropout : float
    temperature : float
        ``tau`` of the contrastive loss (eq. 2; 0.07).
    """

    def __init__(self, task, epigenome_tracks, map_bins, patch, segment_length, dim, depth, heads, mlp_ratio,
                 conv_kernel, conv_pools, dropout, temperature):
        super().__init__()
        if task not in TASKS:
            raise ValueError(f"unknown MIX-HIC task {task!r}; known: {TASKS}")
        reduction = 1
        for p in conv_pools:
            reduction *= p
        if segment_length != map_bins * reduction:
            raise ValueError(f"conv_pools {conv_pools} take {segment_length} values per segment to "
                             f"{segment_length / reduction:g} tokens, not one per map bin ({map_bins})")
        self.task, self.map_bins, self.temperature = task, map_bins, temperature
        block = {"depth": depth, "heads": heads, "mlp_ratio": mlp_ratio, "dropout": dropout}
        self.hic_encoder = HiCEncoder(map_bins, patch, dim, **block)
        self.epigenome_encoder = EpigenomeEncoder(epigenome_tracks, 2 * segment_length, dim, conv_kernel, conv_pools,
                                                  **block)
        hic_tokens, track_tokens = map_bins // patch, 2 * map_bins
        for _ in range(3):
            hic_tokens, track_tokens = -(-hic_tokens // 2), -(-track_tokens // 2)
        bottleneck = 8 * dim
        self.interaction = Interaction(bottleneck)
        self.hic_to_tracks = Mapping(bottleneck, track_tokens)  # M2E
        self.tracks_to_hic = Mapping(bottleneck, hic_tokens ** 2)  # E2M
        self.fusion = nn.ModuleList(FusionBlock(bottleneck, heads, mlp_ratio, dropout) for _ in range(depth))
        if task == "loop":
            self.head = feedforward(bottleneck, 1)
        else:
            self.decoder = Decoder(dim, **block)
            self.head = feedforward(2 * dim, 1)

    def embed(self, tracks, hic=None):
        """Interaction-block features of one or both modalities.

        Returns
        -------
        dict
            ``tracks_invariant``, ``tracks_specific``, ``tracks`` (their
            concatenation ``X_E^Concat``), ``skips``, ``tracks_to_hic`` (E2M)
            and, with ``hic``, ``hic_invariant``, ``hic_specific``, ``hic``
            (``X_M^Concat``) and ``hic_to_tracks`` (M2E); token features,
            ``(batch, tokens, channels)``.
        """
        bottleneck, skips = self.epigenome_encoder(tracks)
        invariant, specific = self.interaction.tracks(bottleneck)
        out = {"tracks_invariant": invariant, "tracks_specific": specific, "skips": skips,
               "tracks": torch.cat([invariant, specific], dim=-1)}
        out["tracks_to_hic"] = self.tracks_to_hic(out["tracks"])
        if hic is not None:
            invariant, specific = self.interaction.hic(self.hic_encoder(hic))
            out.update(hic_invariant=invariant, hic_specific=specific, hic=torch.cat([invariant, specific], dim=-1))
            out["hic_to_tracks"] = self.hic_to_tracks(out["hic"])
        return out

    def pretraining_loss(self, tracks, hic):
        """Eq. 7, ``L_con + L_orth + L_mapping``, and the three terms (a dict of scalars)."""
        e = self.embed(tracks, hic)
        terms = {
            "contrastive": contrastive_loss(e["tracks_invariant"].mean(1), e["hic_invariant"].mean(1), self.temperature),
            "orthogonality": 0.5 * (orthogonality_loss(e["hic_specific"].mean(1), e["hic_invariant"].mean(1))
                                    + orthogonality_loss(e["tracks_specific"].mean(1), e["tracks_invariant"].mean(1))),
            "mapping": mapping_loss(e["hic_to_tracks"], e["tracks"], e["tracks_to_hic"], e["hic"]),
        }
        return sum(terms.values()), terms

    def forward(self, tracks, hic=None):
        """The task's prediction from tracks and, when given, the map (without it: E2M, "MIX-HIC-Infer").

        Returns ``(batch, bins, bins)`` maps (``hic``), ``(batch,)`` logits
        (``loop``) or ``(batch, 2 * bins)`` values (``cage``).
        """
        e = self.embed(tracks, hic)
        context = e["hic"] if hic is not None else e["tracks_to_hic"]
        x = e["tracks"]
        for block in self.fusion:
            x = block(x, context)
        if self.task == "loop":
            return self.head(x.mean(1)).squeeze(-1)
        out = self.decoder(x, e["skips"])
        if self.task == "cage":
            return self.head(out).squeeze(-1)
        rows, cols = out[:, : self.map_bins, None], out[:, None, self.map_bins :]
        return self.head(rows + cols + rows * cols).squeeze(-1)  # section 4.2: "element-wise addition and multiplication"


def contrastive_loss(a, b, temperature):
    """Eq. 2-3: symmetric InfoNCE of paired rows of ``a`` and ``b`` ``(batch, dim)``.

    Deviation: rows are L2-normalised first (cosine similarity, as in SimCLR,
    which eq. 2 follows): eq. 2's raw dot product divided by 0.07 saturates
    the softmax for features of any size.
    """
    logits = F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).T / temperature
    labels = torch.arange(len(a), device=a.device)
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels))


def orthogonality_loss(specific, invariant):
    """One modality's term of eq. 4: the batch mean of ``|<specific_j, invariant_j>|``.

    Deviation: eq. 4 minimises the inner product itself, which is unbounded
    below; its absolute value is minimised at orthogonality (the paper's
    Table 9 reports inner products near 0 as the aim).
    """
    return (specific * invariant).sum(-1).abs().mean()


def mapping_loss(hic_to_tracks, tracks, tracks_to_hic, hic):
    """Eq. 6: ``(|M2E - X_E|^2 + |E2M - X_M|^2) / 2``, each squared error averaged over its elements.

    Deviation: averaged, not summed, over tokens and channels, so its scale
    does not grow with ``C`` against the other two terms.
    """
    return 0.5 * (F.mse_loss(hic_to_tracks, tracks) + F.mse_loss(tracks_to_hic, hic))
