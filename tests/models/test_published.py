"""Published checkpoints: parity with the peers' own code, strict loading, channel order, untrusted pickles.

C.Origami and Akita are compared with their PyPI packages (test-only
dependencies: ``corigami`` installed with ``--no-deps``, ``akita-torch``): the
peer model gets random weights, is written in the peer's file layout, imported
through dna2hic and both run on the same random input. HiCDiffusion has no
package: a hand-written reference (its module names and forward pass, below)
plays the peer.
"""

import argparse
import os

# the peers' packages are imported, not importorskip'ed: `make install` installs both, and a parity test
# that skipped would pass silently
import akita_torch.model as akita_model
import corigami.model.corigami_models as corigami_models
import h5py
import numpy as np
import pytest
import torch
import yaml
from torch import nn

from hicmodels import models
from hicmodels.errors import InputError
from hicmodels.genome.sequence import one_hot
from hicmodels.models.published import import_checkpoint, read_lightning

from conftest import REPO
from published_helpers import ReferenceHiCDiffusion, keras_akita_h5, randomise, save_lightning


def imported(path, fmt, **settings):
    checkpoint = import_checkpoint(path, fmt, settings)
    model = models.build(checkpoint["model_config"])
    model.load_state_dict(checkpoint["state_dict"])
    return checkpoint, model.eval()


def codes_and_tracks(batch, length, seed=1):
    generator = torch.Generator().manual_seed(seed)
    codes = torch.randint(0, 5, (batch, length), generator=generator)
    ctcf, atac = torch.rand(2, batch, length, generator=generator) * 3
    return codes, ctcf, atac


def recode(codes, order):
    """One-hot of dna2hic base codes (A, C, G, T, N) in another alphabet order, channels first."""
    index = torch.tensor(["ACGTN".index(base) for base in order]).argsort()
    return torch.nn.functional.one_hot(index[codes], 5).transpose(1, 2).float()


# ---------------------------------------------------------------- C.Origami
@pytest.fixture(scope="module")
def corigami(tmp_path_factory, monkeypatch_module):
    # C.Origami's diagonalize repeats 256 positions (its 2 Mb window); the test reads 65,536 bp (8 positions),
    # so that one line uses the input's length. Everything else is the package's code.
    monkeypatch_module.setattr(corigami_models.ConvModel, "diagonalize", lambda self, x: torch.cat(
        [x.unsqueeze(2).repeat(1, 1, x.shape[-1], 1), x.unsqueeze(3).repeat(1, 1, 1, x.shape[-1])], dim=1))
    codes, ctcf, atac = codes_and_tracks(2, 65_536, seed=5)
    torch.manual_seed(0)  # the package's own initialisation, from a fixed state
    reference = randomise(corigami_models.ConvTransModel(2, 256), corigami_inputs(codes, ctcf, atac)[0])
    path = save_lightning(reference.state_dict(), tmp_path_factory.mktemp("corigami") / "corigami.ckpt")
    return reference, path


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def corigami_inputs(codes, ctcf, atac):
    """C.Origami's input (batch, length, 7): one-hot A, T, C, G, N, CTCF, log(ATAC + 1); and dna2hic's."""
    theirs = torch.cat([recode(codes, "ATCGN"), ctcf[:, None], torch.log1p(atac)[:, None]], dim=1).transpose(1, 2)
    ours = torch.cat([one_hot(codes), torch.log1p(ctcf)[:, None], torch.log1p(atac)[:, None]], dim=1)
    return theirs, ours


