"""Model zoo entries with published checkpoints: the workflow imports each once per cell line, trains none."""

import os
import re
import subprocess
import sys

import yaml

from conftest import REPO


def test_published_checkpoints_are_imported_not_trained(tmp_path):
    for name in ("corigami.ckpt", "encoder_decoder.ckpt", "model_best.h5", "params.json", "ctcf.bw", "atac.bw"):
        (tmp_path / name).write_text("")  # a dry run only needs the files to exist
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["hic"]["cell_lines"]["yeast"]["tracks"] = {"ctcf": str(tmp_path / "ctcf.bw"),
                                                     "atac": str(tmp_path / "atac.bw")}
    config["models"].update({
        "corigami": {"preset": "corigami", "windows": "human", "inputs": ["sequence", "tracks"],
                     "weights": {"checkpoint": str(tmp_path / "corigami.ckpt"), "format": "corigami"}},
        "hicdiffusion": {"preset": "hicdiffusion", "windows": "human",
                         "weights": {"checkpoint": str(tmp_path / "encoder_decoder.ckpt"), "format": "hicdiffusion"}},
        "akita": {"preset": "akita", "windows": "akita",
                  "weights": {"checkpoint": str(tmp_path / "model_best.h5"), "format": "akita",
                              "params": str(tmp_path / "params.json")}},
    })
    demo = REPO / "resources" / "demo" / "demo.vcf.gz"
    (tmp_path / "samples.tsv").write_text(f"sample\tvcf\tvcf_sample\ns1\t{demo}\tdemo_het\n")
    config["samples"] = str(tmp_path / "samples.tsv")
    for key in ("fasta", "chrom_aliases"):
        config["reference"][key] = str(REPO / config["reference"][key])
    config["hic"]["cell_lines"]["yeast"]["cool"] = str(REPO / config["hic"]["cell_lines"]["yeast"]["cool"])
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "-p", "--cores", "1", "--snakefile", str(REPO / "Snakefile"),
         "--directory", str(tmp_path), "--configfile", str(tmp_path / "config.yaml")],
        capture_output=True, text=True, env=env, cwd=REPO)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", log[log.index("Job stats"):], flags=re.M))
    assert jobs["import_checkpoint"] == "3" and jobs["train_model"] == "1"  # the yeast entry alone is trained
    assert "--format akita --params" in log and "--format corigami" in log and "--format hicdiffusion" in log
    assert '"window_size": 1048576' in log and '"positional_encoding": "published_batch_of_one"' in log
    for model in ("corigami", "hicdiffusion", "akita"):
        assert f"results/cell_lines/yeast/models/{model}/maps/reference.mcool" in log
