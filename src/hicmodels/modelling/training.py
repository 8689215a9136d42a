"""Training on reference windows and an experimental map, with PyTorch Lightning.

Two stages share the data path: the encoder-decoder (masked L1 on ``log1p``
maps; an Akita model: its own masked MSE, plus ``beta`` x KL with a
variational layer, :meth:`hicmodels.models.akita.Akita.loss`) and,
optionally, the diffusion stage on its residual (MSE on the noise,
encoder-decoder frozen). Lightning runs them: DDP when ``devices`` > 1, bf16
mixed precision on a GPU (fp32 on the CPU), seeds for Python, NumPy, torch and
DataLoader workers, and checkpoints. While a stage trains, Lightning's state
lives in ``<checkpoint>.lightning/``; a rerun after a crash resumes from its
``last.ckpt`` when the configs are unchanged (logging "resumed from epoch N"),
and the folder is removed once the final checkpoint is written. Every random
draw of an epoch (data order, augmentation, dropout, diffusion noise) is
seeded from ``(seed, epoch)`` (:class:`EpochSeeds`), so a run killed at any
point and resumed writes the same final checkpoint, byte for byte, as one
that was never interrupted, on the same machine and thread count. A
``last.ckpt`` that cannot be read stops the run with a message saying to
delete the folder or set ``training.resume: false``.

The first stage trains with AdamW or, as Lu et al. trained Akita (section 3,
A.4), SGD with momentum, optionally with gradient clipping and stochastic
weight averaging (Lightning's callback; its averaged weights then are the
kept ones, :func:`_averaging`); its state is in ``last.ckpt``, so a resumed
run averages the same weights.

The final checkpoint is a plain dict (:mod:`hicmodels.modelling.checkpoints`):
``model_config`` (enough to rebuild the model), ``state_dict`` (the epoch with
the lowest validation loss), ``contact_scale``, ``bin_size``, ``window_size``,
``targets`` (``balanced`` or ``raw``), ``values`` (``log1p_contacts``, or
``log_oe`` for a model trained on Akita's targets, :mod:`.targets`),
``epoch``, ``validation_loss``, ``training_config`` and, for a variational
Akita, ``noise_variance`` (:func:`noise_variance`).
"""

import json
import logging
import random
import shutil
import signal
import tempfile
import time
import warnings
from pathlib import Path

import lightning as L
import numpy as np
import torch
from lightning.pytorch.utilities.exceptions import SIGTERMException

from .. import models
from ..config import resolve, section_schema
from ..errors import InputError
from ..files import atomic_output
from ..genome.sequence import GenomeCodes
from ..models.akita import Akita
from ..models.diffusion import HiCDiffusion, masked_mean
from ..progress import Progress
from .checkpoints import check_compatible, lightning_weights, load_checkpoint, load_weights, save_checkpoint
from .inputs import EpochSampler, WindowDataset, epoch_seed, model_input
from .runtime import select_device
from .targets import VALUES, target_transform, window_targets
from .tracks import TrackSet

log = logging.getLogger(__name__)

# Lightning warnings that say nothing here: the work folder holds config.json (and, resuming, the
# last epoch); Lightning sees srun on SLURM nodes; a few workers on small CPU runs are intended.
_EXPECTED_WARNINGS = (".*exists and is not empty.*", ".*The `srun` command is available.*",
                      ".*does not have many workers.*", ".*LeafSpec.*")


# training keys of the first stage only: the diffusion stage trains with AdamW, no clipping or averaging
FIRST_STAGE_KEYS = ("swa_learning_rate", "swa_start", "swa_annealing_epochs", "gradient_clip")


def masked_l1(prediction, target):
    """Mean absolute error over the finite pixels of ``target``."""
    finite = torch.isfinite(target)
    return masked_mean((prediction - torch.where(finite, target, 0.0)).abs(), finite)


