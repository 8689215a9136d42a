"""Training on reference windows and an experimental map, with PyTorch Lightning.

Two stages share the data path: the encoder-decoder (masked L1 on ``log1p``
maps) and, optionally, the diffusion stage on its residual (MSE on the noise,
encoder-decoder frozen). Lightning runs them: DDP when ``devices`` > 1, bf16
mixed precision on a GPU (fp32 on the CPU), seeds for Python, NumPy, torch and
DataLoader workers, and checkpoints. While a stage trains, Lightning's state
lives in ``<checkpoint>.lightning/``; a rerun after a crash resumes from its
``last.ckpt`` when the configs are unchanged, and the folder is removed once
the final checkpoint is written.

The final checkpoint is a plain dict, loaded with ``weights_only=True``:
``model_config`` (enough to rebuild the model), ``state_dict`` (the epoch with
the lowest validation loss), ``contact_scale``, ``bin_size``, ``window_size``,
``targets`` (``balanced`` or ``raw``), ``epoch``, ``validation_loss`` and
``training_config``.
"""

import json
import logging
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import lightning as L
import torch

from . import models
from .data import WindowDataset, load_targets, model_input
from .files import atomic_output
from .genome.sequence import GenomeCodes
from .models.diffusion import HiCDiffusion, masked_mean
from .runtime import select_device
from .tracks import TrackSet

log = logging.getLogger(__name__)

# Lightning warnings that say nothing here: the work folder holds config.json (and, resuming, the
# last epoch); Lightning sees srun on SLURM nodes; a few workers on small CPU runs are intended.
_EXPECTED_WARNINGS = (".*exists and is not empty.*", ".*The `srun` command is available.*",
                      ".*does not have many workers.*", ".*LeafSpec.*")


def masked_l1(prediction, target):
    """Mean absolute error over the finite pixels of ``target``."""
    finite = torch.isfinite(target)
    return masked_mean((prediction - torch.where(finite, target, 0.0)).abs(), finite)


class Stage(L.LightningModule):
    """One training stage: a model from its config, its loss, AdamW.

    Parameters
    ----------
    model_config : dict
        :func:`hicmodels.models.build` config.
    learning_rate, weight_decay : float
    """

    def __init__(self, model_config, learning_rate, weight_decay):
        super().__init__()
        self.model = models.build(model_config)
        self.track_bin = models.tracks(model_config)[1]
        self.learning_rate, self.weight_decay = learning_rate, weight_decay

    def loss(self, batch, generator=None):
        x = model_input(batch, self.track_bin)
        if isinstance(self.model, HiCDiffusion):
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
        return torch.optim.AdamW(trainable, lr=self.learning_rate, weight_decay=self.weight_decay)


class History(L.Callback):
    """Per-epoch losses and seconds; saved in Lightning checkpoints, so a resumed run keeps them."""

    def __init__(self):
        self.rows, self.start = [], None

    def on_train_epoch_start(self, trainer, module):
        self.start = time.perf_counter()

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


def _examples(fasta_path, experimental, windows, model_config, training_config, scale, scratch, track_paths,
              aliases):
    """Training and validation datasets, and the window geometry."""
    binsize = models.bin_size(model_config)
    size = int((windows["end"] - windows["start"]).iloc[0])
    if size % binsize:
        raise ValueError(f"window size {size} is not a multiple of the model's bin size {binsize}")
    nbins = size // binsize
    train_rows = windows[windows["split"] == "train"]
    val_rows = windows[windows["split"] == "validation"]
    if train_rows.empty or val_rows.empty:
        raise ValueError("training needs windows on both train and validation chromosomes")
    chroms = list(dict.fromkeys(windows.loc[windows["split"] != "test", "chrom"]))
    genome = GenomeCodes.from_fasta(fasta_path, Path(scratch) / "genome.npy", chroms)
    names, track_bin = models.tracks(model_config)
    tracks = TrackSet.from_bigwigs(track_paths or {}, names, chroms, track_bin, aliases) if names else None
    log.info("%d train, %d validation windows of %d bins; tracks: %s", len(train_rows), len(val_rows), nbins,
             ", ".join(names) or "none")
    train = WindowDataset(genome, train_rows, load_targets(experimental, train_rows, nbins, scale), tracks,
                          training_config["reverse_complement"], training_config["shift_bp"])
    val = WindowDataset(genome, val_rows, load_targets(experimental, val_rows, nbins, scale), tracks)
    return train, val, {"bin_size": binsize, "window_size": size}


def _fit(stage, train, val, settings, training_config, work_dir, threads):
    """Run Lightning on one stage; the best epoch's weights, its number and validation loss, the history."""
    device = select_device(threads)
    work_dir = Path(work_dir)
    identity = json.dumps({"settings": settings, "training": training_config}, sort_keys=True)
    resume = work_dir / "last.ckpt"
    if work_dir.exists() and (not training_config["resume"] or not resume.exists()
                              or (work_dir / "config.json").read_text() != identity):
        log.info("%s: not resumable here (other config, no last.ckpt, or resume off): starting afresh", work_dir)
        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "config.json").write_text(identity)
    # saved at the end of each epoch, after History has its row, so a resumed run keeps every row; last.ckpt
    # has its own callback, after best's (Lightning's save_last writes only in epochs that improve the best)
    best = L.pytorch.callbacks.ModelCheckpoint(work_dir, "best", monitor="val_loss", save_on_train_epoch_end=True)
    last = L.pytorch.callbacks.ModelCheckpoint(work_dir, "last", save_on_train_epoch_end=True,
                                               enable_version_counter=False)
    history = History()
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
            callbacks=[best, last, history], logger=False, enable_progress_bar=False, enable_model_summary=False,
            num_sanity_val_steps=0, default_root_dir=work_dir,
        )
        trainer.fit(stage, torch.utils.data.DataLoader(train, shuffle=True, **loader),
                    torch.utils.data.DataLoader(val, **loader), ckpt_path=resume if resume.exists() else None,
                    weights_only=True)
    state = torch.load(best.best_model_path, map_location="cpu", weights_only=True)["state_dict"]
    weights = {k.removeprefix("model."): v for k, v in state.items()}
    epoch = min(history.rows, key=lambda row: row[2])[0]
    return weights, epoch, float(best.best_model_score), history.rows, trainer.is_global_zero


