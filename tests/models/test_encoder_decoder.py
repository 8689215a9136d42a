"""The model classes: paper layer shapes and channel lists, the registry, the track input."""

import pytest
import torch
import yaml

from hicmodels import models
from hicmodels.models.encoder_decoder import EncoderBlock, EncoderDecoder, pairwise

from conftest import REPO

PAPER_IN = [5, 32, 32, 32, 64, 64, 64, 128, 128, 256, 256, 256, 256]
PAPER_OUT = [32, 32, 32, 64, 64, 64, 128, 128, 256, 256, 256, 256, 256]


@pytest.fixture(scope="module")
def presets():
    with open(REPO / "config" / "config.yaml") as handle:
        return yaml.safe_load(handle)["model_presets"]


def test_paper_preset_layers(presets):
    config = presets["human"]
    with torch.device("meta"):
        model = models.build(config)
        x = torch.empty(2, 5, 2_097_152)
        encoded = model.encoder(x)
        latent = model.latent(x)
        out = model(x)
    blocks = list(model.encoder)
    assert len(blocks) == 13
    assert [b.body[0].in_channels for b in blocks] == PAPER_IN
    assert [b.body[0].out_channels for b in blocks] == PAPER_OUT
    for block in blocks:
        conv1, bn1, relu, conv2, bn2, pool = block.body
        assert (conv1.kernel_size, conv1.padding, conv2.kernel_size, conv2.padding) == ((3,), (1,), (3,), (1,))
        assert isinstance(bn1, torch.nn.BatchNorm1d) and isinstance(relu, torch.nn.ReLU)
        assert isinstance(bn2, torch.nn.BatchNorm1d) and pool.kernel_size == 2
        projection, skip_pool = block.skip
        assert (projection.kernel_size, projection.padding, skip_pool.kernel_size) == ((3,), (1,), 2)
    assert encoded.shape == (2, 256, 256)  # 256 positions x 256 channels
    assert model.transformer.layers[0].self_attn.num_heads == 8
    assert latent.shape == (2, 512, 256, 256)
    assert [b.body[0].dilation for b in model.decoder] == [(2, 2), (4, 4), (8, 8), (16, 16), (32, 32)]
    assert all(b.body[0].in_channels == b.body[3].out_channels == 512 for b in model.decoder)
    assert (model.head.in_channels, model.head.out_channels, model.head.kernel_size) == (512, 1, (3, 3))
    assert out.shape == (2, 256, 256)
    assert models.bin_size(config) == 8192


def test_paper_diffusion_stage(presets):
    config = models.diffusion_config(presets["human"])
    with torch.device("meta"):
        model = models.build(config)
        sample = model(torch.empty(1, 5, 2_097_152))
    assert (model.unet.init_cond.in_channels, model.unet.init_cond.out_channels) == (512, 32)
    assert (model.unet.init_cond.kernel_size, model.unet.init_cond.padding) == ((7, 7), (3, 3))
    assert (model.unet.init_x.in_channels, model.unet.init_x.out_channels) == (1, 32)
    assert model.timesteps == 10
    assert sample.shape == (1, 256, 256)
    assert not any(p.requires_grad for p in model.encoder_decoder.parameters())


def test_pairwise_concatenates_row_and_column_features():
    x = torch.arange(6.0).reshape(1, 2, 3)
    out = pairwise(x)
    assert out.shape == (1, 4, 3, 3)
    assert torch.equal(out[0, :2, 1, 2], x[0, :, 1]) and torch.equal(out[0, 2:, 1, 2], x[0, :, 2])


def test_encoder_block_adds_pooled_projection():
    block = EncoderBlock(2, 3, pool=2).eval()
    x = torch.randn(1, 2, 8)
    assert torch.allclose(block(x), torch.relu(block.body(x) + block.skip(x)))


def test_output_is_symmetric_and_tracks_add_input_channels(presets):
    torch.manual_seed(0)
    config = dict(presets["yeast"], channels=[7] + presets["yeast"]["channels"][1:], tracks=["ctcf", "atac"],
                  track_bin=100)
    model = models.build(config).eval()
    assert isinstance(model, EncoderDecoder) and model.encoder[0].body[0].in_channels == 7
    assert models.tracks(config) == (["ctcf", "atac"], 100)
    with torch.no_grad():
        y = model(torch.randn(2, 7, 200_000))
    assert y.shape == (2, 20, 20)
    assert torch.allclose(y, y.transpose(1, 2))


def test_unknown_architecture_is_named():
    with pytest.raises(ValueError, match="unknown architecture 'unet3d'"):
        models.build({"architecture": "unet3d"})
