"""Checkpoints: byte-reproducible saving, plain-weights loading, and the refusals that name the file."""

import copy
import pickle

import pytest
import torch

from hicmodels import config, models
from hicmodels.errors import InputError
from hicmodels.modelling.checkpoints import (
    check_compatible,
    describe,
    lightning_weights,
    load_checkpoint,
    save_checkpoint,
    with_legacy_keys,
)

TINY = {"architecture": "encoder_decoder", "channels": [5, 4, 8], "pools": [8, 8], "transformer_layers": 1,
        "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0,
        "diffusion": {"dim": 8, "dim_mults": [1, 2], "timesteps": 5}}


def _checkpoint():
    torch.manual_seed(0)
    model = models.build(TINY)
    return {"model_config": models.complete(TINY), "state_dict": model.state_dict(), "contact_scale": 2.0,
            "bin_size": 64,
            "window_size": 1024, "targets": "balanced", "epoch": 3}


def test_saving_twice_gives_the_same_bytes_and_loads_back(tmp_path):
    checkpoint = _checkpoint()
    save_checkpoint(checkpoint, tmp_path / "a.pt")
    save_checkpoint(checkpoint, tmp_path / "b" / "a.pt")
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "b" / "a.pt").read_bytes()
    loaded = load_checkpoint(tmp_path / "a.pt")
    assert loaded["window_size"] == 1024 and loaded["model_config"] == {**TINY, **LEGACY}
    assert all(torch.equal(loaded["state_dict"][k], v) for k, v in checkpoint["state_dict"].items())
    n = sum(v.numel() for k, v in checkpoint["state_dict"].items() if not k.endswith("num_batches_tracked"))
    assert describe(loaded) == (f"encoder_decoder, {n:,} parameter values, 1,024 bp windows of 64 bp bins, "
                                f"balanced targets, values log1p_contacts, epoch 3")
    with pytest.raises(ValueError, match=r"checkpoint lacks \['window_size'\]"):
        save_checkpoint({k: v for k, v in checkpoint.items() if k != "window_size"}, tmp_path / "c.pt")
    assert not (tmp_path / "c.pt").exists()


LEGACY = {"head_kernel": 3, "symmetric": True, "pair_order": "ij"}  # the encoder-decoder before these were options


def test_checkpoints_older_than_a_model_key_load_with_the_value_they_were_trained_with(tmp_path, monkeypatch):
    """A model config without the readout/symmetry/pair-order keys gets the old code's values on loading,
    not the schema's defaults: here the schema's are changed and new configs follow them, old files do not."""
    torch.manual_seed(0)
    old_code = models.build({**TINY, **LEGACY}).eval()
    save_checkpoint({**_checkpoint(), "model_config": TINY, "state_dict": old_code.state_dict()}, tmp_path / "old.pt")
    schema = copy.deepcopy(config.config_schema())
    branch = next(b["then"] for b in schema["definitions"]["model_preset"]["allOf"] if "head_kernel" in str(b))
    branch["properties"] = {"head_kernel": {"default": 1}, "symmetric": {"default": False},
                            "pair_order": {"default": "ji"}}
    monkeypatch.setattr(config, "config_schema", lambda: schema)
    assert models.complete(TINY) == {**TINY, "head_kernel": 1, "symmetric": False, "pair_order": "ji"}
    loaded = load_checkpoint(tmp_path / "old.pt")
    assert loaded["model_config"] == {**TINY, **LEGACY}
    model = models.build(loaded["model_config"]).eval()
    model.load_state_dict(loaded["state_dict"])
    x = torch.nn.functional.one_hot(torch.randint(0, 5, (2, 1024)), 5).float().transpose(1, 2)
    with torch.no_grad():
        assert torch.equal(model(x), old_code(x))
    assert with_legacy_keys({"architecture": "diffusion", "encoder_decoder": TINY})["encoder_decoder"] == {
        **TINY, **LEGACY}
    assert with_legacy_keys({"architecture": "corigami", "hidden": 256})["decoder_hidden"] == 256


class _Payload:
    def __reduce__(self):
        return (print, ("code ran",))


def test_bad_checkpoint_files_are_named_and_refused(tmp_path, capsys):
    path = tmp_path / "pickled.pt"
    torch.save({"model": _Payload()}, path)
    with pytest.raises(InputError, match=rf"{path}: not a plain-weights checkpoint; refusing to unpickle it"):
        load_checkpoint(path)
    assert "code ran" not in capsys.readouterr().out
    good = tmp_path / "good.pt"
    save_checkpoint(_checkpoint(), good)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:4000])
    with pytest.raises(InputError, match=rf"{truncated}: checkpoint is truncated or corrupt"):
        load_checkpoint(truncated)
    with pytest.raises(InputError, match=rf"{tmp_path / 'none.pt'}: checkpoint not found"):
        load_checkpoint(tmp_path / "none.pt")
    weights_only = tmp_path / "weights.pt"
    torch.save(_checkpoint()["state_dict"], weights_only)
    with pytest.raises(InputError, match="not a hicmodels checkpoint: missing model_config, state_dict, contact_scale"):
        load_checkpoint(weights_only)
    plain = tmp_path / "list.pt"
    torch.save([1, 2], plain)
    with pytest.raises(InputError, match="not a hicmodels checkpoint: it holds a list, not a dict"):
        load_checkpoint(plain)
    with open(tmp_path / "raw.pt", "wb") as handle:
        pickle.dump({"a": 1}, handle)
    with pytest.raises(InputError, match="raw.pt: "):
        load_checkpoint(tmp_path / "raw.pt")


def test_geometry_and_lightning_weights(tmp_path):
    checkpoint = _checkpoint()
    check_compatible(checkpoint, 1024, 64, "x.pt")
    with pytest.raises(InputError, match="x.pt: checkpoint was trained on 1,024 bp windows of 64 bp bins; this run "
                                         "uses 200,000 bp windows of 64 bp bins"):
        check_compatible(checkpoint, 200_000, None, "x.pt")
    torch.save({"state_dict": {"model.w": torch.ones(2), "model.encoder.b": torch.zeros(1)}, "epoch": 1},
               tmp_path / "last.ckpt")
    weights = lightning_weights(tmp_path / "last.ckpt")
    assert sorted(weights) == ["encoder.b", "w"] and torch.equal(weights["w"], torch.ones(2))
