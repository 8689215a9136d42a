"""``prediction.compile``: the compiled encoder-decoder predicts, under inference mode, the eager model's maps."""

import copy

import pytest
import torch

from hicmodels import models
from hicmodels.modelling.prediction import load_model

SMALL = {"architecture": "encoder_decoder", "channels": [5, 8, 16], "pools": [4, 4], "transformer_layers": 1,
         "heads": 2, "feedforward": 32, "dilations": [1, 2], "dropout": 0.0}


@pytest.fixture
def process_mha_fastpath():
    """Compiling turns PyTorch's fused transformer kernel off for the process: back on for the next tests
    (C.Origami's parity with its reference implementation is measured on the fused kernel)."""
    before = torch.backends.mha.get_fastpath_enabled()
    yield
    torch.backends.mha.set_fastpath_enabled(before)


@pytest.mark.slow  # inductor compiles C++ with gcc: tens of seconds
def test_compiled_encoder_decoder_predicts_the_eager_maps(process_mha_fastpath):
    """torch 2.13's fused transformer kernel broke compiled prediction (a stride assertion in inductor's code)."""
    torch.manual_seed(0)
    checkpoint = {"model_config": SMALL, "state_dict": models.build(SMALL).state_dict()}
    eager = load_model(copy.deepcopy(checkpoint), torch.device("cpu"), False)
    compiled = load_model(copy.deepcopy(checkpoint), torch.device("cpu"), True)
    x = torch.nn.functional.one_hot(torch.randint(0, 5, (2, 512)), 5).float().transpose(1, 2).contiguous()
    with torch.inference_mode():
        expected, got = eager(x), compiled(x)
    assert got.shape == (2, 32, 32)
    assert torch.allclose(got, expected, atol=1e-5)
    assert not torch.allclose(got, expected.flip(-1), atol=1e-3)  # a map with structure, not a constant
