"""`snakemake paper` end to end on the synthetic genome with the synthetic presets (an encoder-decoder and a
variational Akita drawing posterior-predictive samples), then again: every declared figure and table, with
numbers that match the run's own metrics and maps, byte-identical the second time."""

import os
import subprocess
import sys

import cooler
import numpy as np
import pandas as pd
import pysam
import pytest
import yaml

from hicmodels.evaluation.baselines import distance_decay
from hicmodels.hic.cool import ExperimentalMap
from hicmodels.modelling.checkpoints import load_checkpoint
from hicmodels.simulation import synthetic_genome as synthetic

from conftest import REPO

pytestmark = pytest.mark.slow

BINSIZE, BINS, CHROMS = 128, 240, ["chr1", "chr2", "chr3", "chr4"]
DELETION = (12_000, 14_000)  # chr1, 0-based half-open, on hap1 of s1
MODELS = ("synthetic", "vae")
FIGURES = ["fig3_example_windows", "fig4_insulation", "metrics_per_chromosome", "contact_decay", "loops"] + [
    f"fig6_structural_variants/{model}/s1" for model in MODELS]
PAPER_RULES = ["paper_example_windows", "paper_insulation", "paper_contact_decay", "paper_metrics_per_chromosome",
               "paper_structural_variants", "paper_loops", "paper_akita_table"]


def write_vcf(path, fasta):
    """Sample s1: DELETION on haplotype 1 of chr1 as a symbolic <DEL>."""
    with pysam.FastaFile(fasta) as genome:
        base = genome.fetch("chr1", DELETION[0] - 1, DELETION[0])
    start, end = DELETION
    path.write_text("##fileformat=VCFv4.2\n" + "".join(f"##contig=<ID={c},length={BINS * BINSIZE}>\n" for c in CHROMS)
                    + '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">\n'
                    + '##INFO=<ID=END,Number=1,Type=Integer,Description="End">\n'
                    + '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length">\n'
                    + '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
                    + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\n"
                    + f"chr1\t{start}\tdel\t{base}\t<DEL>\t50\tPASS\t"
                    + f"SVTYPE=DEL;END={end};SVLEN=-{end - start}\tGT\t1|0\n")
    return pysam.tabix_index(str(path), preset="vcf", force=True)


