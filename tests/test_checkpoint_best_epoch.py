"""A 3-epoch training run whose best validation epoch is the second: the checkpoint holds that epoch."""

import json

import pandas as pd
import pytest
import torch

from hicmodels import cli, synthetic, training
from hicmodels.genome.reference import chromsizes
from hicmodels.genome.windows import reference_windows, write_windows

BINSIZE = 128
TINY = {"architecture": "encoder_decoder", "channels": [5, 4, 8, 8], "pools": [4, 4, 8], "transformer_layers": 1,
        "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0}
TRAINING = {"epochs": 3, "batch_size": 4, "learning_rate": 0.003, "weight_decay": 0.0001, "seed": 0,
            "reverse_complement": True, "shift_bp": 10, "balance": True, "fold": None, "devices": 1, "workers": 0,
            "resume": False}
# the measured validation loss is multiplied by these per epoch, so the second epoch is the best whatever the
# real losses (which differ by far less than a factor of two between epochs of this tiny model)
DISTORTION = {0: 4.0, 1: 1.0, 2: 4.0}


def test_checkpoint_keeps_the_best_epoch_when_it_is_not_the_last(tmp_path, monkeypatch):
    paths = synthetic.write_genome(synthetic.make_genome(n_chroms=3, nbins=40, binsize=BINSIZE, seed=2), BINSIZE,
                                   tmp_path)
    sizes = chromsizes(paths["fasta"])
    windows = reference_windows(sizes, list(sizes.index), 16 * BINSIZE, 8 * BINSIZE, BINSIZE,
                                pd.DataFrame(columns=["chrom", "start", "end", "name"]),
                                {"test": ["chr3"], "validation": ["chr2"]})
    write_windows(windows, tmp_path / "windows.tsv")
    (tmp_path / "aliases.tsv").write_text("canonical\talias\nchr1\t1\n")

    real_loss = training.Stage.loss

    def distorted(self, batch, generator=None):
        loss = real_loss(self, batch, generator)
        return loss * DISTORTION[self.current_epoch] if not self.training else loss

    snapshots = {}
    record_row = training.History.on_train_epoch_end

    def record(self, trainer, module):
        record_row(self, trainer, module)
        snapshots[trainer.current_epoch + 1] = {k: v.detach().clone() for k, v in module.model.state_dict().items()}

    monkeypatch.setattr(training.Stage, "loss", distorted)
    monkeypatch.setattr(training.History, "on_train_epoch_end", record)
    checkpoint = tmp_path / "model.pt"
    assert cli.main([str(a) for a in [
        "train", "--fasta", paths["fasta"], "--cool", paths["observed"], "--aliases", tmp_path / "aliases.tsv",
        "--windows", tmp_path / "windows.tsv", "--model", json.dumps(TINY), "--training", json.dumps(TRAINING),
        "--checkpoint", checkpoint, "--log-table", tmp_path / "log.tsv", "--threads", 1]]) == 0

    log = pd.read_csv(tmp_path / "log.tsv", sep="\t")
    assert log["epoch"].tolist() == [1, 2, 3]
    assert log["validation_loss"].idxmin() == 1  # the forced curve: epoch 2 is the best, epoch 3 the last
    saved = training.load_checkpoint(checkpoint)
    assert saved["epoch"] == 2
    assert saved["validation_loss"] == pytest.approx(log["validation_loss"].iloc[1], rel=1e-5)
    assert set(saved["state_dict"]) == set(snapshots[2])
    assert all(torch.equal(saved["state_dict"][k], snapshots[2][k]) for k in snapshots[2])
    assert not all(torch.equal(saved["state_dict"][k], snapshots[3][k]) for k in snapshots[3])
