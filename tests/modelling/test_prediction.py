"""Prediction: per-window noise, output format, and the haplotype path's window bookkeeping."""

import numpy as np
import pandas as pd
import pysam
import torch

from hicmodels import models
from hicmodels.genome.sequence import encode, one_hot
from hicmodels.modelling.prediction import draw_seed, likelihood_noise, predict, seeded_normal, window_noise
from hicmodels.modelling.store import read_model_moments, read_predictions, read_variances

TINY = {"architecture": "encoder_decoder", "channels": [5, 4, 8], "pools": [8, 8], "transformer_layers": 1,
        "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0,
        "diffusion": {"dim": 8, "dim_mults": [1, 2], "timesteps": 5}}


def test_window_noise_depends_on_seed_and_window_only():
    a = window_noise(["chr1:0-10", "chr2:0-10"], 3, 4, seed=0)
    b = window_noise(["chr2:0-10"], 3, 4, seed=0)
    assert a.shape == (2, 3, 4, 4) and torch.equal(a[1], b[0])
    assert not torch.equal(a[0], a[1]) and not torch.equal(window_noise(["chr2:0-10"], 3, 4, seed=1)[0], b[0])


def _checkpoint(path, config):
    torch.manual_seed(0)
    model = models.build(config)
    torch.save({"model_config": config, "state_dict": model.state_dict(), "contact_scale": 2.0, "bin_size": 64,
                "window_size": 1024, "targets": "balanced"}, path)


def test_same_window_same_sequence_same_sample_in_any_genome(tmp_path):
    """A haplotype window with the reference's sequence gets the reference's map, noise included."""
    rng = np.random.default_rng(0)
    sequence = "".join(rng.choice(list("ACGT"), 3000))
    for name, header in (("ref", "chr1"), ("hap", "chr1_hap")):
        (tmp_path / f"{name}.fa").write_text(f">{header}\n{sequence}\n")
        pysam.faidx(str(tmp_path / f"{name}.fa"))
    _checkpoint(tmp_path / "d.pt", models.diffusion_config(TINY))
    windows = pd.DataFrame({"window_id": ["chr1:0-1024", "chr1:1024-2048", "chr1:1976-3000"], "chrom": "chr1",
                            "start": [0, 1024, 1976], "end": [1024, 2048, 3000], "status": ["ok", "ok", "deleted"]})
    reference = windows.assign(seq_chrom="chr1", seq_start=windows["start"], seq_end=windows["end"])
    haplotype = reference.assign(seq_chrom="chr1_hap")
    settings = {"compile": False, "sampling_steps": None, "sampling_eta": 1, "seed": 0, "samples": 1}
    predict(checkpoint_path=tmp_path / "d.pt", fasta_path=tmp_path / "ref.fa", windows=reference,
            out_path=tmp_path / "ref.h5", settings={**settings, "batch_size": 1})
    predict(checkpoint_path=tmp_path / "d.pt", fasta_path=tmp_path / "hap.fa", windows=haplotype.iloc[::-1],
            out_path=tmp_path / "hap.h5", settings={**settings, "batch_size": 2})
    ids, ref_maps, attrs = read_predictions(tmp_path / "ref.h5")
    hap_ids, hap_maps, _ = read_predictions(tmp_path / "hap.h5")
    assert list(ids) == ["chr1:0-1024", "chr1:1024-2048"] and list(hap_ids) == ids[::-1].tolist()
    assert np.allclose(np.log1p(ref_maps), np.log1p(hap_maps[::-1]), atol=1e-4)  # batches of 1 vs 2: float noise
    assert attrs["contact_scale"] == 2.0 and attrs["bin_size"] == 64 and attrs["sampling_steps"] == 5
    assert attrs["sampling_eta"] == 1
    assert ref_maps.shape == (2, 16, 16) and not np.allclose(ref_maps[0], ref_maps[1])


SMALL_VAE = {"architecture": "akita", "target_transform": "akita", "targets": 1, "target": 0, "crop": 1,
             "diagonal_offset": 2, "eps": 0.001, "tower_channels": 8, "pools": [4, 4, 4], "trunk": "transformer",
             "transformer_layers": 1, "heads": 2, "feedforward": 16, "dropout": 0.0, "bottleneck": 8,
             "head_channels": 8, "head_blocks": 1, "latent": 4}


