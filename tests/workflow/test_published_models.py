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


GENOME_BINS = {"chr1": 629, "chr2": 260, "chr3": 90}  # bins of 10 kb: 6.29 Mb (test), 2.6 Mb (train), 0.9 Mb
DELETION = ("chr1", 3_000_000, 3_100_000)  # 0-based half-open, on hap1 only


def peer_files(out):
    """Random-weight checkpoints in the three published formats, with outputs scaled near 0 (finite maps).

    C.Origami with ``mid_hidden`` 32 and a 32-channel decoder (the published 256 and 256 cost ~35 s per
    2 Mb window on 2 CPU cores) and a HiCDiffusion encoder-decoder 4-8 channels wide (the published
    37 M-parameter one ~95 s): their layouts, key names and window geometry are the published ones, built
    by the peers' own classes. Akita is the published network.
    """
    import corigami.model.blocks as corigami_blocks
    import akita_torch.model as akita_model
    import corigami.model.corigami_models as corigami_models
    import torch

    from hicmodels.genome.sequence import one_hot
    from published_helpers import ReferenceHiCDiffusion, keras_akita_h5, randomise, save_lightning

    torch.manual_seed(0)
    corigami = corigami_models.ConvTransModel(2, 32)
    corigami.decoder = corigami_blocks.Decoder(64, hidden=32)
    corigami.eval()
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


def human_genome(out):
    """The synthetic generator's genome at human scale (FASTA, 10 kb .cool, CTCF/ATAC bigWigs), a VCF, aliases.

    The VCF (sample ``s1``) holds a 100 kb deletion on hap1 and two SNVs; chr3 is shorter than every
    model's window.
    """
    import pysam

    from hicmodels.cli import main
    from variant_helpers import write_vcf

    bins = [str(n) for n in GENOME_BINS.values()]
    assert main(["simulation", "synthetic-genome", "--out-dir", str(out), "--bins", *bins, "--bin-size", "10000",
                 "--seed", "0"]) == 0
    chrom, start, end = DELETION
    with pysam.FastaFile(str(out / "genome.fa")) as fasta:
        contigs = {name: "N" * fasta.get_reference_length(name) for name in fasta.references}
        base = {pos: fasta.fetch(chrom, pos - 1, pos) for pos in (start, 1_500_001, 5_200_001)}

    def snv(pos, gt):
        return chrom, pos, f"snv{pos}", base[pos], "A" if base[pos] != "A" else "C", "PASS", ".", gt

    rows = [snv(1_500_001, "1|1"),
            (chrom, start, "del1", base[start], "<DEL>", "PASS", f"SVTYPE=DEL;END={end};SVLEN=-{end - start}", "1|0"),
            snv(5_200_001, "0|1")]
    (out / "aliases.tsv").write_text("canonical\talias\nchr1\t1\n")
    return write_vcf(out / "sample.vcf", contigs, rows, samples=("s1",))