def test_corigami_matches_the_package(corigami):
    reference, path = corigami
    checkpoint, model = imported(path, "corigami", positional_encoding="published_batch_axis", raw_tracks=[])
    codes, ctcf, atac = codes_and_tracks(2, 65_536)
    theirs, ours = corigami_inputs(codes, ctcf, atac)
    ours[:, 5] = ctcf  # the same CTCF values as C.Origami's input (raw_tracks=[]: fed as they are)
    with torch.no_grad():
        expected, got = reference(theirs), model(ours)
        other = reference(corigami_inputs(*codes_and_tracks(2, 65_536, seed=9))[0])
    assert got.shape == expected.shape == (2, 8, 8)
    assert (got - expected).abs().max() <= 1e-5
    assert (other - expected).abs().max() > 0.1  # the output depends on the input
    # dna2hic feeds tracks as log1p; raw_tracks=[0] (the default) undoes it for CTCF, up to float32 rounding
    # (~1e-7 relative, amplified by a random network)
    _, model = imported(path, "corigami", positional_encoding="published_batch_axis")
    with torch.no_grad():
        logged = model(corigami_inputs(codes, ctcf, atac)[1])
    assert torch.allclose(logged, expected, rtol=1e-3, atol=1e-3 * expected.abs().max())
    assert checkpoint["bin_size"] == 8192 and checkpoint["window_size"] == 2_097_152
    assert checkpoint["model_config"]["tracks"] == ["ctcf", "atac"] and checkpoint["values"] == "log1p_contacts"
    assert sum(t.numel() for t in checkpoint["state_dict"].values()) == sum(
        t.numel() for t in reference.state_dict().values())


def test_corigami_decoder_width_is_read_from_the_file(tmp_path, corigami):
    """The package's Decoder keeps its own width (256) whatever ``mid_hidden`` is; a file with other widths
    (a narrow model: the slow workflow test's) imports with both read from its tensors and matches the package.

    (The ``corigami`` fixture fits the package's ``diagonalize`` to this test's 65,536 bp.)
    """
    import corigami.model.blocks as corigami_blocks

    codes, ctcf, atac = codes_and_tracks(2, 65_536, seed=5)
    torch.manual_seed(0)
    narrow = corigami_models.ConvTransModel(2, 32)
    narrow.decoder = corigami_blocks.Decoder(64, hidden=16)
    narrow = randomise(narrow, corigami_inputs(codes, ctcf, atac)[0])
    path = save_lightning(narrow.state_dict(), tmp_path / "narrow.ckpt")
    checkpoint, model = imported(path, "corigami", positional_encoding="published_batch_axis", raw_tracks=[])
    assert (checkpoint["model_config"]["hidden"], checkpoint["model_config"]["decoder_hidden"]) == (32, 16)
    theirs, ours = corigami_inputs(*codes_and_tracks(2, 65_536))
    ours[:, 5] = theirs[:, :, 5]
    with torch.no_grad():
        assert (model(ours) - narrow(theirs)).abs().max() <= 1e-5


def test_corigami_positional_encoding_flag(corigami):
    """The published code adds the encoding's row ``b`` to batch sample ``b``; the default adds row 0 to all."""
    reference, path = corigami
    _, model = imported(path, "corigami", raw_tracks=[])
    codes, ctcf, atac = codes_and_tracks(2, 65_536)
    theirs, ours = corigami_inputs(codes, ctcf, atac)
    ours[:, 5] = ctcf
    with torch.no_grad():
        alone = torch.cat([reference(theirs[i:i + 1]) for i in range(2)])
        batched, got = reference(theirs), model(ours)
    # C.Origami's inference (one window at a time); 1e-4: batches of 1 and 2 take different float kernels
    assert (got - alone).abs().max() <= 1e-4
    assert (batched[1] - alone[1]).abs().max() > 1e-3  # the quirk: sample 1 of a batch sees another encoding


def test_corigami_channel_order_and_raw_ctcf_matter(corigami, tmp_path):
    reference, path = corigami
    codes, ctcf, atac = codes_and_tracks(1, 65_536)
    theirs, _ = corigami_inputs(codes, ctcf, atac)
    with torch.no_grad():
        expected = reference(theirs)
        # the same weights without the stem permutation, and with CTCF left as log1p
        state = {k.removeprefix("model."): v for k, v in read_lightning(path)["state_dict"].items()}
        _, model = imported(path, "corigami")
        model.load_state_dict(state)
        unpermuted = model(torch.cat([one_hot(codes), torch.log1p(ctcf)[:, None], torch.log1p(atac)[:, None]], 1))
        _, model = imported(path, "corigami", raw_tracks=[])
        logged = model(torch.cat([one_hot(codes), torch.log1p(ctcf)[:, None], torch.log1p(atac)[:, None]], 1))
    assert (unpermuted - expected).abs().max() > 1e-3
    assert (logged - expected).abs().max() > 1e-3


