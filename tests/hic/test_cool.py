import cooler
import numpy as np
import pandas as pd
import pytest

from hicmodels.errors import InputError
from hicmodels.hic.band import band_from_cooler, band_from_dense
from hicmodels.hic.cool import ExperimentalMap, write_cool, zoomify



def test_experimental_map_renames_and_drops(yeast_map):
    assert yeast_map.cool_name["chrM"] == "chrMito"
    assert yeast_map.dropped == ["chr2-micron"]
    assert "chr2-micron" not in yeast_map.cool_name.values()


def test_contact_scale_makes_the_mean_pixel_one(yeast_map):
    chroms = ["chrI", "chrII", "chrIII"]
    scale = yeast_map.contact_scale(chroms)
    lo, hi = yeast_map.chromosome_bins("chrI")[0], yeast_map.chromosome_bins("chrIII")[1]
    matrix = yeast_map.clr.matrix(balance=True)[lo:hi, lo:hi] * scale
    valid = np.isfinite(np.diag(matrix))
    assert np.nanmean(matrix[np.ix_(valid, valid)]) == pytest.approx(1.0)


def test_aligned_window_is_the_scaled_balanced_block(yeast_map):
    got = yeast_map.window("chrIV", 400_000, 600_000, 20, 2.0)
    lo = yeast_map.chromosome_bins("chrIV")[0]
    expected = yeast_map.clr.matrix(balance=True)[lo + 40 : lo + 60, lo + 40 : lo + 60] * 2.0
    np.testing.assert_array_equal(got, expected)


def test_window_past_the_cooler_end_is_nan(yeast_map):
    # chrI: 230,218 bp in the FASTA -> 24 bins in the cooler; a window reaching bin 25 pads with NaN
    got = yeast_map.window("chrI", 50_000, 250_000, 20, 1.0)
    assert np.isnan(got[-1]).all() and np.isfinite(got[0, 0])


def test_off_grid_window_is_resampled(yeast_map):
    """Model bins of 20 kb starting 5 kb off the cooler grid: overlap-weighted means of 10 kb bins."""
    got = yeast_map.window("chrIV", 405_000, 605_000, 10, 1.0)
    lo = yeast_map.chromosome_bins("chrIV")[0]
    fine = yeast_map.clr.matrix(balance=True)[lo + 40 : lo + 61, lo + 40 : lo + 61]
    weights = np.zeros((10, 21))
    for i in range(10):
        weights[i, 2 * i : 2 * i + 3] = [5, 10, 5]
    expected = (weights @ np.nan_to_num(fine) @ weights.T) / (weights @ np.isfinite(fine) @ weights.T)
    np.testing.assert_allclose(got, expected)


def test_missing_weights_is_an_input_error(tmp_path, yeast_fasta):
    from hicmodels.genome.reference import chromsizes

    bins = cooler.binnify(pd.Series({"chrI": 100_000}), 10_000)
    path = tmp_path / "raw.cool"
    cooler.create_cooler(str(path), bins, pd.DataFrame({"bin1_id": [0], "bin2_id": [1], "count": [3]}))
    with pytest.raises(InputError, match="raw.cool: the cooler has no 'weight' column"):
        ExperimentalMap(path, {}, chromsizes(yeast_fasta))


def test_write_cool_and_zoomify(tmp_path):
    sizes = pd.Series({"a": 95, "b": 40})
    rows, cols = np.triu_indices(10)
    values = (rows + cols).astype(float) + 0.5
    valid = np.ones(10, bool)
    valid[3] = False
    keep = (rows != 3) & (cols != 3)
    path = tmp_path / "p.cool"
    write_cool(path, sizes, 10, {"a": (rows[keep], cols[keep], values[keep])}, {"a": valid}, {"note": "x"})
    clr = cooler.Cooler(str(path))
    assert clr.chromnames == ["a", "b"] and clr.chromsizes.tolist() == [95, 40]
    m = clr.matrix(balance=True).fetch("a")
    assert np.isnan(m[3]).all() and m[2, 5] == 7.5 and m[5, 2] == 7.5
    assert np.isnan(clr.matrix(balance=True).fetch("b")).all()  # never predicted: masked
    assert clr.info["metadata"] == {"note": "x"}

    zoomify(path, tmp_path / "p.mcool", [10, 20])
    coarse = cooler.Cooler(f"{tmp_path / 'p.mcool'}::/resolutions/20")
    raw = coarse.matrix(balance=False).fetch("a")
    fine = clr.matrix(balance=False).fetch("a")
    assert raw[1, 2] == fine[2:4, 4:6].sum()  # counts sum into coarse bins
    weight = coarse.bins()["weight"][:].to_numpy()
    assert weight[1] == 2.0 and weight[0] == 1.0  # coarse bin 1 holds one masked fine bin
    assert np.isnan(weight[5:]).all()  # chromosome b
    assert cooler.Cooler(f"{tmp_path / 'p.mcool'}::/resolutions/10").bins()["weight"][:].isna().sum() == 1 + 4


