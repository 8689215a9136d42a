"""Prediction jobs of several genomes: which genomes go together, and a genome's file is the same in any job."""

import hashlib
import threading

import h5py
import numpy as np
import pandas as pd
import pysam
import pytest
import torch

from hicmodels import models
from hicmodels.cli import main
from hicmodels.config import read_yaml, resolve_config
from hicmodels.errors import InputError
from hicmodels.genome.sequence import encode, one_hot
from hicmodels.modelling.jobs import genome_jobs, prediction_groups
from hicmodels.modelling.prediction import Genome, predict_genomes, prefetched
from hicmodels.modelling.store import read_predictions, read_variances

from conftest import REPO

TINY = {"architecture": "encoder_decoder", "channels": [5, 4, 8], "pools": [8, 8], "transformer_layers": 1,
        "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0,
        "diffusion": {"dim": 8, "dim_mults": [1, 2], "timesteps": 3}}
GENOMES = ["reference", "s1.hap1", "s1.hap2", "s2.hap1", "s2.hap2", "s3.hap1", "s3.hap2"]


def test_consecutive_groups_of_genomes_per_job():
    assert prediction_groups(GENOMES, 3) == [["reference", "s1.hap1", "s1.hap2"], ["s2.hap1", "s2.hap2", "s3.hap1"],
                                             ["s3.hap2"]]
    assert prediction_groups(GENOMES, 1) == [[g] for g in GENOMES]
    assert prediction_groups(GENOMES, 7) == prediction_groups(GENOMES, 100) == [GENOMES]
    assert genome_jobs(prediction_groups(GENOMES, 2)) == {"reference": 0, "s1.hap1": 0, "s1.hap2": 1, "s2.hap1": 1,
                                                          "s2.hap2": 2, "s3.hap1": 2, "s3.hap2": 3}
    # a sample added at the end of the sheet changes the last group only
    assert prediction_groups(GENOMES + ["s4.hap1", "s4.hap2"], 3)[:2] == prediction_groups(GENOMES, 3)[:2]
    with pytest.raises(ValueError, match="at least 1"):
        prediction_groups(GENOMES, 0)


@pytest.mark.parametrize("key, value", [("genomes_per_job", 0), ("genomes_per_job", 1.5), ("stored_dtype", "int8")])
def test_config_refuses_bad_prediction_job_settings(key, value):
    config = read_yaml(REPO / "config" / "config.yaml")
    assert resolve_config(config)["prediction"][key] is not None
    config["prediction"][key] = value
    with pytest.raises(InputError, match=f"prediction.{key}"):
        resolve_config(config)


def _genomes(tmp_path, lengths):
    """Genomes of random sequence, one chromosome each, with all their 1,024 bp windows (one not ok)."""
    rng = np.random.default_rng(0)
    genomes = []
    for g, length in enumerate(lengths):
        chrom = f"chr{g}"
        fasta = tmp_path / f"g{g}.fa"
        fasta.write_text(f">{chrom}\n{''.join(rng.choice(list('ACGT'), length))}\n")
        pysam.faidx(str(fasta))
        starts = np.arange(0, length - 1023, 512)
        windows = pd.DataFrame({"window_id": [f"chrI:{s}-{s + 1024}" for s in starts], "chrom": "chrI",
                                "start": starts, "end": starts + 1024, "seq_chrom": chrom, "seq_start": starts,
                                "seq_end": starts + 1024, "status": "ok", "split": "train", "pchrom": chrom,
                                "pstart": starts, "pend": starts + 1024})
        windows.loc[1, "status"] = "too_many_n"
        genomes.append((fasta, windows))
    return genomes


