"""Targets, seeded augmentation and the epoch sampler (cases mutation testing found unguarded, docs/testing.md).

A resumed run repeats an epoch exactly only if each example's shift and reverse complement come from its own
seed in a fixed order (the shift first, then the flip) and the sampler's order and seeds from (seed, epoch).
"""

import numpy as np
import pandas as pd
import pysam
import pytest
import torch
from torch.utils.data import default_collate

from hicmodels.genome.sequence import GenomeCodes, encode
from hicmodels.modelling.inputs import EpochSampler, WindowDataset, epoch_seed, load_targets, model_input

SEQUENCE = "ACGTTGCAAACCCGGGTTTAC"


@pytest.fixture
def genome(tmp_path):
    path = tmp_path / "g.fa"
    path.write_text(f">a\n{SEQUENCE}\n")
    pysam.faidx(str(path))
    return GenomeCodes.from_fasta(path, tmp_path / "g.npy")


def _windows(rows):
    table = pd.DataFrame(rows, columns=["chrom", "start", "end"])
    return table.assign(seq_chrom=table["chrom"], seq_start=table["start"], seq_end=table["end"])


class CoordinateTracks:
    """One track whose values are the window's coordinates, to see which window was read."""

    def window(self, chrom, start, end):
        assert chrom == "a"
        return np.array([[start, end - 1]], np.float32)


def _draws(seed, shift):
    """The documented draws of a seeded example: the shift first (if any), then the flip."""
    generator = torch.Generator().manual_seed(seed)
    offset = int(torch.randint(-shift, shift + 1, (), generator=generator)) if shift else 0
    return offset, bool(torch.rand((), generator=generator) < 0.5)


@pytest.mark.parametrize("shift", [0, 3])
def test_a_seeded_example_draws_its_shift_and_flip_from_its_seed_alone(genome, shift):
    dataset = WindowDataset(genome, _windows([("a", 6, 12)]), np.arange(4.0, dtype=np.float32).reshape(1, 2, 2),
                            CoordinateTracks(), reverse_complement=True, shift=shift)
    seen = set()
    for seed in range(60):
        torch.manual_seed(seed + 100)  # the global generator must not matter
        item = dataset[(0, seed)]
        offset, flip = _draws(seed, shift)
        seen.add((offset, flip))
        start, end = 6 + offset, 12 + offset
        codes = encode(SEQUENCE[start:end])
        tracks = [float(start), float(end - 1)]
        target = [[0.0, 1.0], [2.0, 3.0]]
        if flip:
            codes, tracks, target = (3 - codes)[::-1], tracks[::-1], [[3.0, 2.0], [1.0, 0.0]]
        assert item["codes"].tolist() == codes.tolist(), seed
        assert item["tracks"].tolist() == [tracks], seed
        assert item["target"].tolist() == target, seed
        assert item["index"] == 0
    assert len(seen) == (2 if shift == 0 else 14)  # both flips, and every shift with both


def test_without_augmentation_every_draw_is_the_window_itself(genome):
    dataset = WindowDataset(genome, _windows([("a", 2, 10), ("a", 5, 9)]))
    for seed in range(10):
        item = dataset[(1, seed)]
        assert item["codes"].tolist() == encode(SEQUENCE[5:9]).tolist()
        assert item["index"] == 1 and "target" not in item
    assert dataset[0]["codes"].tolist() == encode(SEQUENCE[2:10]).tolist()


def test_an_example_without_tracks_batches_into_a_sequence_only_input(genome):
    dataset = WindowDataset(genome, _windows([("a", 2, 10)]))
    item = dataset[0]
    assert tuple(item["tracks"].shape) == (0, 0) and item["tracks"].dtype == torch.float32
    x = model_input(default_collate([item, item]))
    assert x.shape == (2, 5, 8)
    assert x[0].argmax(dim=0).tolist() == encode(SEQUENCE[2:10]).tolist()


def test_model_input_tracks_are_per_base_by_default():
    batch = {"codes": torch.tensor([[0, 1, 2, 3]], dtype=torch.uint8), "tracks": torch.tensor([[[1.0, 2, 3, 4]]])}
    x = model_input(batch)
    assert x.shape == (1, 6, 4) and x[0, 5].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_load_targets_stacks_log1p_maps_in_window_order():
    calls = []

    class Map:
        def window(self, chrom, start, end, nbins, scale):
            calls.append((chrom, start, end, nbins, scale))
            return np.full((nbins, nbins), start * scale)

    windows = pd.DataFrame({"chrom": ["x", "y"], "start": [1, 3], "end": [5, 7]})
    targets = load_targets(Map(), windows, 3, 2.0)
    assert calls == [("x", 1, 5, 3, 2.0), ("y", 3, 7, 3, 2.0)]
    assert targets.dtype == np.float32 and targets.shape == (2, 3, 3)
    np.testing.assert_allclose(targets[0], np.log1p(2.0), rtol=1e-7)
    np.testing.assert_allclose(targets[1], np.log1p(6.0), rtol=1e-7)
    empty = load_targets(Map(), windows.iloc[:0], 4, 2.0)
    assert empty.dtype == np.float32 and empty.shape == (0, 4, 4)


def test_epoch_seed_is_numpy_seed_sequence_of_the_run_seed_epoch_and_more():
    # the first 64-bit word of SeedSequence([seed mod 2^32, epoch, ...]) halved into 63 bits
    want = int(np.random.SeedSequence([7, 3, 11]).generate_state(2, np.uint64)[0]) >> 1
    assert epoch_seed(7, 3, 11) == want
    assert epoch_seed(2**32 + 7, 3, 11) == want  # only the run seed's low 32 bits
    assert len({epoch_seed(7, 3), epoch_seed(7, 4), epoch_seed(8, 3), epoch_seed(7, 3, 1)}) == 4
    assert all(0 <= epoch_seed(s, e) < 2**63 for s in range(5) for e in range(5))


def test_epoch_sampler_order_and_seeds_follow_seed_and_epoch_only():
    sampler = EpochSampler(7, 5)
    assert len(sampler) == 7
    first = list(sampler)
    assert sorted(i for i, _ in first) == list(range(7))
    generator = torch.Generator().manual_seed(epoch_seed(5, 0))
    assert [i for i, _ in first] == torch.randperm(7, generator=generator).tolist()
    assert [s for _, s in first] == torch.randint(0, 2**62, (7,), generator=generator).tolist()
    assert list(sampler) == first  # iterating again repeats the epoch
    sampler.set_epoch(2)
    third = list(sampler)
    again = EpochSampler(7, 5)
    again.set_epoch(2)
    assert list(again) == third != first
    assert list(EpochSampler(7, 6)) != first
