"""Simulated reads come from where their names say, with the stated error rate and depth."""

import gzip

import numpy as np
import pysam
import pytest

from hicmodels.genome.sequence import encode, reverse_complement
from hicmodels.simulation.reads import (
    error_profile,
    parse_read_name,
    phred,
    read_names,
    simulate_pairs,
    write_fastq_pair,
)


def random_genome(rng, length):
    return "".join(rng.choice(list("ACGT"), length))


def test_reads_are_the_fragment_ends_on_opposite_strands():
    rng = np.random.default_rng(0)
    sequence = random_genome(rng, 5_000)
    codes = encode(sequence)
    pairs = simulate_pairs(sequence, 500, rng, read_length=100, fragment_mean=300, fragment_sd=30, errors=(0, 0))
    for i in range(500):
        start, length = pairs["start"][i], pairs["length"][i]
        left = codes[start:start + 100]
        right = reverse_complement(codes[start + length - 100:start + length])
        first, second = (right, left) if pairs["reverse"][i] else (left, right)
        assert np.array_equal(pairs["read1"][i], first)
        assert np.array_equal(pairs["read2"][i], second)
    assert 0.4 < pairs["reverse"].mean() < 0.6
    assert abs(pairs["length"].mean() - 300) < 5
    assert abs(pairs["length"].std() - 30) < 4
    assert (pairs["start"] + pairs["length"] <= 5_000).all() and (pairs["start"] >= 0).all()


def test_substitutions_follow_the_error_profile():
    rng = np.random.default_rng(1)
    sequence = random_genome(rng, 20_000)
    pairs = simulate_pairs(sequence, 20_000, rng, read_length=150, errors=(0.001, 0.05))
    clean = simulate_pairs(sequence, 1_000, rng, read_length=150, errors=(0, 0))
    assert not clean["errors1"].any() and not clean["errors2"].any()
    expected = error_profile(150, 0.001, 0.05)
    for flags in (pairs["errors1"], pairs["errors2"]):
        rate = flags.mean(axis=0)  # 20,000 reads per position: SE of 10 positions <= 0.0005
        assert rate[:10].mean() == pytest.approx(expected[:10].mean(), abs=0.001)
        assert rate[-10:].mean() == pytest.approx(expected[-10:].mean(), abs=0.002)
    # every flagged base differs from the genome, no other base does
    codes = encode(sequence)
    for i in range(200):
        s, n = pairs["start"][i], pairs["length"][i]
        truth = reverse_complement(codes[s + n - 150:s + n]) if pairs["reverse"][i] else codes[s:s + 150]
        assert np.array_equal(pairs["read1"][i] != truth, pairs["errors1"][i])


def test_phred_states_the_error_rate():
    assert list(phred(np.array([0.001, 0.01, 0.1])) - 33) == [30, 20, 10]
    assert list(phred(error_profile(3, 0.001, 0.01)) - 33) == [30, 23, 20]


def test_names_round_trip():
    pairs = {"start": np.array([5, 17]), "length": np.array([300, 410]), "reverse": np.array([False, True])}
    names = read_names("hap2", "chrX", pairs, 40)
    assert names == ["hap2:chrX:5:300:+:40", "hap2:chrX:17:410:-:41"]
    assert parse_read_name(names[1]) == ("chrX", 17, 410, True)


def test_fastq_pair_depth_and_origin(tmp_path):
    rng = np.random.default_rng(2)
    fasta = tmp_path / "g.fa"
    fasta.write_text(f">a\n{random_genome(rng, 30_000)}\n>b\n{random_genome(rng, 10_000)}\n")
    pysam.faidx(str(fasta))
    n = write_fastq_pair([fasta, fasta], 10, tmp_path / "r1.fq.gz", tmp_path / "r2.fq.gz", seed=3,
                         read_length=100, errors=(0, 0))
    assert n == 2 * (round(5 * 30_000 / 200) + round(5 * 10_000 / 200))  # two haplotypes, 5x each
    with pysam.FastxFile(str(tmp_path / "r1.fq.gz")) as r1, pysam.FastxFile(str(tmp_path / "r2.fq.gz")) as r2:
        records = list(zip(r1, r2))
    assert len(records) == n
    genome = pysam.FastaFile(str(fasta))
    for one, two in records[::97]:
        assert one.name == two.name
        chrom, start, length, reverse = parse_read_name(one.name)
        fragment = genome.fetch(chrom, start, start + length)
        forward = two.sequence if reverse else one.sequence
        assert fragment.startswith(forward)
        assert len(one.quality) == 100
    with gzip.open(tmp_path / "r1.fq.gz", "rt") as handle:
        assert handle.readline().startswith("@hap1:a:")
