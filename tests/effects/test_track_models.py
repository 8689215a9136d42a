"""Models that read tracks: each window's tracks are lifted from the reference beside its sequence.

The toy model reads the track only (``M[i, j] = (1 + |i - j|)^-1 (1 + t_i t_j)``, one track value
per model bin), so what it predicts for a window is known from the reference bins the window's
sequence came from: a deleted stretch takes its values with it, inserted bases read 0, a reversed
window reads them reversed, and a variant that moves no sequence (an SNV) changes nothing.
"""

import numpy as np
import pyBigWig
import pytest
import torch

from hicmodels import models
from hicmodels.effects import score_variant_effects
from hicmodels.errors import InputError
from hicmodels.modelling.checkpoints import save_checkpoint
from hicmodels.modelling.tracks import TrackSet

from effects_helpers import random_sequence, run
from variant_helpers import write_fasta, write_vcf

SEQ = random_sequence(4000, seed=3)
SEQS = {"chr1": SEQ}
VALUES = np.arange(40, dtype=np.float32)[None, :] / 10  # reference bin k of chr1 reads k / 10
DEL = ("chr1", 1400, "del", SEQ[1399], "<DEL>", "PASS", "SVTYPE=DEL;END=1600;SVLEN=-200", "1|0")


class TrackModel:
    """Reads one track per 100 bp bin, ignores the sequence; records the tracks it was given."""

    window_size, nbins, digest, track_names, track_bin = 800, 8, "track-model", ["ctcf"], 100

    def __init__(self):
        self.seen = []

    def __call__(self, codes, tracks):
        self.seen += list(tracks[:, 0])
        i = np.arange(self.nbins)
        distance = 1.0 / (1 + np.abs(np.subtract.outer(i, i)))
        return distance * (1 + tracks[:, 0, :, None] * tracks[:, 0, None, :])


def score(tmp_path, rows, model=None, **settings):
    asked = []

    def read_tracks(chroms):
        asked.append(chroms)
        return TrackSet(["ctcf"], 100, {"chr1": VALUES})

    model = model or TrackModel()
    table, maps, cache, _ = run(tmp_path, SEQS, rows, predictor=model, read_tracks=read_tracks,
                                backgrounds=["reference"], **settings)
    assert asked == [["chr1"]]
    return table, maps, cache, model


def expected_map(t):
    i = np.arange(len(t))
    return (1 + np.outer(t, t)) / (1 + np.abs(np.subtract.outer(i, i)))


@pytest.mark.parametrize("reverse", [False, True])
def test_a_deletion_takes_its_tracks_with_it(tmp_path, reverse):
    table, maps, _, model = score(tmp_path, [DEL], reverse_complement=reverse)
    (row,) = table.itertuples()
    start, ref, alt = maps[0]
    assert start == 1100 and row.n_samples == (2 if reverse else 1)
    np.testing.assert_allclose(ref, expected_map(VALUES[0, 11:19]), rtol=1e-6)
    # ALT window: reference 1000-1400 and 1600-2000; grid bins 3, 4 deleted; a reversed window's
    # tracks reversed with its sequence, so its map flipped back is the forward one
    assert np.allclose(model.seen[1], VALUES[0, [10, 11, 12, 13, 16, 17, 18, 19]])
    alt_window = expected_map(VALUES[0, [10, 11, 12, 13, 16, 17, 18, 19]])
    expected = np.full((8, 8), np.nan)
    kept_grid, kept_window = [0, 1, 2, 5, 6, 7], [1, 2, 3, 4, 5, 6]
    expected[np.ix_(kept_grid, kept_grid)] = alt_window[np.ix_(kept_window, kept_window)]
    np.testing.assert_allclose(alt, expected, rtol=1e-6, equal_nan=True)
    if reverse:
        assert row.scd_sd == pytest.approx(0, abs=1e-9)


def test_inserted_bases_read_zero(tmp_path):
    inserted = random_sequence(200, seed=9)
    rows = [("chr1", 1600, "ins", SEQ[1599], SEQ[1599] + inserted, "PASS", ".", "1|0")]
    _, _, cache, model = score(tmp_path, rows)
    assert cache.made == 2
    np.testing.assert_allclose(model.seen[0], VALUES[0, 12:20])  # REF: centred on the insertion point
    np.testing.assert_allclose(model.seen[1], [1.3, 1.4, 1.5, 0, 0, 1.6, 1.7, 1.8], rtol=1e-6)


