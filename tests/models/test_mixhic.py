"""MIX-HIC: sizes of the paper preset, the blocks' defining properties, the losses against hand computation."""

import math

import numpy as np
import pytest
import torch
import yaml

from hicmodels import models
from hicmodels.models.mixhic import contrastive_loss, mapping_loss, orthogonality_loss

from conftest import REPO

PRESETS = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["model_presets"]
SMALL = PRESETS["mixhic_small"]


def count(module):
    return sum(p.numel() for p in module.parameters())


def inputs(batch=3, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(batch, 2, 5000, generator=generator), torch.rand(batch, 50, 50, generator=generator)


def small(task="hic", seed=0):
    torch.manual_seed(seed)
    return models.build({**SMALL, "task": task}).eval()


def test_paper_preset_sizes():
    """The paper gives no parameter count; its sizes give these (C = 128, T = 2; 8 heads, feed-forward 4C are ours)."""
    with torch.device("meta"):  # sizes only: no memory, no initialisation
        paper = models.build(PRESETS["mixhic"])
        loop = models.build({**PRESETS["mixhic"], "task": "loop"})
        cage = models.build(PRESETS["mixhic_cage"])
    c3 = 8 * 128
    # four dense layers C_3 -> C_2 (section 4.1), two mapping dense layers C_3 -> C_3 (eq. 5)
    assert count(paper.interaction) == 4 * (c3 * c3 // 2 + c3 // 2)
    assert count(paper.hic_to_tracks) == count(paper.tracks_to_hic) == c3 * c3 + c3
    # one pre-norm block at 8C: attention in/out projections, feed-forward 8C -> 32C -> 8C, two layer norms
    block = (4 * c3 * c3 + 4 * c3) + (c3 * 4 * c3 + 4 * c3 + 4 * c3 * c3 + c3) + 2 * 2 * c3
    assert count(paper.hic_encoder.bottleneck) == count(paper.epigenome_encoder.bottleneck) == 2 * block
    assert count(paper) == 166_825_345
    assert count(loop) == 110_267_393  # no decoder
    assert count(cage) == 666_671_873  # C = 256 (A.3)
    assert models.bin_size(PRESETS["mixhic"]) == 5000


def test_shapes_and_token_lengths():
    tracks, hic = inputs()
    with torch.no_grad():
        for task, shape in (("hic", (3, 50, 50)), ("loop", (3,)), ("cage", (3, 100))):
            model = small(task)
            assert model(tracks, hic).shape == shape and model(tracks).shape == shape
        e = model.embed(tracks, hic)
    # 625 patches -> 169 -> 49 -> 16 tokens; 100 track tokens -> 50 -> 25 -> 13; C_3 = 8C = 64 channels
    assert e["hic"].shape == (3, 16, 64) and e["tracks"].shape == (3, 13, 64)
    assert e["hic_invariant"].shape == (3, 16, 32) and e["tracks_specific"].shape == (3, 13, 32)
    assert e["tracks_to_hic"].shape == e["hic"].shape and e["hic_to_tracks"].shape == e["tracks"].shape
    assert [s.shape[1:] for s in e["skips"]] == [(100, 8), (50, 16), (25, 32)]


def test_patches_are_two_by_two_blocks_in_row_major_order():
    model = small()
    seen = []
    model.hic_encoder.embed.register_forward_hook(lambda module, args, out: seen.append(args[0]))
    hic = torch.arange(2500.0).reshape(1, 50, 50)
    with torch.no_grad():
        model.embed(inputs(1)[0], hic)
    patches = seen[0][0]
    assert patches.shape == (625, 4)
    assert patches[0].tolist() == [0, 1, 50, 51]
    assert patches[1].tolist() == [2, 3, 52, 53]
    assert patches[25].tolist() == [100, 101, 150, 151]


def test_conv_pools_must_reach_one_token_per_bin():
    with pytest.raises(ValueError, match="one per map bin"):
        models.build({**SMALL, "conv_pools": [5, 5, 2, 2]})


def test_contrastive_loss_by_hand():
    """2 x 2: orthonormal pairs; 3 x 3: unit vectors at known angles, computed from eq. 2-3 by hand."""
    tau = 0.07
    eye = torch.eye(2, dtype=torch.float64)
    # each row: -log(e^(1/tau) / (e^(1/tau) + e^0)); both directions the same
    assert contrastive_loss(eye, eye, tau).item() == pytest.approx(math.log(1 + math.exp(-1 / tau)), rel=1e-5)
    a = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]], dtype=torch.float64)  # norms do not matter (cosines)
    b = torch.tensor([[1.0, 1.0], [0.0, 1.0], [-1.0, 0.0]], dtype=torch.float64)
    r = math.sqrt(0.5)
    cos = np.array([[r, 0, -1], [r, 1, 0], [1, r, -r]])  # cos(a_j, b_r)
    rows = [-math.log(math.exp(cos[j, j] / tau) / sum(math.exp(cos[j, k] / tau) for k in range(3))) for j in range(3)]
    cols = [-math.log(math.exp(cos[j, j] / tau) / sum(math.exp(cos[k, j] / tau) for k in range(3))) for j in range(3)]
    expected = 0.5 * (sum(rows) / 3 + sum(cols) / 3)
    assert contrastive_loss(a, b, tau).item() == pytest.approx(expected, rel=1e-5)
    # swapping the pairing raises it: matched pairs are the positives
    assert contrastive_loss(a, b[[1, 0, 2]], tau).item() > expected