class Stage(L.LightningModule):
    """One training stage: a model from its config, its loss, its optimizer (AdamW, or SGD with momentum).

    Parameters
    ----------
    model_config : dict
        :func:`hicmodels.models.build` config.
    learning_rate, weight_decay : float
    optimizer : {"adamw", "sgd"}
    momentum : float or None
        SGD's momentum (Lu et al. A.4: 0.975); unused by AdamW.
    """

    def __init__(self, model_config, learning_rate, weight_decay, optimizer, momentum):
        super().__init__()
        self.model = models.build(model_config)
        self.track_bin = models.tracks(model_config)[1]
        self.learning_rate, self.weight_decay = learning_rate, weight_decay
        self.optimizer, self.momentum = optimizer, momentum

    def loss(self, batch, generator=None):
        x = model_input(batch, self.track_bin)
        if isinstance(self.model, (HiCDiffusion, Akita)):
            return self.model.loss(x, batch["target"], generator)
        return masked_l1(self.model(x), batch["target"])

    def training_step(self, batch, batch_idx):
        loss = self.loss(batch)
        self.log("train_loss", loss, on_step=False, on_epoch=True, batch_size=len(batch["codes"]), sync_dist=True)
        return loss

    def validation_step(self, batch, batch_idx):
        # the diffusion loss draws times and noise: the same draws every epoch, so epochs compare
        generator = torch.Generator(self.device).manual_seed(batch_idx)
        loss = self.loss(batch, generator)
        self.log("val_loss", loss, on_step=False, on_epoch=True, batch_size=len(batch["codes"]), sync_dist=True)

    def configure_optimizers(self):
        trainable = [p for p in self.parameters() if p.requires_grad]
        if self.optimizer == "sgd":
            return torch.optim.SGD(trainable, lr=self.learning_rate, momentum=self.momentum,
                                   weight_decay=self.weight_decay)
        return torch.optim.AdamW(trainable, lr=self.learning_rate, weight_decay=self.weight_decay)


class History(L.Callback):
    """Per-epoch losses and seconds, and progress within an epoch; saved in Lightning checkpoints, so a
    resumed run keeps the rows."""

    def __init__(self):
        self.rows, self.start, self.progress = [], None, None

    def on_train_epoch_start(self, trainer, module):
        self.start = time.perf_counter()
        self.progress = Progress(trainer.num_training_batches,
                                 f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs}: training batches", log)

    def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
        self.progress.advance()

    def on_train_epoch_end(self, trainer, module):
        metrics = trainer.callback_metrics
        row = (trainer.current_epoch + 1, float(metrics["train_loss"]), float(metrics["val_loss"]),
               time.perf_counter() - self.start)
        self.rows.append(row)
        log.info("epoch %d: train loss %.4f, validation loss %.4f (%.0f s)", *row)

    def state_dict(self):
        return {"rows": self.rows}

    def load_state_dict(self, state_dict):
        self.rows = [tuple(row) for row in state_dict["rows"]]


class EpochSeeds(L.Callback):
    """Seed every random draw of an epoch from ``(seed, epoch)``: resumed runs repeat interrupted epochs.

    At the start of each training epoch the sampler is told the epoch, and
    before each training batch the global Python, NumPy and torch (CPU and
    CUDA) generators are reseeded from ``(seed, epoch, batch)``: per batch,
    because Lightning and the DataLoader draw from the global generator at
    points that differ between a fresh and a resumed run (creating the
    iterator, for one). So dropout, the diffusion loss's noise, the data
    order and the augmentation of epoch ``e`` depend only on the seed, ``e``
    and the weights and optimizer state at its start; all of these are in
    ``last.ckpt``. A run killed anywhere in epoch ``e`` and resumed from the
    end of epoch ``e - 1`` therefore produces the same weights, bit for bit,
    as one that was never interrupted (same machine and thread count).
    """

    def __init__(self, seed, sampler):
        self.seed, self.sampler = int(seed), sampler

    def on_train_epoch_start(self, trainer, module):
        self.sampler.set_epoch(trainer.current_epoch)

    def on_train_batch_start(self, trainer, module, batch, batch_idx):
        value = epoch_seed(self.seed, trainer.current_epoch, batch_idx)
        random.seed(value)
        np.random.seed(value % 2**32)
        torch.manual_seed(value)  # CUDA generators too


