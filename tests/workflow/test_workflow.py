"""End to end: the workflow on the bundled yeast data, with a small config (minutes)."""

import os
import subprocess
import sys

import cooler
import numpy as np
import pandas as pd
import pysam
import pytest
import yaml

from hicmodels.genome import liftover

from conftest import REPO

pytestmark = pytest.mark.slow

CHROMOSOMES = ["chrIII", "chrIV", "chrVII", "chrXIII", "chrXV"]


def snakemake(workdir, *args):
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(REPO / "config" / "config.yaml"), str(workdir / "small.yaml"), "--cores", "2", *args]
    # rules call `python`: the one of this environment, as in an activated venv
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("workflow")
    resources = REPO / "resources"
    (workdir / "samples.tsv").write_text(
        "sample\tvcf\tvcf_sample\n"
        f"het\t{resources}/demo/demo.vcf.gz\tdemo_het\n"
        f"hom\t{resources}/demo/demo.vcf.gz\tdemo_hom\n"
    )
    small = {
        "samples": str(workdir / "samples.tsv"),
        "reference": {"fasta": f"{resources}/yeast/sacCer3.fa.gz", "chrom_aliases": f"{resources}/yeast/chrom_aliases.tsv",
                      "chromosomes": CHROMOSOMES},
        "hic": {"cell_lines": {"yeast": {"cool": f"{resources}/yeast/yeast.10kb.cool"}}},
        "window_presets": {"yeast": {"size": 200000, "step": 80000, "bins": 20}},
        "training": {"epochs": 1},
        "effects": {"min_size": 50},  # the structural variants (unit tests score every class)
        # a second entry of the model zoo beside the default one: the same preset, another seed
        "models": {"seed1": {"preset": "yeast", "windows": "yeast", "training": {"seed": 1}}},
    }
    (workdir / "small.yaml").write_text(yaml.safe_dump(small))
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-5000:]
    report = snakemake(workdir, "--report", str(workdir / "report.html"))
    assert report.returncode == 0, report.stderr[-3000:]
    return workdir


def test_maps_are_loadable_and_match_the_reference(run):
    fasta = pysam.FastaFile(str(run / "results/reference/genome.fa.gz"))
    for genome in ("reference", "het.hap1", "het.hap2", "hom.hap1", "hom.hap2"):
        path = run / f"results/cell_lines/yeast/models/yeast/maps/{genome}.mcool"
        resolutions = cooler.fileops.list_coolers(str(path))
        assert resolutions == [f"/resolutions/{r}" for r in (10000, 20000, 40000, 80000, 160000)]
        for uri in resolutions:
            clr = cooler.Cooler(f"{path}::{uri}")
            assert clr.chromnames == list(fasta.references)
            assert clr.chromsizes.tolist() == list(fasta.lengths)
        m = cooler.Cooler(f"{path}::/resolutions/10000").matrix(balance=True).fetch("chrXIII")
        assert np.isfinite(np.diag(m)).mean() > 0.9 and np.nanmin(m) >= 0


def test_deleted_bins_are_masked_on_the_haplotypes_that_carry_the_deletion(run):
    deleted = slice(71, 75)  # chrIV 710-750 kb lie wholly inside the 50 kb deletion at 702,345-752,345
    masked = {}
    for genome in ("reference", "het.hap1", "het.hap2", "hom.hap1", "hom.hap2"):
        clr = cooler.Cooler(str(run / f"results/cell_lines/yeast/models/yeast/maps/{genome}.cool"))
        lo = clr.extent("chrIV")[0]
        weight = clr.bins()["weight"][lo + deleted.start : lo + deleted.stop].to_numpy()
        masked[genome] = np.isnan(weight).all()
    assert masked == {"reference": False, "het.hap1": True, "het.hap2": False, "hom.hap1": True, "hom.hap2": True}


