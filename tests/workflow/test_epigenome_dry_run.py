"""Dry runs: the default run plans no epigenome job; target `epigenome` plans one store per genome for a tracked cell line."""

import re
import subprocess
import sys

import pysam
import yaml

from conftest import REPO

EPIGENOME_RULES = ("bam_coverage", "track_store_reference", "track_store_haplotype", "hic_targets")


def planned_jobs(workdir, extra, *targets):
    """Rule -> job count of a dry run of the bundled config plus ``extra``."""
    (workdir / "extra.yaml").write_text(yaml.safe_dump(extra))
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", *targets, "-n", "--snakefile", str(REPO / "Snakefile"), "--directory",
         str(REPO), "--configfile", str(REPO / "config" / "config.yaml"), str(workdir / "extra.yaml")],
        capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", result.stdout, flags=re.M)}


def test_epigenome_jobs_only_for_the_epigenome_target(tmp_path):
    bam = tmp_path / "atac.bam"
    with pysam.AlignmentFile(str(bam), "wb", header={"HD": {"VN": "1.6", "SO": "coordinate"},
                                                     "SQ": [{"SN": "chrI", "LN": 230218}]}):
        pass
    tracks = {"hic": {"cell_lines": {"yeast": {"tracks": {"atac": {"bam": str(bam)}, "ctcf": str(bam)}}}},
              "epigenome": {"coverage": {"effective_genome_size": 12_000_000}}}
    default = planned_jobs(tmp_path, tracks)
    assert not set(EPIGENOME_RULES) & set(default)
    jobs = planned_jobs(tmp_path, tracks, "epigenome")
    # one BAM track; the reference and the 4 haplotypes of the 2 demo samples; one targets file
    assert [jobs.get(rule, 0) for rule in EPIGENOME_RULES] == [1, 1, 4, 1]
