"""MIX-HIC pre-training, fine-tuning and prediction on in-memory arrays, with Lightning.

A data set is a dict of arrays with one row per sample: ``tracks``
``(n, tracks, 2 * segment_length)`` (the x then the y segment, log1p of the
binned signal, A.1), ``hic`` ``(n, bins, bins)`` (log1p of the contacts over
``contact_scale``), and, for fine-tuning, ``loop`` ``(n,)`` (0/1) or ``cage``
``(n, 2 * bins)``, and ``distance`` ``(n,)`` (optional: bins from the x
segment's start to the y segment's start; absent, every window is on the
diagonal, 0). The workflow's epigenome stage writes these per window; here
they are given.

- :func:`pretrain`: eq. 7, ``L_con + L_orth + L_mapping`` on paired maps and
  tracks (section 4.1).
- :func:`finetune`: the preset's task head on the pre-trained encoders,
  interaction and mapping blocks (or from scratch: "MIX-HIC-NonPre"); MSE for
  ``hic`` and ``cage``, BCE for ``loop`` (eq. 8-9). With ``infer_map`` the map
  is not read and the fusion attends to the mapped E2M embeddings
  ("MIX-HIC-Infer", the only sensible way to train the ``hic`` task, whose
  target is the map).
- The ``hic`` task's map is the head's output plus the distance-decay
  expectation of the fine-tuning windows (log1p of the mean contact at each
  pixel's offset, :func:`hicmodels.evaluation.mixhic.window_decay`, stored in
  the checkpoint as ``expected``): the head predicts log O/E, the MSE is on
  the map as in eq. 8. Deviation: the paper regresses the map directly. On
  log1p contacts P(s) carries almost all of a window's variance (the decay
  alone has R^2 0.96 on the synthetic chromosomes), so a head that must also
  rebuild it from token positions spends its few fine-tuning steps on
  what a per-offset mean already gives, and stayed below that mean
  (docs/benchmarks.md); as Akita's O/E targets, the model learns only what
  tracks add to distance.
- AdamW with betas (0.9, 0.999) and early stopping with ``patience`` epochs
  (the paper: 20 of at most 200, A.3).

Both stages run through :func:`hicmodels.modelling.training._fit`: the same
per-epoch seeding (byte-identical checkpoints for the same seed and thread
count), resume and best-epoch checkpointing as the sequence models.
"""

import logging
from pathlib import Path

import lightning as L
import numpy as np
import torch
import torch.nn.functional as F

from .. import models
from ..evaluation import mixhic as scores
from .training import _fit, _save

log = logging.getLogger(__name__)

# The modules pre-training trains (section 4.1); fine-tuning starts them from a pre-trained checkpoint.
PRETRAINED = ("hic_encoder.", "epigenome_encoder.", "interaction.", "hic_to_tracks.", "tracks_to_hic.")


class ArrayDataset(torch.utils.data.Dataset):
    """Rows of a dict of equally long arrays as float32 tensors (indices or :class:`EpochSampler` pairs)."""

    def __init__(self, arrays):
        lengths = {len(a) for a in arrays.values()}
        if len(lengths) != 1:
            raise ValueError(f"arrays of different lengths: { {k: len(a) for k, a in arrays.items()} }")
        self.arrays = {k: torch.as_tensor(np.asarray(a, dtype=np.float32)) for k, a in arrays.items()}
        self.length = lengths.pop()

    def __len__(self):
        return self.length

    def __getitem__(self, item):
        index = item[0] if isinstance(item, tuple) else item  # EpochSampler yields (index, augmentation seed)
        return {k: a[index] for k, a in self.arrays.items()}


