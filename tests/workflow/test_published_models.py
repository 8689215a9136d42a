"""Model zoo entries with published checkpoints: the workflow imports each once per cell line, trains none."""

import os
import re
import subprocess
import sys

import pytest
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
    # variant effects for every entry; the one that reads tracks gets the cell line's bigWigs
    assert jobs["variant_effects"] == "4"
    effects = [line for line in log.splitlines() if "hicmodels effects score" in line]
    with_tracks = [line for line in effects if f"--tracks ctcf={tmp_path}/ctcf.bw atac={tmp_path}/atac.bw" in line]
    assert len(effects) == 4 and len(with_tracks) == 1 and "--model corigami" in with_tracks[0]


def peer_files(out):
    """Random-weight checkpoints in the three published formats, with outputs scaled near 0 (finite maps)."""
    import akita_torch.model as akita_model
    import corigami.model.corigami_models as corigami_models
    import torch

    from hicmodels.genome.sequence import one_hot
    from published_helpers import ReferenceHiCDiffusion, keras_akita_h5, randomise, save_lightning

    torch.manual_seed(0)
    corigami = corigami_models.ConvTransModel(2, 256).eval()
    akita = randomise(akita_model.Akita(akita_model.AkitaConfig()),
                      one_hot(torch.randint(0, 5, (1, 2048 * 80)))[:, :4].transpose(1, 2))
    hicdiffusion = randomise(ReferenceHiCDiffusion([5] + [4] * 12 + [8], 2, 16, 2),
                             one_hot(torch.randint(0, 5, (1, 8192 * 32))))
    with torch.no_grad():
        for last in (corigami.decoder.conv_end, akita.head[6].ffn, hicdiffusion.reduce_layer[0]):
            last.weight.mul_(1e-3)
            last.bias.fill_(0.5)
    save_lightning(corigami.state_dict(), out / "corigami.ckpt")
    save_lightning(hicdiffusion.state_dict(), out / "encoder_decoder.ckpt", prefix="")
    keras_akita_h5(akita, out / "model_best.h5")


def bigwig(path, sizes, seed):
    import numpy as np
    import pyBigWig

    rng = np.random.default_rng(seed)
    with pyBigWig.open(str(path), "w") as bw:
        bw.addHeader(list(sizes.items()))
        for chrom, size in sizes.items():
            starts = np.arange(0, size, 1000)
            bw.addEntries([chrom] * len(starts), starts.tolist(), ends=np.minimum(starts + 1000, size).tolist(),
                          values=rng.gamma(1.0, 2.0, len(starts)).tolist())


@pytest.mark.slow
def test_three_published_models_predict_every_genome(tmp_path):
    """Peer-format files -> import_checkpoint -> predict (reference, both haplotypes) -> .mcool -> metrics.

    Windows are smaller than the published ones (32 bins of 8,192 bp; Akita 80 bins of 2,048 bp) to
    keep CPU time in minutes; the models are the published architectures at their full width.
    """
    import cooler
    import pandas as pd

    peer_files(tmp_path)
    chromosomes = ["chrIII", "chrXIII", "chrXV"]
    sizes = {c: n for c, n in pd.read_csv(REPO / "resources/yeast/sacCer3.chrom.sizes", sep="\t",
                                          header=None).itertuples(index=False) if c in chromosomes}
    bigwig(tmp_path / "ctcf.bw", sizes, 1)
    bigwig(tmp_path / "atac.bw", sizes, 2)
    demo = REPO / "resources" / "demo" / "demo.vcf.gz"
    (tmp_path / "samples.tsv").write_text(f"sample\tvcf\tvcf_sample\nhet\t{demo}\tdemo_het\n")
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"] = str(tmp_path / "samples.tsv")
    config["reference"].update(fasta=str(REPO / "resources/yeast/sacCer3.fa.gz"), chromosomes=chromosomes,
                               chrom_aliases=str(REPO / "resources/yeast/chrom_aliases.tsv"))
    config["hic"]["cell_lines"] = {"yeast": {"cool": str(REPO / "resources/yeast/yeast.10kb.cool"),
                                             "tracks": {"ctcf": str(tmp_path / "ctcf.bw"),
                                                        "atac": str(tmp_path / "atac.bw")}}}
    config["window_presets"].update(small8192={"size": 262144, "step": 262144, "bins": 32},
                                    small2048={"size": 163840, "step": 163840, "bins": 80})
    config["model_presets"]["hicdiffusion_tiny"] = {
        "architecture": "encoder_decoder", "channels": [5] + [4] * 12 + [8], "pools": [2] * 13,
        "transformer_layers": 2, "heads": 2, "feedforward": 16, "dilations": [2, 4], "dropout": 0.1,
        "head_kernel": 1, "symmetric": False, "pair_order": "ji", "diffusion": {"dim": 8, "dim_mults": [1, 2],
                                                                                 "timesteps": 2}}
    config["effects"] = {"enabled": False}  # variant effects have their own tests; not these models' point
    config["models"] = {
        "corigami": {"preset": "corigami", "windows": "small8192", "inputs": ["sequence", "tracks"],
                     "weights": {"checkpoint": str(tmp_path / "corigami.ckpt"), "format": "corigami"}},
        "hicdiffusion": {"preset": "hicdiffusion_tiny", "windows": "small8192",
                         "weights": {"checkpoint": str(tmp_path / "encoder_decoder.ckpt"), "format": "hicdiffusion"}},
        "akita": {"preset": "akita", "windows": "small2048",
                  "weights": {"checkpoint": str(tmp_path / "model_best.h5"), "format": "akita"}},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--snakefile", str(REPO / "Snakefile"),
         "--directory", str(tmp_path), "--configfile", str(tmp_path / "config.yaml")],
        capture_output=True, text=True, env=env, cwd=REPO)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    models = tmp_path / "results/cell_lines/yeast/models"
    for model, values in (("corigami", "balanced contacts"), ("hicdiffusion", "balanced contacts"),
                          ("akita", "observed/expected")):
        for genome in ("reference", "het.hap1", "het.hap2"):
            clr = cooler.Cooler(f"{models / model / 'maps' / genome}.mcool::/resolutions/10000")
            assert clr.info["metadata"]["values"].startswith(values)
            assert clr.info["metadata"]["source_format"] == model and clr.info["metadata"]["model"] == model
            assert clr.pixels()[:]["count"].gt(0).sum() > 0
    metrics = pd.read_csv(tmp_path / "results/cell_lines/yeast/metrics/test_metrics.tsv", sep="\t")
    assert {"corigami", "hicdiffusion", "akita"} <= set(metrics["predictor"])  # a row per model