# ---------------------------------------------------------------- Akita
@pytest.fixture(scope="module")
def akita(tmp_path_factory):
    torch.manual_seed(0)
    reference = randomise(akita_model.Akita(akita_model.AkitaConfig()),
                          one_hot(codes_and_tracks(2, 2048 * 80, seed=5)[0])[:, :4].transpose(1, 2))
    for m in reference.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eps = 1e-3  # Keras's BatchNormalization default, which a file without a model_config implies
    return reference, keras_akita_h5(reference, tmp_path_factory.mktemp("akita") / "model_best.h5")


def test_akita_matches_the_package(akita):
    reference, path = akita
    checkpoint, model = imported(path, "akita", target=None)
    codes, _, _ = codes_and_tracks(1, 2048 * 80)  # 80 bins, 16 after the crop: 105 upper-triangle pixels
    x = one_hot(codes)
    with torch.no_grad():
        expected, got = reference(x[:, :4].transpose(1, 2)), model(x)
    assert got.shape == expected.shape == (1, 105, 5)
    assert (got - expected).abs().max() <= 1e-5
    other = reference(one_hot(codes_and_tracks(1, 2048 * 80, seed=9)[0])[:, :4].transpose(1, 2))
    assert (other - expected).abs().max() > 0.1
    assert sum(t.numel() for k, t in checkpoint["state_dict"].items() if "num_batches" not in k) == 751_653
    assert checkpoint["values"] == "log_oe" and checkpoint["bin_size"] == 2048
    assert checkpoint["window_size"] == 1_048_576


def test_akita_window_map_places_the_upper_triangle(akita):
    _, path = akita
    _, model = imported(path, "akita", target=3)
    _, published = imported(path, "akita", target=None)
    x = one_hot(codes_and_tracks(1, 2048 * 80)[0])
    with torch.no_grad():
        maps, values = model(x), published(x)[..., 3]
    assert maps.shape == (1, 80, 80)
    torch.testing.assert_close(maps, maps.transpose(1, 2), rtol=0, atol=0, equal_nan=True)
    rows, cols = torch.triu_indices(16, 16, 2)
    assert torch.equal(maps[0, rows + 32, cols + 32], values[0])
    assert maps[0, :32].isnan().all() and maps[0, 40, 41].isnan() and not maps[0, 40, 42].isnan()


def test_akita_epsilon_comes_from_the_keras_config(akita, tmp_path):
    reference, _ = akita
    path = keras_akita_h5(reference, tmp_path / "eps.h5", epsilon_in_config=1e-5)
    checkpoint, _ = imported(path, "akita", target=None)
    assert checkpoint["model_config"]["eps"] == 1e-5


def test_akita_refuses_a_wrong_shape_and_a_missing_layer(akita, tmp_path):
    reference, _ = akita
    path = keras_akita_h5(reference, tmp_path / "bad.h5")
    with h5py.File(path, "a") as h5:
        data = h5["model_weights/conv1d_3/conv1d_3/kernel:0"]
        wrong = np.asarray(data)[:, :, :50]
        del h5["model_weights/conv1d_3/conv1d_3/kernel:0"]
        h5["model_weights/conv1d_3"].create_dataset("conv1d_3/kernel:0", data=wrong)
    with pytest.raises(InputError, match=r"trunk\.3\.conv\.weight: the file's tensor is \(50, 96, 5\), "
                                         r"the model's is \(96, 96, 5\)"):
        import_checkpoint(path, "akita")
    with h5py.File(path, "a") as h5:
        del h5["model_weights/dense"]
        h5["model_weights"].attrs["layer_names"] = [n for n in h5["model_weights"].attrs["layer_names"]
                                                    if n not in ("dense", b"dense")]
    with pytest.raises(InputError, match="expected one dense layer"):
        import_checkpoint(path, "akita")


