"""Track stores: per-bin means against pyBigWig's own statistics, lifting through an indel, the reader API."""

import json

import numpy as np
import pandas as pd
import pyBigWig
import pytest

from hicmodels.cli import main
from hicmodels.epigenome.store import lifted_tracks, open_track_store, reference_tracks, sources, write_track_store
from hicmodels.errors import InputError
from hicmodels.files import file_sha256
from hicmodels.genome.liftover import BLOCK_COLUMNS, read_chain, write_chain

BIN = 10
SIZES = {"c1": 205, "c2": 60}


def write_bigwig(path, intervals, sizes=SIZES):
    """A bigWig of ``(chrom, start, end, value)`` intervals (gaps are bases without data)."""
    bw = pyBigWig.open(str(path), "w")
    bw.addHeader(list(sizes.items()))
    for chrom, start, end, value in intervals:
        bw.addEntries([chrom], [start], ends=[end], values=[float(value)])
    bw.close()
    return path


@pytest.fixture
def bigwigs(tmp_path):
    # c1: a step signal, a gap at 45-72 (half bins on both sides), values to the end; c2 fully covered
    atac = write_bigwig(tmp_path / "atac.bw", [("c1", 0, 13, 2.0), ("c1", 13, 45, 5.0), ("c1", 72, 150, 1.5),
                                               ("c1", 150, 205, 7.0), ("c2", 0, 60, 3.0)])
    ctcf = write_bigwig(tmp_path / "ctcf.bw", [("c1", i, i + 1, i % 7) for i in range(205)]
                        + [("c2", i, i + 1, i % 3) for i in range(60)])
    return {"atac": atac, "ctcf": ctcf}


def expected_bins(path, chrom, length, bin_size):
    """log1p of each bin's mean with absent bases as 0, from pyBigWig's exact mean over covered bases x coverage."""
    out = []
    with pyBigWig.open(str(path)) as bw:
        for start in range(0, length, bin_size):
            end = min(start + bin_size, length)
            mean = bw.stats(chrom, start, end, type="mean", exact=True)[0]
            covered = bw.stats(chrom, start, end, type="coverage", exact=True)[0]
            out.append(np.log1p(0.0 if mean is None else mean * covered))
    return np.array(out)


def test_store_holds_log1p_of_pybigwig_means_with_absent_bases_as_zero(bigwigs, tmp_path):
    tracks = reference_tracks(bigwigs, ["c1", "c2"], BIN)
    write_track_store(tmp_path / "reference.h5", tracks, "reference", sources(bigwigs))
    with open_track_store(tmp_path / "reference.h5") as store:
        assert store.names == ["atac", "ctcf"] and store.bin_size == BIN and store.transform == "log1p"
        assert store.chroms == {"c1": 21, "c2": 6}  # the last c1 bin holds 5 bases
        for chrom, length in SIZES.items():
            values = store.window(chrom, 0, store.chroms[chrom] * BIN)
            for i, name in enumerate(store.names):
                np.testing.assert_allclose(values[i], expected_bins(bigwigs[name], chrom, length, BIN), rtol=1e-6)
        # the gap: bin 40-50 has 5 bases of 5.0, bins 50-70 none, bin 70-80 8 bases of 1.5
        np.testing.assert_allclose(store.window("c1", 40, 80)[0], np.log1p([2.5, 0, 0, 1.2]), rtol=1e-6)
        assert [s["sha256"] for s in store.sources] == [file_sha256(bigwigs["atac"]), file_sha256(bigwigs["ctcf"])]


def test_window_rounds_start_down_and_pads_off_the_chromosome_with_zeros(bigwigs, tmp_path):
    write_track_store(tmp_path / "r.h5", reference_tracks(bigwigs, ["c1", "c2"], BIN), "reference", [])
    with open_track_store(tmp_path / "r.h5") as store:
        whole = store.window("c2", 0, 60)
        np.testing.assert_array_equal(store.window("c2", 17, 47), whole[:, 1:4])  # from bin 1, 3 bins
        edge = store.window("c2", -20, 80)
        assert edge.shape == (2, 10)
        np.testing.assert_array_equal(edge[:, 2:8], whole)
        assert not edge[:, :2].any() and not edge[:, 8:].any()
        with pytest.raises(InputError, match="no chromosome 'c3'"):
            store.window("c3", 0, 10)


def test_store_is_byte_identical_when_rewritten(bigwigs, tmp_path):
    for name in ("a.h5", "b.h5"):
        write_track_store(tmp_path / name, reference_tracks(bigwigs, ["c1"], BIN), "reference", sources(bigwigs))
    assert (tmp_path / "a.h5").read_bytes() == (tmp_path / "b.h5").read_bytes()