@pytest.mark.slow
def test_three_published_models_predict_a_human_geometry_genome(tmp_path):
    """Peer-format files -> import_checkpoint -> predict (reference, both haplotypes) -> .mcool -> metrics.

    The published window geometry (2,097,152 bp in 256 bins of 8,192 bp; Akita 1,048,576 bp in 512
    bins of 2,048 bp) on a synthetic genome: chr1 (6.29 Mb, test) carries a 100 kb deletion on hap1,
    chr2 (2.6 Mb) is the training chromosome of the distance-decay baseline, chr3 (0.9 Mb, validation)
    is shorter than every window and is not predicted (policy: no windows, one log line). To keep CPU
    time in minutes, 2 Mb windows tile without overlap (chr1: 3, chr2: 2, the last of each anchored at
    the chromosome end), Akita's step by twice their size (chr1: 4, chr2: 2; the gaps stay NaN), and
    the C.Origami and HiCDiffusion files are narrow (:func:`peer_files`).
    """
    import time

    import cooler
    import pandas as pd

    began = time.monotonic()
    peer_files(tmp_path)
    vcf = human_genome(tmp_path)
    (tmp_path / "samples.tsv").write_text(f"sample\tvcf\tvcf_sample\ns1\t{vcf}\ts1\n")
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"] = str(tmp_path / "samples.tsv")
    config["reference"].update(fasta=str(tmp_path / "genome.fa"), assembly="synthetic", chromosomes=list(GENOME_BINS),
                               chrom_aliases=str(tmp_path / "aliases.tsv"))
    config["hic"].update(test_chromosomes=["chr1"], validation_chromosomes=["chr3"], cell_lines={
        "synthetic": {"cool": str(tmp_path / "observed.cool"),
                      "tracks": {"ctcf": str(tmp_path / "ctcf.bw"), "atac": str(tmp_path / "atac.bw")}}})
    config["window_presets"] = {"human_tiled": {"size": 2097152, "step": 2097152, "bins": 256},
                                "akita_sparse": {"size": 1048576, "step": 2 * 1048576, "bins": 512}}
    config["model_presets"]["hicdiffusion_narrow"] = {
        "architecture": "encoder_decoder", "channels": [5] + [4] * 12 + [8], "pools": [2] * 13,
        "transformer_layers": 2, "heads": 2, "feedforward": 16, "dilations": [2, 4], "dropout": 0.1,
        "head_kernel": 1, "symmetric": False, "pair_order": "ji",
        "diffusion": {"dim": 8, "dim_mults": [1, 2], "timesteps": 2}}
    config["effects"] = {"enabled": False}  # variant effects have their own tests; not these models' point
    config["models"] = {
        "corigami": {"preset": "corigami", "windows": "human_tiled", "inputs": ["sequence", "tracks"],
                     "weights": {"checkpoint": str(tmp_path / "corigami.ckpt"), "format": "corigami"}},
        "hicdiffusion": {"preset": "hicdiffusion_narrow", "windows": "human_tiled",
                         "weights": {"checkpoint": str(tmp_path / "encoder_decoder.ckpt"), "format": "hicdiffusion"}},
        "akita": {"preset": "akita", "windows": "akita_sparse",
                  "weights": {"checkpoint": str(tmp_path / "model_best.h5"), "format": "akita"}},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    models = "results/cell_lines/synthetic/models"
    genomes = ("reference", "s1.hap1", "s1.hap2")
    targets = [f"{models}/{m}/maps/{g}.mcool" for m in config["models"] for g in genomes]
    targets.append("results/cell_lines/synthetic/metrics/test_metrics.tsv")
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", *targets, "--cores", "2", "--snakefile", str(REPO / "Snakefile"),
         "--directory", str(tmp_path), "--configfile", str(tmp_path / "config.yaml")],
        capture_output=True, text=True, env=env, cwd=REPO)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    print(f"human-geometry three-model run: {time.monotonic() - began:.0f} s")

    for preset, window, counts in (("human_tiled", 2097152, {"chr1": 3, "chr2": 2}),
                                   ("akita_sparse", 1048576, {"chr1": 4, "chr2": 2})):
        table = pd.read_csv(tmp_path / f"results/windows/{preset}/reference.tsv", sep="\t")
        assert table.groupby("chrom").size().to_dict() == counts  # chr3 has none
        log = (tmp_path / f"logs/windows_reference/{preset}.log").read_text()
        assert f"chr3 (900000 bp) is shorter than one window ({window} bp): no windows" in log
    deleted = slice(DELETION[1] // 10_000, DELETION[2] // 10_000)
    for model, values in (("corigami", "balanced contacts"), ("hicdiffusion", "balanced contacts"),
                          ("akita", "observed/expected")):
        for genome in genomes:
            clr = cooler.Cooler(f"{tmp_path / models / model / 'maps' / genome}.mcool::/resolutions/10000")
            assert clr.info["metadata"]["values"].startswith(values)
            assert clr.info["metadata"]["source_format"] == model and clr.info["metadata"]["model"] == model
            chr1 = clr.matrix(balance=False)[:, :][: GENOME_BINS["chr1"], : GENOME_BINS["chr1"]]
            assert (chr1 > 0).sum() > 0
            assert clr.matrix(balance=False).fetch("chr3").sum() == 0  # not predicted
            # the deleted bases have no place in hap1's map: no pixel in the deletion's rows; the others have them
            inside = (chr1[deleted] > 0).sum()
            assert (inside == 0) if genome == "s1.hap1" else (inside > 0), (model, genome, inside)
    metrics = pd.read_csv(tmp_path / "results/cell_lines/synthetic/metrics/test_metrics.tsv", sep="\t")
    assert {"corigami", "hicdiffusion", "akita"} <= set(metrics["predictor"])  # a row per model
    assert set(metrics["chrom"]) == {"chr1"}