# ---------------------------------------------------------------- HiCDiffusion
@pytest.fixture
def hicdiffusion(tmp_path):
    torch.manual_seed(2)
    reference = randomise(ReferenceHiCDiffusion([5, 8, 8, 16, 16], 4, 32, 3),
                          recode(codes_and_tracks(2, 256, seed=5)[0], "ACTGN"), seed=2)
    # HiCDiffusion's encoder-decoder is the LightningModule itself: no prefix on its keys
    return reference, save_lightning(reference.state_dict(), tmp_path / "encoder_decoder.ckpt", prefix="")


def test_hicdiffusion_key_map_round_trip_and_output(hicdiffusion):
    reference, path = hicdiffusion
    checkpoint, model = imported(path, "hicdiffusion", heads=4, window_size=16 * 16)
    config = checkpoint["model_config"]
    assert config["channels"] == [5, 8, 8, 16, 16] and config["pools"] == [2] * 4
    assert (config["head_kernel"], config["symmetric"], config["pair_order"]) == (1, False, "ji")
    assert config["dilations"] == [2, 4, 8] and config["transformer_layers"] == 2 and config["feedforward"] == 32
    # every reference tensor is in the model once, under its mapped name
    assert len(checkpoint["state_dict"]) == len(reference.state_dict())
    codes = codes_and_tracks(2, 256)[0]
    with torch.no_grad():
        expected, got = reference(recode(codes, "ACTGN")), model(one_hot(codes))
    assert (got - expected).abs().max() <= 1e-5
    assert (expected - expected.transpose(1, 2)).abs().max() > 1e-3  # the reference is not symmetric, nor is ours


def test_hicdiffusion_channel_order(hicdiffusion):
    """A sequence and its relabelled twin (A, C, T, G read as A, C, G, T) agree only with the permutation."""
    reference, path = hicdiffusion
    _, model = imported(path, "hicdiffusion", heads=4, window_size=256)
    codes = codes_and_tracks(1, 256)[0]
    twin = torch.tensor([0, 1, 3, 2, 4])[codes]  # G <-> T: the twin's ACGTN codes are the sequence's ACTGN codes
    unpermuted = models.build(import_checkpoint(path, "hicdiffusion", {"heads": 4})["model_config"])
    state = dict(model.state_dict())
    for key in ("encoder.0.body.0.weight", "encoder.0.skip.0.weight"):
        state[key] = state[key][:, [0, 1, 3, 2, 4]]  # undo the importer's permutation
    unpermuted.load_state_dict(state)
    unpermuted.eval()
    with torch.no_grad():
        expected = reference(recode(codes, "ACTGN"))
        assert (model(one_hot(codes)) - expected).abs().max() <= 1e-5
        assert (unpermuted(one_hot(twin)) - expected).abs().max() <= 1e-5  # without it, only the twin matches
        assert (unpermuted(one_hot(codes)) - expected).abs().max() > 1e-3


def test_bundled_published_presets_have_the_papers_sizes():
    presets = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["model_presets"]
    with torch.device("meta"):
        sizes = {name: sum(p.numel() for p in models.build(presets[name]).parameters())
                 for name in ("hicdiffusion", "human")}
        corigami = models.build({**presets["corigami"], "track_channels": 2, "hidden": 256, "decoder_hidden": 256,
                                 "transformer_layers": 8,
                                 "heads": 8, "feedforward": 512, "dropout": 0.1, "max_len": 256})
        akita = models.build({**presets["akita"], "targets": 5, "crop": 32, "diagonal_offset": 2, "eps": 1e-3})
    assert sizes == {"hicdiffusion": 37_261_217, "human": 37_265_313}  # the 3x3 readout: 4,096 more
    assert sum(p.numel() for p in akita.parameters()) == 751_653 - 5_504  # Keras also counts the 5,504 BN moments
    assert sum(p.numel() for p in corigami.parameters()) == sum(
        p.numel() for p in corigami_models.ConvTransModel(2, 256).parameters())


