"""Akita's joint training of several maps: one output per cell line, each cell line's checkpoint selects its own."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

from hicmodels import cli, models
from hicmodels.cli.common import experimental_map
from hicmodels.errors import InputError
from hicmodels.genome.reference import chromsizes
from hicmodels.genome.sequence import GenomeCodes
from hicmodels.genome.windows import reference_windows, write_windows
from hicmodels.modelling.checkpoints import load_checkpoint
from hicmodels.modelling.inputs import WindowDataset, model_input
from hicmodels.modelling.training import joint_targets, select_target, train
from hicmodels.simulation import synthetic_genome as synthetic

from conftest import REPO

BINSIZE, BINS = 128, 32
PRESET = {**yaml.safe_load((REPO / "config" / "config.yaml").read_text())["model_presets"]["akita_synthetic"],
          "targets": 2}
TRAINING = {"epochs": 1, "batch_size": 8, "learning_rate": 0.003, "seed": 0, "shift_bp": 10, "resume": False}


@pytest.fixture(scope="module")
def genome(tmp_path_factory):
    out = tmp_path_factory.mktemp("joint")
    paths = synthetic.write_genome(synthetic.make_genome(n_chroms=3, nbins=80, binsize=BINSIZE, seed=2), BINSIZE, out)
    sizes = chromsizes(paths["fasta"])
    windows = reference_windows(sizes, list(sizes.index), BINS * BINSIZE, 8 * BINSIZE, BINSIZE,
                                pd.DataFrame(columns=["chrom", "start", "end", "name"]),
                                {"test": ["chr3"], "validation": ["chr2"]})
    write_windows(windows, out / "windows.tsv")
    (out / "aliases.tsv").write_text("canonical\talias\nchr1\t1\n")
    maps = [experimental_map(paths[k], out / "aliases.tsv", paths["fasta"], True) for k in ("observed", "truth")]
    return {"out": out, "paths": paths, "windows": windows, "maps": maps}


def test_joint_loss_pools_every_outputs_errors():
    """The squared errors against both maps at once are the sums of each output's against its own map."""
    torch.manual_seed(0)
    model = models.build({k: v for k, v in PRESET.items() if k not in ("latent", "beta")} | {"dropout": 0.0}).eval()
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (2, BINS * BINSIZE)), 5).float().transpose(1, 2)
    maps = torch.randn(2, 2, BINS, BINS)
    maps[:, 1, 5, 9] = float("nan")  # a masked pixel of the second map only
    with torch.no_grad():
        total, count, _ = model.squared_errors(x, maps)
        parts = []
        for i in range(2):
            model.target = i
            parts.append(model.squared_errors(x, maps[:, i])[:2])
    assert float(total) == pytest.approx(float(parts[0][0] + parts[1][0]), rel=1e-5)
    assert count == parts[0][1] + parts[1][1] == parts[0][1] * 2 - 2  # the NaN pixel counted in neither


def test_reverse_complement_flips_each_map(genome):
    """A flipped window flips every target map on its own bins, never across the maps."""
    rows = genome["windows"][genome["windows"]["split"] == "train"].head(1)
    codes = GenomeCodes.from_fasta(genome["paths"]["fasta"], genome["out"] / "g.npy", ["chr1"])
    targets = joint_targets(genome["maps"], rows, BINS, [1.0, 1.0], {"architecture": "encoder_decoder"})
    dataset = WindowDataset(codes, rows, targets, reverse_complement=True)
    seen = set()
    for seed in range(12):
        item = dataset[(0, seed)]["target"].numpy()
        flipped = np.array_equal(item, targets[0][:, ::-1, ::-1], equal_nan=True)
        assert flipped or np.array_equal(item, targets[0], equal_nan=True)
        seen.add(flipped)
    assert seen == {True, False} and targets.shape == (1, 2, BINS, BINS)


def test_joint_training_and_each_cell_lines_output(genome, tmp_path):
    argv = ["modelling", "train", "--fasta", genome["paths"]["fasta"], "--cool", genome["paths"]["observed"],
            genome["paths"]["truth"], "--aliases", genome["out"] / "aliases.tsv", "--windows",
            genome["out"] / "windows.tsv", "--config", json.dumps({"model": PRESET, "training": TRAINING}),
            "--checkpoint", tmp_path / "joint.pt", "--log-table", tmp_path / "joint.tsv", "--threads", 1]
    assert cli.main([str(a) for a in argv]) == 0
    joint = load_checkpoint(tmp_path / "joint.pt")
    chroms = ["chr1"]
    assert joint["contact_scale"] == pytest.approx([m.contact_scale(chroms) for m in genome["maps"]])
    assert len(joint["noise_variance"]) == 2 and min(joint["noise_variance"]) > 0
    out = tmp_path / "second.pt"
    assert cli.main(["modelling", "select-target", "--checkpoint", str(tmp_path / "joint.pt"), "--target", "1",
                     "--out", str(out)]) == 0
    second = load_checkpoint(out)
    assert second["contact_scale"] == joint["contact_scale"][1]
    assert second["noise_variance"] == joint["noise_variance"][1]
    rows = genome["windows"][genome["windows"]["split"] == "test"].head(2)
    codes = GenomeCodes.from_fasta(genome["paths"]["fasta"], tmp_path / "g.npy", ["chr3"])
    x = model_input(next(iter(torch.utils.data.DataLoader(WindowDataset(codes, rows), batch_size=2))))
    both = models.build({**joint["model_config"], "target": None})
    both.load_state_dict(joint["state_dict"])
    chosen = models.build(second["model_config"])
    chosen.load_state_dict(second["state_dict"])
    with torch.no_grad():
        outputs, maps = both.eval()(x), chosen.eval()(x)
    rows_, cols_ = both.upper_triangle(BINS - 2 * PRESET["crop"])
    c = PRESET["crop"]
    torch.testing.assert_close(maps[:, rows_ + c, cols_ + c], outputs[..., 1])
    assert not torch.allclose(outputs[..., 0], outputs[..., 1])
    with pytest.raises(InputError, match="not a jointly trained checkpoint"):
        select_target(second, 0)
    with pytest.raises(InputError, match="1 maps for a model with 2 targets"):
        train(fasta_path=genome["paths"]["fasta"], experimental=genome["maps"][:1], windows=genome["windows"],
              model_config=PRESET, training_config=TRAINING, checkpoint_path=tmp_path / "x.pt",
              log_path=tmp_path / "x.tsv")
