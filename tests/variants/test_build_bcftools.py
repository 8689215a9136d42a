"""Agreement with ``bcftools consensus`` on SNVs and indels over the real yeast genome."""

import subprocess

import numpy as np
import pandas as pd
import pysam
import pytest

from hicmodels.genome.fasta import IndexedFasta
from hicmodels.genome.liftover import merge_blocks, read_chain
from hicmodels.simulation.samples import random_genotypes, spaced_small_variants, write_vcf
from hicmodels.variants import build_haplotypes, output_paths


@pytest.fixture(scope="module")
def yeast(yeast_fasta, tmp_path_factory):
    """A seeded SNV/indel VCF on sacCer3, and our haplotypes from it."""
    tmp = tmp_path_factory.mktemp("yeast_consensus")
    fasta = IndexedFasta(yeast_fasta)
    genome = {name: fasta.fetch(name) for name in fasta.sizes}
    rng = np.random.default_rng(20240611)
    variants = spaced_small_variants(genome, 20_000, rng)
    vcf = tmp / "yeast.vcf.gz"
    write_vcf(variants, pd.DataFrame({"S1": random_genotypes(len(variants), rng)}), fasta.sizes, vcf)
    build_haplotypes(yeast_fasta, vcf, "S1", tmp / "ours" / "S1")
    return tmp, yeast_fasta, vcf, variants


def canonical_blocks(path):
    blocks = read_chain(path)[0].sort_values(["chrom", "start"], ignore_index=True)
    return merge_blocks(blocks).astype({c: "int64" for c in ("start", "end", "pstart", "pend")})


@pytest.mark.parametrize("hap", [1, 2])
def test_same_sequence_and_blocks_as_bcftools_consensus(yeast, hap):
    tmp, ref, vcf, variants = yeast
    assert len(variants) > 19_000 and (variants["ref"].str.len() != variants["alt"].str.len()).sum() > 3_000
    theirs_fa, theirs_chain = tmp / f"bcftools.hap{hap}.fa", tmp / f"bcftools.hap{hap}.chain"
    subprocess.run(
        ["bcftools", "consensus", "-H", str(hap), "-f", str(ref), "-c", str(theirs_chain), "-o", str(theirs_fa), str(vcf)],
        check=True, capture_output=True,
    )
    pysam.faidx(str(theirs_fa))
    ours, theirs = IndexedFasta(output_paths(tmp / "ours" / "S1")[f"hap{hap}_fasta"]), IndexedFasta(theirs_fa)
    assert list(ours.sizes) == list(theirs.sizes)
    for name in theirs.sizes:
        assert ours.fetch(name) == theirs.fetch(name), name
    mine = canonical_blocks(output_paths(tmp / "ours" / "S1")[f"hap{hap}_chain"])
    pd.testing.assert_frame_equal(mine, canonical_blocks(theirs_chain))
