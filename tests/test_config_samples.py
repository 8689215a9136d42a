"""The sample sheet: one input kind per sample, files present, alignments sorted and indexed."""


import pysam
import pytest

from hicmodels.calling.alignments import check_contigs, check_header
from hicmodels.config import read_samples, samples_schema
from hicmodels.errors import InputError

SCHEMA = samples_schema()


def bam(path, sort_order="coordinate", samples=("s",), index=True, contigs=(("chrI", 1000),)):
    header = {"HD": {"VN": "1.6", "SO": sort_order}, "SQ": [{"SN": n, "LN": n_} for n, n_ in contigs],
              "RG": [{"ID": f"rg{i}", "SM": s} for i, s in enumerate(samples)]}
    with pysam.AlignmentFile(str(path), "wb", header=header):
        pass
    if index:
        pysam.index(str(path))
    return str(path)


@pytest.fixture
def files(tmp_path):
    for name in ("r1.fq.gz", "r2.fq.gz", "v.vcf.gz", "t.vcf.gz", "t.vcf.gz.tbi"):
        (tmp_path / name).write_text("")
    bam(tmp_path / "a.bam")
    return tmp_path


def sheet(tmp_path, text):
    path = tmp_path / "samples.tsv"
    path.write_text(text.replace("|", "\t"))
    return str(path)


def test_each_kind(files):
    d = files
    table = read_samples(sheet(d, f"sample|fastq1|fastq2|bam|vcf|vcf_sample|truth\n"
                                  f"x|{d}/r1.fq.gz|{d}/r2.fq.gz||||{d}/t.vcf.gz\n"
                                  f"y|||{d}/a.bam|||\n"
                                  f"z||||{d}/v.vcf.gz|Z|\n"), SCHEMA)
    assert table["kind"].to_dict() == {"x": "reads", "y": "alignments", "z": "variants"}
    assert table["vcf_sample"].to_dict() == {"x": "x", "y": "y", "z": "Z"}
    assert table.loc["x", "truth"] == f"{d}/t.vcf.gz" and table.loc["y", "truth"] == ""


def test_old_sheet_with_only_vcf_columns(files):
    table = read_samples(sheet(files, f"sample|vcf\nz|{files}/v.vcf.gz\n"), SCHEMA)
    assert table.loc["z", "kind"] == "variants" and table.loc["z", "vcf_sample"] == "z"


@pytest.mark.parametrize("row, message", [
    ("x|{d}/r1.fq.gz|{d}/r2.fq.gz|{d}/a.bam||", "exactly one input.*found: fastq1, fastq2, bam"),
    ("x|||{d}/a.bam|{d}/v.vcf.gz|", "exactly one input.*found: bam, vcf"),
    ("x||||||", "exactly one input.*found: none"),
    ("x|||{d}/r1.fq.gz||", "column 'bam': .* does not match"),
    ("x|{d}/r1.fq.gz||||", "'fastq2' is a dependency of 'fastq1'"),
    ("x||{d}/r2.fq.gz|||", "'fastq1' is a dependency of 'fastq2'"),
    ("x|{d}/r1.fq.gz|{d}/missing.fq.gz|||", "column 'fastq2': file not found"),
    ("x|||{d}/a.bam||Q", "'vcf' is a dependency of 'vcf_sample'"),
    ("x y|||{d}/a.bam||", "column 'sample'"),
])
def test_bad_rows_name_the_line(files, row, message):
    path = sheet(files, "sample|fastq1|fastq2|bam|vcf|vcf_sample\n" + row.format(d=files) + "\n")
    with pytest.raises(InputError, match=message) as err:
        read_samples(path, SCHEMA)
    assert str(err.value).startswith(f"{path}:2: ")


def test_unknown_column_and_truth_index(files):
    with pytest.raises(InputError, match=r"samples.tsv:1: unknown column\(s\) \['fastq'\]"):
        read_samples(sheet(files, f"sample|fastq\nx|{files}/r1.fq.gz\n"), SCHEMA)
    (files / "t.vcf.gz.tbi").unlink()
    with pytest.raises(InputError, match="samples.tsv:2: column 'truth': no index"):
        read_samples(sheet(files, f"sample|bam|truth\nx|{files}/a.bam|{files}/t.vcf.gz\n"), SCHEMA)


@pytest.mark.parametrize("kwargs, message", [
    ({"sort_order": "queryname"}, "coordinate-sorted, the header says SO:queryname"),
    ({"index": False}, "no index found"),
    ({"samples": ("s", "t")}, r"more than one sample \(SM: s, t\)"),
])
def test_bad_alignments(tmp_path, kwargs, message):
    path = bam(tmp_path / "b.bam", **kwargs)
    with pytest.raises(InputError, match=f"samples.tsv:2: column 'bam': .*{message}"):
        read_samples(sheet(tmp_path, f"sample|bam\nx|{path}\n"), SCHEMA)


def test_cram_index_and_header(tmp_path):
    path = tmp_path / "c.cram"
    (tmp_path / "ref.fa").write_text(">chrI\n" + "A" * 1000 + "\n")
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "chrI", "LN": 1000}]}
    with pysam.AlignmentFile(str(path), "wc", header=header, reference_filename=str(tmp_path / "ref.fa")):
        pass
    with pytest.raises(InputError, match=r"no index found \(looked for c.cram.crai, c.crai\)"):
        read_samples(sheet(tmp_path, f"sample|bam\nx|{path}\n"), SCHEMA)
    pysam.index(str(path))
    assert read_samples(sheet(tmp_path, f"sample|bam\nx|{path}\n"), SCHEMA).loc["x", "kind"] == "alignments"


def test_contigs_against_the_reference(tmp_path):
    import pandas as pd

    path = bam(tmp_path / "a.bam", contigs=(("chrI", 1000), ("chrII", 500)))
    contigs = check_header(path)
    assert contigs == {"chrI": 1000, "chrII": 500}
    sizes = pd.Series({"chrI": 1000, "chrII": 500, "chrIII": 10})
    check_contigs(path, contigs, sizes, ["chrI", "chrII"])
    with pytest.raises(InputError, match="'chrIII' of the reference is not in the alignment header"):
        check_contigs(path, contigs, sizes, ["chrI", "chrIII"])
    with pytest.raises(InputError, match="@SQ SN:chrII LN:500 differs from the reference's length 501"):
        check_contigs(path, contigs, sizes.replace(500, 501), ["chrII"])
