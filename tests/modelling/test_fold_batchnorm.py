"""Inference layout: batch norms folded into convolutions give the unfolded model's maps."""

import pytest
import torch
from torch import nn

from hicmodels import models
from hicmodels.config import read_yaml
from hicmodels.models.encoder_decoder import EncoderDecoder
from hicmodels.modelling.prediction import load_model
from hicmodels.modelling.runtime import fold_batchnorm


def small_encoder_decoder():
    torch.manual_seed(0)
    model = EncoderDecoder(channels=[5, 8, 8], pools=[2, 2], transformer_layers=1, heads=2, feedforward=16,
                           dilations=[1, 2], dropout=0.0, head_kernel=3, symmetric=True, pair_order="ij")
    # running statistics and affine terms far from the identity, so an ignored term changes the map
    for module in model.modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            module.running_mean.normal_(0, 2)
            module.running_var.uniform_(0.2, 3)
            module.weight.data.normal_(1, 0.5)
            module.bias.data.normal_(0, 1)
    return model.eval()


def test_folded_model_gives_the_same_map():
    model = small_encoder_decoder()
    x = torch.nn.functional.one_hot(torch.randint(0, 5, (2, 64)), 5).float().transpose(1, 2)
    with torch.inference_mode():
        expected = model(x)
    # two norms per encoder block (conv-BN pairs in its body) and per decoder block
    assert fold_batchnorm(model) == 2 * 2 + 2 * 2
    assert not any(isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) for m in model.modules())
    with torch.inference_mode():
        assert torch.allclose(model(x), expected, atol=1e-5, rtol=1e-5)


def test_folding_refuses_a_training_model():
    model = small_encoder_decoder().train()
    with pytest.raises(ValueError, match="eval"):
        fold_batchnorm(model)


def test_load_model_folds_and_lays_out_channels_last():
    model = small_encoder_decoder()
    config = {"architecture": "encoder_decoder", "channels": [5, 8, 8], "pools": [2, 2], "transformer_layers": 1,
              "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0, "head_kernel": 3,
              "symmetric": True, "pair_order": "ij"}
    loaded = load_model({"model_config": config, "state_dict": model.state_dict()}, torch.device("cpu"), False)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in loaded.modules())
    conv = loaded.decoder[0].body[0]
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.rand(1, 5, 64)
    with torch.inference_mode():
        assert torch.allclose(loaded(x), model(x), atol=1e-5, rtol=1e-5)


def test_akita_blocks_keep_their_norms():
    # Akita's conv and norm are attributes called in forward, not a Sequential pair: nothing is folded
    model = models.build({**read_yaml("config/config.yaml")["model_presets"]["akita_synthetic"]}).eval()
    assert fold_batchnorm(model) == 0
