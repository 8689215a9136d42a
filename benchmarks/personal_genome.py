"""Personal-genome build at human chromosome scale, next to ``bcftools consensus``.

Simulates a 250 Mb chromosome (written to ``--workdir``, /tmp by default, never
to the repository), ~350,000 SNVs/indels and 50 symbolic SVs with random
phased genotypes, then times (wall clock, CPU time of the process and its
children, and peak memory of the largest process, ``/usr/bin/time -v``):

1. ``build_haplotypes`` on the full VCF (both haplotypes);
2. ``build_haplotypes`` on the SNV/indel subset (both haplotypes);
3. ``bcftools consensus -H 1`` and ``-H 2`` with ``-c`` chains on that subset,
   plain FASTA output (bcftools' own job);
4. the same plus ``bgzip -l 1`` and ``samtools faidx``: the deliverable of 2.

Runs are interleaved (1, 2, 3, 4, 1, 2, ...) and the best of ``--repeat`` is
kept, so load from other processes hits every tool alike.

Usage::

    PYTHONPATH=src python benchmarks/personal_genome.py [--workdir DIR] [--repeat 3] [--threads 1]

Prints a markdown table for ``docs/benchmarks.md``.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from hicmodels.genome.fasta import bgzf_fasta_writer
from hicmodels.simulation.samples import (
    merge_variants, random_genotypes, random_sequence, spaced_small_variants, spaced_structural_variants, write_vcf,
)

SRC = str(Path(__file__).resolve().parents[1] / "src")


def timed(command, shell=False):
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) under ``/usr/bin/time -v``."""
    wrapped = ["/usr/bin/time", "-v", "sh", "-c", command] if shell else ["/usr/bin/time", "-v", *command]
    start = time.perf_counter()
    done = subprocess.run(wrapped, capture_output=True, text=True, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])

    def field(name):
        return float(re.search(rf"{re.escape(name)}: ([\d.]+)", done.stderr).group(1))

    cpu = field("User time (seconds)") + field("System time (seconds)")
    return wall, cpu, field("Maximum resident set size (kbytes)") / 1024


def prepare(workdir, length, n_small, n_sv, seed):
    """Reference, full VCF and SNV/indel VCF under ``workdir`` (reused if present)."""
    workdir.mkdir(parents=True, exist_ok=True)
    ref, full, small = workdir / "synthetic.fa.gz", workdir / "full.vcf.gz", workdir / "small.vcf.gz"
    if ref.exists() and full.exists() and small.exists():
        return ref, full, small
    rng = np.random.default_rng(seed)
    genome = {"chrS": random_sequence(length, rng)}
    with bgzf_fasta_writer(ref, threads=2) as fasta:
        fasta.write("chrS", genome["chrS"])
    tables = []
    for make, n, rng in ((spaced_small_variants, n_small, np.random.default_rng(seed + 1)),
                         (spaced_structural_variants, n_sv, np.random.default_rng(seed + 2))):
        table = make(genome, n, rng)
        tables.append(table.assign(S1=random_genotypes(len(table), rng)))
    variants, every = merge_variants(genome, tables[0]), merge_variants(genome, *tables)
    write_vcf(variants, variants[["S1"]], genome, small)
    write_vcf(every, every[["S1"]], genome, full)
    return ref, full, small


def ours(ref, vcf, out_dir, threads):
    code = (
        "from hicmodels.variants import build_haplotypes; "
        f"build_haplotypes({str(ref)!r}, {str(vcf)!r}, 'S1', {str(out_dir)!r}, threads={threads})"
    )
    return [sys.executable, "-c", code]


def bcftools(ref, vcf, out, compress):
    steps = []
    for hap in (1, 2):
        fa = f"{out}.hap{hap}.fa"
        steps.append(f"bcftools consensus -H {hap} -f {ref} -c {out}.hap{hap}.chain {vcf} -o {fa} 2>/dev/null")
        if compress:
            steps.append(f"bgzip -l 1 -f {fa} && samtools faidx {fa}.gz")
    return " && ".join(steps)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dna2hic-personal-genome-bench"))
    parser.add_argument("--length", type=int, default=250_000_000)
    parser.add_argument("--small", type=int, default=357_000, help="positions drawn for SNVs/indels (~2%% dropped by spacing)")
    parser.add_argument("--sv", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="bgzip threads of build_haplotypes")
    args = parser.parse_args()
    ref, full, small = prepare(args.workdir, args.length, args.small, args.sv, args.seed)
    n_small = sum(1 for line in subprocess.run(["zcat", str(small)], capture_output=True, text=True).stdout.splitlines() if line[:1] != "#")
    runs = {
        "build_haplotypes, SNVs/indels + 50 SVs": (ours(ref, full, args.workdir / "ours-full" / "S1", args.threads), False),
        "build_haplotypes, SNVs/indels": (ours(ref, small, args.workdir / "ours-small" / "S1", args.threads), False),
        "bcftools consensus -H 1, -H 2 (+ -c chain), plain FASTA": (bcftools(ref, small, args.workdir / "bcf", False), True),
        "bcftools consensus -H 1, -H 2 (+ chain) + bgzip -l 1 + samtools faidx": (bcftools(ref, small, args.workdir / "bcfz", True), True),
    }
    results = {name: [] for name in runs}
    loads = []
    for _ in range(args.repeat):
        for name, (command, shell) in runs.items():
            loads.append(os.getloadavg()[0])
            results[name].append(timed(command, shell))
    print(f"{args.length:,} bp chromosome, {n_small:,} SNVs/indels, {args.sv} SVs, bgzip threads {args.threads}; "
          f"best of {args.repeat} interleaved runs; 1-min load average at the starts {min(loads):.1f}-{max(loads):.1f}\n")
    print("| run (both haplotypes) | wall (s) | CPU (s) | peak RSS (MiB) |")
    print("|---|---:|---:|---:|")
    for name, values in results.items():
        wall, cpu, rss = min(values, key=lambda v: v[0])
        print(f"| {name} | {wall:.1f} | {min(v[1] for v in values):.1f} | {rss:.0f} |", flush=True)


if __name__ == "__main__":
    main()
