"""Indexed FASTA reading and bgzip + index writing; chromosome aliases."""

import gzip
import shutil
from pathlib import Path

import pysam
import pytest

from hicmodels.errors import InputError
from hicmodels.genome.aliases import canonical_names, read_aliases
from hicmodels.genome.fasta import IndexedFasta, bgzf_fasta_writer, write_bgzip_fasta

SEQS = {"a": b"ACGT" * 100 + b"A", "b": b"AC" * 30, "c": b"GGGGtttCC"}


def test_written_indexes_equal_samtools_and_reads_round_trip(tmp_path):
    path = tmp_path / "x.fa.gz"
    with bgzf_fasta_writer(path) as fasta:
        for name, seq in SEQS.items():
            fasta.write(name, seq)
    pysam.faidx(str(path), "--fai-idx", str(tmp_path / "sam.fai"), "--gzi-idx", str(tmp_path / "sam.gzi"))
    assert (tmp_path / "x.fa.gz.fai").read_text() == (tmp_path / "sam.fai").read_text()
    reader = IndexedFasta(path)
    assert reader.sizes == {name: len(seq) for name, seq in SEQS.items()}
    assert {name: reader.fetch(name) for name in SEQS} == SEQS
    assert reader.fetch("a", 398, 401) == b"GTA"
    assert pysam.FastaFile(str(path)).fetch("c") == "GGGGtttCC"


def test_failed_write_leaves_no_files(tmp_path):
    path = tmp_path / "x.fa.gz"
    with pytest.raises(RuntimeError, match="boom"):
        with bgzf_fasta_writer(path) as fasta:
            fasta.write("a", b"ACGT")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("compress", [False, True])
def test_recompressed_fasta_keeps_names_and_bases(tmp_path, compress):
    text = b">a first record\r\nACGT\r\nAC\r\n>b\nggNN\n\n"  # a 0-length record is refused (test_bad_inputs)
    source = tmp_path / ("in.fa.gz" if compress else "in.fa")
    source.write_bytes(gzip.compress(text) if compress else text)
    write_bgzip_fasta(source, tmp_path / "out" / "g.fa.gz")
    with pysam.FastaFile(str(tmp_path / "out" / "g.fa.gz")) as fasta:
        assert dict(zip(fasta.references, fasta.lengths)) == {"a": 6, "b": 4}
        assert fasta.fetch("a") == "ACGTAC" and fasta.fetch("b") == "ggNN"


@pytest.mark.parametrize("text, message", [
    (b"ACGT\n>a\nAC\n", "in.fa:1: text before the first '>' header"),
    (b">a\nAC\n>a\nGG\n", "in.fa:3: sequence name 'a' is repeated"),
    (b">\nAC\n", "in.fa:1: FASTA header without a name"),
    (b"\n", "in.fa: no FASTA record"),
])
def test_recompressing_a_bad_fasta_names_the_line_and_writes_nothing(tmp_path, text, message):
    (tmp_path / "in.fa").write_bytes(text)
    with pytest.raises(InputError, match=message):
        write_bgzip_fasta(tmp_path / "in.fa", tmp_path / "g.fa.gz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.fa"]


def test_reader_needs_an_index_and_bgzip(tmp_path):
    plain = tmp_path / "p.fa"
    plain.write_text(">a\nACGT\n")
    with pytest.raises(InputError, match="missing index"):
        IndexedFasta(plain)
    with open(plain, "rb") as src, gzip.open(tmp_path / "g.fa.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    (tmp_path / "g.fa.gz.fai").write_text("a\t4\t3\t4\t5\n")
    with pytest.raises(InputError, match="not bgzip"):
        IndexedFasta(tmp_path / "g.fa.gz")


def test_aliases_map_names_to_the_reference(tmp_path):
    table = tmp_path / "aliases.tsv"
    table.write_text("canonical\talias\nchrM\tMT\nchrM\tchrMito\nchrI\t1\n")
    aliases = read_aliases(table)
    assert canonical_names(["MT", "1", "MT", "chrX"], aliases, ["chrI", "chrM"]) == ({"MT": "chrM", "1": "chrI"}, ["chrX"])
    with pytest.raises(InputError, match=r"chromosomes 'MT' and 'chrMito' both map to 'chrM'"):
        canonical_names(["MT", "chrMito"], aliases, ["chrI", "chrM"])
    table.write_text("canonical\talias\nchrM\tMT\nchrI\tchr1\tx\n")
    with pytest.raises(InputError, match=r"aliases.tsv:3: alias line needs two non-empty tab-separated fields"):
        read_aliases(table)


def test_bundled_alias_table_reads():
    aliases = read_aliases(Path(__file__).parents[2] / "resources/yeast/chrom_aliases.tsv")
    assert aliases["chrMito"] == "chrM" and aliases["chr16"] == "chrXVI"
