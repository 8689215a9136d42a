"""Tracks: bigWig binning, aliases, and tracks lifted through a haplotype's chain."""

import numpy as np
import pandas as pd
import pyBigWig
import pytest

from hicmodels.errors import InputError
from hicmodels.genome.liftover import BLOCK_COLUMNS, invert
from hicmodels.modelling.prediction import window_tracks
from hicmodels.modelling.tracks import TrackSet, bin_bigwig, parse_tracks


@pytest.fixture
def bigwig(tmp_path):
    path = tmp_path / "t.bw"
    bw = pyBigWig.open(str(path), "w")
    bw.addHeader([("chrA", 250), ("chrB", 100)])
    bw.addEntries(["chrA", "chrA"], [0, 150], ends=[100, 160], values=[2.0, 10.0])
    bw.addEntries(["chrB"], [0], ends=[100], values=[1.0])
    bw.close()
    return path


def test_bigwig_binning_is_log1p_of_the_bin_mean(bigwig):
    values = bin_bigwig(bigwig, "chrA", 100)
    # bins: 100 bp at 2.0; 10 of 100 bp at 10.0; the partial last bin (50 bp) empty
    assert np.allclose(values, np.log1p([2.0, 1.0, 0.0]))


def test_track_set_uses_aliases_and_pads_outside(bigwig):
    tracks = TrackSet.from_bigwigs({"ctcf": str(bigwig)}, ["ctcf"], ["chr1"], 100, aliases={"chrA": "chr1"})
    window = tracks.window("chr1", -100, 300)
    assert np.allclose(window, [np.log1p([0.0, 2.0, 1.0, 0.0])])
    with pytest.raises(InputError, match="no chromosomes \\['chr9'\\]"):
        TrackSet.from_bigwigs({"ctcf": str(bigwig)}, ["ctcf"], ["chr9"], 100)
    with pytest.raises(InputError, match="no bigWig given for \\['atac'\\]"):
        TrackSet.from_bigwigs({"ctcf": str(bigwig)}, ["ctcf", "atac"], ["chrB"], 100)


def test_tracks_follow_the_sequence_through_a_haplotype_chain(tmp_path):
    """Reference bins 0-9 carry 1..10. The haplotype keeps ref 0-300, inserts 200 bp, keeps 300-500,
    deletes 500-700, inverts 700-900 and keeps 900-1000: each personal bin must carry the value of
    the reference bin its sequence came from, and 0 on inserted sequence."""
    path = tmp_path / "steps.bw"
    with pyBigWig.open(str(path), "w") as bw:
        bw.addHeader([("chrA", 1000)])
        bw.addEntries("chrA", 0, values=[float(i + 1) for i in range(10)], span=100, step=100)
    blocks = pd.DataFrame([("chrA", 0, 300, "chrA", 0, 300, "+"), ("chrA", 300, 500, "chrA", 500, 700, "+"),
                           ("chrA", 700, 900, "chrA", 700, 900, "-"), ("chrA", 900, 1000, "chrA", 900, 1000, "+")],
                          columns=BLOCK_COLUMNS)
    reference = TrackSet.from_bigwigs({"ctcf": str(path)}, ["ctcf"], ["chrA"], 100)
    lifted = reference.lifted(blocks, {"chrA": 1000})
    source_bin = [0, 1, 2, None, None, 3, 4, 8, 7, 9]
    expected = [0.0 if b is None else np.log1p(b + 1) for b in source_bin]
    assert np.allclose(lifted.window("chrA", 0, 1000), [expected])
    assert np.allclose(reference.window("chrA", 0, 1000), [np.log1p(np.arange(1, 11))])


def test_haplotype_windows_need_their_chain_for_tracks(bigwig):
    windows = pd.DataFrame({"chrom": ["chrA"], "start": [0], "end": [200], "seq_chrom": ["chrA"],
                            "seq_start": [50], "seq_end": [250]})
    with pytest.raises(InputError, match="give the haplotype's chain"):
        window_tracks({"ctcf": str(bigwig)}, ["ctcf"], 100, None, windows, chain=None)
    reference = windows.assign(seq_start=0, seq_end=200)
    assert window_tracks({"ctcf": str(bigwig)}, ["ctcf"], 100, None, reference, None).values["chrA"].shape == (1, 3)


def test_parse_tracks():
    assert parse_tracks(["ctcf=a.bw", "atac=dir/b=c.bw"]) == {"ctcf": "a.bw", "atac": "dir/b=c.bw"}
    with pytest.raises(InputError, match="'ctcf' is not NAME=PATH"):
        parse_tracks(["ctcf"])


def test_a_window_from_any_base_reads_the_bins_its_sequence_came_from(tmp_path):
    """The haplotype of the test above; windows of 4 bins, also from a base that is no bin edge."""
    path = tmp_path / "steps.bw"
    with pyBigWig.open(str(path), "w") as bw:
        bw.addHeader([("chrA", 1000)])
        bw.addEntries("chrA", 0, values=[float(i + 1) for i in range(10)], span=100, step=100)
    blocks = pd.DataFrame([("chrA", 0, 300, "chrA", 0, 300, "+"), ("chrA", 300, 500, "chrA", 500, 700, "+"),
                           ("chrA", 700, 900, "chrA", 700, 900, "-"), ("chrA", 900, 1000, "chrA", 900, 1000, "+")],
                          columns=BLOCK_COLUMNS)
    reference = TrackSet.from_bigwigs({"ctcf": str(path)}, ["ctcf"], ["chrA"], 100)
    to_reference = invert(blocks)
    # from personal 250: bin centres 300 and 400 are inserted bases, 500 and 600 are reference 300 and
    # 400 (bins 3 and 4, values 4 and 5)
    assert np.allclose(reference.lifted_window(to_reference, "chrA", 250, 4), [np.log1p([0, 0, 4, 5])])
    # from a bin edge: the whole-chromosome lift's window (inverted bins mirrored)
    for start in (0, 300, 600):
        np.testing.assert_allclose(reference.lifted_window(to_reference, "chrA", start, 4),
                                   reference.lifted(blocks, {"chrA": 1000}).window("chrA", start, start + 400))
    # on the reference itself: centres 300-600 are reference bins 3-6
    identity = invert(pd.DataFrame([("chrA", 0, 1000, "chrA", 0, 1000, "+")], columns=BLOCK_COLUMNS))
    assert np.allclose(reference.lifted_window(identity, "chrA", 250, 4), [np.log1p([4, 5, 6, 7])])