# ---------------------------------------------------------------- strictness and untrusted files
def test_strict_loading_names_the_key_and_both_shapes(hicdiffusion, tmp_path):
    reference, _ = hicdiffusion
    state = reference.state_dict()
    bad = dict(state, **{"decoder.conv_trans_blocks.1.main.0.weight": torch.zeros(32, 32, 3, 1)})
    with pytest.raises(InputError, match=r"decoder\.1\.body\.0\.weight: the file's tensor is \(32, 32, 3, 1\), "
                                         r"the model's is \(32, 32, 3, 3\)"):
        import_checkpoint(save_lightning(bad, tmp_path / "shape.ckpt", prefix=""), "hicdiffusion", {"heads": 4})
    missing = {k: v for k, v in state.items() if k != "encoder.conv_blocks.2.main.1.running_var"}
    with pytest.raises(InputError, match=r"not in the file, first 'encoder\.2\.body\.1\.running_var'"):
        import_checkpoint(save_lightning(missing, tmp_path / "missing.ckpt", prefix=""), "hicdiffusion", {"heads": 4})
    extra = dict(state, **{"encoder.extra.weight": torch.zeros(1)})
    with pytest.raises(InputError, match="'encoder.extra.weight' is not part of HiCDiffusion"):
        import_checkpoint(save_lightning(extra, tmp_path / "extra.ckpt", prefix=""), "hicdiffusion", {"heads": 4})
    with pytest.raises(InputError, match="no encoder.conv_blocks.0.main.0.weight: not a HiCDiffusion"):
        import_checkpoint(save_lightning(state, tmp_path / "diffusion.ckpt", prefix="encoder_decoder."),
                          "hicdiffusion")
    with pytest.raises(InputError, match="not under 'model.'"):  # C.Origami's network is the module's .model
        import_checkpoint(save_lightning(state, tmp_path / "prefix.ckpt", prefix="net."), "corigami")


class Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_malicious_pickle_does_not_run(tmp_path, hicdiffusion):
    reference, _ = hicdiffusion
    marker = tmp_path / "ran"
    path = tmp_path / "evil.ckpt"
    torch.save({"state_dict": dict(reference.state_dict()), "hyper_parameters": {"payload": Payload(marker)}}, path)
    with pytest.raises(InputError, match="refusing to load: its pickle calls posix.system"):
        import_checkpoint(path, "hicdiffusion", {"heads": 4})
    assert not marker.exists()
    # globals of ordinary modules are replaced by inert stand-ins, not called: the weights still load
    torch.save({"state_dict": dict(reference.state_dict()), "hyper_parameters": {"args": argparse.Namespace(lr=1)}},
               path)
    checkpoint = read_lightning(path)
    args = checkpoint["hyper_parameters"]["args"]
    assert type(args).__name__ == "NotLoaded[argparse.Namespace]" and args.state == {"lr": 1}


