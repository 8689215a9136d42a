import numpy as np
import pandas as pd
import pytest

from hicmodels.structure import figures


def _ensemble(circular, input_contacts=None):
    n = 6
    offset = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    separation = np.minimum(offset, n - offset) if circular else offset
    contacts = 1.0 / (1 + separation)
    coords = np.arange(2 * n * 3, dtype=np.float32).reshape(1, 2 * n, 3)
    bins = pd.DataFrame({"chrom": "chrA", "start": np.arange(n) * 100 + 1000, "end": np.arange(n) * 100 + 1100})
    return {"contacts": contacts, "input_contacts": input_contacts, "circular": circular, "bins": bins,
            "coordinates": coords, "beads_per_bin": 2, "units": "nm"}


def test_contact_decay_table_is_normalised_at_one_bin_and_circular_for_a_ring():
    ring = figures.contact_decay_table(_ensemble(True, input_contacts=np.full((6, 6), 2.0)))
    assert ring["separation_bins"].tolist() == [0, 1, 2, 3]
    assert ring["separation_bp"].tolist() == [0, 100, 200, 300]
    # ensemble P(s) = 1 / (1 + s), divided by P(1) = 1/2
    assert np.allclose(ring["ensemble"], [2, 1, 2 / 3, 1 / 2])
    assert np.allclose(ring["input"], 1.0)
    linear = figures.contact_decay_table(_ensemble(False))
    assert len(linear) == 6 and list(linear.columns) == ["separation_bins", "separation_bp", "ensemble"]


def test_figures_write_pngs_with_their_numbers(tmp_path):
    ensemble = _ensemble(True)
    ensemble["input_contacts"] = 40 * ensemble["contacts"]  # the same shape in other units (counts)
    figures.plot_contact_decay(ensemble, tmp_path / "ps.png")
    figures.plot_maps(ensemble, tmp_path / "maps.png")
    figures.plot_projection(ensemble, tmp_path / "projection.png")
    for stem in ("ps", "maps", "projection"):
        assert (tmp_path / f"{stem}.png").read_bytes()[:4] == b"\x89PNG"
    maps = pd.read_csv(tmp_path / "maps.tsv", sep="\t")
    assert sorted(maps["map"].unique()) == ["ensemble", "input"]
    row = maps[(maps["map"] == "ensemble") & (maps["start1"] == 1000) & (maps["start2"] == 1500)]
    assert row["value"].item() == pytest.approx(1.0)  # bins 0 and 5 are neighbours on the ring: 1 / P(1)
    # each map on the scale of its own contacts one bin apart: one shape, one colour
    by_map = {label: group["value"].to_numpy() for label, group in maps.groupby("map")}
    assert by_map["input"] == pytest.approx(by_map["ensemble"])
    projection = pd.read_csv(tmp_path / "projection.tsv", sep="\t")
    assert projection["bin"].tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert projection[["x", "y", "z"]].to_numpy() == pytest.approx(ensemble["coordinates"][0])
