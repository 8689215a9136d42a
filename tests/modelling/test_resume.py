"""A training run killed (SIGKILL) twice at random points and resumed writes the same checkpoint, byte for byte,
as a run that was never interrupted (issue 15).

Training runs in a real subprocess (``python -c`` calling :func:`hicmodels.training.train`) on the tiny
synthetic genome of ``test_models_training``; the kill points are drawn at random inside an epoch after the
first epoch's ``last.ckpt`` exists, and printed.
"""

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from hicmodels.simulation import synthetic_genome as synthetic
from hicmodels.genome.reference import chromsizes
from hicmodels.genome.windows import reference_windows, write_windows

BINSIZE = 128
TINY = {"architecture": "encoder_decoder", "channels": [5, 4, 8, 8], "pools": [4, 4, 8], "transformer_layers": 1,
        "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.1}
TRAINING = {"epochs": 6, "batch_size": 2, "learning_rate": 0.003, "weight_decay": 0.0001, "seed": 3,
            "reverse_complement": True, "shift_bp": 10, "balance": True, "fold": None, "devices": 1, "workers": 0,
            "resume": True}

DRIVER = textwrap.dedent("""
    import json, logging, sys
    import pandas as pd
    from hicmodels.genome.aliases import read_aliases
    from hicmodels.genome.reference import chromsizes
    from hicmodels.genome.windows import read_windows
    from hicmodels.hic.cool import ExperimentalMap
    from hicmodels.modelling.training import train

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    a = json.loads(sys.argv[1])
    experimental = ExperimentalMap(a["cool"], read_aliases(a["aliases"]), chromsizes(a["fasta"]), True)
    train(fasta_path=a["fasta"], experimental=experimental, windows=read_windows(a["windows"]), model_config=a["model"],
          training_config=a["training"], checkpoint_path=a["checkpoint"], log_path=a["log"], threads=1)
""")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    out = tmp_path_factory.mktemp("resume")
    paths = synthetic.write_genome(synthetic.make_genome(n_chroms=4, nbins=80, binsize=BINSIZE, seed=2), BINSIZE, out)
    sizes = chromsizes(paths["fasta"])
    windows = reference_windows(sizes, list(sizes.index), 16 * BINSIZE, 4 * BINSIZE, BINSIZE,
                                pd.DataFrame(columns=["chrom", "start", "end", "name"]),
                                {"test": ["chr4"], "validation": ["chr3"]})
    write_windows(windows, out / "windows.tsv")
    (out / "aliases.tsv").write_text("canonical\talias\nchr1\t1\n")
    (out / "driver.py").write_text(DRIVER)
    return {"out": out, "fasta": str(paths["fasta"]), "cool": str(paths["observed"]),
            "aliases": str(out / "aliases.tsv"), "windows": str(out / "windows.tsv")}


def _start(setup, checkpoint):
    args = {k: setup[k] for k in ("fasta", "cool", "aliases", "windows")}
    args.update(model=TINY, training=TRAINING, checkpoint=str(checkpoint), log=f"{checkpoint}.tsv")
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH", "")]))
    log = open(f"{checkpoint}.stderr", "a")
    return subprocess.Popen([sys.executable, str(setup["out"] / "driver.py"), json.dumps(args)], env=env,
                            stdout=log, stderr=log, start_new_session=True)


def _wait(condition, proc, timeout=120):
    end = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"training ended (status {proc.returncode}) before the kill point")
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.005)


def _mtime(path):
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _kill_in_an_epoch(setup, checkpoint, rng, epochs_to_watch, epoch=None):
    """Start (or resume) training; once ``epochs_to_watch`` more epochs have written last.ckpt, kill it at a
    random point within about one epoch. Returns the seconds after the last write at which it was killed."""
    last = Path(f"{checkpoint}.lightning") / "last.ckpt"
    proc = _start(setup, checkpoint)
    stamps = []
    for _ in range(epochs_to_watch):
        before = _mtime(last)
        _wait(lambda: _mtime(last) is not None and _mtime(last) != before, proc)
        stamps.append(time.monotonic())
    epoch = stamps[-1] - stamps[-2] if len(stamps) > 1 else epoch
    delay = rng.uniform(0, 0.9 * epoch)
    time.sleep(delay)
    assert proc.poll() is None, "training finished before the kill"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return round(delay, 3), round(epoch, 3)


@pytest.mark.slow
def test_killed_twice_and_resumed_gives_the_same_bytes(setup):
    out = setup["out"]
    whole = out / "whole.pt"
    assert _start(setup, whole).wait(timeout=300) == 0
    rng = random.Random()
    killed = out / "killed.pt"
    first = _kill_in_an_epoch(setup, killed, rng, 2)  # killed during epoch 3
    second = _kill_in_an_epoch(setup, killed, rng, 1, first[1])  # resumed, killed after one more epoch ends
    print(f"kill points (seconds after a last.ckpt write, epoch length): {first}, {second}")
    assert not killed.exists()
    assert _start(setup, killed).wait(timeout=300) == 0
    log = Path(f"{killed}.stderr").read_text()
    assert log.count("resumed from epoch") == 2, log
    assert killed.read_bytes() == whole.read_bytes()
    assert pd.read_csv(f"{killed}.tsv", sep="\t")["epoch"].tolist() == list(range(1, 7))
    columns = ["epoch", "train_loss", "validation_loss"]
    assert pd.read_csv(f"{killed}.tsv", sep="\t")[columns].equals(pd.read_csv(f"{whole}.tsv", sep="\t")[columns])
    assert not Path(f"{killed}.lightning").exists()


def test_crash_before_the_epoch_checkpoint_resumes_to_the_same_bytes(setup, monkeypatch, caplog):
    """In process, quicker: a crash at the end of epoch 2 (before its last.ckpt) reruns epoch 2 exactly."""
    import logging

    from hicmodels.modelling import training
    from hicmodels.genome.aliases import read_aliases
    from hicmodels.genome.windows import read_windows
    from hicmodels.hic.cool import ExperimentalMap

    settings = dict(TRAINING, epochs=3, workers=1)
    experimental = ExperimentalMap(setup["cool"], read_aliases(setup["aliases"]), chromsizes(setup["fasta"]))
    windows = read_windows(setup["windows"])
    out = setup["out"]

    def run(name):
        training.train(fasta_path=setup["fasta"], experimental=experimental, windows=windows, model_config=TINY,
                       training_config=settings, checkpoint_path=out / name, log_path=out / f"{name}.tsv", threads=1)

    run("fresh.pt")
    original = training.History.on_train_epoch_end

    def crash_in_epoch_two(self, trainer, module):
        original(self, trainer, module)
        if trainer.current_epoch == 1:
            raise RuntimeError("node lost")

    monkeypatch.setattr(training.History, "on_train_epoch_end", crash_in_epoch_two)
    with pytest.raises(RuntimeError, match="node lost"):
        run("crashed.pt")
    monkeypatch.undo()
    with caplog.at_level(logging.INFO, logger="hicmodels.modelling.training"):
        run("crashed.pt")
    assert "resumed from epoch 1 of 3" in caplog.text
    assert (out / "crashed.pt").read_bytes() == (out / "fresh.pt").read_bytes()