def test_band_from_cooler_matches_dense(yeast_map):
    dense = yeast_map.contacts("chrIII")
    band = band_from_cooler(yeast_map.clr, "chrIII", 6, rows_per_chunk=7)
    np.testing.assert_array_equal(band, band_from_dense(dense, 6))


def test_band_from_cooler_unstored_pixels(tmp_path):
    bins = cooler.binnify(pd.Series({"a": 50}), 10).assign(weight=1.0)
    path = tmp_path / "x.cool"
    cooler.create_cooler(str(path), bins, pd.DataFrame({"bin1_id": [0, 1], "bin2_id": [1, 1], "count": [2.0, 3.0]}),
                         dtypes={"count": float})
    clr = cooler.Cooler(str(path))
    assert band_from_cooler(clr, "a", 2)[0].tolist() == [0.0, 2.0]
    predicted = band_from_cooler(clr, "a", 2, missing=np.nan)
    assert np.isnan(predicted[0, 0]) and predicted[0, 1] == 2.0 and predicted[1, 0] == 3.0


def test_predicted_mcool_is_read_by_cooltools_and_higlass_tiling_with_default_options(tmp_path):
    """cooltools expected-cis and insulation, and clodius (HiGlass tiles), on a predicted .mcool as written."""
    import cooltools
    from clodius.tiles import cooler as tiles

    rng = np.random.default_rng(0)
    sizes = pd.Series({"a": 400, "b": 300})
    pixels, valid = {}, {}
    for chrom, length in sizes.items():
        n = length // 10
        rows, cols = np.triu_indices(n)
        near = cols - rows < 12  # a model window's reach: no pixel farther apart is predicted
        pixels[chrom] = (rows[near], cols[near], 10.0 / (1 + cols[near] - rows[near]) * rng.uniform(0.8, 1.2, near.sum()))
        valid[chrom] = np.ones(n, bool)
    valid["a"][7] = False
    metadata = {"model": "m", "max_predicted_distance_bp": 110, "band_diagonals": 12}
    write_cool(tmp_path / "p.cool", sizes, 10, pixels, valid, metadata, assembly="toy1")
    zoomify(tmp_path / "p.cool", tmp_path / "p.mcool", [10, 20, 40])
    for resolution, diagonals in ((10, 12), (20, 6), (40, 3)):
        clr = cooler.Cooler(f"{tmp_path / 'p.mcool'}::/resolutions/{resolution}")
        band = {"max_predicted_distance_bp": (diagonals - 1) * resolution, "band_diagonals": diagonals}
        assert clr.info["genome-assembly"] == "toy1" and clr.info["metadata"] == {**metadata, **band}
        assert clr._load_attrs(f"{clr.root}/bins/weight")["ignore_diags"] == 0  # what cooltools reads by default
    clr = cooler.Cooler(f"{tmp_path / 'p.mcool'}::/resolutions/10")
    expected = cooltools.expected_cis(clr)
    a = expected[expected["region1"] == "a"].set_index("dist")["balanced.avg"]
    assert np.isnan(a.loc[1]) and a.loc[2] == pytest.approx(10 / 3, rel=0.05) and a.loc[4] == pytest.approx(2.0, rel=0.05)
    insulation = cooltools.insulation(clr, [30])
    assert len(insulation) == len(clr.bins()) and np.isfinite(insulation.loc[20, "log2_insulation_score_30"])
    info = tiles.tileset_info(str(tmp_path / "p.mcool"))
    assert sorted(info["resolutions"]) == [10, 20, 40] and info["max_pos"][0] == 700
    tile = tiles.tiles(str(tmp_path / "p.mcool"), ["x.0.0.0"])
    assert tile[0][0] == "x.0.0.0" and "dense" in tile[0][1]


def test_zoomify_builds_a_human_style_ladder(tmp_path):
    """5k/10k/25k/50k-like ladders (not only base x 2^n): each level sums the base bins it covers."""
    sizes = pd.Series({"a": 500})
    rows, cols = np.triu_indices(100)
    values = np.ones(len(rows))
    write_cool(tmp_path / "p.cool", sizes, 5, {"a": (rows, cols, values)}, {"a": np.ones(100, bool)})
    zoomify(tmp_path / "p.cool", tmp_path / "p.mcool", [5, 10, 25, 50])
    assert sorted(int(r.rsplit("/", 1)[1]) for r in cooler.fileops.list_coolers(str(tmp_path / "p.mcool"))) == [5, 10, 25, 50]
    coarse = cooler.Cooler(f"{tmp_path / 'p.mcool'}::/resolutions/25")
    raw = coarse.matrix(balance=False)[:]
    assert raw[0, 1] == 25 and raw[1, 1] == 15  # 5 x 5 base pixels off the diagonal; 15 in an upper triangle
