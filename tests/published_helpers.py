"""Peer-format checkpoints with random weights, for the published-model tests (parity and workflow)."""

import argparse
import collections

import h5py
import torch
from torch import nn


def randomise(module, x, seed=0):
    """Random affine batch-norm terms and running statistics measured on ``x``.

    With the default init and statistics (mean 0, variance 1), activations
    grow block after block until the output no longer depends on the input;
    statistics of real activations keep every block's output at unit scale, so
    that a wrong channel order or transpose changes the output.
    """
    torch.manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.reset_running_stats()
                m.momentum = None  # a plain average over the calibration batch
                m.weight.normal_(1, 0.1)
                m.bias.normal_(0, 0.1)
        module.train()
        module(x)
    return module.eval()


def save_lightning(state, path, prefix="model."):
    """A Lightning-layout checkpoint, with pickled hyperparameters as Lightning writes them."""
    torch.save({"state_dict": collections.OrderedDict((prefix + k, v) for k, v in state.items()),
                "hyper_parameters": {"args": argparse.Namespace(batch_size=8)}, "epoch": 3,
                "pytorch-lightning_version": "1.6.0"}, path)
    return path


def keras_akita_h5(reference, path, epsilon_in_config=None):
    """Write akita-torch's weights as Basenji's Keras ``model_best.h5`` stores them (``model_weights/<layer>``)."""
    state = reference.state_dict()
    convs = [k for k in state if k.endswith("conv.weight")]
    conv1d = [k for k in convs if state[k].dim() == 3]
    conv2d = [k for k in convs if state[k].dim() == 4]
    names = []
    with h5py.File(path, "w") as h5:
        root = h5.create_group("model_weights")

        def layer(kind, index, weights):
            name = kind if index == 0 else f"{kind}_{index}"
            names.append(name)
            group = root.create_group(name)
            group.attrs["weight_names"] = [f"{name}/{w}:0".encode() for w in weights]
            for weight, array in weights.items():
                group.create_dataset(f"{name}/{weight}:0", data=array.numpy())

        for i, key in enumerate(conv1d):  # Keras Conv1D kernel: (width, in, out)
            layer("conv1d", i, {"kernel": state[key].permute(2, 1, 0)})
        for i, key in enumerate(conv2d):  # Keras Conv2D kernel: (height, width, in, out)
            layer("conv2d", i, {"kernel": state[key].permute(2, 3, 1, 0)})
        for i, key in enumerate(conv1d + conv2d):
            norm = key.removesuffix("conv.weight") + "norm."
            layer("batch_normalization", i, {"gamma": state[norm + "weight"], "beta": state[norm + "bias"],
                                             "moving_mean": state[norm + "running_mean"],
                                             "moving_variance": state[norm + "running_var"]})
        layer("dense", 0, {"kernel": state["head.6.ffn.weight"][:, :, 0].T, "bias": state["head.6.ffn.bias"]})
        root.attrs["layer_names"] = [n.encode() for n in names + ["one_to_two", "upper_tri"]]
        root.create_group("one_to_two").attrs["weight_names"] = []
        root.create_group("upper_tri").attrs["weight_names"] = []
        if epsilon_in_config is not None:
            h5.attrs["model_config"] = ('{"class_name": "Model", "config": {"layers": [{"class_name": '
                                        '"BatchNormalization", "config": {"epsilon": %r}}]}}' % epsilon_in_config)
    return path


class ReferenceBlock1d(nn.Module):
    """HiCDiffusion's ResidualConv1d: names ``main`` and ``downscale``."""

    def __init__(self, a, b):
        super().__init__()
        self.main = nn.Sequential(nn.Conv1d(a, b, 3, padding=1), nn.BatchNorm1d(b), nn.ReLU(),
                                  nn.Conv1d(b, b, 3, padding=1), nn.BatchNorm1d(b), nn.MaxPool1d(2))
        self.downscale = nn.Sequential(nn.Conv1d(a, b, 3, padding=1), nn.MaxPool1d(2))

    def forward(self, x):
        return torch.relu(self.main(x) + self.downscale(x))


class ReferenceBlock2d(nn.Module):
    def __init__(self, dim, dilation):
        super().__init__()
        self.main = nn.Sequential(nn.Conv2d(dim, dim, 3, padding=dilation, dilation=dilation), nn.BatchNorm2d(dim),
                                  nn.ReLU(), nn.Conv2d(dim, dim, 3, padding=dilation, dilation=dilation),
                                  nn.BatchNorm2d(dim))

    def forward(self, x):
        return torch.relu(x + self.main(x))


class ReferenceHiCDiffusion(nn.Module):
    """HiCDiffusion's encoder-decoder after its commit 621f50d, at any size: names and forward pass as published."""

    def __init__(self, channels, heads, feedforward, blocks2d):
        super().__init__()
        self.encoder = nn.Module()
        self.encoder.conv_blocks = nn.ModuleList(ReferenceBlock1d(a, b) for a, b in zip(channels, channels[1:]))
        layer = nn.TransformerEncoderLayer(channels[-1], heads, feedforward, batch_first=True)
        self.encoder.transformer_encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.decoder = nn.Module()
        self.decoder.conv_trans_blocks = nn.ModuleList(ReferenceBlock2d(2 * channels[-1], 2 ** (i + 1))
                                                       for i in range(blocks2d))
        self.reduce_layer = nn.Sequential(nn.Conv2d(2 * channels[-1], 1, 1))

    def forward(self, x):  # x: one-hot A, C, T, G, N
        for block in self.encoder.conv_blocks:
            x = block(x)
        x = x.transpose(1, 2)
        x = torch.relu(x + self.encoder.transformer_encoder(x)).transpose(1, 2)
        n = x.shape[-1]
        x = torch.cat([x.unsqueeze(2).repeat(1, 1, n, 1), x.unsqueeze(3).repeat(1, 1, 1, n)], dim=1)
        for block in self.decoder.conv_trans_blocks:
            x = block(x)
        return self.reduce_layer(x).view(-1, n, n)