class MixHiCStage(L.LightningModule):
    """Pre-training (``task=None``) or fine-tuning of a MIX-HIC model; AdamW (0.9, 0.999)."""

    def __init__(self, model_config, learning_rate, weight_decay, pretraining, infer_map=False, expected=None):
        super().__init__()
        self.model = models.build(model_config)
        self.learning_rate, self.weight_decay = learning_rate, weight_decay
        self.pretraining, self.infer_map = pretraining, infer_map
        if not pretraining and self.model.task == "hic":  # the expectation per offset, added to the head's log O/E
            if expected is None:
                raise ValueError("fine-tuning the hic task needs the expectation per offset (map_expectation)")
            self.register_buffer("expected", torch.as_tensor(expected, dtype=torch.float32), persistent=False)

    def loss(self, batch):
        if self.pretraining:
            return self.model.pretraining_loss(batch["tracks"], batch["hic"])[0]
        prediction = self.model(batch["tracks"], None if self.infer_map else batch["hic"])
        task = self.model.task
        if task == "hic":
            prediction = prediction + expectation(self.expected, batch["distance"], self.model.map_bins)
        if task == "loop":
            return F.binary_cross_entropy_with_logits(prediction, batch["loop"])
        return F.mse_loss(prediction, batch[task])

    def training_step(self, batch, batch_idx):
        loss = self.loss(batch)
        self.log("train_loss", loss, on_step=False, on_epoch=True, batch_size=len(batch["tracks"]))
        return loss

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", self.loss(batch), on_step=False, on_epoch=True, batch_size=len(batch["tracks"]))

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.learning_rate, betas=(0.9, 0.999),
                                 weight_decay=self.weight_decay)


def expectation(expected, distance, map_bins):
    """``expected`` (per offset) at each pixel of windows whose y segment starts ``distance`` bins after x."""
    distance = torch.as_tensor(distance).long().to(expected.device)
    i = torch.arange(map_bins, device=expected.device)
    return expected[(distance[:, None, None] + i[None, None, :] - i[None, :, None]).abs()]


def _with_distance(data):
    """``data`` with a ``distance`` column (0 for every window when it has none)."""
    return data if "distance" in data else {**data, "distance": np.zeros(len(data["tracks"]), dtype=np.int64)}


def map_expectation(train, validation):
    """log1p of the training windows' mean contact at each offset (:func:`~hicmodels.evaluation.mixhic.window_decay`).

    Raises
    ------
    ValueError
        When a validation window has an offset no training window has.
    """
    expected = np.log1p(scores.window_decay(train["hic"], train["distance"]))
    _check_offsets(expected, validation["distance"], validation["hic"].shape[-1], "validation windows")
    return expected


def _check_offsets(expected, distance, map_bins, what):
    needed = np.unique(scores.window_offsets(distance, map_bins))
    expected = np.asarray(expected)
    unseen = needed[(needed >= len(expected)) | ~np.isfinite(expected[np.minimum(needed, len(expected) - 1)])]
    if len(unseen):
        raise ValueError(f"{what} reach offsets {unseen.tolist()} (bins) that no training window has")


def _columns(data, keys):
    missing = [k for k in keys if k not in data]
    if missing:
        raise ValueError(f"data lacks {missing}")
    return ArrayDataset({k: data[k] for k in keys})


def _run(stage, train, validation, keys, model_config, training_config, checkpoint_path, log_path, contact_scale,
         threads, extra):
    work_dir = Path(f"{checkpoint_path}.lightning")
    settings = {"model": model_config, **extra, **{k: training_config[k] for k in ("epochs", "batch_size")}}
    weights, epoch, loss, rows, main = _fit(stage, _columns(train, keys), _columns(validation, keys), settings,
                                            training_config, work_dir, threads, None, training_config["patience"])
    checkpoint = {"model_config": dict(model_config), "state_dict": weights, "contact_scale": float(contact_scale),
                  "bin_size": models.bin_size(model_config),
                  "window_size": model_config["map_bins"] * models.bin_size(model_config), "values": "log1p_contacts",
                  "epoch": epoch, "validation_loss": loss, "training_config": dict(training_config), **extra}
    if main:
        _save(checkpoint, checkpoint_path, rows, log_path, work_dir)
    return checkpoint


def pretrain(*, train, validation, model_config, training_config, checkpoint_path, log_path, contact_scale,
             threads=None):
    """Self-supervised pre-training (eq. 7) on paired ``tracks`` and ``hic``; keep the best validation epoch.

    Parameters
    ----------
    train, validation : dict of ndarray
        ``tracks`` and ``hic`` (module docstring).
    model_config : dict
        A ``mixhic`` preset (its task head is built but not trained here).
    training_config : dict
        ``epochs``, ``batch_size``, ``learning_rate``, ``weight_decay``,
        ``seed``, ``patience`` (None: no early stopping), ``devices``,
        ``workers``, ``resume``.
    checkpoint_path, log_path : path
        The checkpoint (:mod:`hicmodels.modelling.checkpoints`) and the per-epoch TSV.
    contact_scale : float
        What the contacts were divided by before ``log1p`` (stored).
    threads : int, optional
    """
    L.seed_everything(training_config["seed"], workers=True, verbose=False)  # before the weights are drawn
    model_config = models.complete(model_config)
    stage = MixHiCStage(model_config, training_config["learning_rate"], training_config["weight_decay"],
                        pretraining=True)
    log.info("MIX-HIC pre-training, %d parameters", sum(p.numel() for p in stage.parameters()))
    return _run(stage, train, validation, ("tracks", "hic"), model_config, training_config, checkpoint_path, log_path,
                contact_scale, threads, {"stage": "pretraining"})


