"""A 3-epoch training run whose best validation epoch is the second: the checkpoint holds that epoch."""

import json

import pandas as pd
import pytest
import torch

from hicmodels import cli
from hicmodels.modelling import training
from hicmodels.modelling.checkpoints import load_checkpoint
from hicmodels.simulation import synthetic_genome as synthetic
from hicmodels.genome.reference import chromsizes
from hicmodels.genome.windows import reference_windows, write_windows

BINSIZE = 128
TINY = {"architecture": "encoder_decoder", "channels": [5, 4, 8, 8], "pools": [4, 4, 8], "transformer_layers": 1,
        "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0,
        "diffusion": {"dim": 8, "dim_mults": [1, 2], "timesteps": 4}}
TRAINING = {"epochs": 3, "batch_size": 4, "learning_rate": 0.003, "weight_decay": 0.0001, "seed": 0,
            "reverse_complement": True, "shift_bp": 10, "balance": True, "fold": None, "devices": 1, "workers": 0,
            "resume": False}
# the measured validation loss is multiplied by these per epoch, so the second epoch is the best whatever the
# real losses (which differ by far less than a factor of two between epochs of this tiny model)
DISTORTION = {0: 4.0, 1: 1.0, 2: 4.0}


def _tiny_genome(tmp_path):
    paths = synthetic.write_genome(synthetic.make_genome(n_chroms=3, nbins=40, binsize=BINSIZE, seed=2), BINSIZE,
                                   tmp_path)
    sizes = chromsizes(paths["fasta"])
    windows = reference_windows(sizes, list(sizes.index), 16 * BINSIZE, 8 * BINSIZE, BINSIZE,
                                pd.DataFrame(columns=["chrom", "start", "end", "name"]),
                                {"test": ["chr3"], "validation": ["chr2"]})
    write_windows(windows, tmp_path / "windows.tsv")
    (tmp_path / "aliases.tsv").write_text("canonical\talias\nchr1\t1\n")
    return paths


def _distort(monkeypatch, factors):
    """Multiply the validation loss of each epoch (0-based) by ``factors[epoch]``."""
    real_loss = training.Stage.loss

    def distorted(self, batch, generator=None):
        loss = real_loss(self, batch, generator)
        return loss * factors[self.current_epoch] if not self.training else loss

    monkeypatch.setattr(training.Stage, "loss", distorted)


def _train(paths, tmp_path, checkpoint):
    return cli.main([str(a) for a in [
        "modelling", "train", "--fasta", paths["fasta"], "--cool", paths["observed"], "--aliases",
        tmp_path / "aliases.tsv", "--windows", tmp_path / "windows.tsv",
        "--config", json.dumps({"model": TINY, "training": TRAINING}),
        "--checkpoint", checkpoint, "--log-table", tmp_path / "log.tsv", "--threads", 1]])


def test_checkpoint_keeps_the_best_epoch_when_it_is_not_the_last(tmp_path, monkeypatch):
    paths = _tiny_genome(tmp_path)
    _distort(monkeypatch, DISTORTION)

    snapshots = {}
    record_row = training.History.on_train_epoch_end

    def record(self, trainer, module):
        record_row(self, trainer, module)
        snapshots[trainer.current_epoch + 1] = {k: v.detach().clone() for k, v in module.model.state_dict().items()}

    monkeypatch.setattr(training.History, "on_train_epoch_end", record)
    checkpoint = tmp_path / "model.pt"
    assert _train(paths, tmp_path, checkpoint) == 0

    log = pd.read_csv(tmp_path / "log.tsv", sep="\t")
    assert log["epoch"].tolist() == [1, 2, 3]
    assert log["validation_loss"].idxmin() == 1  # the forced curve: epoch 2 is the best, epoch 3 the last
    saved = load_checkpoint(checkpoint)
    assert saved["epoch"] == 2
    assert saved["validation_loss"] == pytest.approx(log["validation_loss"].iloc[1], rel=1e-5)
    assert set(saved["state_dict"]) == set(snapshots[2])
    assert all(torch.equal(saved["state_dict"][k], snapshots[2][k]) for k in snapshots[2])
    assert not all(torch.equal(saved["state_dict"][k], snapshots[3][k]) for k in snapshots[3])


def test_last_checkpoint_is_the_last_epoch_even_when_it_did_not_improve(tmp_path, monkeypatch):
    """A crash in epoch 3 after a worse epoch 2: the run resumes from epoch 2, not from the best epoch 1."""
    paths = _tiny_genome(tmp_path)
    _distort(monkeypatch, {0: 1.0, 1: 4.0, 2: 1.0})
    start_epoch = training.History.on_train_epoch_start

    def crash_in_epoch_three(self, trainer, module):
        start_epoch(self, trainer, module)
        if trainer.current_epoch == 2:
            raise RuntimeError("node lost")

    monkeypatch.setattr(training.History, "on_train_epoch_start", crash_in_epoch_three)
    checkpoint = tmp_path / "model.pt"
    with pytest.raises(RuntimeError, match="node lost"):
        _train(paths, tmp_path, checkpoint)
    last = torch.load(tmp_path / "model.pt.lightning" / "last.ckpt", weights_only=True)
    assert last["epoch"] == 1  # 0-based: the second epoch, whose validation loss was the worse one
    monkeypatch.setattr(training.History, "on_train_epoch_start", start_epoch)
    assert _train(paths, tmp_path, checkpoint) == 0  # resumed: epoch 3 only
    log = pd.read_csv(tmp_path / "log.tsv", sep="\t")
    assert log["epoch"].tolist() == [1, 2, 3]
    saved = load_checkpoint(checkpoint)
    assert saved["epoch"] == log.loc[log["validation_loss"].idxmin(), "epoch"]
    assert saved["validation_loss"] == pytest.approx(log["validation_loss"].min(), rel=1e-5)
