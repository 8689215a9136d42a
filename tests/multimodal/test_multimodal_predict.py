"""A genome's MIX-HIC predictions placed in reference coordinates (hicmodels.multimodal.predict).

The model is replaced by an oracle that reads its answer off the tracks (the signal of the bins it is
shown), so each output must come back as the known signal of the reference bins, on the reference and
on a haplotype lacking 2 kb.
"""

import numpy as np
import pandas as pd
import pyBigWig
import pytest

from hicmodels.epigenome.store import lifted_tracks, open_track_store, write_track_store
from hicmodels.genome.windows import haplotype_windows, reference_windows
from hicmodels.modelling.tracks import TrackSet
from hicmodels.multimodal import predict as module
from hicmodels.files import write_bigwig
from hicmodels.multimodal.predict import cage_track, loop_scores, predict_maps

BIN, STEP, BINS, LENGTH = 1000, 100, 4, 60_000
PER_BIN = BIN // STEP
SIGNAL = np.arange(LENGTH // BIN) + 1.0  # bin k of the reference carries signal k + 1
BLOCKS = pd.DataFrame([("chr1", 0, 10_000, "chr1", 0, 10_000, "+"), ("chr1", 12_000, LENGTH, "chr1", 10_000,
                                                                    LENGTH - 2000, "+")],
                      columns=["chrom", "start", "end", "pchrom", "pstart", "pend", "strand"])
CHECKPOINT = {"model_config": {"map_bins": BINS, "tracks": ["a"]}, "bin_size": BIN, "contact_scale": 2.0}


def bin_signal(tracks):
    """The oracle's per-bin signal of track 0: (n, 2 * BINS), x bins then y bins, log1p."""
    return tracks[:, 0, ::PER_BIN]


@pytest.fixture
def genomes(tmp_path):
    values = {"chr1": np.log1p(np.repeat(SIGNAL, PER_BIN))[None].astype(np.float32)}
    write_track_store(tmp_path / "reference.h5", TrackSet(["a"], STEP, values), "reference", [])
    with open_track_store(tmp_path / "reference.h5") as reference:
        write_track_store(tmp_path / "hap.h5", lifted_tracks(reference, BLOCKS, {"chr1": LENGTH - 2000}), "hap", [])
    excluded = pd.DataFrame(columns=["chrom", "start", "end", "name"])
    windows = reference_windows(pd.Series({"chr1": LENGTH}), ["chr1"], BINS * BIN, BIN * BINS // 2, BIN, excluded,
                                {"test": [], "validation": []})
    hap_windows = haplotype_windows(windows, BLOCKS, {"chr1": LENGTH - 2000})
    with open_track_store(tmp_path / "reference.h5") as reference, open_track_store(tmp_path / "hap.h5") as hap:
        yield {"reference": (reference, windows, None), "hap": (hap, hap_windows, BLOCKS)}


def test_cage_lands_on_its_reference_bins_and_deleted_bins_stay_empty(genomes, monkeypatch, tmp_path):
    monkeypatch.setattr(module, "predict", lambda checkpoint, tracks, batch_size=64: bin_signal(tracks))
    sizes = pd.Series({"chr1": LENGTH})
    reference = cage_track(CHECKPOINT, genomes["reference"][0], genomes["reference"][1], sizes)["chr1"]
    np.testing.assert_allclose(reference, SIGNAL, rtol=1e-5)  # float32 store
    store, windows, blocks = genomes["hap"]
    hap = cage_track(CHECKPOINT, store, windows, sizes, blocks)["chr1"]
    assert np.isnan(hap[10:12]).all()
    kept = np.r_[0:10, 12:len(SIGNAL)]
    np.testing.assert_allclose(hap[kept], SIGNAL[kept], rtol=1e-5)
    write_bigwig(tmp_path / "cage.bw", {"chr1": hap}, sizes, BIN)
    with pyBigWig.open(str(tmp_path / "cage.bw")) as bw:
        assert bw.chroms() == {"chr1": LENGTH}
        intervals = bw.intervals("chr1", 9000, 13000)
        assert [i[:2] for i in intervals] == [(9000, 10000), (12000, 13000)]
        np.testing.assert_allclose([i[2] for i in intervals], [10, 13], rtol=1e-5)


def test_loop_candidates_are_scored_at_their_lifted_anchors(genomes, monkeypatch):
    # the oracle's score: the signal of the x segment's centre bin (bin1) times 1000 plus the y's (bin2)
    monkeypatch.setattr(module, "predict", lambda checkpoint, tracks, batch_size=64:
                        np.expm1(bin_signal(tracks)[:, BINS // 2]) * 1000 + np.expm1(bin_signal(tracks)[:, BINS + BINS // 2]))
    labels = pd.DataFrame({"chrom": "chr1", "bin1": [3, 5, 8, 20], "bin2": [7, 11, 30, 25], "label": [1, 0, 1, 0]})
    reference = loop_scores(CHECKPOINT, genomes["reference"][0], labels)
    assert reference["name"].tolist() == ["loop", "negative", "loop", "negative"]
    assert reference[["start1", "end1", "start2", "end2"]].values.tolist() == [
        [3000, 4000, 7000, 8000], [5000, 6000, 11000, 12000], [8000, 9000, 30000, 31000],
        [20000, 21000, 25000, 26000]]
    np.testing.assert_allclose(reference["score"], (labels["bin1"] + 1) * 1000 + labels["bin2"] + 1, rtol=1e-5)
    store, _, blocks = genomes["hap"]
    hap = loop_scores(CHECKPOINT, store, labels, blocks)
    # bin 11 is deleted in the haplotype: that candidate is left out; the others score as on the reference
    pd.testing.assert_frame_equal(hap, reference.drop(index=1).reset_index(drop=True))


def test_maps_are_contacts_symmetrised_for_the_ok_windows(genomes, monkeypatch):
    rows = np.log1p(np.arange(BINS, dtype=float))[:, None] * np.ones(BINS)  # row r holds log1p(r)
    monkeypatch.setattr(module, "predict", lambda checkpoint, tracks, batch_size=64: np.stack([rows] * len(tracks)))
    store, windows, _ = genomes["reference"]
    windows.loc[1, "status"] = "too_many_n"
    ids, maps = predict_maps(CHECKPOINT, store, windows, 8)
    assert ids.tolist() == windows.loc[windows["status"] == "ok", "window_id"].tolist()
    r = np.arange(BINS, dtype=float)
    np.testing.assert_allclose(maps[0], (r[:, None] + r[None, :]) / 2, rtol=1e-6)
    windows.loc[0, "seq_end"] += BIN
    with pytest.raises(ValueError, match="is not 4 bins of 1000 bp"):
        predict_maps(CHECKPOINT, store, windows, 8)
    windows["status"] = "too_many_n"  # nothing to predict: nothing written, nothing asked of the model
    ids, maps = predict_maps(CHECKPOINT, store, windows, 8)
    assert len(ids) == 0 and maps.shape == (0, BINS, BINS)
    cage = cage_track(CHECKPOINT, store, windows, pd.Series({"chr1": LENGTH}))["chr1"]
    assert len(cage) == LENGTH // BIN and np.isnan(cage).all()
