"""Hi-C targets on a hand-made cooler: window layout, balancing, the sparsity filter, refusals."""

import json

import cooler
import numpy as np
import pandas as pd
import pytest

from hicmodels.cli import main
from hicmodels.epigenome.targets import hic_targets, read_targets, segment_pairs
from hicmodels.errors import InputError

RES, SIDE = 100, 5  # 5 bins of 100 bp per segment
SETTINGS = {"resolution": RES, "window_bins": SIDE, "max_offset": 1, "balance": "ice", "min_nonzero_fraction": 0.1}


def dense_counts():
    """chrA: 23 bins (4 full segments + 3 bins), contacts within 6 bins of the diagonal; segment 2 has
    contacts only on its diagonal (5 of 25 pixels, 20%) and none with its neighbours."""
    n = 23
    i, j = np.indices((n, n))
    counts = np.where(np.abs(i - j) <= 6, 1 + (i + j) % 5 + (i * j) % 3, 0).astype(np.int32)
    lone = slice(10, 15)
    counts[lone, :] = 0
    counts[:, lone] = 0
    counts[range(10, 15), range(10, 15)] = 4
    return counts


def write_cool(path, counts, chrom="chrA", weights=False):
    n = len(counts)
    bins = pd.DataFrame({"chrom": chrom, "start": np.arange(n) * RES, "end": np.arange(1, n + 1) * RES})
    i, j = np.nonzero(np.triu(counts))
    cooler.create_cooler(str(path), bins, pd.DataFrame({"bin1_id": i, "bin2_id": j, "count": counts[i, j]}))
    if weights:
        cooler.balance_cooler(cooler.Cooler(str(path)), store=True, ignore_diags=0, min_nnz=0, mad_max=0)
    return str(path)


def test_segment_pairs_are_diagonal_and_offset_blocks_of_full_segments():
    assert segment_pairs(23, 5, 0) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert segment_pairs(23, 5, 1) == [(0, 0), (0, 1), (1, 1), (1, 2), (2, 2), (2, 3), (3, 3)]


def test_windows_are_balanced_blocks_with_the_stored_weights(tmp_path):
    counts = dense_counts()
    uri = write_cool(tmp_path / "m.cool", counts, weights=True)
    weight = cooler.Cooler(uri).bins()["weight"][:].to_numpy()
    maps, windows, provenance = hic_targets(uri, ["chrA"], {}, SETTINGS)
    assert "stored weight" in provenance
    assert list(zip(windows["x_start"], windows["y_start"])) == [
        (0, 0), (0, 500), (500, 500), (500, 1000), (1000, 1000), (1000, 1500), (1500, 1500)]
    assert (windows["x_end"] - windows["x_start"] == SIDE * RES).all()
    balanced = counts * weight[:, None] * weight[None, :]
    kept = windows[windows["status"] == "ok"].reset_index(drop=True)
    assert len(maps) == len(kept)
    for k, row in kept.iterrows():
        x, y = row["x_start"] // RES, row["y_start"] // RES
        np.testing.assert_allclose(maps[k], balanced[x : x + SIDE, y : y + SIDE], rtol=1e-6)
    # segment 2 (bins 10-14) has 20% non-zero on its diagonal block, none beside its neighbours
    fraction = windows.set_index(["x_start", "y_start"])["nonzero_fraction"]
    assert fraction[(1000, 1000)] == pytest.approx(0.2)
    assert fraction[(500, 1000)] == 0 and fraction[(1000, 1500)] == 0
    assert sorted(windows.loc[windows["status"] == "sparse", "x_start"]) == [500, 1000]


def test_threshold_is_applied_as_configured(tmp_path):
    uri = write_cool(tmp_path / "m.cool", dense_counts(), weights=True)
    _, windows, _ = hic_targets(uri, ["chrA"], {}, {**SETTINGS, "min_nonzero_fraction": 0.25, "max_offset": 0})
    assert windows.loc[windows["status"] == "sparse", "x_start"].tolist() == [1000]


def test_weights_are_computed_by_cooler_when_the_file_has_none(tmp_path):
    """A band of 20 diagonals over 60 bins: enough contacts per row for cooler's default filters."""
    i, j = np.indices((60, 60))
    counts = np.where(np.abs(i - j) <= 20, 50 // (1 + np.abs(i - j)) + (i + j) % 3, 0).astype(np.int32)
    uri = write_cool(tmp_path / "m.cool", counts)
    weight, _ = cooler.balance_cooler(cooler.Cooler(uri), cis_only=True, store=False)
    maps, windows, provenance = hic_targets(uri, ["chrA"], {}, {**SETTINGS, "max_offset": 0})
    assert "computed" in provenance
    assert np.isnan(weight[:4]).all() and np.isfinite(weight[4:56]).all()  # cooler masks 4 bins at each end
    balanced = np.nan_to_num(counts * weight[:, None] * weight[None, :])
    # window (0, 0) keeps 1 of 25 pixels (4%): dropped, so the first kept map is bins 5-9
    assert windows["status"].tolist()[:2] == ["sparse", "ok"] and windows["x_start"][1] == 500
    np.testing.assert_allclose(maps[0], balanced[5:10, 5:10], rtol=1e-6)
    raw, _, _ = hic_targets(uri, ["chrA"], {}, {**SETTINGS, "max_offset": 0, "balance": "none"})
    np.testing.assert_array_equal(raw[1], counts[5:10, 5:10])


def test_kr_and_a_wrong_resolution_are_refused(tmp_path):
    uri = write_cool(tmp_path / "m.cool", dense_counts(), weights=True)
    with pytest.raises(InputError, match="KR balancing is offered by neither cooler nor cooltools"):
        hic_targets(uri, ["chrA"], {}, {**SETTINGS, "balance": "kr"})
    with pytest.raises(InputError, match="bins of 100 bp; the Hi-C targets need 5000 bp"):
        hic_targets(uri, ["chrA"], {}, {**SETTINGS, "resolution": 5000})


def test_cooler_names_pass_through_the_aliases(tmp_path):
    uri = write_cool(tmp_path / "m.cool", dense_counts(), chrom="A", weights=True)
    _, windows, _ = hic_targets(uri, ["chrA"], {"A": "chrA", "chrA": "chrA"}, SETTINGS)
    assert set(windows["chrom"]) == {"chrA"}
    with pytest.raises(InputError, match=r"no chromosomes \['chrA'\]"):
        hic_targets(uri, ["chrA"], {}, SETTINGS)


def test_command_writes_kept_windows_and_the_full_table(tmp_path):
    uri = write_cool(tmp_path / "m.cool", dense_counts(), weights=True)
    out, table = tmp_path / "targets.h5", tmp_path / "windows.tsv"
    settings = json.dumps({"targets": SETTINGS, "chromosomes": ["chrA"]})
    assert main(["epigenome", "targets", "--cool", uri, "--out", str(out), "--windows", str(table),
                 "--config", settings]) == 0
    maps, kept, attrs = read_targets(out)
    everything = pd.read_csv(table, sep="\t")
    assert len(everything) == 7 and len(kept) == len(maps) == 5
    assert kept["chrom"].tolist() == ["chrA"] * 5 and attrs["balance"] == "ice" and len(attrs["sha256"]) == 64
    assert main(["epigenome", "targets", "--cool", uri, "--out", str(tmp_path / "again.h5"), "--windows",
                 str(tmp_path / "again.tsv"), "--config", settings]) == 0
    assert (tmp_path / "again.h5").read_bytes() == out.read_bytes()
