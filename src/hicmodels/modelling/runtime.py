"""Where the model runs: GPU when one is visible, CPU otherwise, said in the log; its inference precision and layout."""

import contextlib
import logging
import os

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

log = logging.getLogger(__name__)


def select_device(threads=None):
    """Pick ``cuda`` if a GPU is visible, else ``cpu``; log the choice and why.

    Parameters
    ----------
    threads : int, optional
        CPU threads for PyTorch (the rule's ``threads``).
    """
    if threads:
        torch.set_num_threads(threads)
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>")
    if torch.cuda.is_available():
        device = torch.device("cuda")
        log.info("device: cuda (%s; CUDA_VISIBLE_DEVICES=%s)", torch.cuda.get_device_name(device), visible)
    else:
        device = torch.device("cpu")
        log.info("device: cpu, %d threads (no usable GPU; CUDA_VISIBLE_DEVICES=%s)", torch.get_num_threads(), visible)
    return device


def autocast(device):
    """bf16 autocast on a GPU; nothing on the CPU (fp32 there)."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def fold_batchnorm(model):
    """Fold every batch norm that directly follows a convolution in an ``nn.Sequential`` into that convolution.

    Inference only (the norms' running statistics become the convolutions' weights and biases), in
    place on a model in eval mode: one pass over each feature map less per folded norm. The
    encoder-decoder's and C.Origami's conv-BN pairs are such pairs; Akita's blocks call theirs in
    ``forward`` and keep them. Outputs equal the unfolded model's up to float rounding.

    Returns
    -------
    int
        How many norms were folded.
    """
    if model.training:
        raise ValueError("batch norm is folded for inference only: call model.eval() first")
    folded = 0
    for module in model.modules():
        if not isinstance(module, nn.Sequential):
            continue
        for i in range(len(module) - 1):
            conv, norm = module[i], module[i + 1]
            if isinstance(conv, (nn.Conv1d, nn.Conv2d)) and isinstance(norm, (nn.BatchNorm1d, nn.BatchNorm2d)):
                module[i], module[i + 1] = fuse_conv_bn_eval(conv, norm), nn.Identity()
                folded += 1
    return folded
