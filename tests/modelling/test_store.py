"""The predictions file: what is written is read back, attributes included, and empty sets work."""

import numpy as np

from hicmodels.modelling.store import read_predictions, write_predictions


def test_round_trip_keeps_ids_maps_and_attributes(tmp_path):
    maps = np.arange(2 * 3 * 3, dtype=np.float32).reshape(2, 3, 3)
    write_predictions(tmp_path / "p.h5", np.array(["chr1:0-10", "chr2:5-15"]), maps,
                      {"contact_scale": 2.5, "architecture": "diffusion", "seed": 4})
    ids, got, attrs = read_predictions(tmp_path / "p.h5")
    assert ids.tolist() == ["chr1:0-10", "chr2:5-15"] and np.array_equal(got, maps)
    assert attrs == {"contact_scale": 2.5, "architecture": "diffusion", "seed": 4}
    write_predictions(tmp_path / "e.h5", np.array([], dtype=str), np.empty((0, 3, 3), np.float32), {})
    ids, got, _ = read_predictions(tmp_path / "e.h5")
    assert len(ids) == 0 and got.shape == (0, 3, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.h5", "p.h5"]  # no temporary file left