def snakemake(workdir, *args):
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "paper", "--cores", "2", "--snakefile", str(REPO / "Snakefile"),
         "--directory", str(workdir), "--configfile", str(workdir / "config.yaml"), *args],
        capture_output=True, text=True, env=env, cwd=workdir)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("paper_synthetic")
    paths = synthetic.write_genome(synthetic.make_genome(n_chroms=len(CHROMS), nbins=BINS, binsize=BINSIZE, seed=0),
                                   BINSIZE, out / "data", seed=0)
    vcf = write_vcf(out / "s1.vcf", str(paths["fasta"]))
    (out / "samples.tsv").write_text(f"sample\tvcf\tvcf_sample\ns1\t{vcf}\ts1\n")
    (out / "aliases.tsv").write_text("canonical\talias\n")
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config |= {
        "samples": str(out / "samples.tsv"),
        "reference": config["reference"] | {"fasta": str(paths["fasta"]), "assembly": "synthetic",
                                            "chrom_aliases": str(out / "aliases.tsv"), "chromosomes": CHROMS},
        "hic": {"cell_lines": {"synth": {"cool": str(paths["observed"])}},
                "test_chromosomes": ["chr4"], "validation_chromosomes": ["chr3"]},
        "assemble": {"bin_size": BINSIZE, "resolutions": [BINSIZE, 2 * BINSIZE], "interval_level": 0.9},
        "prediction": config["prediction"] | {"samples": 2},
        "training": config["training"] | {"epochs": 1},
        "figures": {"min_sv_bp": 1000},
        "effects": {"enabled": False},
        "models": {"synthetic": {"preset": "synthetic", "windows": "synthetic"},
                   "vae": {"preset": "akita_synthetic", "windows": "synthetic"}},
    }
    (out / "config.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(out)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return out


def paper_files(run):
    paper = run / "results/cell_lines/synth/paper"
    files = [f"{name}.tsv" for name in FIGURES] + ["table1_akita.tsv", "table1_akita.md"]
    return {name: (paper / name).read_bytes() for name in files}


def test_every_declared_figure_and_table_is_made_identically_twice(run):
    paper = run / "results/cell_lines/synth/paper"
    for name in FIGURES:
        assert (paper / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    first = paper_files(run)
    assert not (paper / "mixhic_tables_2-4.tsv").exists()  # no MIX-HIC entry
    again = snakemake(run, "--forcerun", *PAPER_RULES)
    assert again.returncode == 0, (again.stdout + again.stderr)[-5000:]
    assert paper_files(run) == first


def test_table1_is_the_mean_of_the_metrics_tables_rows(run):
    metrics = pd.read_csv(run / "results/cell_lines/synth/metrics/test_metrics.tsv", sep="\t")
    table = pd.read_csv(run / "results/cell_lines/synth/paper/table1_akita.tsv", sep="\t")
    # the two models' maps hold different bands, so each has its own baseline row; the Akita entry's is shown
    assert table.columns.tolist() == ["protocol", "metric", "vae", "distance_decay@vae", "paper_transformer",
                                      "paper_vae"]
    rows = table.set_index(["protocol", "metric"])
    checked = 0
    for protocol in ("chromosome", "window"):
        here = metrics[metrics["protocol"] == protocol].groupby("predictor")
        for metric, column in (("mse", "mse_log1p"), ("pearson", "pearson_log1p"), ("spearman", "spearman_log1p")):
            for predictor in ("vae", "distance_decay@vae"):
                # the metrics table holds 4 decimals, the paper table 6 significant digits of the same number
                assert rows.loc[(protocol, metric), predictor] == pytest.approx(
                    here[column].mean()[predictor], abs=6e-5), (protocol, metric, predictor)
                checked += 1
    assert checked == 12
    assert "| chromosome | coverage_0.9 |" in (run / "results/cell_lines/synth/paper/table1_akita.md").read_text()


def stored(clr, chrom):
    """A chromosome's balanced map with NaN where no pixel is stored (Akita predicts none on diagonals 0-1)."""
    lo = clr.extent(chrom)[0]
    pixels = clr.matrix(balance=True, as_pixels=True).fetch(chrom)
    dense = np.full((clr.extent(chrom)[1] - lo,) * 2, np.nan)
    dense[pixels["bin1_id"] - lo, pixels["bin2_id"] - lo] = pixels["balanced"]
    return dense


def test_table1_coverage_is_the_fraction_of_held_out_pixels_inside_the_bound_maps(run):
    """Recomputed here from the bound maps, the experiment and the checkpoint, with cooler and numpy."""
    maps = run / "results/cell_lines/synth/models/vae/maps"
    checkpoint = load_checkpoint(run / "results/cell_lines/synth/models/vae/model.pt")
    width = checkpoint["window_size"] // checkpoint["bin_size"]
    lower, upper = (cooler.Cooler(str(maps / f"reference.{b}.cool")) for b in ("lower", "upper"))
    # "<side> bound of the central 0.9 ... of: <the model's values>": an O/E model's bounds are O/E ratios
    assert [c.info["metadata"]["values"].split(" ")[0] for c in (lower, upper)] == ["lower", "upper"]
    oe = lower.info["metadata"]["values"].endswith("of: observed/expected ratio (exp of the model's log O/E)")
    assert oe
    last = min(int(lower.info["metadata"]["band_diagonals"]), width) - 1
    sizes = pd.Series(lower.chromsizes)
    experimental = ExperimentalMap(str(run / "data" / "observed.cool"), {}, sizes)
    scale = checkpoint["contact_scale"]
    decay = distance_decay(experimental, ["chr1", "chr2"], width, scale)
    truth = cooler.Cooler(str(run / "data" / "observed.cool")).matrix(balance=True).fetch("chr4") * scale
    low, high = (stored(c, "chr4") for c in (lower, upper))
    i, j = np.triu_indices(len(truth), 1)
    keep = j - i <= last
    i, j = i[keep], j[keep]
    factor = decay[j - i] if oe else 1.0
    t, lo, hi = truth[i, j], low[i, j] * factor, high[i, j] * factor
    use = np.isfinite(t) & np.isfinite(lo) & np.isfinite(hi)
    expected = np.mean((lo[use] <= t[use]) & (t[use] <= hi[use]))
    table = pd.read_csv(run / "results/cell_lines/synth/paper/table1_akita.tsv", sep="\t")
    got = table.set_index(["protocol", "metric"]).loc[("chromosome", "coverage_0.9"), "vae"]
    print(f"vae: {use.sum()} held-out pixels, {expected:.4f} inside the 0.9 interval bounds")
    assert use.sum() > 1000 and got == pytest.approx(expected, abs=1e-6)


def test_per_chromosome_bars_are_the_metrics_tables_numbers(run):
    bars = pd.read_csv(run / "results/cell_lines/synth/paper/metrics_per_chromosome.tsv", sep="\t")
    metrics = pd.read_csv(run / "results/cell_lines/synth/metrics/test_metrics.tsv", sep="\t")
    series = metrics["predictor"] + " (" + metrics["protocol"] + ")"
    for metric in ("scc", "pearson_oe", "mse_log1p"):
        got = bars[bars["metric"] == metric].set_index("predictor")["value"].dropna().to_dict()
        assert got == pytest.approx(metrics.set_index(series)[metric].dropna().to_dict()), metric
    assert {"synthetic (chromosome)", "vae (window)", "distance_decay@vae (chromosome)"} <= set(
        bars.loc[bars["metric"] == "scc", "predictor"])