def test_a_chromosome_absent_from_a_bigwig_is_an_error(tmp_path):
    only_c1 = write_bigwig(tmp_path / "x.bw", [("c1", 0, 205, 1.0)], {"c1": 205})
    with pytest.raises(InputError, match=r"has no chromosomes \['c2'\]"):
        reference_tracks({"x": only_c1}, ["c1", "c2"], BIN)


def test_haplotype_store_shifts_exactly_with_the_chain(bigwigs, tmp_path):
    """hap: c1 with 20 bp inserted at 100 and 30 bp deleted at 150-180; c2 unchanged."""
    blocks = pd.DataFrame([("c1", 0, 100, "c1", 0, 100, "+"), ("c1", 100, 150, "c1", 120, 170, "+"),
                           ("c1", 180, 205, "c1", 170, 195, "+"), ("c2", 0, 60, "c2", 0, 60, "+")],
                          columns=BLOCK_COLUMNS)
    write_chain(blocks, SIZES, {"c1": 195, "c2": 60}, tmp_path / "hap1.chain")
    write_track_store(tmp_path / "reference.h5", reference_tracks(bigwigs, ["c1", "c2"], BIN), "reference",
                      sources(bigwigs))
    assert main(["epigenome", "lift-store", "--store", str(tmp_path / "reference.h5"), "--chain",
                 str(tmp_path / "hap1.chain"), "--genome", "s.hap1", "--out", str(tmp_path / "hap1.h5")]) == 0
    with open_track_store(tmp_path / "reference.h5") as ref, open_track_store(tmp_path / "hap1.h5") as hap:
        assert hap.genome == "s.hap1" and hap.names == ref.names and hap.chroms == {"c1": 20, "c2": 6}
        r, h = ref.window("c1", 0, 210), hap.window("c1", 0, 200)
        np.testing.assert_array_equal(h[:, :10], r[:, :10])  # before the insertion
        assert not h[:, 10:12].any()  # the inserted 20 bp: no data
        np.testing.assert_array_equal(h[:, 12:17], r[:, 10:15])  # shifted by exactly 2 bins
        np.testing.assert_array_equal(h[:, 17:20], r[:, 18:21])  # after the deletion: 3 bins further on
        np.testing.assert_array_equal(hap.window("c2", 0, 60), ref.window("c2", 0, 60))
        assert {s["name"] for s in hap.sources} == {"reference_store", "chain"}


def test_lifted_tracks_keep_only_personal_chromosomes_of_stored_ones(bigwigs, tmp_path):
    blocks = pd.DataFrame([("c1", 0, 205, "c1", 0, 205, "+"), ("c9", 0, 50, "c9", 0, 50, "+")], columns=BLOCK_COLUMNS)
    write_chain(blocks, {"c1": 205, "c9": 50}, {"c1": 205, "c9": 50}, tmp_path / "h.chain")
    write_track_store(tmp_path / "r.h5", reference_tracks(bigwigs, ["c1"], BIN), "reference", [])
    blocks, _, personal = read_chain(tmp_path / "h.chain")
    with open_track_store(tmp_path / "r.h5") as store:
        lifted = lifted_tracks(store, blocks, personal)
        assert list(lifted.values) == ["c1"]
        np.testing.assert_array_equal(lifted.values["c1"], store.window("c1", 0, 210))


def test_store_command_writes_tracks_in_the_given_order(bigwigs, tmp_path):
    out = tmp_path / "reference.h5"
    settings = json.dumps({"tracks": {"bin_size": 20}, "chromosomes": ["c2"]})
    assert main(["epigenome", "store", "--tracks", f"ctcf={bigwigs['ctcf']}", f"atac={bigwigs['atac']}",
                 "--out", str(out), "--config", settings]) == 0
    with open_track_store(out) as store:
        assert store.names == ["ctcf", "atac"] and store.bin_size == 20 and list(store.chroms) == ["c2"]
        np.testing.assert_allclose(store.window("c2", 0, 60)[0], expected_bins(bigwigs["ctcf"], "c2", 60, 20), rtol=1e-6)


def test_not_a_store_is_one_line_error(tmp_path):
    (tmp_path / "x.h5").write_text("nope")
    with pytest.raises(InputError, match="not a track store"):
        open_track_store(tmp_path / "x.h5")


def test_nan_values_count_as_bases_without_data(tmp_path):
    """A bigWig interval stored as NaN is treated as absent (0), so its bin averages the other half only."""
    path = write_bigwig(tmp_path / "nan.bw", [("c1", 0, 15, float("nan")), ("c1", 15, 205, 2.0)], {"c1": 205})
    values = reference_tracks({"x": path}, ["c1"], BIN).values["c1"][0]
    np.testing.assert_allclose(values[:3], np.log1p([0.0, 1.0, 2.0]), rtol=1e-6)