def test_haplotype_bases_at_planted_snvs(run):
    truth = pd.read_csv(REPO / "resources/demo/demo.truth.tsv", sep="\t")
    snvs = truth[(truth["type"] == "SNV") & truth["chrom"].isin(CHROMOSOMES)]
    checked = 0
    for hap in (1, 2):
        blocks, _, _ = liftover.read_chain(run / f"results/personal/het/hap{hap}.chain")
        with pysam.FastaFile(str(run / f"results/personal/het/hap{hap}.fa.gz")) as fasta:
            for snv in snvs.itertuples():
                pchrom, ppos = liftover.lift_positions(blocks, snv.chrom, [snv.pos - 1])
                carried = snv.demo_het.split("|")[hap - 1] == "1"
                assert fasta.fetch(pchrom[0], ppos[0], ppos[0] + 1) == (snv.alt if carried else snv.ref)
                checked += 1
    assert checked > 50


def carried(truth, sample, hap):
    return truth[truth[sample].str.split("|").str[hap - 1] == "1"]


def test_haplotype_lengths_follow_every_carried_variant(run):
    """Deletions shorten, the tandem duplication lengthens (by 40 kb on chrXV), the inversion keeps lengths."""
    truth = pd.read_csv(REPO / "resources/demo/demo.truth.tsv", sep="\t")
    with pysam.FastaFile(str(run / "results/reference/genome.fa.gz")) as fasta:
        reference = dict(zip(fasta.references, fasta.lengths))
    for sample, column in (("het", "demo_het"), ("hom", "demo_hom")):
        for hap in (1, 2):
            change = carried(truth, column, hap).query("type != 'INV'").groupby("chrom")["svlen"].sum()
            with pysam.FastaFile(str(run / f"results/personal/{sample}/hap{hap}.fa.gz")) as fasta:
                lengths = dict(zip(fasta.references, fasta.lengths))
            assert lengths == {c: n + int(change.get(c, 0)) for c, n in reference.items()}, (sample, hap)
    dup = truth.set_index("type").loc["DUP"]
    assert dup["svlen"] == 40_000 and dup["chrom"] == "chrXV" and dup["demo_het"] == "1|0"


def test_inverted_haplotype_reads_the_reverse_complement_over_the_inversion(run):
    start, end = 601_234, 661_234  # 0-based chrVII bases of the demo <INV> (demo_het: haplotype 2)
    with pysam.FastaFile(str(run / "results/reference/genome.fa.gz")) as fasta:
        forward = fasta.fetch("chrVII", start, end).upper()
    reverse = forward[::-1].translate(str.maketrans("ACGTN", "TGCAN"))
    for sample, hap, inverted in (("het", 1, False), ("het", 2, True), ("hom", 1, True)):
        blocks, _, _ = liftover.read_chain(run / f"results/personal/{sample}/hap{hap}.chain")
        pieces = liftover.lift_intervals(blocks, pd.DataFrame({"chrom": ["chrVII"], "start": [start], "end": [end]}))
        assert len(pieces) == 1 and pieces["strand"].iloc[0] == ("-" if inverted else "+")
        with pysam.FastaFile(str(run / f"results/personal/{sample}/hap{hap}.fa.gz")) as fasta:
            got = fasta.fetch("chrVII", int(pieces["pstart"].iloc[0]), int(pieces["pend"].iloc[0])).upper()
        assert got == (reverse if inverted else forward), (sample, hap)