def finetune(*, train, validation, model_config, training_config, checkpoint_path, log_path, contact_scale,
             infer_map, pretrained=None, threads=None):
    """Fine-tune the preset's task head (section 4.2); the encoders start from ``pretrained`` when given.

    Parameters
    ----------
    train, validation : dict of ndarray
        ``tracks``, ``hic`` (read unless ``infer_map``; always needed as the
        ``hic`` task's target) and the task's target (``loop`` or ``cage``).
    infer_map : bool
        Do not read the map: the fusion attends to E2M ("MIX-HIC-Infer").
    pretrained : dict, optional
        A :func:`pretrain` checkpoint; its :data:`PRETRAINED` modules are
        loaded (same sizes required). None trains from scratch ("NonPre").
    Other parameters as :func:`pretrain`.
    """
    L.seed_everything(training_config["seed"], workers=True, verbose=False)  # before the weights are drawn
    model_config = models.complete(model_config)
    task = model_config["task"]
    expected = None
    if task == "hic":
        train, validation = _with_distance(train), _with_distance(validation)
        expected = map_expectation(train, validation)
    stage = MixHiCStage(model_config, training_config["learning_rate"], training_config["weight_decay"],
                        pretraining=False, infer_map=infer_map, expected=expected)
    if pretrained is not None:
        weights = {k: v for k, v in pretrained["state_dict"].items() if k.startswith(PRETRAINED)}
        missing, unexpected = stage.model.load_state_dict(weights, strict=False)
        if unexpected or any(k.startswith(PRETRAINED) for k in missing):
            raise ValueError("the pre-trained checkpoint's encoders do not match the fine-tuning preset's sizes")
    keys = ("tracks", "hic") + (("distance",) if task == "hic" else (task,))
    log.info("MIX-HIC fine-tuning (%s%s, %s), %d parameters", task, ", inferred map" if infer_map else "",
             "pre-trained" if pretrained is not None else "from scratch", sum(p.numel() for p in stage.parameters()))
    return _run(stage, train, validation, keys, model_config, training_config, checkpoint_path, log_path,
                contact_scale, threads, {"stage": "finetuning", "infer_map": bool(infer_map),
                                         "pretrained": pretrained is not None,
                                         **({} if expected is None else {"expected": expected.tolist()})})


def predict(checkpoint, tracks, hic=None, batch_size=64, distance=None):
    """A fine-tuned checkpoint's predictions: maps, loop probabilities (sigmoid of the logit) or CAGE values.

    ``hic`` is read only by a checkpoint fine-tuned with the map
    (``infer_map`` false); one fine-tuned without it ignores it. Maps are
    log1p contacts: the head's log O/E plus the checkpoint's ``expected`` at
    each pixel's offset, for windows whose y segment starts ``distance``
    (``(n,)`` bins; None: 0, on the diagonal) after x.
    """
    model = models.build(checkpoint["model_config"])
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    read_map = not checkpoint.get("infer_map", True)
    if read_map and hic is None:
        raise ValueError("this checkpoint was fine-tuned on maps and tracks: give hic")
    distance = np.zeros(len(tracks), dtype=np.int64) if distance is None else np.asarray(distance)
    if model.task == "hic":
        expected = torch.as_tensor(checkpoint["expected"], dtype=torch.float32)
        _check_offsets(expected, distance, model.map_bins, "the windows")
    out = []
    with torch.no_grad():
        for start in range(0, len(tracks), batch_size):
            x = torch.as_tensor(np.asarray(tracks[start : start + batch_size], dtype=np.float32))
            m = torch.as_tensor(np.asarray(hic[start : start + batch_size], dtype=np.float32)) if read_map else None
            y = model(x, m)
            if model.task == "hic":
                y = y + expectation(expected, distance[start : start + batch_size], model.map_bins)
            out.append(torch.sigmoid(y) if model.task == "loop" else y)
    return torch.cat(out).numpy()

