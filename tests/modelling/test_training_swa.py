"""SGD with momentum and stochastic weight averaging (Lu et al. A.4) on a tiny encoder-decoder."""

import pandas as pd
import pytest
import torch

from hicmodels.genome.aliases import read_aliases
from hicmodels.genome.reference import chromsizes
from hicmodels.genome.windows import reference_windows
from hicmodels.hic.cool import ExperimentalMap
from hicmodels.modelling import training
from hicmodels.simulation import synthetic_genome as synthetic

BINSIZE = 128
TINY = {"architecture": "encoder_decoder", "channels": [5, 4, 8, 8], "pools": [4, 4, 8], "transformer_layers": 1,
        "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0}
# SGD + momentum, averaging from epoch int(0.5 x 4) = 2 on: the states at the starts of epochs 2, 3 and 4 (1-based),
# i.e. after epochs 1, 2 and 3
SWA = {"epochs": 4, "batch_size": 4, "learning_rate": 0.01, "seed": 0, "shift_bp": 10, "optimizer": "sgd",
       "momentum": 0.9, "swa_learning_rate": 0.005, "swa_start": 0.5, "swa_annealing_epochs": 1, "gradient_clip": 1.0}


@pytest.fixture(scope="module")
def genome(tmp_path_factory):
    out = tmp_path_factory.mktemp("swa")
    paths = synthetic.write_genome(synthetic.make_genome(n_chroms=3, nbins=60, binsize=BINSIZE, seed=1), BINSIZE, out)
    sizes = chromsizes(paths["fasta"])
    windows = reference_windows(sizes, list(sizes.index), 16 * BINSIZE, 8 * BINSIZE, BINSIZE,
                                pd.DataFrame(columns=["chrom", "start", "end", "name"]),
                                {"test": ["chr3"], "validation": ["chr2"]})
    (out / "aliases.tsv").write_text("canonical\talias\nchr1\t1\n")
    experimental = ExperimentalMap(paths["observed"], read_aliases(out / "aliases.tsv"), sizes, True)
    return {"out": out, "fasta": paths["fasta"], "windows": windows, "experimental": experimental}


def fit(genome, name, settings):
    return training.train(fasta_path=genome["fasta"], experimental=genome["experimental"], windows=genome["windows"],
                          model_config=TINY, training_config=settings, checkpoint_path=genome["out"] / name,
                          log_path=genome["out"] / f"{name}.tsv", threads=1)


def test_sgd_with_momentum_is_the_optimizer_asked_for():
    sgd = training.Stage(TINY, 0.01, 0.0, "sgd", 0.975).configure_optimizers()
    adamw = training.Stage(TINY, 0.01, 0.0, "adamw", None).configure_optimizers()
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["momentum"] == 0.975 and sgd.defaults["lr"] == 0.01
    assert isinstance(adamw, torch.optim.AdamW)


def test_swa_weights_are_the_mean_of_the_averaged_epochs_states(genome, monkeypatch):
    """The kept parameters equal the mean of the states after epochs 1, 2 and 3, recorded as they pass."""
    states = {}
    original = training.History.on_train_epoch_end

    def record(self, trainer, module):
        original(self, trainer, module)
        states[trainer.current_epoch + 1] = {k: v.detach().clone() for k, v in module.model.named_parameters()}

    monkeypatch.setattr(training.History, "on_train_epoch_end", record)
    checkpoint = fit(genome, "swa.pt", SWA)
    assert sorted(states) == [1, 2, 3, 4, 5]  # 5: the batch-norm pass over the training data, no updates
    for name, value in states[2].items():
        expected = (states[1][name] + states[2][name] + states[3][name]) / 3
        torch.testing.assert_close(checkpoint["state_dict"][name], expected, rtol=1e-6, atol=1e-7)
    first = next(iter(states[1]))
    assert not torch.equal(states[1][first], states[3][first])  # the states differ: the mean is not any of them
    assert not all(torch.equal(checkpoint["state_dict"][k], states[4][k]) for k in states[4])  # not the last state
    assert checkpoint["epoch"] == 4 and checkpoint["training_config"]["optimizer"] == "sgd"
    log = pd.read_csv(genome["out"] / "swa.pt.tsv", sep="\t")
    assert log["epoch"].tolist() == [1, 2, 3, 4, 5]
    assert checkpoint["validation_loss"] == pytest.approx(log["validation_loss"].iloc[-1], rel=1e-5)


def test_a_resumed_swa_run_keeps_the_same_weights(genome, monkeypatch):
    """Killed at the end of epoch 4 (inside the averaging), resumed: the same averaged weights as a fresh run."""
    original = training.History.on_train_epoch_end

    def crash(self, trainer, module):
        original(self, trainer, module)
        if trainer.current_epoch == 3:
            raise RuntimeError("node lost")

    monkeypatch.setattr(training.History, "on_train_epoch_end", crash)
    with pytest.raises(RuntimeError, match="node lost"):
        fit(genome, "resumed.pt", SWA)
    assert torch.load(genome["out"] / "resumed.pt.lightning" / "last.ckpt", weights_only=True)["epoch"] == 2
    monkeypatch.undo()
    resumed = fit(genome, "resumed.pt", SWA)
    fresh = fit(genome, "fresh.pt", SWA)
    assert all(torch.equal(resumed["state_dict"][k], fresh["state_dict"][k]) for k in fresh["state_dict"])
    assert (genome["out"] / "resumed.pt").read_bytes() == (genome["out"] / "fresh.pt").read_bytes()
