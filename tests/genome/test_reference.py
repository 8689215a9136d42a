import gzip

import numpy as np
import pandas as pd
import pysam
import pytest

from hicmodels.errors import InputError
from hicmodels.genome import reference
from hicmodels.genome.aliases import canonical_names, read_aliases

from conftest import YEAST


def test_runs_of_n():
    starts, ends = reference.runs_of_n(b"ACNNNNTNNnAN", 2)
    assert starts.tolist() == [2, 7] and ends.tolist() == [6, 10]


def test_bgzip_fasta_is_indexed_and_identical(yeast_fasta):
    with pysam.FastaFile(str(yeast_fasta)) as fa:
        sizes = dict(zip(fa.references, fa.lengths))
        chr1 = fa.fetch("chrI")
    expected = pd.read_csv(YEAST / "sacCer3.chrom.sizes", sep="\t", header=None, index_col=0)[1].to_dict()
    assert sizes == expected
    with gzip.open(YEAST / "sacCer3.fa.gz", "rt") as handle:
        handle.readline()
        head = "".join(next(handle).strip() for _ in range(3))
    assert chr1.startswith(head)


def test_excluded_regions_merges_and_names(tmp_path):
    fasta = tmp_path / "g.fa"
    fasta.write_text(">a\n" + "A" * 50 + "N" * 30 + "C" * 20 + "\n>b\n" + "G" * 40 + "\n")
    pysam.faidx(str(fasta))
    centromeres = pd.DataFrame({"chrom": ["b"], "start": [18], "end": [22]})
    got = reference.excluded_regions(fasta, min_n_run=10, telomere_bp=5, centromeres=centromeres, centromere_pad=3)
    assert got.values.tolist() == [
        ["a", 0, 5, "telomere"], ["a", 50, 80, "N_run"], ["a", 95, 100, "telomere"],
        ["b", 0, 5, "telomere"], ["b", 15, 25, "centromere"], ["b", 35, 40, "telomere"],
    ]


def test_centromeres_on_unknown_chromosome(tmp_path):
    fasta = tmp_path / "g.fa"
    fasta.write_text(">a\nACGT\n")
    pysam.faidx(str(fasta))
    with pytest.raises(InputError, match="not in the reference: \\['chrZ'\\]"):
        reference.excluded_regions(fasta, 10, centromeres=pd.DataFrame({"chrom": ["chrZ"], "start": [0], "end": [1]}))


def test_read_bed_names_bad_line(tmp_path):
    bed = tmp_path / "x.bed"
    bed.write_text("chrI\t10\t20\nchrI\t30\tabc\n")
    with pytest.raises(InputError, match="x.bed:2: start/end must be integers"):
        reference.read_bed(bed)


def test_bundled_centromeres_are_where_the_hic_map_clusters_them(yeast_map):
    """Yeast centromeres cluster in the nucleus: along each chromosome, trans contacts with the
    other chromosomes' centromere bins peak at its own centromere bin (within one bin)."""
    cen = reference.read_bed(YEAST / "sacCer3.centromeres.bed", 4)
    matrix = yeast_map.clr.matrix(balance=True)[:]
    cen_bin = {c.chrom: yeast_map.chromosome_bins(c.chrom)[0] + (c.start + c.end) // 2 // yeast_map.binsize
               for c in cen.itertuples()}
    for chrom, own in cen_bin.items():
        lo, hi = yeast_map.chromosome_bins(chrom)
        others = [b for c, b in cen_bin.items() if c != chrom]
        profile = np.nansum(matrix[lo:hi][:, others], axis=1)
        assert abs(lo + np.argmax(profile) - own) <= 1, chrom


def test_alias_table_maps_cooler_names(yeast_fasta):
    aliases = read_aliases(YEAST / "chrom_aliases.tsv")
    renamed, dropped = canonical_names(["chrMito", "chrI", "XVI", "chr2-micron"], aliases, reference.chromsizes(yeast_fasta).index)
    assert renamed == {"chrMito": "chrM", "chrI": "chrI", "XVI": "chrXVI"}
    assert dropped == ["chr2-micron"]


def test_alias_claimed_twice(tmp_path):
    path = tmp_path / "aliases.tsv"
    path.write_text("canonical\talias\nchrM\tMT\nchrX\tMT\n")
    with pytest.raises(InputError, match="aliases.tsv:3: 'MT' is an alias of both 'chrM' and 'chrX'"):
        read_aliases(path)