def _save(checkpoint, checkpoint_path, rows, log_path, work_dir):
    # through a file object: given a path, torch.save names the archive's records after the
    # (random) temporary file, and identical checkpoints would differ byte for byte
    with atomic_output(checkpoint_path) as tmp, open(tmp, "wb") as out:
        torch.save(checkpoint, out)
    with atomic_output(log_path) as tmp, open(tmp, "w") as out:
        out.write("epoch\ttrain_loss\tvalidation_loss\tseconds\n")
        out.writelines(f"{e}\t{t:.6f}\t{v:.6f}\t{s:.1f}\n" for e, t, v, s in rows)
    shutil.rmtree(work_dir, ignore_errors=True)
    log.info("kept epoch %d (validation loss %.4f): %s", checkpoint["epoch"], checkpoint["validation_loss"],
             checkpoint_path)


def train(fasta_path, experimental, windows, model_config, training_config, checkpoint_path, log_path, threads=None,
          track_paths=None, aliases=None):
    """Train the encoder-decoder on the ``train`` windows; keep the epoch with the lowest ``validation`` loss.

    Parameters
    ----------
    fasta_path : path
        Indexed reference FASTA.
    experimental : hicmodels.hic.cool.ExperimentalMap
        Targets (balanced or raw, as the map was opened).
    windows : DataFrame
        Reference window table (:mod:`hicmodels.genome.windows`).
    model_config : dict
        Passed to :func:`hicmodels.models.build`.
    training_config : dict
        ``epochs``, ``batch_size``, ``learning_rate``, ``weight_decay``, ``seed``,
        ``reverse_complement``, ``shift_bp``, ``devices``, ``workers``, ``resume``.
    checkpoint_path, log_path : path
        The checkpoint (see the module docstring) and a per-epoch TSV.
    threads : int, optional
    track_paths : dict, optional
        Track name -> bigWig, for models that read tracks.
    aliases : dict, optional
        Chromosome aliases for the bigWigs.
    """
    L.seed_everything(training_config["seed"], workers=True, verbose=False)
    chroms = list(dict.fromkeys(windows.loc[windows["split"] == "train", "chrom"]))
    scale = experimental.contact_scale(chroms)
    log.info("contact scale %.4g from %s (%s contacts)", scale, ",".join(chroms),
             "balanced" if experimental.balance else "raw")
    work_dir = Path(f"{checkpoint_path}.lightning")
    with tempfile.TemporaryDirectory() as scratch:
        train_set, val_set, geometry = _examples(fasta_path, experimental, windows, model_config, training_config,
                                                 scale, scratch, track_paths, aliases)
        stage = Stage(model_config, training_config["learning_rate"], training_config["weight_decay"])
        log.info("%s with %d parameters", model_config["architecture"], sum(p.numel() for p in stage.parameters()))
        weights, epoch, loss, rows, main = _fit(stage, train_set, val_set, {"model": model_config, **{
            k: training_config[k] for k in ("epochs", "batch_size")}}, training_config, work_dir, threads)
    checkpoint = {"model_config": dict(model_config), "state_dict": weights, "contact_scale": float(scale),
                  "targets": "balanced" if experimental.balance else "raw", "epoch": epoch,
                  "validation_loss": loss, "training_config": dict(training_config), **geometry}
    if main:
        _save(checkpoint, checkpoint_path, rows, log_path, work_dir)
    return checkpoint


def train_diffusion(fasta_path, experimental, windows, encoder_decoder_path, training_config, checkpoint_path,
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
    if (base["targets"] == "balanced") != experimental.balance:
        raise ValueError(f"{encoder_decoder_path} was trained on {base['targets']} contacts")
    model_config = models.diffusion_config(base["model_config"])
    settings = training_config["diffusion"]
    work_dir = Path(f"{checkpoint_path}.lightning")
    with tempfile.TemporaryDirectory() as scratch:
        train_set, val_set, geometry = _examples(fasta_path, experimental, windows, base["model_config"],
                                                 training_config, base["contact_scale"], scratch, track_paths,
                                                 aliases)
        stage = Stage(model_config, settings["learning_rate"], training_config["weight_decay"])
        stage.model.encoder_decoder.load_state_dict(base["state_dict"])
        log.info("diffusion U-Net with %d parameters, %d-step chain", sum(p.numel() for p in stage.model.unet.parameters()),
                 stage.model.timesteps)
        weights, epoch, loss, rows, main = _fit(stage, train_set, val_set, {"model": model_config, **settings},
                                                training_config, work_dir, threads)
    checkpoint = {"model_config": model_config, "state_dict": weights, "contact_scale": base["contact_scale"],
                  "targets": base["targets"], "epoch": epoch, "validation_loss": loss,
                  "training_config": dict(training_config), **geometry}
    if main:
        _save(checkpoint, checkpoint_path, rows, log_path, work_dir)
    return checkpoint


def load_checkpoint(path):
    """A checkpoint's dict (weights, model config, scale), loaded without unpickling code."""
    return torch.load(path, map_location="cpu", weights_only=True)
