import cooler
import gemmi
import h5py
import numpy as np
import pandas as pd
import pytest

from hicmodels.errors import InputError
from hicmodels.structure import io


def _ensemble(rng, n_structures=3, n_bins=4, beads_per_bin=2):
    beads = n_bins * beads_per_bin
    masks = np.ones((2, beads), np.uint8)
    masks[1, 3:] = 0
    daughter = rng.normal(size=(n_structures, beads, 3)).astype(np.float32) * masks[1][None, :, None]
    contacts = rng.uniform(size=(n_bins, n_bins))
    bins = pd.DataFrame({"chrom": "chrA", "start": np.arange(n_bins) * 100 + 500,
                         "end": np.arange(n_bins) * 100 + 600})
    return dict(coordinates=rng.normal(size=(n_structures, beads, 3)).astype(np.float32), daughter=daughter,
                masks=masks, contacts=(contacts + contacts.T) / 2, bins=bins, units="nm", seed=7,
                source_map="maps/x.cool::chrA:500-900", circular=True, beads_per_bin=beads_per_bin,
                contact_distance=45.0)


def test_hdf5_round_trip_keeps_every_array_and_attribute(tmp_path):
    ensemble = _ensemble(np.random.default_rng(0))
    io.write_ensemble(tmp_path / "e.h5", **ensemble)
    back = io.read_ensemble(tmp_path / "e.h5")
    assert back["input_contacts"] is None
    for name in ("coordinates", "daughter", "masks", "contacts"):
        assert np.array_equal(back[name], ensemble[name]) and back[name].dtype == np.asarray(ensemble[name]).dtype
    assert back["coordinates"].shape == (3, 8, 3) and back["coordinates"].dtype == np.float32
    pd.testing.assert_frame_equal(back["bins"], ensemble["bins"], check_dtype=False)
    for name in ("units", "seed", "source_map", "circular", "beads_per_bin", "contact_distance"):
        assert back[name] == ensemble[name]
    io.write_ensemble(tmp_path / "input.h5", **ensemble, input_contacts=2 * ensemble["contacts"])
    assert np.array_equal(io.read_ensemble(tmp_path / "input.h5")["input_contacts"], 2 * ensemble["contacts"])
    # the same inputs give the same bytes
    io.write_ensemble(tmp_path / "again.h5", **ensemble)
    assert (tmp_path / "e.h5").read_bytes() == (tmp_path / "again.h5").read_bytes()


def test_hdf5_refuses_files_that_are_not_ensembles(tmp_path):
    ensemble = _ensemble(np.random.default_rng(0))
    with pytest.raises(ValueError, match="8 beads for 3 bins"):
        io.write_ensemble(tmp_path / "bad.h5", **{**ensemble, "bins": ensemble["bins"].iloc[:3]})
    assert not (tmp_path / "bad.h5").exists()
    io.write_ensemble(tmp_path / "e.h5", **ensemble)
    with h5py.File(tmp_path / "e.h5", "r+") as store:
        del store["masks"]
    with pytest.raises(InputError, match=r"e\.h5: structure ensemble lacks masks"):
        io.read_ensemble(tmp_path / "e.h5")
    (tmp_path / "text.h5").write_text("x")
    with pytest.raises(InputError, match=r"text\.h5: not an HDF5 file"):
        io.read_ensemble(tmp_path / "text.h5")
    with h5py.File(tmp_path / "other.h5", "w") as store:
        store["x"] = 1
    with pytest.raises(InputError, match="not a structure ensemble"):
        io.read_ensemble(tmp_path / "other.h5")


