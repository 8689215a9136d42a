"""Model inputs: the memory-mapped genome, window slicing, augmentation, tracks as input channels."""

import pickle

import numpy as np
import pandas as pd
import pysam
import pytest
import torch

from hicmodels.genome.sequence import GenomeCodes, encode, one_hot, reverse_complement
from hicmodels.modelling.inputs import WindowDataset, model_input


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


def test_one_hot_of_a_batch_is_contiguous_and_keeps_each_row():
    codes = torch.from_numpy(np.random.default_rng(3).integers(0, 5, (3, 7), dtype=np.uint8))
    x = one_hot(codes, dtype=torch.float64)
    assert x.is_contiguous() and x.dtype == torch.float64
    assert torch.equal(x, torch.nn.functional.one_hot(codes.long(), 5).transpose(1, 2).double())


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
