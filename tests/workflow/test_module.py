"""dna2hic as a Snakemake module of another workflow, run from another directory (snakedeploy's usage)."""

import os
import re
import subprocess
import sys

import yaml

from conftest import REPO


def test_an_outer_workflow_imports_every_rule(tmp_path):
    resources = REPO / "resources"
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"] = str(tmp_path / "samples.tsv")
    config["reference"].update(fasta=str(resources / "yeast/sacCer3.fa.gz"),
                               chrom_aliases=str(resources / "yeast/chrom_aliases.tsv"))
    config["hic"]["cell_lines"]["yeast"]["cool"] = str(resources / "yeast/yeast.10kb.cool")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "samples.tsv").write_text(f"sample\tvcf\tvcf_sample\nhet\t{resources}/demo/demo.vcf.gz\tdemo_het\n")
    (tmp_path / "Snakefile").write_text(
        'configfile: "config.yaml"\n\n\n'
        f'module dna2hic:\n    snakefile:\n        "{REPO / "Snakefile"}"\n    config:\n        config\n\n\n'
        "use rule * from dna2hic as dna2hic_*\n")
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-m", "snakemake", "-n", "-p", "--cores", "1"], cwd=tmp_path,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", result.stdout.split("Job stats:")[1].split("\n\n")[0], re.M))
    # one sample: the reference and 2 haplotype maps of the default model, as in a run of dna2hic itself
    assert jobs["dna2hic_assemble_cool"] == "3" and jobs["dna2hic_train_model"] == "1"
    assert "python -m hicmodels modelling train" in result.stdout
    assert not (tmp_path / "results").exists()
