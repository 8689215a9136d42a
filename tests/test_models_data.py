"""Model inputs: the memory-mapped genome, window slicing, augmentation, binned tracks."""

import pickle

import numpy as np
import pandas as pd
import pyBigWig
import pysam
import pytest
import torch

from hicmodels.data import WindowDataset, model_input
from hicmodels.errors import InputError
from hicmodels.genome.liftover import BLOCK_COLUMNS
from hicmodels.genome.sequence import GenomeCodes, encode, one_hot, reverse_complement
from hicmodels.prediction import window_tracks
from hicmodels.tracks import TrackSet, bin_bigwig, parse_tracks


@pytest.fixture
def fasta(tmp_path):
    path = tmp_path / "g.fa"
    path.write_text(">a\nACGTNacgtRYAAAA\n>b\nGGGGCCCC\n")
    pysam.faidx(str(path))
    return path


def test_genome_codes_match_the_fasta_and_pad_with_n(fasta, tmp_path):
    genome = GenomeCodes.from_fasta(fasta, tmp_path / "g.npy", ["b", "a"])
    assert isinstance(genome.codes, np.memmap)
    assert genome.fetch("a", 0, 15).tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 4, 0, 0, 0, 0]
    assert genome.fetch("b", -2, 3).tolist() == [4, 4, 2, 2, 2]
    assert genome.fetch("b", 6, 10).tolist() == [1, 1, 4, 4]
    clone = pickle.loads(pickle.dumps(genome))  # what a DataLoader worker gets
    assert clone.fetch("a", 2, 6).tolist() == [2, 3, 4, 0]


def test_one_hot_and_reverse_complement():
    codes = encode("ACGTN")
    assert reverse_complement(codes).tolist() == encode("NACGT").tolist()
    x = one_hot(torch.from_numpy(codes)[None])
    assert x.shape == (1, 5, 5) and torch.equal(x[0], torch.eye(5))


def _windows(rows):
    table = pd.DataFrame(rows, columns=["chrom", "start", "end"])
    return table.assign(seq_chrom=table["chrom"], seq_start=table["start"], seq_end=table["end"])


def test_reverse_complement_flips_sequence_tracks_and_map(fasta, tmp_path):
    genome = GenomeCodes.from_fasta(fasta, tmp_path / "g.npy")
    target = np.arange(4.0, dtype=np.float32).reshape(1, 2, 2)

    class Tracks:
        def window(self, chrom, start, end):
            return np.array([[1.0, 2.0]], np.float32)

    dataset = WindowDataset(genome, _windows([("b", 2, 6)]), target, Tracks(), reverse_complement=True)
    torch.manual_seed(0)
    items = [dataset[0] for _ in range(40)]
    plain = [i for i in items if i["codes"].tolist() == encode("GGCC").tolist() and i["tracks"][0, 0] == 1]
    flipped = [i for i in items if i["tracks"][0, 0] == 2]
    assert len(plain) + len(flipped) == 40 and 10 < len(flipped) < 30
    assert torch.equal(plain[0]["target"], torch.tensor([[0.0, 1.0], [2.0, 3.0]]))
    assert flipped[0]["codes"].tolist() == encode("GGCC").tolist()  # GGCC is its own reverse complement
    assert torch.equal(flipped[0]["target"], torch.tensor([[3.0, 2.0], [1.0, 0.0]]))
    dataset = WindowDataset(genome, _windows([("a", 11, 15)]), reverse_complement=True)
    assert {tuple(dataset[0]["codes"].tolist()) for _ in range(20)} == {(0, 0, 0, 0), (3, 3, 3, 3)}


def test_shift_moves_the_window_within_bounds(fasta, tmp_path):
    genome = GenomeCodes.from_fasta(fasta, tmp_path / "g.npy")
    dataset = WindowDataset(genome, _windows([("a", 4, 8)]), shift=2)
    torch.manual_seed(0)
    seen = {tuple(dataset[0]["codes"].tolist()) for _ in range(60)}
    full = genome.fetch("a", 0, 15).tolist()
    assert seen == {tuple(full[4 + k : 8 + k]) for k in range(-2, 3)}


def test_model_input_repeats_tracks_over_their_bins():
    batch = {"codes": torch.tensor([[0, 1, 2, 3]], dtype=torch.uint8), "tracks": torch.tensor([[[0.5, 2.0]]])}
    x = model_input(batch, track_bin=2)
    assert x.shape == (1, 6, 4)
    assert x[0, 5].tolist() == [0.5, 0.5, 2.0, 2.0]
    assert model_input({"codes": batch["codes"], "tracks": torch.zeros(1, 0, 0)}).shape == (1, 5, 4)


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
