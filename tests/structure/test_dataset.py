import numpy as np
import pytest

from hicmodels.config import resolve, section_schema
from hicmodels.errors import InputError
from hicmodels.structure.dataset import training_ensemble, unrestrained_bins
from hicmodels.structure.ensemble import bin_contact_map


def tiny(**overrides):
    """structure.simulation with the schema's defaults, shrunk to 8 bins of 4 beads and short runs."""
    given = {"bins": 8, "beads_per_bin": 4, "kept_beads_per_bin": 2, "structures": 4, "equilibration_steps": 200,
             "release_steps": 20, "sample_every": 100, "replication_factors": [1.0, 1.5],
             "confinement": {"size_nm": [120.0, 120.0, 260.0]}, **overrides}
    return resolve({"simulation": given}, section_schema("structure"), "test")["simulation"]


def test_an_ensemble_is_paired_with_its_own_contact_map():
    settings = tiny()
    bins = unrestrained_bins(settings)
    assert bins["start"].tolist()[:2] == [0, 5000] and len(bins) == 8
    ensemble = training_ensemble(settings, 0, bins, circular=True)
    assert ensemble["coordinates"].shape == (4, 16, 3)
    assert np.array_equal(ensemble["contacts"], bin_contact_map(ensemble["coordinates"], 90.0, 2))
    assert ensemble["seed"] == 0 and ensemble["input_contacts"] is None and ensemble["circular"]


def test_ensembles_take_their_seed_and_replication_factor_from_the_index():
    settings = tiny(seed=10)
    bins = unrestrained_bins(settings)
    second = training_ensemble(settings, 1, bins, circular=True)
    third = training_ensemble(settings, 2, bins, circular=True)
    assert second["seed"] == 11 and third["seed"] == 12
    assert second["masks"][1].mean() == pytest.approx(0.5)  # G 1.5: half the chain copied
    assert third["masks"][1].sum() == 0  # the list is used cyclically: G 1.0 again
    assert not np.array_equal(second["coordinates"], third["coordinates"])


def test_extrusion_settings_reach_the_simulation():
    plain = tiny()
    extruded = tiny(extrusion={"separation_beads": 4, "lifetime_moves": 20, "steps_per_move": 20, "barriers": [[3, "+"]]})
    bins = unrestrained_bins(plain)
    first = training_ensemble(plain, 0, bins, circular=False)["coordinates"]
    second = training_ensemble(extruded, 0, bins, circular=False)["coordinates"]
    assert not np.array_equal(first, second)
    with pytest.raises(InputError, match=r"barriers: bins \[8\] are outside the 8 simulated bins"):
        training_ensemble(tiny(extrusion={"barriers": [[8, "-"]]}), 0, bins, circular=False)