def test_personal_genome_tables_and_the_inserted_sequence_report(run):
    summary = pd.read_csv(run / "results/personal/het/summary.tsv", sep="\t", keep_default_na=False)
    assert set(summary["outcome"]) == {"applied", "not_carried"}  # every demo record is PASS and phased
    rejects = pd.read_csv(run / "results/personal/het/rejects.tsv", sep="\t")
    assert rejects.empty
    applied = summary[summary["outcome"] == "applied"].set_index(["haplotype", "class"])["count"]
    assert (applied[(1, "sv_del")], applied[(1, "sv_dup")], applied[(2, "sv_inv")]) == (1, 1, 1)
    table = pd.read_csv(run / "results/cell_lines/yeast/models/yeast/maps/het.hap1.personal_sequence.tsv", sep="\t")
    copies = table[table["kind"] == "extra_copy"]
    assert copies[["chrom", "start", "end"]].values.tolist() == [["chrXV", 503_210, 543_210]]
    assert (copies["pend"] - copies["pstart"]).tolist() == [40_000] and copies["windows"].iloc[0] > 0
    assert (table["kind"] == "novel").sum() > 0  # the small insertions
    assert pd.read_csv(run / "results/cell_lines/yeast/models/yeast/maps/reference.personal_sequence.tsv", sep="\t").empty


def test_duplicated_and_inverted_bins_are_predicted_not_masked(run):
    for genome in ("hom.hap1", "het.hap2"):
        clr = cooler.Cooler(str(run / f"results/cell_lines/yeast/models/yeast/maps/{genome}.cool"))
        bins = clr.bins()[:]
        for chrom, lo, hi in (("chrXV", 51, 54), ("chrVII", 61, 66)):
            weight = bins[bins["chrom"] == chrom]["weight"].to_numpy()[lo:hi]
            assert np.isfinite(weight).all(), (genome, chrom)


def test_metrics_table_has_the_models_and_the_baseline_on_the_test_chromosome(run):
    every = pd.read_csv(run / "results/cell_lines/yeast/metrics/test_metrics.tsv", sep="\t")
    assert set(every["protocol"]) == {"chromosome", "window"}
    assert every[every["protocol"] == "window"]["predictor"].tolist() == ["yeast", "seed1", "distance_decay"]
    table = every[every["protocol"] == "chromosome"].reset_index(drop=True)
    assert table[["predictor", "chrom"]].values.tolist() == [
        ["yeast", "chrXIII"], ["seed1", "chrXIII"], ["distance_decay", "chrXIII"], ["gc_content", "chrXIII"],
        ["poly_at_tracts", "chrXIII"]]
    table = table.iloc[:3]  # the maps' rows; the sequence baselines score insulation only
    # two seeds, two models: side by side, each with its own maps
    assert table.loc[0, "pearson_oe"] != table.loc[1, "pearson_oe"]
    maps = [cooler.Cooler(str(run / f"results/cell_lines/yeast/models/{m}/maps/reference.cool")) for m in ("yeast", "seed1")]
    assert not np.allclose(*(clr.pixels()[:]["count"].to_numpy()[:1000] for clr in maps))
    baseline = table.set_index("predictor").loc["distance_decay"]
    assert baseline["pearson_oe"] == pytest.approx(0.0, abs=1e-3)
    assert baseline["pearson_log1p"] > 0.8
    assert table["n_pixels"].nunique() == 1 and table["n_pixels"].iloc[0] > 1000