# ---------------------------------------------------------------- command, prediction, .cool
def test_imported_akita_predicts_through_the_cool_path(akita, tmp_path, capsys):
    """import-checkpoint -> predict -> assemble: O/E values on 2,048 bp bins land on a 10 kb .cool with metadata."""
    import cooler
    import pandas as pd
    import pysam

    from hicmodels.cli import main
    from hicmodels.hic.assemble import assemble_genome
    from hicmodels.modelling.store import read_predictions

    _, h5 = akita
    window = 2048 * 80
    out = tmp_path / "model.pt"
    assert main(["modelling", "import-checkpoint", "--input", str(h5), "--format", "akita", "--out", str(out),
                 "--config", f'{{"window_size": {window}, "target": 2}}']) == 0
    report = capsys.readouterr().out
    assert "akita, 751,653 parameter values, 163,840 bp windows of 2,048 bp bins" in report
    assert "values log_oe, imported from akita" in report
    rng = np.random.default_rng(0)
    (tmp_path / "g.fa").write_text(">chr1\n" + "".join(rng.choice(list("ACGT"), 250_000)) + "\n")
    pysam.faidx(str(tmp_path / "g.fa"))
    windows = pd.DataFrame({"window_id": ["chr1:0-163840", "chr1:80000-243840"], "chrom": "chr1",
                            "start": [0, 80_000], "end": [window, 80_000 + window], "status": "ok"})
    windows = windows.assign(seq_chrom="chr1", seq_start=windows["start"], seq_end=windows["end"])
    from hicmodels.modelling.prediction import predict

    predict(checkpoint_path=out, fasta_path=tmp_path / "g.fa", windows=windows, out_path=tmp_path / "p.h5",
            settings={"batch_size": 2, "compile": False, "sampling_steps": None, "seed": 0, "samples": 1})
    ids, maps, attrs = read_predictions(tmp_path / "p.h5")
    assert maps.shape == (2, 80, 80) and attrs["values"].startswith("observed/expected")
    inner = maps[:, 32:48, 32:48]
    assert np.isnan(maps[:, :32]).all() and (inner[np.isfinite(inner)] > 0).all()  # exp of log O/E
    assemble_genome(predictions_path=tmp_path / "p.h5", windows=windows, chromsizes=pd.Series({"chr1": 250_000}),
                    settings={"bin_size": 10_000, "min_coverage": 0.5, "band_min_predicted": 0.99},
                    out_path=tmp_path / "m.cool", model="akita")
    clr = cooler.Cooler(str(tmp_path / "m.cool"))
    assert clr.info["metadata"]["values"].startswith("observed/expected")
    assert clr.info["metadata"]["source_format"] == "akita" and len(clr.info["metadata"]["source_sha256"]) == 64
    weight = clr.bins()[:]["weight"].to_numpy()
    # each window predicts its central 16 bins of 2,048 bp (65,536-98,304 bp from its start); 10 kb bins
    # covered for at least half their length by them are valid, the cropped borders are masked
    assert np.flatnonzero(np.isfinite(weight)).tolist() == [7, 8, 9, 15, 16, 17]
    matrix = clr.matrix(balance=True)[:]
    assert (matrix[7:10, 7:10] > 0).all() and (matrix[15:18, 15:18] > 0).all()


# ---------------------------------------------------------------- full size (slow: CI)
@pytest.mark.slow
def test_corigami_full_window_parity(corigami):
    """One 2,097,152 bp window: C.Origami's own 256 x 256 geometry (its diagonalize is unchanged at 256)."""
    reference, path = corigami
    _, model = imported(path, "corigami", raw_tracks=[])
    codes, ctcf, atac = codes_and_tracks(1, 2_097_152)
    theirs, ours = corigami_inputs(codes, ctcf, atac)
    ours[:, 5] = ctcf
    with torch.no_grad():
        expected, got = reference(theirs), model(ours)
    assert got.shape == expected.shape == (1, 256, 256)
    print(f"C.Origami 2 Mb window: max abs diff {(got - expected).abs().max():.3g}, max |output| "
          f"{expected.abs().max():.3g}")
    assert (got - expected).abs().max() <= 1e-5


@pytest.mark.slow
def test_akita_full_window_parity(akita):
    reference, path = akita
    _, model = imported(path, "akita", target=None)
    x = one_hot(codes_and_tracks(1, 1_048_576)[0])
    with torch.no_grad():
        expected, got = reference(x[:, :4].transpose(1, 2)), model(x)
    assert got.shape == expected.shape == (1, 99_681, 5)
    print(f"Akita 1 Mb window: max abs diff {(got - expected).abs().max():.3g}, max |output| "
          f"{expected.abs().max():.3g}")
    # at full size the unscaled |i - j| channel (up to 511) drives outputs to ~100, where float32 steps are
    # 7.6e-6: the dense layer (a Linear here, a k1 Conv1d there) rounds differently by an ulp or two
    assert (got - expected).abs().max() <= 1e-6 * expected.abs().max()
