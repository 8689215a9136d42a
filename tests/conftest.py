import os

# Before torch loads OpenMP: idle threads sleep instead of spinning, so tests stay fast on
# shared cores (see workflow/rules/model.smk).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pathlib  # noqa: E402

import pytest  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
YEAST = REPO / "resources" / "yeast"


@pytest.fixture(scope="session")
def yeast_fasta(tmp_path_factory):
    """The bundled sacCer3 reference, bgzipped and indexed."""
    from hicmodels.genome.fasta import write_bgzip_fasta

    path = tmp_path_factory.mktemp("yeast") / "genome.fa.gz"
    write_bgzip_fasta(YEAST / "sacCer3.fa.gz", path)
    return path


@pytest.fixture(scope="session")
def yeast_map(yeast_fasta):
    """The bundled 10 kb yeast cooler seen through the reference's names."""
    from hicmodels.genome.aliases import read_aliases
    from hicmodels.genome.reference import chromsizes
    from hicmodels.hic.cool import ExperimentalMap

    return ExperimentalMap(YEAST / "yeast.10kb.cool", read_aliases(YEAST / "chrom_aliases.tsv"), chromsizes(yeast_fasta))
