"""MIX-HIC pre-training and fine-tuning on arrays: byte-identical reruns, pre-trained weights loaded, losses, patience."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from hicmodels.modelling import mixhic
from hicmodels.modelling.checkpoints import load_checkpoint

TINY = {"architecture": "mixhic", "task": "hic", "dim": 4, "depth": 1, "heads": 1, "mlp_ratio": 1, "dropout": 0.1,
        "map_bins": 10, "segment_length": 500, "conv_pools": [5, 5, 2, 1]}
TRAINING = {"epochs": 2, "batch_size": 4, "learning_rate": 0.003, "weight_decay": 0.01, "seed": 0, "patience": None,
            "devices": 1, "workers": 0, "resume": False}


def arrays(n, seed):
    rng = np.random.default_rng(seed)
    return {"tracks": rng.random((n, 2, 1000)), "hic": rng.random((n, 10, 10)),
            "loop": rng.integers(0, 2, n).astype(float), "cage": rng.random((n, 20))}


def run(tmp_path, name, function=mixhic.pretrain, config=TINY, training=TRAINING, **kwargs):
    path = tmp_path / f"{name}.pt"
    function(train=arrays(12, 0), validation=arrays(8, 1), model_config=config, training_config=training,
             checkpoint_path=path, log_path=tmp_path / f"{name}.tsv", contact_scale=2.0, threads=1, **kwargs)
    return path


def test_pretraining_is_byte_identical_given_the_seed(tmp_path):
    first, again = run(tmp_path, "a"), run(tmp_path, "b")
    assert first.read_bytes() == again.read_bytes()
    other = run(tmp_path, "c", training={**TRAINING, "seed": 1})
    assert other.read_bytes() != first.read_bytes()
    checkpoint = load_checkpoint(first)
    assert checkpoint["stage"] == "pretraining" and checkpoint["contact_scale"] == 2.0
    assert checkpoint["bin_size"] == 5000 and checkpoint["window_size"] == 50_000
    assert len((tmp_path / "a.tsv").read_text().splitlines()) == 3  # header + 2 epochs


def test_finetuning_starts_from_the_pretrained_modules(tmp_path):
    pretrained = load_checkpoint(run(tmp_path, "pre"))
    frozen = {**TRAINING, "learning_rate": 0.0, "weight_decay": 0.0, "epochs": 1}
    tuned = load_checkpoint(run(tmp_path, "tuned", mixhic.finetune, {**TINY, "task": "loop"}, frozen,
                                infer_map=False, pretrained=pretrained))
    for key, value in tuned["state_dict"].items():
        if key.startswith(mixhic.PRETRAINED) and ".running_" not in key and "num_batches_tracked" not in key:
            torch.testing.assert_close(value, pretrained["state_dict"][key], msg=key)
    scratch = load_checkpoint(run(tmp_path, "scratch", mixhic.finetune, {**TINY, "task": "loop"}, frozen,
                                  infer_map=False))
    key = "epigenome_encoder.convs.0.0.weight"
    assert not torch.equal(scratch["state_dict"][key], pretrained["state_dict"][key])
    assert tuned["pretrained"] and not scratch["pretrained"]


def test_patience_stops_when_validation_does_not_improve(tmp_path):
    """Learning rate 0 (only batch-norm statistics move): the run ends 2 epochs after its best, well before 10."""
    run(tmp_path, "stop", training={**TRAINING, "learning_rate": 0.0, "epochs": 10, "patience": 2})
    rows = np.loadtxt(tmp_path / "stop.tsv", skiprows=1, ndmin=2)
    best = int(rows[np.argmin(rows[:, 2]), 0])
    assert len(rows) == best + 2 < 10


def test_task_losses_and_the_inferred_map():
    data = mixhic.ArrayDataset(arrays(4, 2))
    batch = {k: v for k, v in torch.utils.data.default_collate([data[i] for i in range(4)]).items()}
    torch.manual_seed(0)
    loop = mixhic.MixHiCStage(mixhic.models.complete({**TINY, "task": "loop"}), 0.1, 0.0, pretraining=False).eval()
    expected = F.binary_cross_entropy(torch.sigmoid(loop.model(batch["tracks"], batch["hic"])), batch["loop"])
    assert loop.loss(batch).item() == pytest.approx(expected.item(), rel=1e-5)
    # the map is the head's log O/E plus the expectation at each pixel's offset |distance + j - i|
    decay = np.linspace(3.0, 0.1, 25)
    infer = mixhic.MixHiCStage(mixhic.models.complete(TINY), 0.1, 0.0, pretraining=False, infer_map=True,
                               expected=decay).eval()
    batch["distance"] = torch.tensor([0.0, 3.0, 7.0, 15.0])
    by_hand = np.array([[[decay[abs(d + j - i)] for j in range(10)] for i in range(10)] for d in (0, 3, 7, 15)])
    expected = ((infer.model(batch["tracks"]) + torch.as_tensor(by_hand, dtype=torch.float32) - batch["hic"]) ** 2)
    assert infer.loss(batch).item() == pytest.approx(expected.mean().item(), rel=1e-5)
    with pytest.raises(ValueError, match="expectation"):
        mixhic.MixHiCStage(mixhic.models.complete(TINY), 0.1, 0.0, pretraining=False, infer_map=True)
    cage = mixhic.MixHiCStage(mixhic.models.complete({**TINY, "task": "cage"}), 0.1, 0.0, pretraining=False).eval()
    expected = ((cage.model(batch["tracks"], batch["hic"]) - batch["cage"]) ** 2).mean()
    assert cage.loss(batch).item() == pytest.approx(expected.item(), rel=1e-5)


def test_predict_gives_probabilities_and_reads_the_map_only_when_trained_with_it(tmp_path):
    checkpoint = load_checkpoint(run(tmp_path, "loop", mixhic.finetune, {**TINY, "task": "loop"}, infer_map=False))
    data = arrays(5, 3)
    p = mixhic.predict(checkpoint, data["tracks"], data["hic"], batch_size=2)
    assert p.shape == (5,) and np.all((p > 0) & (p < 1))
    with pytest.raises(ValueError, match="give hic"):
        mixhic.predict(checkpoint, data["tracks"])
    maps = load_checkpoint(run(tmp_path, "map", mixhic.finetune, infer_map=True))
    first = mixhic.predict(maps, data["tracks"])
    assert first.shape == (5, 10, 10)
    np.testing.assert_array_equal(first, mixhic.predict(maps, data["tracks"], data["hic"] * 0))


def test_the_map_is_the_heads_log_oe_plus_the_training_windows_expectation(tmp_path):
    """The checkpoint's expectation: log1p of the training windows' mean contact per offset; predict adds it."""
    train = {**arrays(12, 0), "distance": np.array([0, 1, 2] * 4)}  # offsets 0-11
    mixhic.finetune(train=train, validation=arrays(8, 1), model_config=TINY, training_config=TRAINING,
                    checkpoint_path=tmp_path / "map.pt", log_path=tmp_path / "map.tsv", contact_scale=1.0,
                    infer_map=True, threads=1)
    maps = load_checkpoint(tmp_path / "map.pt")
    sums, counts = np.zeros(12), np.zeros(12)
    for window, d in zip(train["hic"], train["distance"]):
        for i in range(10):
            for j in range(10):
                sums[abs(d + j - i)] += np.expm1(window[i, j])
                counts[abs(d + j - i)] += 1
    np.testing.assert_allclose(maps["expected"], np.log1p(sums / counts), rtol=1e-6)
    data = arrays(2, 3)
    diagonal = mixhic.predict(maps, data["tracks"])
    shifted = mixhic.predict(maps, data["tracks"], distance=[0, 2])  # the second window's y starts 2 bins after x
    np.testing.assert_array_equal(shifted[0], diagonal[0])
    expected, (i, j) = np.asarray(maps["expected"]), np.indices((10, 10))
    np.testing.assert_allclose(shifted[1] - diagonal[1], expected[np.abs(2 + j - i)] - expected[np.abs(j - i)],
                               atol=1e-5)
    with pytest.raises(ValueError, match=r"offsets \[12, 13\]"):
        mixhic.predict(maps, data["tracks"], distance=[4, 0])
    with pytest.raises(ValueError, match=r"validation windows reach offsets \[10, 11\]"):
        mixhic.map_expectation(arrays(3, 0) | {"distance": np.zeros(3)}, arrays(3, 0) | {"distance": np.full(3, 2)})
