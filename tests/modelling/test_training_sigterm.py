"""A training stopped by SIGTERM (SLURM's time limit, scancel) exits non-zero, resumable."""

import os
import signal

import lightning as L
import numpy as np
import pytest
import torch

from hicmodels.modelling.mixhic import ArrayDataset
from hicmodels.modelling.training import _fit


class TerminatedStage(L.LightningModule):
    """A linear fit that sends itself SIGTERM in its second epoch."""

    def __init__(self):
        super().__init__()
        self.model = torch.nn.Linear(2, 1)

    def training_step(self, batch, batch_idx):
        if self.current_epoch == 1 and batch_idx == 0:
            os.kill(os.getpid(), signal.SIGTERM)
        loss = torch.nn.functional.mse_loss(self.model(batch["x"]), batch["y"])
        self.log("train_loss", loss, on_step=False, on_epoch=True, batch_size=len(batch["x"]))
        return loss

    def validation_step(self, batch, batch_idx):
        loss = torch.nn.functional.mse_loss(self.model(batch["x"]), batch["y"])
        self.log("val_loss", loss, on_step=False, on_epoch=True, batch_size=len(batch["x"]))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_sigterm_exits_with_143_after_the_last_complete_epoch(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 2))
    data = ArrayDataset({"x": x, "y": x @ [[1.0], [-2.0]]})
    training = {"resume": True, "seed": 0, "workers": 0, "devices": 1}
    with pytest.raises(SystemExit) as stopped:
        _fit(TerminatedStage(), data, data, {"epochs": 3, "batch_size": 4}, training, tmp_path / "work", 1, None)
    assert stopped.value.code == 128 + signal.SIGTERM
    assert (tmp_path / "work" / "last.ckpt").exists()  # epoch 0's state: a rerun resumes from it
