"""A MIX-HIC model entry end to end through snakemake on the synthetic genome at 5 kb.

BAM + bigWig tracks -> track stores -> Hi-C targets -> pre-training -> the hic, loop and cage heads ->
per genome (reference, one haplotype): .mcool in reference coordinates, loops BEDPE, CAGE bigWig;
the metrics rule's table and the test chromosome's MIX-HIC table. Known truth: the synthetic loops,
the planted deletion, the held-out chromosome's windows.
"""

import subprocess
import sys

import cooler
import numpy as np
import pandas as pd
import pyBigWig
import pysam
import pytest
import yaml

from hicmodels.cli import main
from hicmodels.evaluation.loops import loop_auroc
from hicmodels.simulation import synthetic_genome as synthetic

from conftest import REPO

pytestmark = pytest.mark.slow

BINSIZE, BINS, CHROMS, MAP_BINS = 5000, 200, ["chr1", "chr2", "chr3", "chr4", "chr5"], 20


def write_vcf(path, fasta):
    """Haplotype 1 of sample s1: 20 kb (4 bins) deleted after chr1:300000."""
    with pysam.FastaFile(fasta) as genome:
        ref = genome.fetch("chr1", 299_999, 320_000).upper()
    path.write_text("##fileformat=VCFv4.2\n" + "".join(f"##contig=<ID={c},length={BINS * BINSIZE}>\n" for c in CHROMS)
                    + '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
                    + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\n"
                    + f"chr1\t300000\tdel\t{ref}\t{ref[0]}\t50\tPASS\t.\tGT\t1|0\n")
    return pysam.tabix_index(str(path), preset="vcf", force=True)