def test_orthogonality_and_mapping_losses_by_hand():
    specific = torch.tensor([[1.0, 2.0], [3.0, -1.0]])
    invariant = torch.tensor([[2.0, -1.0], [1.0, 1.0]])
    assert orthogonality_loss(specific, invariant).item() == pytest.approx((0 + 2) / 2)
    x, y = torch.zeros(1, 2, 3), torch.ones(1, 2, 3)
    assert mapping_loss(x, y, 2 * y, y).item() == pytest.approx(0.5 * (1 + 1))


def test_pretraining_loss_is_the_sum_of_its_terms_on_the_interaction_split():
    """The orthogonality term reads each modality's specific against its invariant features (eq. 4)."""
    model = small()
    tracks, hic = inputs()
    with torch.no_grad():
        total, terms = model.pretraining_loss(tracks, hic)
        e = model.embed(tracks, hic)
        pooled = {k: e[k].mean(1) for k in ("hic_invariant", "hic_specific", "tracks_invariant", "tracks_specific")}
        orth = 0.5 * (float((pooled["hic_specific"] * pooled["hic_invariant"]).sum(-1).abs().mean())
                      + float((pooled["tracks_specific"] * pooled["tracks_invariant"]).sum(-1).abs().mean()))
        assert terms["orthogonality"].item() == pytest.approx(orth, rel=1e-5)
        assert terms["contrastive"].item() == pytest.approx(
            contrastive_loss(pooled["tracks_invariant"], pooled["hic_invariant"], 0.07).item(), rel=1e-6)
        assert total.item() == pytest.approx(sum(t.item() for t in terms.values()), rel=1e-6)
        # a specific head equal to the invariant one: the term becomes the mean squared norm of the invariant part
        model.interaction.hic_specific.load_state_dict(model.interaction.hic_invariant.state_dict())
        _, terms = model.pretraining_loss(tracks, hic)
        expected = 0.5 * (float(pooled["hic_invariant"].square().sum(-1).mean())
                          + float((pooled["tracks_specific"] * pooled["tracks_invariant"]).sum(-1).abs().mean()))
        assert terms["orthogonality"].item() == pytest.approx(expected, rel=1e-5)


def test_without_hic_the_fusion_attends_to_the_mapped_embeddings(monkeypatch):
    """InferMap: no map -> E2M is the fusion's key/value; the Hi-C encoder is not run."""
    model = small()
    tracks, hic = inputs()
    with torch.no_grad():
        with_map = model(tracks, hic)
        other_map = model(tracks, hic.flip(-1))
        contexts = []
        handle = model.fusion[0].cross_attention.register_forward_hook(
            lambda module, args, out: contexts.append(args[1]))
        monkeypatch.setattr(model.hic_encoder, "forward", lambda x: pytest.fail("Hi-C encoder run without a map"))
        inferred = model(tracks)
        handle.remove()
        mapped = model.embed(tracks)["tracks_to_hic"]
    assert not torch.allclose(with_map, other_map)  # the map is read when given
    assert not torch.allclose(inferred, with_map)
    assert contexts[0].shape == mapped.shape
    expected = model.fusion[0].norm_context(mapped)
    torch.testing.assert_close(contexts[0], expected)


def test_schema_fills_the_papers_sizes():
    """A preset naming only task and C gets the paper's T = 2, patch 2, 50 bins, 2 x 2,500 values and tau 0.07."""
    config = models.complete({"architecture": "mixhic", "task": "loop", "dim": 128})
    assert config == {"architecture": "mixhic", "task": "loop", "dim": 128, "epigenome_tracks": 2, "map_bins": 50,
                      "patch": 2, "segment_length": 2500, "depth": 2, "heads": 8, "mlp_ratio": 4, "conv_kernel": 5,
                      "conv_pools": [5, 5, 2, 1], "dropout": 0.1, "temperature": 0.07}


def test_map_rows_are_x_bins_and_columns_y_bins(monkeypatch):
    """The decoder's first 50 tokens (x segment) make the rows, the last 50 (y) the columns (section 4.2)."""
    model = small()
    features = torch.zeros(1, 100, 16)
    features[0, 3] = 1.0  # x bin 3
    features[0, 50 + 7] = 2.0  # y bin 7
    monkeypatch.setattr(model.decoder, "forward", lambda x, skips: features)
    with torch.no_grad():
        out = model(inputs(1)[0])[0]
    rows_differ = [i for i in range(50) if not torch.allclose(out[i, :7], out[0, :7])]
    cols_differ = [j for j in range(50) if not torch.allclose(out[:3, j], out[:3, 0])]
    assert rows_differ == [3] and cols_differ == [7]