def test_an_snv_moves_no_track(tmp_path):
    """Sequence-only change, tracks unchanged: the track-reading toy model sees nothing (a real model
    reading both sees the sequence channel only; the measured tracks are the sample's state, which
    the variant may have changed)."""
    rows = [("chr1", 1501, "snv", SEQ[1500], "A" if SEQ[1500] != "A" else "C", "PASS", ".", "1|0")]
    table, _, cache, model = score(tmp_path, rows)
    assert cache.made == 2  # the bases differ, so two keys
    np.testing.assert_array_equal(model.seen[0], model.seen[1])
    assert table["scd"].iloc[0] == 0


def test_tracks_are_part_of_the_prediction_key(tmp_path):
    from hicmodels.effects.predictions import PredictionCache

    cache = PredictionCache(TrackModel(), "m", 8)
    bases = SEQ[:800].encode()
    one = cache.request(bases, tracks=VALUES[:, :8])
    assert cache.request(bases, tracks=VALUES[:, :8]) == one
    assert cache.request(bases, tracks=VALUES[:, 8:16]) != one
    assert cache.request(bases) != one and len(cache.pending) == 3


def tiny_track_checkpoint(path):
    config = {"architecture": "encoder_decoder", "channels": [6, 4, 8], "pools": [10, 10], "transformer_layers": 1,
              "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0, "tracks": ["ctcf"],
              "track_bin": 100, "diffusion": {"dim": 8, "dim_mults": [1, 2], "timesteps": 5}}
    torch.manual_seed(0)
    save_checkpoint({"model_config": config, "state_dict": models.build(config).state_dict(), "contact_scale": 1.0,
                     "bin_size": 100, "window_size": 800}, path)
    return path


def test_a_checkpoint_that_reads_tracks_scores_with_the_cell_lines_bigwig(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", SEQS)
    vcf = write_vcf(tmp_path / "in.vcf", SEQS, [DEL])
    bigwig = tmp_path / "ctcf.bw"
    with pyBigWig.open(str(bigwig), "w") as bw:
        bw.addHeader([("chr1", 4000)])
        bw.addEntries("chr1", 0, values=[float(v) for v in np.expm1(VALUES[0])], span=100, step=100)
    checkpoint = tiny_track_checkpoint(tmp_path / "model.pt")
    settings = {"effects": {"classes": [], "min_size": 0, "regions": "", "max_variants": None,
                            "backgrounds": ["reference"], "shifts": [0], "reverse_complement": False, "min_offset": 1,
                            "insulation_window": 2, "di_window": 2, "triangle_bins": 2, "scc_h": 1, "top_n": 1},
                "variants": {"unphased": "hap1", "filters": ["PASS"], "filter_missing": "accept",
                             "ref_mismatch": "error", "overlap": "skip", "unknown_contig": "error"},
                "prediction": {"batch_size": 8, "compile": False, "sampling_steps": None, "seed": 0}}
    samples = [{"name": "S1", "vcf": vcf, "vcf_sample": "S1"}]
    table, counts = score_variant_effects(reference=fasta, samples=samples, settings=settings,
                                          out_dir=tmp_path / "out", checkpoint=checkpoint, threads=1,
                                          track_paths={"ctcf": str(bigwig)})
    assert len(table) == 1 and table["status"].iloc[0] == "ok" and np.isfinite(table["scd"].iloc[0])
    assert counts["made"].iloc[0] == 2
    with pytest.raises(InputError, match="no bigWig given for \\['ctcf'\\]"):
        score_variant_effects(reference=fasta, samples=samples, settings=settings, out_dir=tmp_path / "out2",
                              checkpoint=checkpoint, threads=1)


def test_a_sequence_only_checkpoint_reads_the_one_hot_window(tmp_path):
    from hicmodels.effects.predictions import ModelPredictor
    from hicmodels.genome.sequence import encode, one_hot
    from hicmodels.modelling.prediction import to_values

    config = {"architecture": "encoder_decoder", "channels": [5, 4, 8], "pools": [10, 10], "transformer_layers": 1,
              "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0,
              "diffusion": {"dim": 8, "dim_mults": [1, 2], "timesteps": 5}}
    torch.manual_seed(0)
    model = models.build(config).eval()
    save_checkpoint({"model_config": config, "state_dict": model.state_dict(), "contact_scale": 1.0,
                     "bin_size": 100, "window_size": 800}, tmp_path / "model.pt")
    predictor = ModelPredictor(tmp_path / "model.pt", {"compile": False, "sampling_steps": None, "seed": 0}, 1)
    assert predictor.track_names == [] and (predictor.window_size, predictor.nbins) == (800, 8)
    codes = np.stack([encode(SEQ[:800].encode()), encode(SEQ[800:1600].encode())])
    with torch.inference_mode():
        expected = to_values(model(one_hot(torch.from_numpy(codes))), "log1p_contacts").numpy()
    np.testing.assert_allclose(predictor(codes), expected, rtol=1e-5, atol=1e-6)