def test_a_mixhic_entry_predicts_maps_loops_and_cage_for_every_genome(tmp_path):
    data = tmp_path / "data"
    genome = synthetic.make_genome(n_chroms=len(CHROMS), nbins=BINS, binsize=BINSIZE, seed=3)
    paths = synthetic.write_genome(genome, BINSIZE, data, seed=3)
    assert main(["simulation", "track-bams", "--fasta", str(paths["fasta"]), "--tracks", f"atac={paths['atac']}",
                 "--out-dir", str(data), "--seed", "2", "--reads-per-kb", "20"]) == 0
    vcf = write_vcf(tmp_path / "s1.vcf", str(paths["fasta"]))
    (tmp_path / "samples.tsv").write_text(f"sample\tvcf\tvcf_sample\ns1\t{vcf}\ts1\n")
    (tmp_path / "aliases.tsv").write_text("canonical\talias\n")
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["model_presets"]["mixhic_tiny"] = {**config["model_presets"]["mixhic_small"], "map_bins": MAP_BINS,
                                              "segment_length": MAP_BINS * BINSIZE // 100}
    config |= {
        "samples": str(tmp_path / "samples.tsv"),
        "reference": config["reference"] | {"fasta": str(paths["fasta"]),
                                            "chrom_aliases": str(tmp_path / "aliases.tsv"), "chromosomes": CHROMS},
        "hic": {"cell_lines": {"synth": {"cool": str(paths["observed"]), "loops": str(paths["loops"]),
                                         "tracks": {"ctcf": str(paths["ctcf"]), "atac": {"bam": str(data / "atac.bam")},
                                                    "cage": str(paths["cage"])}}},
                "test_chromosomes": ["chr5"], "validation_chromosomes": ["chr4"]},
        "epigenome": {"coverage": {"effective_genome_size": len(CHROMS) * BINS * BINSIZE},
                      "targets": {"window_bins": MAP_BINS, "max_offset": 1}},
        "window_presets": {"mix": {"size": MAP_BINS * BINSIZE, "step": MAP_BINS * BINSIZE // 2, "bins": MAP_BINS}},
        "models": {"mix": {"preset": "mixhic_tiny", "windows": "mix", "inputs": ["tracks"],
                           "training": {"epochs": 8, "batch_size": 8, "learning_rate": 0.003}}},
        "assemble": config["assemble"] | {"bin_size": BINSIZE, "resolutions": [BINSIZE, 2 * BINSIZE]},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    model = tmp_path / "results" / "cell_lines" / "synth" / "models" / "mix"
    targets = [model / f"maps/{g}.mcool" for g in ("reference", "s1.hap1")] + \
        [model / f"loops/{g}.bedpe" for g in ("reference", "s1.hap1")] + \
        [model / f"cage/{g}.bw" for g in ("reference", "s1.hap1")] + \
        [model / "test_metrics_mixhic.tsv", tmp_path / "results/cell_lines/synth/metrics/test_metrics.tsv"]
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
         "--configfile", str(tmp_path / "config.yaml"), "--cores", "2",
         *(str(t.relative_to(tmp_path)) for t in targets)],
        capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    # maps: reference coordinates at 5 kb; half-overlapping 20-bin windows predict every pair of bins up to
    # 10 apart (farther pairs only in some windows: assemble.band_min_predicted drops those diagonals)
    for genome_name in ("reference", "s1.hap1"):
        clr = cooler.Cooler(f"{model}/maps/{genome_name}.mcool::/resolutions/{BINSIZE}")
        assert clr.chromnames == CHROMS and int(clr.chromsizes["chr1"]) == BINS * BINSIZE
        pixels = clr.pixels()[:]
        assert (pixels["bin2_id"] - pixels["bin1_id"]).max() == MAP_BINS // 2
    hap = cooler.Cooler(f"{model}/maps/s1.hap1.mcool::/resolutions/{BINSIZE}")
    # the 4 deleted reference bins (60..63 of chr1) have no predictions in haplotype 1; the reference has them
    weights = hap.bins().fetch("chr1")["weight"].to_numpy()
    assert np.isnan(weights[60:64]).all() and np.isfinite(weights[50:60]).all() and np.isfinite(weights[64:80]).all()

    # loops: every genome scores the labelled candidates; on the held-out chr5 the known loops score higher
    reference = pd.read_csv(model / "loops/reference.bedpe", sep="\t", header=None,
                            names=["chrom1", "start1", "end1", "chrom2", "start2", "end2", "name", "score"])
    known = pd.read_csv(paths["loops"], sep="\t", header=None).iloc[:, :6]
    known.columns = ["chrom1", "start1", "end1", "chrom2", "start2", "end2"]
    loops = reference[reference["name"] == "loop"]
    assert len(loops.merge(known)) == len(loops) == len(known.drop_duplicates())
    test = reference[reference["chrom1"] == "chr5"]
    auroc = loop_auroc(test["score"].to_numpy(), (test["name"] == "loop").to_numpy())
    print(f"held-out chr5 loop AUROC {auroc:.3f} ({(test['name'] == 'loop').sum()} loops)")
    assert auroc > 0.85  # measured 0.962 (17 loops)
    hap_loops = pd.read_csv(model / "loops/s1.hap1.bedpe", sep="\t", header=None)
    assert 0 < len(hap_loops) <= len(reference) and np.isfinite(hap_loops[7]).all()

    # CAGE: one value per 5 kb reference bin; haplotype 1 has none on the deleted bins
    for genome_name in ("reference", "s1.hap1"):
        with pyBigWig.open(str(model / f"cage/{genome_name}.bw")) as bw:
            assert list(bw.chroms()) == CHROMS
            values = np.array(bw.values("chr1", 0, BINS * BINSIZE, numpy=True))[::BINSIZE]
            deleted = np.isnan(values[60:64]).all()
            assert deleted == (genome_name == "s1.hap1") and np.isfinite(values[:60]).all()

    # the test chromosome's MIX-HIC table: every row finite, the model beside distance decay
    table = pd.read_csv(model / "test_metrics_mixhic.tsv", sep="\t")
    print(table.to_string(index=False))
    assert set(map(tuple, table[["table", "task"]].drop_duplicates().to_numpy())) == {(2, "hic"), (3, "loops"),
                                                                                       (4, "cage")}
    assert set(table.loc[table["task"] == "hic", "predictor"]) == {"mix", "distance_decay"}
    assert np.isfinite(table["value"]).all()
    value = table.set_index(["task", "predictor", "metric"])["value"]
    # CAGE is caused by the synthetic contacts and accessibility, which the tracks show (measured PCC 0.90)
    assert value["cage", "mix", "pearson"] > 0.7 and value["loops", "mix", "auroc"] > 0.85
    # the map head adds log O/E to the training windows' decay, so it starts at the baseline and stays near
    # it; scoring the off-diagonal test windows at diagonal offsets gave R^2 -4.5 against the baseline's 0.81
    assert value["hic", "mix", "r2"] > value["hic", "distance_decay", "r2"] - 0.1
    # the metrics rule's table has the entry's rows on the test chromosome
    metrics = pd.read_csv(tmp_path / "results/cell_lines/synth/metrics/test_metrics.tsv", sep="\t")
    assert "mix" in set(metrics["predictor"]) and set(metrics["chrom"]) >= {"chr5"}
