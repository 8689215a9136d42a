"""Config checks of the model, training and prediction sections, and the chromosome folds."""

import copy

import pytest
import yaml

from hicmodels.config import check_config, chromosome_splits, leave_one_out, model_preset
from hicmodels.errors import InputError

from conftest import REPO


@pytest.fixture
def config(monkeypatch):
    monkeypatch.chdir(REPO)  # the config's paths are relative to the repository
    with open(REPO / "config" / "config.yaml") as handle:
        return yaml.safe_load(handle)


def test_shipped_config_passes(config):
    check_config(config)
    assert model_preset(config)["architecture"] == "encoder_decoder"


def test_leave_one_out_folds(config):
    chroms = ["chr1", "chr2", "chr3"]
    assert leave_one_out(chroms, 0) == {"test": ["chr1"], "validation": ["chr2"]}
    assert leave_one_out(chroms, 2) == {"test": ["chr3"], "validation": ["chr1"]}
    config["training"]["fold"] = 12
    assert chromosome_splits(config) == {"test": ["chrXIII"], "validation": ["chrXIV"]}
    check_config(config)
    config["training"]["fold"] = 16
    with pytest.raises(InputError, match="training.fold: 16 is outside 0..15"):
        check_config(config)


@pytest.mark.parametrize("change, message", [
    (lambda c: c["model"]["presets"]["yeast"].update(tracks=["ctcf"]), "channels\\[0\\] must be 5 .* \\+ 1 tracks"),
    (lambda c: c["model"]["presets"]["yeast"].update(tracks=["ctcf"], channels=[6, 8, 16, 16, 32, 32, 32, 32, 32]),
     "needs track_bin"),
    (lambda c: c["model"]["presets"]["yeast"].update(tracks=["ctcf"], track_bin=300,
                                                     channels=[6, 8, 16, 16, 32, 32, 32, 32, 32]),
     "not a multiple of track_bin 300"),
    (lambda c: c["model"]["presets"]["yeast"].update(tracks=["ctcf"], track_bin=100,
                                                     channels=[6, 8, 16, 16, 32, 32, 32, 32, 32]),
     "reads track 'ctcf': add its bigWig to hic.cell_lines.yeast.tracks"),
    (lambda c: (c["model"].update(diffusion=True), c["model"]["presets"]["yeast"]["diffusion"].update(
        dim_mults=[1, 2, 4, 8])), "bins \\(20\\) must be a multiple of 8"),
    (lambda c: c["prediction"].update(sampling_steps=50), "sampling_steps: 50 is more than the 10 timesteps"),
])
def test_model_preset_problems_are_named(config, change, message):
    broken = copy.deepcopy(config)
    change(broken)
    with pytest.raises(InputError, match=message):
        check_config(broken)