def _checkpoint(path, config):
    torch.manual_seed(0)
    model = models.build(config)
    torch.save({"model_config": config, "state_dict": model.state_dict(), "contact_scale": 2.0, "bin_size": 64,
                "window_size": 1024, "targets": "balanced"}, path)
    return model.eval()


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("diffusion, samples", [(False, 1), (True, 2)])
def test_a_genome_file_is_byte_identical_alone_or_grouped(tmp_path, diffusion, samples):
    """Three genomes of 5, 2 and 4 ok windows, batches of 3: alone, each ends on a part-filled batch; together
    the batches straddle genomes. Every file is the same bytes either way, and the maps are the model's."""
    config = models.diffusion_config(TINY) if diffusion else TINY
    model = _checkpoint(tmp_path / "m.pt", config)
    genomes = _genomes(tmp_path, [3584, 2048, 3072])
    settings = {"batch_size": 3, "samples": samples}
    for g, (fasta, windows) in enumerate(genomes):
        predict_genomes(checkpoint_path=tmp_path / "m.pt", genomes=[Genome(fasta, windows, tmp_path / f"alone{g}.h5")],
                        settings=settings, threads=1)
    predict_genomes(checkpoint_path=tmp_path / "m.pt", settings=settings, threads=1,
                    genomes=[Genome(fasta, windows, tmp_path / f"grouped{g}.h5") for g, (fasta, windows)
                             in enumerate(genomes)])
    for g, (fasta, windows) in enumerate(genomes):
        assert _sha256(tmp_path / f"alone{g}.h5") == _sha256(tmp_path / f"grouped{g}.h5")
        ids, maps, _ = read_predictions(tmp_path / f"grouped{g}.h5")
        ok = windows[windows["status"] == "ok"]
        assert list(ids) == list(ok["window_id"]) and maps.shape == (len(ok), 16, 16)
        if not diffusion:  # each window's map is the model's on that window's sequence
            sequence = pysam.FastaFile(str(fasta)).fetch(f"chr{g}")
            x = one_hot(torch.from_numpy(np.stack([encode(sequence[s:e]) for s, e in
                                                   zip(ok["seq_start"], ok["seq_end"])])))
            with torch.no_grad():
                np.testing.assert_allclose(maps, torch.expm1(model(x)).clamp_min(0).numpy(), rtol=1e-4, atol=1e-6)
        else:
            assert read_variances(tmp_path / f"grouped{g}.h5").shape == maps.shape


def test_float16_storage_halves_the_maps_within_its_rounding(tmp_path):
    _checkpoint(tmp_path / "m.pt", TINY)
    (fasta, windows), = _genomes(tmp_path, [4096])
    for dtype in ("float32", "float16"):
        predict_genomes(checkpoint_path=tmp_path / "m.pt", genomes=[Genome(fasta, windows, tmp_path / f"{dtype}.h5")],
                        settings={"stored_dtype": dtype}, threads=1)
        with h5py.File(tmp_path / f"{dtype}.h5") as store:
            assert store["maps"].dtype == np.dtype(dtype)
    full, half = read_predictions(tmp_path / "float32.h5")[1], read_predictions(tmp_path / "float16.h5")[1]
    assert half.dtype == np.float32 and not np.array_equal(full, half)
    np.testing.assert_allclose(half, full, rtol=2.0**-11, atol=2.0**-24)


def test_prefetch_keeps_order_raises_the_producers_error_and_stops_with_the_caller():
    threads = threading.active_count()
    assert list(prefetched(iter(range(50)), depth=2)) == list(range(50))

    def failing():
        yield 1
        raise InputError("bad window")

    with pytest.raises(InputError, match="bad window"):
        list(prefetched(failing()))
    produced = []

    def endless():
        while True:
            produced.append(len(produced))
            yield produced[-1]

    items = prefetched(endless(), depth=2)
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()  # the caller stops: the thread ends instead of blocking on a full queue
    assert len(produced) <= 3 + 2 + 1 and threading.active_count() == threads


def test_cli_predicts_several_genomes_and_refuses_uneven_lists(tmp_path, capsys):
    _checkpoint(tmp_path / "m.pt", TINY)
    genomes = _genomes(tmp_path, [2048, 2048])
    for g, (_, windows) in enumerate(genomes):
        windows.to_csv(tmp_path / f"w{g}.tsv", sep="\t", index=False)
    args = ["modelling", "predict", "--checkpoint", str(tmp_path / "m.pt"), "--fasta", *(str(f) for f, _ in genomes),
            "--windows", str(tmp_path / "w0.tsv"), str(tmp_path / "w1.tsv"), "--threads", "1", "--out"]
    assert main(args + [str(tmp_path / "a.h5"), str(tmp_path / "b.h5")]) == 0
    assert read_predictions(tmp_path / "b.h5")[1].shape == (2, 16, 16)
    assert main(args + [str(tmp_path / "c.h5")]) == 2
    assert "--fasta, --windows, --out and --chain name 2, 2, 1 and 2 genomes" in capsys.readouterr().err
    assert not (tmp_path / "c.h5").exists()