def _resume_point(resume, work_dir):
    """The 1-based number of the last finished epoch in ``last.ckpt``.

    Raises
    ------
    InputError
        If the file cannot be read: the resume state is corrupt.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            state = torch.load(resume, map_location="cpu", weights_only=True)
        return int(state["epoch"]) + 1
    except Exception as err:  # noqa: BLE001 (any failure means the same: the file is unusable)
        detail = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
        raise InputError(f"resume state in {work_dir} is corrupt ({detail}); delete it or set training.resume: false",
                         resume) from None


def joint_targets(experimental, windows, nbins, scale, model_config):
    """The windows' targets from one map ``(n, bins, bins)``, or from a list of maps (with a list of scales)
    ``(n, maps, bins, bins)``: one per output of a model trained on several cell lines at once."""
    if not isinstance(experimental, list):
        return window_targets(experimental, windows, nbins, scale, model_config)
    return np.stack([window_targets(m, windows, nbins, s, model_config) for m, s in zip(experimental, scale)], axis=1)


def _examples(fasta_path, experimental, windows, model_config, training_config, scale, scratch, track_paths,
              aliases):
    """Training and validation datasets, and the window geometry (one map and scale, or lists of them)."""
    binsize = models.bin_size(model_config)
    size = int((windows["end"] - windows["start"]).iloc[0])
    if size % binsize:
        raise ValueError(f"window size {size} is not a multiple of the model's bin size {binsize}")
    nbins = size // binsize
    usable = windows["status"] == "ok"  # not too_many_n
    train_rows = windows[(windows["split"] == "train") & usable]
    val_rows = windows[(windows["split"] == "validation") & usable]
    for split, rows in (("train", train_rows), ("validation", val_rows)):
        if rows.empty:  # e.g. a fold validating on a chromosome shorter than the window
            raise InputError(f"no usable {split} window of {size:,} bp: every {split} chromosome is shorter than a "
                             f"window or all its windows are excluded; choose other {split} chromosomes "
                             "(hic.test_chromosomes, hic.validation_chromosomes, training.fold) or smaller windows",
                             windows.attrs.get("path"))
    chroms = list(dict.fromkeys(windows.loc[windows["split"] != "test", "chrom"]))
    genome = GenomeCodes.from_fasta(fasta_path, Path(scratch) / "genome.npy", chroms)
    names, track_bin = models.tracks(model_config)
    tracks = TrackSet.from_bigwigs(track_paths or {}, names, chroms, track_bin, aliases) if names else None
    log.info("%d train, %d validation windows of %d bins; tracks: %s", len(train_rows), len(val_rows), nbins,
             ", ".join(names) or "none")
    train = WindowDataset(genome, train_rows, joint_targets(experimental, train_rows, nbins, scale, model_config),
                          tracks, training_config["reverse_complement"], training_config["shift_bp"])
    val = WindowDataset(genome, val_rows, joint_targets(experimental, val_rows, nbins, scale, model_config), tracks)
    return train, val, {"bin_size": binsize, "window_size": size}


def _fit(stage, train, val, settings, training_config, work_dir, threads, first_stage, patience=None):
    """Run Lightning on one stage; the kept weights, their epoch and validation loss, the history.

    ``first_stage``: the first stage's :data:`FIRST_STAGE_KEYS` (``None`` for the diffusion stage).
    Kept: the best epoch's weights or, with ``swa_learning_rate``, stochastic weight averaging's
    (:func:`_averaging`). With ``patience``, training stops once the validation loss has not improved
    for that many epochs (Lightning's ``EarlyStopping``; MIX-HIC fine-tuning, :mod:`hicmodels.modelling.mixhic`).
    """
    device = select_device(threads)
    work_dir = Path(work_dir)
    identity = json.dumps({"settings": settings, "training": training_config}, sort_keys=True)
    resume = work_dir / "last.ckpt"
    if work_dir.exists() and (not training_config["resume"] or not resume.exists()
                              or (work_dir / "config.json").read_text() != identity):
        log.info("%s: not resumable here (other config, no last.ckpt, or resume off): starting afresh", work_dir)
        shutil.rmtree(work_dir)
    start = _resume_point(resume, work_dir) if work_dir.exists() else 0
    if start:
        log.info("resumed from epoch %d of %d (%s)", start, settings["epochs"], resume)
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "config.json").write_text(identity)
    # saved at the end of each epoch, after History has its row, so a resumed run keeps every row; last.ckpt
    # has its own callback, after best's (Lightning's save_last writes only in epochs that improve the best)
    best = L.pytorch.callbacks.ModelCheckpoint(work_dir, "best", monitor="val_loss", save_on_train_epoch_end=True)
    last = L.pytorch.callbacks.ModelCheckpoint(work_dir, "last", save_on_train_epoch_end=True,
                                               enable_version_counter=False)
    history = History()
    stopping = [] if patience is None else [L.pytorch.callbacks.EarlyStopping("val_loss", patience=patience,
                                                                                check_on_train_epoch_end=True)]
    swa = _averaging(first_stage)
    sampler = EpochSampler(len(train), training_config["seed"])
    sampler.set_epoch(start)  # before Lightning creates the first iterator (workers draw from it at once)
    gpu = device.type == "cuda"
    loader = {"batch_size": settings["batch_size"], "num_workers": training_config["workers"],
              "persistent_workers": training_config["workers"] > 0}
    logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)  # its device banner repeats ours
    with warnings.catch_warnings():
        for message in _EXPECTED_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        trainer = L.Trainer(
            accelerator="gpu" if gpu else "cpu", devices=training_config["devices"] if gpu else 1,
            precision="bf16-mixed" if gpu else "32-true", max_epochs=settings["epochs"], deterministic="warn",
            callbacks=[EpochSeeds(training_config["seed"], sampler), best, last, history, *swa, *stopping],
            logger=False,
            enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0, default_root_dir=work_dir,
            gradient_clip_val=first_stage["gradient_clip"] if first_stage else None,
        )
        validation = torch.utils.data.DataLoader(val, **loader)
        try:
            trainer.fit(stage, torch.utils.data.DataLoader(train, sampler=sampler, **loader), validation,
                        ckpt_path=resume if resume.exists() else None, weights_only=True)
        except SIGTERMException:
            # Lightning stops with SystemExit(None), exit status 0, leaving no output: the job must fail
            log.error("stopped by SIGTERM; rerun to resume from %s", resume)
            raise SystemExit(128 + signal.SIGTERM) from None
        if swa:  # the averaged weights, scored once more on the validation windows
            loss = trainer.validate(stage, validation, verbose=False)[0]["val_loss"]
            weights = {key: value.detach().cpu().clone() for key, value in stage.model.state_dict().items()}
            log.info("kept the weights averaged over the states after epochs %d-%d (validation loss %.4f)",
                     swa[0].swa_start, swa[0].swa_end, loss)
            return weights, settings["epochs"], float(loss), history.rows, trainer.is_global_zero
    weights = lightning_weights(best.best_model_path)
    epoch = min(history.rows, key=lambda row: row[2])[0]
    return weights, epoch, float(best.best_model_score), history.rows, trainer.is_global_zero


def _averaging(settings):
    """Lightning's stochastic weight averaging callback, as a list (empty without ``swa_learning_rate``).

    Lu et al. trained both Akita models with SGD + momentum and SWA (section 3, A.4: SWA learning rate,
    5 annealing epochs; when averaging started is not given, ``swa_start`` is the fraction of the
    epochs before it). Lightning's callback averages, equally, the weights at the start of each epoch
    from epoch ``k = int(swa_start * epochs)`` (1-based) to the last, i.e. the weights after epochs
    ``k - 1`` to ``epochs - 1`` (the last epoch's updates are not in the average: Lightning's
    choice). With batch norm it adds one pass over the training data without updates to
    re-estimate the running statistics of the averaged weights (a last row in the history). The
    averaged weights are kept, not the best epoch's.
    """
    if not settings or settings["swa_learning_rate"] is None:
        return []
    return [L.pytorch.callbacks.StochasticWeightAveraging(
        swa_lrs=float(settings["swa_learning_rate"]), swa_epoch_start=float(settings["swa_start"]),
        annealing_epochs=settings["swa_annealing_epochs"], device=None)]


def noise_variance(model_config, weights, dataset, batch_size, target=None):
    """The Gaussian likelihood's variance of a variational Akita: its latent-mean MSE on ``dataset`` (validation).

    Lu et al.'s loss is a Gaussian likelihood of fixed variance (MSE); its
    posterior predictive is ``N(f(z), noise) `` averaged over the latent
    ``z``, so prediction adds this noise to each latent draw
    (:mod:`hicmodels.modelling.prediction`). Estimated on held-out windows,
    not the training ones the model fits. ``target``: which map of a
    dataset holding one per output (joint training) is scored, with the model's ``target`` set alike.
    """
    model = models.build(model_config)
    model.load_state_dict(weights)
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in torch.utils.data.DataLoader(dataset, batch_size=batch_size):
            maps = batch["target"] if target is None else batch["target"][:, target]
            squared, pixels, _ = model.squared_errors(model_input(batch), maps)
            total, count = total + float(squared), count + int(pixels)
    return total / max(count, 1)


def _save(checkpoint, checkpoint_path, rows, log_path, work_dir):
    save_checkpoint(checkpoint, checkpoint_path)
    with atomic_output(log_path) as tmp, open(tmp, "w") as out:
        out.write("epoch\ttrain_loss\tvalidation_loss\tseconds\n")
        out.writelines(f"{e}\t{t:.6f}\t{v:.6f}\t{s:.1f}\n" for e, t, v, s in rows)
    shutil.rmtree(work_dir, ignore_errors=True)
    log.info("kept epoch %d (validation loss %.4f): %s", checkpoint["epoch"], checkpoint["validation_loss"],
             checkpoint_path)


def train(*, fasta_path, experimental, windows, model_config, training_config, checkpoint_path, log_path, threads=None,
          track_paths=None, aliases=None):
    """Train the encoder-decoder on the ``train`` windows; keep the epoch with the lowest ``validation`` loss.

    Parameters
    ----------
    fasta_path : path
        Indexed reference FASTA.
    experimental : hicmodels.hic.cool.ExperimentalMap or list
        Targets (balanced or raw, as the map was opened); a list of maps, one
        per output of an Akita model with as many ``targets``, trains them
        jointly (Akita's several cell lines): the checkpoint's
        ``contact_scale`` and ``noise_variance`` are then lists, one per map,
        and :func:`select_target` makes each map's checkpoint.
    windows : DataFrame
        Reference window table (:mod:`hicmodels.genome.windows`).
    model_config : dict
        Passed to :func:`hicmodels.models.build`; the checkpoint stores it
        completed with the schema's defaults (:func:`hicmodels.models.complete`).
    training_config : dict
        The ``training`` section (its schema's defaults filled in here): ``epochs``, ``batch_size``,
        ``learning_rate``, ``weight_decay``, ``optimizer``, ``momentum``, ``gradient_clip``, ``swa_*``,
        ``seed``, ``reverse_complement``, ``shift_bp``, ``devices``, ``workers``, ``resume``.
    checkpoint_path, log_path : path
        The checkpoint (see the module docstring) and a per-epoch TSV.
    threads : int, optional
    track_paths : dict, optional
        Track name -> bigWig, for models that read tracks.
    aliases : dict, optional
        Chromosome aliases for the bigWigs.
    """
    training_config = resolve(training_config, section_schema("training"), "training config")
    L.seed_everything(training_config["seed"], workers=True, verbose=False)
    model_config = models.complete(model_config)  # the checkpoint states every key of the model
    chroms = list(dict.fromkeys(windows.loc[windows["split"] == "train", "chrom"]))
    joint = isinstance(experimental, list)
    maps = experimental if joint else [experimental]
    if joint and len(maps) != model_config.get("targets"):
        raise InputError(f"{len(maps)} maps for a model with {model_config.get('targets')} targets: one map per "
                         "output (akita, targets)")
    scales = [m.contact_scale(chroms) for m in maps]
    scale = scales if joint else scales[0]
    log.info("contact scale %s from %s (%s contacts)", " ".join(f"{s:.4g}" for s in scales), ",".join(chroms),
             "balanced" if maps[0].balance else "raw")
    work_dir = Path(f"{checkpoint_path}.lightning")
    with tempfile.TemporaryDirectory() as scratch:
        train_set, val_set, geometry = _examples(fasta_path, experimental, windows, model_config, training_config,
                                                 scale, scratch, track_paths, aliases)
        stage = Stage(model_config, training_config["learning_rate"], training_config["weight_decay"],
                      training_config["optimizer"], training_config["momentum"])
        log.info("%s with %d parameters", model_config["architecture"], sum(p.numel() for p in stage.parameters()))
        first_stage = {k: training_config[k] for k in FIRST_STAGE_KEYS}
        weights, epoch, loss, rows, main = _fit(stage, train_set, val_set, {"model": model_config, **{
            k: training_config[k] for k in ("epochs", "batch_size")}}, training_config, work_dir, threads, first_stage)
        if model_config["architecture"] == "akita" and model_config.get("latent"):
            variances = [noise_variance({**model_config, "target": i} if joint else model_config, weights, val_set,
                                        training_config["batch_size"], i if joint else None) for i in range(len(maps))]
            geometry["noise_variance"] = variances if joint else variances[0]
            log.info("likelihood noise variance %s (latent-mean MSE on the validation windows)",
                     " ".join(f"{v:.4g}" for v in variances))
    checkpoint = {"model_config": dict(model_config), "state_dict": weights,
                  "contact_scale": [float(s) for s in scales] if joint else float(scale),
                  "targets": "balanced" if maps[0].balance else "raw",
                  "values": VALUES[target_transform(model_config)], "epoch": epoch,
                  "validation_loss": loss, "training_config": dict(training_config), **geometry}
    if main:
        _save(checkpoint, checkpoint_path, rows, log_path, work_dir)
    return checkpoint


def select_target(checkpoint, target):
    """One output's checkpoint of a jointly trained model: its map predicted, its contact scale and noise variance.

    The weights are the joint model's; ``model_config["target"]`` picks the
    output (:class:`hicmodels.models.akita.Akita`), so prediction writes that
    cell line's map.
    """
    scales = checkpoint["contact_scale"]
    if not isinstance(scales, list) or not 0 <= target < len(scales):
        raise InputError(f"not a jointly trained checkpoint with an output {target}")
    out = {**checkpoint, "model_config": {**checkpoint["model_config"], "target": target},
           "contact_scale": scales[target]}
    if isinstance(checkpoint.get("noise_variance"), list):
        out["noise_variance"] = checkpoint["noise_variance"][target]
    return out


def train_diffusion(*, fasta_path, experimental, windows, encoder_decoder_path, training_config, checkpoint_path,
                    log_path, threads=None, track_paths=None, aliases=None):
    """Train the diffusion stage on the residual of a trained encoder-decoder.

    The U-Net and chain come from the encoder-decoder config's ``diffusion``
    entry; ``training_config["diffusion"]`` gives ``epochs``, ``batch_size`` and
    ``learning_rate``. Targets use the encoder-decoder's contact scale and
    balancing. Other parameters as :func:`train`; the checkpoint has the same
    keys, its ``model_config`` a diffusion config holding both stages.
    """
    L.seed_everything(training_config["seed"], workers=True, verbose=False)
    base = load_checkpoint(encoder_decoder_path)
    targets = base.get("targets", "balanced")
    if (targets == "balanced") != experimental.balance:
        raise InputError(f"trained on {targets} contacts; this run uses "
                         f"{'balanced' if experimental.balance else 'raw'} ones (training.balance)",
                         encoder_decoder_path)
    model_config = models.diffusion_config(base["model_config"])
    settings = training_config["diffusion"]
    work_dir = Path(f"{checkpoint_path}.lightning")
    with tempfile.TemporaryDirectory() as scratch:
        train_set, val_set, geometry = _examples(fasta_path, experimental, windows, base["model_config"],
                                                 training_config, base["contact_scale"], scratch, track_paths,
                                                 aliases)
        check_compatible(base, geometry["window_size"], geometry["bin_size"], encoder_decoder_path)
        stage = Stage(model_config, settings["learning_rate"], training_config["weight_decay"], "adamw", None)
        load_weights(stage.model.encoder_decoder, base["state_dict"], encoder_decoder_path)
        log.info("diffusion U-Net with %d parameters, %d-step chain", sum(p.numel() for p in stage.model.unet.parameters()),
                 stage.model.timesteps)
        weights, epoch, loss, rows, main = _fit(stage, train_set, val_set, {"model": model_config, **settings},
                                                training_config, work_dir, threads, None)
    checkpoint = {"model_config": model_config, "state_dict": weights, "contact_scale": base["contact_scale"],
                  "targets": base["targets"], "epoch": epoch, "validation_loss": loss,
                  "training_config": dict(training_config), **geometry}
    if main:
        _save(checkpoint, checkpoint_path, rows, log_path, work_dir)
    return checkpoint
