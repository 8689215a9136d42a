"""Predicting window maps with a trained model.

Predictions are stored per window in HDF5 (``window_id``, ``maps``), as
contacts on the scaled balanced scale (``expm1`` of the model output), in the
coordinates of the sequence the model read; :mod:`hicmodels.assemble` puts
them on the reference grid.
"""

import logging

import h5py
import numpy as np
import torch

from . import models
from .files import atomic_output
from .genome.sequence import fetch_codes, one_hot, open_fasta
from .runtime import select_device
from .training import load_checkpoint

log = logging.getLogger(__name__)


def predict(checkpoint_path, fasta_path, windows, out_path, batch_size=8, threads=None):
    """Predict every ``ok`` window of a window table.

    Parameters
    ----------
    checkpoint_path : path
    fasta_path : path
        The genome the windows' ``seq_*`` columns refer to (reference or haplotype).
    windows : DataFrame
        Window table (:mod:`hicmodels.genome.windows`).
    out_path : path
        HDF5 file written.
    """
    checkpoint = load_checkpoint(checkpoint_path)
    device = select_device(threads)
    model = models.build(checkpoint["model_config"])
    model.load_state_dict(checkpoint["state_dict"])
    model.to(device).eval()
    todo = windows[windows["status"] == "ok"]
    sizes = (todo["seq_end"] - todo["seq_start"]).unique()
    if len(sizes) and (len(sizes) > 1 or sizes[0] != checkpoint["window_size"]):
        raise ValueError(f"windows of {sorted(sizes)} bp, model trained on {checkpoint['window_size']} bp")
    nbins = checkpoint["window_size"] // checkpoint["bin_size"]
    maps = np.empty((len(todo), nbins, nbins), dtype=np.float32)
    with open_fasta(fasta_path) as fasta, torch.inference_mode():
        for lo in range(0, len(todo), batch_size):
            rows = todo.iloc[lo : lo + batch_size]
            codes = np.stack([fetch_codes(fasta, w.seq_chrom, w.seq_start, w.seq_end) for w in rows.itertuples()])
            y = model(torch.from_numpy(one_hot(codes)).to(device))
            maps[lo : lo + len(rows)] = torch.expm1(y).clamp_min(0).float().cpu().numpy()
    log.info("predicted %d windows (%d skipped: status not ok)", len(todo), len(windows) - len(todo))
    with atomic_output(out_path) as tmp, h5py.File(tmp, "w") as store:
        store.create_dataset("window_id", data=todo["window_id"].to_numpy().astype("S"))
        store.create_dataset("maps", data=maps, compression="gzip", chunks=(1, nbins, nbins) if len(todo) else None)
        store.attrs["contact_scale"] = checkpoint["contact_scale"]
        store.attrs["bin_size"] = checkpoint["bin_size"]


def read_predictions(path):
    """``(window_ids, maps, attrs)`` of a predictions file."""
    with h5py.File(path, "r") as store:
        ids = store["window_id"][:].astype(str)
        return ids, store["maps"][:], dict(store.attrs)