def test_posterior_predictive_samples_of_a_variational_akita(tmp_path):
    """samples > 1: the stored map and variance are the mean and variance of exp(output) over seeded latent draws."""
    rng = np.random.default_rng(1)
    (tmp_path / "g.fa").write_text(">chr1\n" + "".join(rng.choice(list("ACGT"), 2048)) + "\n")
    pysam.faidx(str(tmp_path / "g.fa"))
    torch.manual_seed(0)
    model = models.build(SMALL_VAE).eval()
    with torch.no_grad():
        model.variational.log_variance.bias.fill_(0.0)  # sigma around 1: draws differ visibly
    torch.save({"model_config": SMALL_VAE, "state_dict": model.state_dict(), "contact_scale": 1.0, "bin_size": 64,
                "window_size": 1024, "values": "log_oe"}, tmp_path / "vae.pt")
    windows = pd.DataFrame({"window_id": ["chr1:0-1024", "chr1:1024-2048"], "chrom": "chr1", "start": [0, 1024],
                            "end": [1024, 2048], "status": "ok"})
    windows = windows.assign(seq_chrom="chr1", seq_start=windows["start"], seq_end=windows["end"])
    outputs = {}
    for name, samples, seed in (("one", 1, 0), ("a", 4, 0), ("b", 4, 0), ("c", 4, 1)):
        predict(checkpoint_path=tmp_path / "vae.pt", fasta_path=tmp_path / "g.fa", windows=windows,
                out_path=tmp_path / f"{name}.h5", settings={"batch_size": 2, "compile": False, "sampling_steps": None,
                                                             "seed": seed, "samples": samples})
        outputs[name] = (*read_predictions(tmp_path / f"{name}.h5"), read_variances(tmp_path / f"{name}.h5"))
    codes = pysam.FastaFile(str(tmp_path / "g.fa")).fetch("chr1")
    x = one_hot(torch.from_numpy(encode(codes)).reshape(2, 1024))
    with torch.no_grad():
        point = torch.exp(model(x)).numpy()
        draws = np.stack([torch.exp(model(x, noise=seeded_normal(list(windows["window_id"]), (4, 16),
                                                                 draw_seed(0, k)))).numpy() for k in range(4)])
    _, one, one_attrs, one_variances = outputs["one"]
    assert one_variances is None and "samples" not in one_attrs
    np.testing.assert_allclose(one, point, rtol=1e-5)  # one sample: the latent mean
    _, mean, attrs, variances = outputs["a"]
    assert attrs["samples"] == 4
    np.testing.assert_allclose(mean, draws.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(variances, draws.var(axis=0), rtol=1e-4, atol=1e-7)
    assert np.nanmin(variances) > 0 and np.array_equal(np.isnan(variances), np.isnan(point))
    assert np.array_equal(mean, outputs["b"][1], equal_nan=True)  # deterministic given the seed
    # the draws' moments in model space (log O/E), for interval bounds
    model_means, model_variances = read_model_moments(tmp_path / "a.h5")
    np.testing.assert_allclose(model_means, np.log(draws).mean(axis=0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model_variances, np.log(draws).var(axis=0), rtol=1e-3, atol=1e-7)
    assert attrs["model_space"] == "log_oe" and read_model_moments(tmp_path / "one.h5") is None
    assert not np.allclose(mean, outputs["c"][1], equal_nan=True)
    # with the likelihood's noise variance in the checkpoint each draw adds symmetric noise of that variance
    checkpoint = torch.load(tmp_path / "vae.pt", weights_only=True)
    torch.save({**checkpoint, "noise_variance": 0.04}, tmp_path / "noisy.pt")
    predict(checkpoint_path=tmp_path / "noisy.pt", fasta_path=tmp_path / "g.fa", windows=windows,
            out_path=tmp_path / "noisy.h5", settings={"batch_size": 2, "compile": False, "sampling_steps": None,
                                                       "seed": 0, "samples": 4})
    with torch.no_grad():
        noisy = np.stack([torch.exp(model(x, noise=seeded_normal(list(windows["window_id"]), (4, 16), draw_seed(0, k)))
                                    + 0.2 * likelihood_noise(list(windows["window_id"]), 16, draw_seed(0, k))).numpy()
                          for k in range(4)])
    np.testing.assert_allclose(read_predictions(tmp_path / "noisy.h5")[1], noisy.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(read_variances(tmp_path / "noisy.h5"), noisy.var(axis=0), rtol=1e-4, atol=1e-7)
    symmetric = likelihood_noise(["w"], 16, 0)[0]
    assert torch.equal(symmetric, symmetric.T) and abs(float(symmetric.std()) - 1) < 0.2


def test_diffusion_samples_are_noise_seeds_and_one_sample_is_as_before(tmp_path):
    """samples=3: mean and variance of three draws seeded seed, seed/1, seed/2; the first alone is samples=1's map."""
    rng = np.random.default_rng(2)
    (tmp_path / "g.fa").write_text(">chr1\n" + "".join(rng.choice(list("ACGT"), 1024)) + "\n")
    pysam.faidx(str(tmp_path / "g.fa"))
    _checkpoint(tmp_path / "d.pt", models.diffusion_config(TINY))
    windows = pd.DataFrame({"window_id": ["chr1:0-1024"], "chrom": "chr1", "start": [0], "end": [1024],
                            "status": "ok", "seq_chrom": "chr1", "seq_start": [0], "seq_end": [1024]})
    stores = {}
    for samples in (1, 3):
        predict(checkpoint_path=tmp_path / "d.pt", fasta_path=tmp_path / "g.fa", windows=windows,
                out_path=tmp_path / f"s{samples}.h5", settings={"batch_size": 1, "compile": False,
                                                                 "sampling_steps": None, "sampling_eta": 1, "seed": 7,
                                                                 "samples": samples})
        out = tmp_path / f"s{samples}.h5"
        stores[samples] = (read_predictions(out)[1], read_variances(out))
    checkpoint = torch.load(tmp_path / "d.pt", weights_only=True)
    model = models.build(checkpoint["model_config"])
    model.load_state_dict(checkpoint["state_dict"])
    x = one_hot(torch.from_numpy(encode(pysam.FastaFile(str(tmp_path / "g.fa")).fetch("chr1"))).reshape(1, 1024))
    with torch.no_grad():
        draws = np.stack([torch.expm1(model.eval()(x, noise=window_noise(["chr1:0-1024"], 5, 16, draw_seed(7, k))))
                          .clamp_min(0).numpy() for k in range(3)])
    np.testing.assert_allclose(stores[1][0], draws[0], rtol=1e-4, atol=1e-6)
    assert stores[1][1] is None
    np.testing.assert_allclose(stores[3][0], draws.mean(axis=0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(stores[3][1], draws.var(axis=0), rtol=1e-3, atol=1e-7)
    assert stores[3][1].max() > 0
