"""Speed and accuracy of the reads -> VCF front end on a simulated whole yeast genome.

Plants random SNVs, indels and SVs (5 of each of DEL, INV, DUP; 5-50 kb) into the 16 nuclear
chromosomes of the bundled sacCer3, simulates 2 x 150 bp reads at 20x from the two haplotypes,
and runs the workflow from the reads to the sample's VCF, coverage QC and call accuracy, in a
work directory of its own; with --maps, on to its predicted maps. Prints the per-stage wall
times (from the rules' benchmark files), alignment reads/s and the accuracy tables as Markdown
for docs/benchmarks.md.

    .venv/bin/python benchmarks/reads_to_vcf.py --cores 2
    .venv/bin/python benchmarks/reads_to_vcf.py --cores 2 --maps   # then: reads -> .mcool
"""

import argparse
import glob
import gzip
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
NAME = "yeast20x"
NUCLEAR = ["chrI", "chrII", "chrIII", "chrIV", "chrV", "chrVI", "chrVII", "chrVIII", "chrIX", "chrX", "chrXI",
           "chrXII", "chrXIII", "chrXIV", "chrXV", "chrXVI"]


def run(command, cwd=None):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(REPO / "src")}
    start = time.perf_counter()
    subprocess.run(list(map(str, command)), check=True, cwd=cwd, env=env)
    return time.perf_counter() - start


def snakemake(work, cores, *targets):
    return run([sys.executable, "-m", "snakemake", "-s", REPO / "Snakefile", "--directory", work, "--profile",
                REPO / "profiles" / "default", "--cores", cores, *targets])


def stage_times(work):
    """Wall seconds per rule from Snakemake's benchmark files (summed over a rule's jobs)."""
    rows = []
    for path in glob.glob(str(work / "results" / "benchmarks" / "**" / "*.tsv"), recursive=True):
        rel = Path(path).relative_to(work / "results" / "benchmarks")
        rule = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        table = pd.read_csv(path, sep="\t")
        rows.append({"rule": rule, "s": float(table["s"].iloc[-1]), "cpu_time": float(table["cpu_time"].iloc[-1]),
                     "max_rss_mb": float(table["max_rss"].iloc[-1])})
    table = pd.DataFrame(rows)
    return table.groupby("rule").agg(jobs=("s", "size"), wall_s=("s", "sum"), max_job_s=("s", "max"),
                                     cpu_s=("cpu_time", "sum"), max_rss_mb=("max_rss_mb", "max"))


def bwa_seconds(log):
    """bwa mem's own CPU and real seconds from its log ('Processed N reads in X CPU sec, Y real sec')."""
    found = re.findall(r"Processed \d+ reads in ([\d.]+) CPU sec, ([\d.]+) real sec", Path(log).read_text())
    return sum(float(c) for c, _ in found), sum(float(r) for _, r in found)


def count_reads(fastq1):
    with gzip.open(fastq1, "rb") as handle:
        return 2 * sum(1 for _ in handle) // 4


def markdown(table, index=True):
    table = table.reset_index() if index else table
    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(f"{v:,.4g}" if isinstance(v, float) else str(v) for v in row) + " |"
              for row in table.itertuples(index=False)]
    return "\n".join(lines)


def qual_sweep(work, thresholds=(0, 10, 20, 30, 50)):
    """SNV and INDEL recall/precision if the small-variant QUAL filter were each threshold (LowDP kept)."""
    from hicmodels.calling.accuracy import evaluate, read_variants

    fasta = work / "results" / "reference" / "genome.fa.gz"
    truth_vcf, calls_vcf = work / "sweep.truth.vcf.gz", work / "sweep.calls.vcf.gz"
    run(["bcftools", "norm", "-f", fasta, "-m-any", "-Oz", "-o", truth_vcf, work / "reads" / f"{NAME}.truth.vcf.gz"])
    truth = read_variants(truth_vcf, NAME, NUCLEAR)
    rows = []
    for threshold in thresholds:
        run(["bash", "-c", f"bcftools annotate -x FILTER {work}/results/calls/{NAME}.vcf.gz"
                           f" | bcftools view -i 'QUAL>={threshold} && INFO/DP>={5}' -Oz -o {calls_vcf}"])
        summary, _ = evaluate(truth, read_variants(calls_vcf, NAME, NUCLEAR))
        for row in summary[summary["class"].isin(["SNV", "INDEL"])].itertuples():
            rows.append({"min_qual": threshold, "class": row[1], "recall": row.recall, "precision": row.precision})
    return pd.DataFrame(rows)