def test_figures_and_report(run):
    figures = ["cell_lines/yeast/figures/metrics.png"] + [
        f"cell_lines/yeast/models/{model}/figures/{name}" for model in ("yeast", "seed1")
        for name in ("test_windows.png", "structural_variants/het.png", "structural_variants/hom.png")]
    for name in (*figures, "figures/personal/het.png", "figures/personal/hom.png"):
        assert (run / "results" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (run / "report.html").read_text(errors="replace")
    assert "structural_variants" in html and "test_windows" in html and "Personal genomes" in html


PAPER_FIGURES = ["fig3_example_windows", "fig4_insulation", "metrics_per_chromosome", "contact_decay", "loops"] + [
    f"fig6_structural_variants/{model}/{sample}" for model in ("yeast", "seed1") for sample in ("het", "hom")]
PAPER_RULES = ["paper_example_windows", "paper_insulation", "paper_contact_decay", "paper_metrics_per_chromosome",
               "paper_structural_variants", "paper_loops"]


def test_snakemake_paper_makes_every_figure_with_its_numbers_identically_twice(run):
    """`snakemake paper` on the workflow's results (only the figure rules run), then the figure rules again."""
    paper = run / "results/cell_lines/yeast/paper"
    assert not paper.exists()  # opt-in: not part of `all`
    result = snakemake(run, "paper")
    assert result.returncode == 0, result.stderr[-5000:]
    first = {name: (paper / f"{name}.tsv").read_bytes() for name in PAPER_FIGURES}
    for name in PAPER_FIGURES:
        assert (paper / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = snakemake(run, "paper", "--forcerun", *PAPER_RULES)
    assert again.returncode == 0, again.stderr[-5000:]
    assert {name: (paper / f"{name}.tsv").read_bytes() for name in PAPER_FIGURES} == first

    decay = pd.read_csv(paper / "contact_decay.tsv", sep="\t")
    assert list(dict.fromkeys(decay["predictor"])) == ["experiment", "yeast", "seed1"]
    one_bin = decay[decay["distance_bp"] == 10_000]
    assert one_bin["relative"].tolist() == pytest.approx([1, 1, 1])
    # each model's curve stops at its map's stored band (inside the 200 kb windows), the experiment's at the widest
    reach = {m: cooler.Cooler(str(run / f"results/cell_lines/yeast/models/{m}/maps/reference.cool")).info[
        "metadata"]["max_predicted_distance_bp"] for m in ("yeast", "seed1")}
    assert 100_000 <= min(reach.values()) and max(reach.values()) < 200_000
    assert decay.groupby("predictor")["distance_bp"].max().to_dict() == {**reach, "experiment": max(reach.values())}
    # yeast's band (under 200 kb) is narrower than loop calls need (4 w = 20 bins): no loops, said in the log
    assert pd.read_csv(paper / "loops.tsv", sep="\t").empty
    assert "loop metrics not computed" in (run / "logs/paper/loops/yeast.log").read_text()
    tracks = pd.read_csv(paper / "fig4_insulation.tsv", sep="\t")
    assert set(tracks["chrom"]) == {"chrXIII"} and set(tracks["predictor"]) == {"experiment", "yeast", "seed1"}
    bars = pd.read_csv(paper / "metrics_per_chromosome.tsv", sep="\t")
    metrics = pd.read_csv(run / "results/cell_lines/yeast/metrics/test_metrics.tsv", sep="\t")
    scc = bars[bars["metric"] == "scc"].set_index("predictor")["value"]
    series = metrics["predictor"] + " (" + metrics["protocol"] + ")"  # a bar per predictor and protocol
    assert scc.dropna().to_dict() == pytest.approx(metrics.set_index(series)["scc"].dropna().to_dict())
    assert {"yeast (chromosome)", "yeast (window)", "distance_decay (chromosome)"} <= set(scc.dropna().index)
    # the 40 kb tandem duplication of chrXV (demo_het 1|0): 4 more bins in haplotype 1's own coordinates
    sv = pd.read_csv(paper / "fig6_structural_variants/yeast/het.tsv", sep="\t")
    dup = sv[sv["variant"].str.contains("chrXV:503,210-543,210")]
    bins = dup.groupby("panel")["start1"].nunique()
    assert bins["hap1 (own coords)"] == bins["reference"] + 4 and bins["hap2 (own coords)"] == bins["reference"]
    assert set(dup.loc[dup["panel"] == "hap1 (own coords)", "coordinates"]) == {"hap1"}
    # the 50 kb deletion of chrIV (1|0): 5 bins fewer in haplotype 1's own coordinates, none on haplotype 2
    bins = sv[sv["variant"].str.contains("chrIV:702,345-752,345")].groupby("panel")["start1"].nunique()
    assert bins["hap1 (own coords)"] == bins["reference"] - 5 and bins["hap2 (own coords)"] == bins["reference"]