def test_mmcif_is_read_back_by_gemmi(tmp_path):
    ensemble = _ensemble(np.random.default_rng(1))
    io.write_mmcif(tmp_path / "s.cif", ensemble["coordinates"][:2], ensemble["daughter"][:2], ensemble["masks"],
                   scale=10.0, name="ensemble_test", circular=True)
    structure = gemmi.read_structure(str(tmp_path / "s.cif"))
    assert len(structure) == 2  # one model per structure
    for model, parental, daughter in zip(structure, ensemble["coordinates"], ensemble["daughter"]):
        chains = {chain.name: chain for chain in model}
        assert sorted(chains) == ["A", "B"]
        a = np.array([[r[0].pos.x, r[0].pos.y, r[0].pos.z] for r in chains["A"]])
        assert np.allclose(a, 10.0 * parental, atol=6e-4)  # three decimals of angstroms
        assert [r.seqid.num for r in chains["A"]] == list(range(1, 9))
        # the daughter chain holds only the replicated beads 1-3
        assert [r.seqid.num for r in chains["B"]] == [1, 2, 3]
        b = np.array([[r[0].pos.x, r[0].pos.y, r[0].pos.z] for r in chains["B"]])
        assert np.allclose(b, 10.0 * daughter[:3], atol=6e-4)


def test_ensemble_cool_holds_the_map_in_reference_coordinates(tmp_path):
    ensemble = _ensemble(np.random.default_rng(2))
    chromsizes = pd.Series({"chrA": 1000, "chrB": 300})
    io.write_ensemble_cool(tmp_path / "e.cool", chromsizes, 100, "chrA", 5, ensemble["contacts"],
                           metadata={"source": "test"})
    clr = cooler.Cooler(str(tmp_path / "e.cool"))
    assert clr.binsize == 100 and list(clr.chromnames) == ["chrA", "chrB"]
    whole = clr.matrix(balance=False).fetch("chrA")
    assert np.allclose(whole[5:9, 5:9], ensemble["contacts"])
    assert whole[:5].sum() == 0 and whole[9:].sum() == 0
    weight = clr.bins().fetch("chrA")["weight"].to_numpy()
    assert np.isnan(weight[:5]).all() and np.array_equal(weight[5:9], np.ones(4)) and np.isnan(weight[9:]).all()
    assert clr.info["metadata"] == {"source": "test"}
    # cooltools reads it with its default options: the region's diagonals have values, the rest none
    import cooltools

    expected = cooltools.expected_cis(clr).set_index(["region1", "dist"])["balanced.avg"]
    assert np.isfinite(expected.loc[("chrA", 2)]) and np.isnan(expected.loc[("chrB", 2)])
    assert np.isfinite(cooltools.insulation(clr, [200])["log2_insulation_score_200"]).any()


def test_chain_bonds_join_the_chains_and_the_forks():
    masks = np.ones((2, 6), np.uint8)
    masks[1] = [1, 1, 0, 0, 0, 1]  # a ring's replicated segment around bead 0: 5, 0, 1
    bonds = set(io.chain_bonds(masks, circular=True))
    parental = {("A", i, "A", (i + 1) % 6) for i in range(6)}
    daughter = {("B", 5, "B", 0), ("B", 0, "B", 1)}
    forks = {("B", 1, "A", 2), ("B", 5, "A", 4)}
    assert bonds == parental | daughter | forks
    linear = set(io.chain_bonds(np.array([[1, 1, 1], [1, 1, 0]], np.uint8), circular=False))
    assert linear == {("A", 0, "A", 1), ("A", 1, "A", 2), ("B", 0, "B", 1), ("B", 1, "A", 2)}


def test_mmcif_bonds_are_read_back_by_gemmi(tmp_path):
    ensemble = _ensemble(np.random.default_rng(1))
    io.write_mmcif(tmp_path / "s.cif", ensemble["coordinates"][:1], ensemble["daughter"][:1], ensemble["masks"],
                   scale=10.0, name="bonds", circular=False)
    structure = gemmi.read_structure(str(tmp_path / "s.cif"))
    read = {(c.partner1.chain_name, c.partner1.res_id.seqid.num, c.partner2.chain_name, c.partner2.res_id.seqid.num)
            for c in structure.connections}
    expected = {(a, i + 1, b, j + 1) for a, i, b, j in io.chain_bonds(ensemble["masks"], circular=False)}
    assert read == expected and len(read) == 7 + 2 + 1  # parental chain, daughter beads 1-3, the fork 3-4
