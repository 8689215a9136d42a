"""The epigenome stage end to end through snakemake on the synthetic genome: BAM tracks -> bigWigs -> store, targets."""

import subprocess
import sys

import numpy as np
import pyBigWig
import pysam
import pytest
import yaml

from hicmodels.cli import main
from hicmodels.epigenome import open_track_store
from hicmodels.epigenome.targets import read_targets
from hicmodels.simulation import synthetic_genome as synthetic

from conftest import REPO

pytestmark = pytest.mark.slow

BINSIZE, BINS, CHROMS = 128, 400, ["chr1", "chr2", "chr3", "chr4"]


def write_vcf(path, fasta):
    """Haplotype 1 of sample s1: 640 bp deleted after chr1:10000 (1-based POS 10000, REF 641 bases)."""
    with pysam.FastaFile(fasta) as genome:
        ref = genome.fetch("chr1", 9999, 10640).upper()
    path.write_text("##fileformat=VCFv4.2\n" + "".join(f"##contig=<ID={c},length={BINS * BINSIZE}>\n" for c in CHROMS)
                    + '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
                    + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\n"
                    + f"chr1\t10000\tdel\t{ref}\t{ref[0]}\t50\tPASS\t.\tGT\t1|0\n")
    return pysam.tabix_index(str(path), preset="vcf", force=True)


def test_bam_tracks_become_a_track_store_and_hic_targets(tmp_path):
    paths = synthetic.write_genome(synthetic.make_genome(n_chroms=4, nbins=BINS, binsize=BINSIZE, seed=5), BINSIZE,
                                   tmp_path / "data", seed=5)
    assert main(["simulation", "track-bams", "--fasta", str(paths["fasta"]), "--tracks", f"atac={paths['atac']}",
                 f"ctcf={paths['ctcf']}", "--out-dir", str(tmp_path / "data"), "--seed", "2"]) == 0
    vcf = write_vcf(tmp_path / "s1.vcf", str(paths["fasta"]))
    (tmp_path / "samples.tsv").write_text(f"sample\tvcf\tvcf_sample\ns1\t{vcf}\ts1\n")
    (tmp_path / "aliases.tsv").write_text("canonical\talias\n")
    data = tmp_path / "data"
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config |= {
        "samples": str(tmp_path / "samples.tsv"),
        "reference": config["reference"] | {"fasta": str(paths["fasta"]),
                                            "chrom_aliases": str(tmp_path / "aliases.tsv"), "chromosomes": CHROMS},
        "hic": {"cell_lines": {"synth": {"cool": str(paths["observed"]),
                                         "tracks": {"atac": {"bam": str(data / "atac.bam")},
                                                    "ctcf": str(paths["ctcf"])}}},
                "test_chromosomes": ["chr4"], "validation_chromosomes": ["chr3"]},
        "epigenome": {"coverage": {"bin_size": 64, "effective_genome_size": len(CHROMS) * BINS * BINSIZE},
                      "tracks": {"bin_size": 64},
                      "targets": {"resolution": BINSIZE, "window_bins": 50, "max_offset": 1}},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
         "--configfile", str(tmp_path / "config.yaml"), "--cores", "2",
         "epigenome"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    cell_line = tmp_path / "results" / "cell_lines" / "synth"
    assert (cell_line / "tracks" / "atac.bw").exists() and not (cell_line / "tracks" / "ctcf.bw").exists()
    with open_track_store(cell_line / "tracks" / "reference.h5") as store:
        assert store.names == ["atac", "ctcf"] and store.bin_size == 64 and list(store.chroms) == CHROMS
        with pyBigWig.open(str(paths["atac"])) as bw:
            truth = np.log1p(np.array(bw.stats("chr2", 0, BINS * BINSIZE, nBins=BINS * 2, exact=True), dtype=float))
        pearson = np.corrcoef(store.window("chr2", 0, BINS * BINSIZE)[0], truth)[0, 1]
        print(f"stored atac (from simulated reads) vs truth, log1p per 64 bp: Pearson {pearson:.3f}")
        assert pearson > 0.9
    # haplotype 1 lacks 640 bp (10 bins of 64) after chr1:10000; haplotype 2 is the reference
    with open_track_store(cell_line / "tracks" / "reference.h5") as ref, \
            open_track_store(cell_line / "tracks" / "s1.hap1.h5") as hap1, \
            open_track_store(cell_line / "tracks" / "s1.hap2.h5") as hap2:
        assert hap1.chroms["chr1"] == ref.chroms["chr1"] - 10
        np.testing.assert_array_equal(hap1.window("chr1", 0, 9984), ref.window("chr1", 0, 9984))
        np.testing.assert_array_equal(hap1.window("chr1", 10048, 40000), ref.window("chr1", 10688, 40640))
        np.testing.assert_array_equal(hap2.window("chr1", 0, 51200), ref.window("chr1", 0, 51200))
    maps, windows, attrs = read_targets(cell_line / "hic_targets.h5")
    # 400 bins: 8 segments of 50 per chromosome, 8 diagonal + 7 adjacent blocks each; the synthetic maps are dense
    assert len(windows) == len(maps) == 4 * 15 and maps.shape[1:] == (50, 50)
    assert attrs["weights"].startswith("ice (the cooler's stored weight")
