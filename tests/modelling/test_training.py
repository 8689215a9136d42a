"""Training and prediction through the CLI on a tiny synthetic genome: checkpoints, resume, determinism."""

import json

import h5py
import numpy as np
import pandas as pd
import pytest
import torch

from hicmodels import cli
from hicmodels.modelling import training
from hicmodels.modelling.checkpoints import load_checkpoint
from hicmodels.simulation import synthetic_genome as synthetic
from hicmodels.genome.reference import chromsizes
from hicmodels.genome import liftover
from hicmodels.genome.windows import haplotype_windows, reference_windows, write_windows

BINSIZE = 128
TINY = {"architecture": "encoder_decoder", "channels": [5, 4, 8, 8], "pools": [4, 4, 8], "transformer_layers": 1,
        "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0,
        "diffusion": {"dim": 8, "dim_mults": [1, 2], "timesteps": 4}}
TRAINING = {"epochs": 2, "batch_size": 4, "learning_rate": 0.003, "weight_decay": 0.0001, "seed": 0,
            "reverse_complement": True, "shift_bp": 10, "balance": True, "fold": None, "devices": 1, "workers": 0,
            "resume": True, "diffusion": {"epochs": 1, "batch_size": 4, "learning_rate": 0.001}}


@pytest.fixture(scope="module")
def genome(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    paths = synthetic.write_genome(synthetic.make_genome(n_chroms=3, nbins=60, binsize=BINSIZE, seed=1), BINSIZE, out)
    sizes = chromsizes(paths["fasta"])
    windows = reference_windows(sizes, list(sizes.index), 16 * BINSIZE, 8 * BINSIZE, BINSIZE,
                                pd.DataFrame(columns=["chrom", "start", "end", "name"]),
                                {"test": ["chr3"], "validation": ["chr2"]})
    write_windows(windows, out / "windows.tsv")
    aliases = out / "aliases.tsv"
    aliases.write_text("canonical\talias\nchr1\t1\n")
    return {"out": out, "paths": paths, "windows": windows, "aliases": aliases}


def run(*argv):
    assert cli.main([str(a) for a in argv]) == 0


def train_args(genome, checkpoint, model=TINY, training=TRAINING, tracks=()):
    return ["modelling", "train", "--fasta", genome["paths"]["fasta"], "--cool", genome["paths"]["observed"],
            "--aliases", genome["aliases"], "--windows", genome["out"] / "windows.tsv",
            "--config", json.dumps({"model": model, "training": training}), "--checkpoint", checkpoint,
            "--log-table", f"{checkpoint}.tsv", "--threads", 1, *(["--tracks", *tracks] if tracks else [])]


def test_checkpoint_is_plain_and_training_is_deterministic(genome):
    first, second = genome["out"] / "a.pt", genome["out"] / "b.pt"
    run(*train_args(genome, first))
    run(*train_args(genome, second))
    a, b = load_checkpoint(first), load_checkpoint(second)  # weights_only=True
    assert {"model_config", "state_dict", "contact_scale", "bin_size", "window_size", "targets", "epoch",
            "validation_loss", "training_config"} <= set(a)
    assert (a["bin_size"], a["window_size"], a["targets"]) == (128, 2048, "balanced")
    assert all(torch.equal(a["state_dict"][k], b["state_dict"][k]) for k in a["state_dict"])
    assert first.read_bytes() == second.read_bytes()  # reruns leave the workflow's outputs unchanged
    log = pd.read_csv(f"{first}.tsv", sep="\t")
    assert log["epoch"].tolist() == [1, 2]
    assert a["validation_loss"] == pytest.approx(log["validation_loss"].min(), rel=1e-5)
    assert a["epoch"] == log.loc[log["validation_loss"].idxmin(), "epoch"]
    assert not (genome["out"] / "a.pt.lightning").exists()


def test_a_split_without_windows_is_a_one_line_error_naming_the_window_table(genome, capsys):
    # a fold whose validation chromosome is shorter than the window has no validation row
    table = genome["out"] / "no_validation.tsv"
    write_windows(genome["windows"][genome["windows"]["split"] != "validation"], table)
    args = train_args(genome, genome["out"] / "none.pt")
    args[args.index(genome["out"] / "windows.tsv")] = table
    assert cli.main([str(a) for a in args]) == 2
    message = capsys.readouterr().err.strip().splitlines()
    assert message == [f"error: {table}: no usable validation window of 2,048 bp: every validation chromosome is "
                       "shorter than a window or all its windows are excluded; choose other validation chromosomes "
                       "(hic.test_chromosomes, hic.validation_chromosomes, training.fold) or smaller windows"]
    assert not (genome["out"] / "none.pt").exists()


def test_a_crashed_run_resumes_from_its_last_epoch(genome, monkeypatch):
    checkpoint = genome["out"] / "resumed.pt"
    settings = dict(TRAINING, epochs=3)
    original = training.History.on_train_epoch_end

    def crash_in_epoch_two(self, trainer, module):
        original(self, trainer, module)
        if trainer.current_epoch == 1:
            raise RuntimeError("node lost")

    monkeypatch.setattr(training.History, "on_train_epoch_end", crash_in_epoch_two)
    with pytest.raises(RuntimeError, match="node lost"):
        run(*train_args(genome, checkpoint, training=settings))
    assert (genome["out"] / "resumed.pt.lightning" / "last.ckpt").exists()
    first_epoch = torch.load(genome["out"] / "resumed.pt.lightning" / "last.ckpt", weights_only=True)["epoch"]
    monkeypatch.undo()
    run(*train_args(genome, checkpoint, training=settings))
    log = pd.read_csv(f"{checkpoint}.tsv", sep="\t")
    assert first_epoch == 0 and log["epoch"].tolist() == [1, 2, 3]
    fresh = genome["out"] / "fresh.pt"
    run(*train_args(genome, fresh, training=settings))
    assert log["train_loss"].iloc[0] == pd.read_csv(f"{fresh}.tsv", sep="\t")["train_loss"].iloc[0]


def test_diffusion_stage_and_predictions(genome):
    base, refined = genome["out"] / "ed.pt", genome["out"] / "diffusion.pt"
    run(*train_args(genome, base))
    run("modelling", "train-diffusion", "--fasta", genome["paths"]["fasta"], "--cool", genome["paths"]["observed"],
        "--aliases", genome["aliases"], "--windows", genome["out"] / "windows.tsv", "--encoder-decoder", base,
        "--config", json.dumps(TRAINING), "--checkpoint", refined, "--log-table", genome["out"] / "d.tsv",
        "--threads", 1)
    checkpoint = load_checkpoint(refined)
    assert checkpoint["model_config"]["architecture"] == "diffusion"
    assert checkpoint["contact_scale"] == load_checkpoint(base)["contact_scale"]
    ed_weights = load_checkpoint(base)["state_dict"]
    assert all(torch.equal(checkpoint["state_dict"][f"encoder_decoder.{k}"], v) for k, v in ed_weights.items())
    maps = {}
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        out = genome["out"] / f"pred_{name}.h5"
        settings = {"batch_size": 3, "seed": seed, "sampling_steps": 2}
        run("modelling", "predict", "--checkpoint", refined, "--fasta", genome["paths"]["fasta"], "--windows",
            genome["out"] / "windows.tsv", "--out", out, "--config", json.dumps(settings))
        with h5py.File(out) as store:
            maps[name] = store["maps"][:]
            assert store.attrs["architecture"] == "diffusion" and store.attrs["sampling_steps"] == 2
            assert len(store["window_id"]) == len(genome["windows"])
    assert np.array_equal(maps["a"], maps["b"]) and not np.array_equal(maps["a"], maps["c"])
    assert np.all(maps["a"] >= 0) and np.allclose(maps["a"], maps["a"].transpose(0, 2, 1))


def test_track_model_reads_bigwigs(genome):
    model = dict(TINY, channels=[7, 4, 8, 8], tracks=["ctcf", "atac"], track_bin=64)
    tracks = [f"ctcf={genome['paths']['ctcf']}", f"atac={genome['paths']['atac']}"]
    checkpoint = genome["out"] / "tracks.pt"
    run(*train_args(genome, checkpoint, model=model, training=dict(TRAINING, epochs=1), tracks=tracks))
    out = genome["out"] / "tracks.h5"
    run("modelling", "predict", "--checkpoint", checkpoint, "--fasta", genome["paths"]["fasta"], "--windows",
        genome["out"] / "windows.tsv", "--out", out, "--tracks", *tracks, "--aliases", genome["aliases"])
    with h5py.File(out) as store:
        assert store["maps"].shape == (len(genome["windows"]), 16, 16)
        reference_maps = store["maps"][:]
    # a haplotype identical to the reference reads its tracks through its chain: same maps
    sizes = chromsizes(genome["paths"]["fasta"])
    blocks = liftover.identity_blocks(sizes)
    liftover.write_chain(blocks, sizes, sizes, genome["out"] / "same.chain")
    write_windows(haplotype_windows(genome["windows"], blocks, sizes), genome["out"] / "same.tsv")
    run("modelling", "predict", "--checkpoint", checkpoint, "--fasta", genome["paths"]["fasta"], "--windows",
        genome["out"] / "same.tsv", "--out", genome["out"] / "same.h5", "--tracks", *tracks, "--aliases",
        genome["aliases"], "--chain", genome["out"] / "same.chain")
    with h5py.File(genome["out"] / "same.h5") as store:
        assert np.array_equal(store["maps"][:], reference_maps)
    assert cli.main(["modelling", "predict", "--checkpoint", str(checkpoint), "--fasta", str(genome["paths"]["fasta"]),
                     "--windows", str(genome["out"] / "windows.tsv"), "--out", str(out)]) == 2  # no bigWigs
