"""Training a sequence-to-Hi-C model on reference windows and an experimental map."""

import copy
import logging
import time

import numpy as np
import torch

from . import models
from .data import WindowDataset, load_examples
from .files import atomic_output
from .genome.sequence import open_fasta
from .runtime import select_device

log = logging.getLogger(__name__)


def masked_l1(prediction, target):
    """Mean absolute error over the finite pixels of ``target``."""
    finite = torch.isfinite(target)
    return (prediction[finite] - target[finite]).abs().mean()


def seed_everything(seed):
    np.random.seed(seed)
    torch.manual_seed(seed)


def _epoch(model, loader, device, optimizer=None):
    model.train(optimizer is not None)
    total, batches = 0.0, 0
    with torch.set_grad_enabled(optimizer is not None):
        for x, y in loader:
            loss = masked_l1(model(x.to(device)), y.to(device))
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item()
            batches += 1
    return total / max(batches, 1)


def train(fasta_path, experimental, windows, model_config, training_config, checkpoint_path, log_path, threads=None):
    """Train on the ``train`` windows, select the epoch by ``validation`` loss.

    Parameters
    ----------
    fasta_path : path
        Indexed reference FASTA.
    experimental : hicmodels.hic.cool.ExperimentalMap
    windows : DataFrame
        Reference window table (:mod:`hicmodels.genome.windows`).
    model_config : dict
        Passed to :func:`hicmodels.models.build`.
    training_config : dict
        ``epochs``, ``batch_size``, ``learning_rate``, ``weight_decay``, ``seed``,
        ``reverse_complement``, ``shift_bp``.
    checkpoint_path, log_path : path
        The checkpoint (model config, weights, target scale) and a per-epoch TSV.
    threads : int, optional
    """
    seed_everything(training_config["seed"])
    device = select_device(threads)
    binsize = models.bin_size(model_config)
    size = int((windows["end"] - windows["start"]).iloc[0])
    if size % binsize:
        raise ValueError(f"window size {size} is not a multiple of the model's bin size {binsize}")
    nbins = size // binsize
    train_rows = windows[windows["split"] == "train"]
    val_rows = windows[windows["split"] == "validation"]
    if train_rows.empty or val_rows.empty:
        raise ValueError("training needs windows on both train and validation chromosomes")
    chroms = list(dict.fromkeys(train_rows["chrom"]))
    scale = experimental.contact_scale(chroms)
    log.info("contact scale %.4g from %s; %d train, %d validation windows of %d bins",
             scale, ",".join(chroms), len(train_rows), len(val_rows), nbins)
    with open_fasta(fasta_path) as fasta:
        train_data = load_examples(fasta, experimental, train_rows, nbins, scale)
        val_data = load_examples(fasta, experimental, val_rows, nbins, scale)
    generator = torch.Generator().manual_seed(training_config["seed"])
    train_loader = torch.utils.data.DataLoader(
        WindowDataset(*train_data, training_config["reverse_complement"], training_config["shift_bp"],
                      training_config["seed"]),
        batch_size=training_config["batch_size"], shuffle=True, generator=generator,
    )
    val_loader = torch.utils.data.DataLoader(WindowDataset(*val_data), batch_size=training_config["batch_size"])
    model = models.build(model_config).to(device)
    log.info("%s with %d parameters", model_config["architecture"], sum(p.numel() for p in model.parameters()))
    optimizer = torch.optim.AdamW(model.parameters(), lr=training_config["learning_rate"],
                                  weight_decay=training_config["weight_decay"])
    best = (float("inf"), None, -1)
    rows = []
    for epoch in range(1, training_config["epochs"] + 1):
        start = time.perf_counter()
        train_loss = _epoch(model, train_loader, device, optimizer)
        val_loss = _epoch(model, val_loader, device)
        rows.append((epoch, train_loss, val_loss, time.perf_counter() - start))
        log.info("epoch %d: train L1 %.4f, validation L1 %.4f (%.0f s)", *rows[-1])
        if val_loss < best[0]:
            best = (val_loss, copy.deepcopy(model.state_dict()), epoch)
    log.info("kept epoch %d (validation L1 %.4f)", best[2], best[0])
    checkpoint = {
        "model_config": dict(model_config),
        "state_dict": {k: v.cpu() for k, v in best[1].items()},
        "contact_scale": float(scale),
        "bin_size": binsize,
        "window_size": size,
        "epoch": best[2],
        "validation_loss": float(best[0]),
    }
    with atomic_output(checkpoint_path) as tmp:
        torch.save(checkpoint, tmp)
    with atomic_output(log_path) as tmp, open(tmp, "w") as out:
        out.write("epoch\ttrain_l1\tvalidation_l1\tseconds\n")
        out.writelines(f"{e}\t{t:.6f}\t{v:.6f}\t{s:.1f}\n" for e, t, v, s in rows)
    return checkpoint


def load_checkpoint(path):
    """A checkpoint's dict (weights, model config, scale), loaded without unpickling code."""
    return torch.load(path, map_location="cpu", weights_only=True)
