"""Where the model runs: GPU when one is visible, CPU otherwise, said in the log; its inference precision."""

import contextlib
import logging
import os

import torch

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