def snv_misses(work, min_mapq, min_depth):
    """Why each planted SNV lacks a PASS call: its FILTER, or the reads at MAPQ >= min_mapq over it."""
    import pysam

    from hicmodels.calling.accuracy import read_variants

    truth = read_variants(work / "sweep.truth.vcf.gz", NAME, NUCLEAR)
    calls = {}
    with pysam.VariantFile(str(work / "results" / "calls" / f"{NAME}.vcf.gz")) as vcf:
        for record in vcf:
            for alt in record.alts:
                calls[(record.chrom, record.pos, record.ref, alt)] = ";".join(record.filter.keys())
    causes = []
    with pysam.AlignmentFile(str(work / "results" / "alignments" / f"{NAME}.bam")) as bam:
        for v in truth[truth["kind"] == "SNV"].itertuples():
            found = calls.get((v.chrom, v.pos, v.ref, v.alt))
            if found == "PASS":
                continue
            if found:
                causes.append(f"called, FILTER {found}")
                continue
            reads = sum(1 for r in bam.fetch(v.chrom, v.start, v.end)
                        if r.mapping_quality >= min_mapq and not r.flag & 0xF04)
            causes.append(f"not called, {'<' if reads < min_depth else '>='} {min_depth} reads at MAPQ >= {min_mapq}")
    return pd.Series(causes, dtype=str).value_counts().rename_axis("missed SNVs").reset_index(name="count")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work" / "reads_to_vcf")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--depth", type=float, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--maps", action="store_true",
                        help="go on to the predicted maps and SV figure (trains the model; reuses an earlier run)")
    args = parser.parse_args()
    work = args.work.resolve()
    (work / "config").mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    for key in ("fasta", "chrom_aliases"):
        config["reference"][key] = str(REPO / config["reference"][key])
    for cell_line in config["hic"]["cell_lines"].values():
        cell_line["cool"] = str(REPO / cell_line["cool"])
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    truth = work / "reads" / f"{NAME}.truth.vcf.gz"
    simulate_s = None
    if not truth.exists():  # a second run (--maps) reuses the reads and the results so far
        (work / "config" / "samples.tsv").write_text("sample\tfastq1\tfastq2\ttruth\n")  # no reads yet
        snakemake(work, args.cores, "results/reference/genome.fa.gz")
        simulate_s = run([sys.executable, "-m", "hicmodels", "simulation", "simulate-sample", "--fasta",
                          work / "results" / "reference" / "genome.fa.gz", "--out-dir", work / "reads", "--name",
                          NAME, "--depth", args.depth, "--snvs", 12_000, "--indels", 2_400, "--random-svs", 5,
                          "--chromosomes", *NUCLEAR, "--seed", args.seed])
    (work / "config" / "samples.tsv").write_text(
        f"sample\tfastq1\tfastq2\ttruth\n{NAME}\treads/{NAME}_1.fq.gz\treads/{NAME}_2.fq.gz\t"
        f"reads/{NAME}.truth.vcf.gz\n")
    targets = [f"results/calls/{NAME}.vcf.gz", *(f"results/qc/{NAME}.{t}.tsv"
                                                 for t in ("coverage", "call_accuracy", "sv_recovery"))]
    if args.maps:
        targets += [f"results/cell_lines/yeast/models/yeast/maps/{g}.mcool" for g in ("reference", f"{NAME}.hap1", f"{NAME}.hap2")]
        targets.append(f"results/cell_lines/yeast/models/yeast/figures/structural_variants/{NAME}.png")
    workflow_s = snakemake(work, args.cores, *targets)

    times = stage_times(work)
    reads = count_reads(work / "reads" / f"{NAME}_1.fq.gz")
    align_s = times.loc["align", "wall_s"]
    if simulate_s is not None:
        print(f"simulate-sample: {simulate_s:.0f} s")
    print(f"snakemake {' '.join(targets)}: {workflow_s:.0f} s wall on {args.cores} cores\n")
    print(markdown(times.round(1)))
    print(f"\nalignment rule (aligner | fixmate | sort): {reads:,} reads in {align_s:.0f} s wall = "
          f"{reads / align_s:,.0f} reads/s on {args.cores} cores")
    if config["calling"]["aligner"] == "bwa":
        bwa_cpu, bwa_real = bwa_seconds(work / "logs" / "align" / f"{NAME}.bwa.log")
        print(f"bwa mem alone: {bwa_real:.0f} s real, {bwa_cpu:.0f} s CPU = {reads / bwa_cpu:,.0f} reads per "
              "CPU-second")
    print()
    print(markdown(qual_sweep(work), index=False))
    print()
    print(markdown(snv_misses(work, config["calling"]["min_mapping_quality"],
                              config["calling"]["small_variants"]["min_depth"]), index=False))
    for table in ("coverage", "call_accuracy", "sv_recovery"):
        print()
        print(markdown(pd.read_csv(work / "results" / "qc" / f"{NAME}.{table}.tsv", sep="\t"), index=False))


if __name__ == "__main__":
    main()
