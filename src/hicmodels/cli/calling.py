"""calling: reads -> VCF helpers: coverage QC, SV call filters, call accuracy against a truth VCF."""

import logging

from ..config import section_schema, settings_schema
from .common import add_command, add_settings, reference_sizes

log = logging.getLogger("hicmodels")


def coverage(args):
    from ..calling.alignments import check_contigs, check_header
    from ..calling.coverage import count_reads, coverage_table, depth_histograms
    from ..errors import InputError
    from ..files import write_tsv

    settings = args.settings
    sizes = reference_sizes(args.reference)
    check_contigs(args.bam, check_header(args.bam), sizes, args.chromosomes)
    histograms = depth_histograms(args.per_base, args.chromosomes)
    reads = count_reads(args.bam, args.reference, args.chromosomes, settings["min_mapping_quality"], args.threads)
    try:
        table = coverage_table(histograms, reads, args.chromosomes, settings["coverage_thresholds"], sizes)
    except ValueError as err:
        raise InputError(f"not the whole chromosome: {err} (truncated, or of another reference?)",
                         args.per_base) from None
    write_tsv(table, args.out, float_format="%.4f")
    log.info("\n%s", table.to_string(index=False))


def filter_svs(args):
    from ..calling.structural import filter_sv_calls

    settings = args.settings
    counts = filter_sv_calls(args.vcf, args.out, args.sample, settings["min_size"], settings["inversion_junction_bp"])
    log.info("records per FILTER: %s", counts.to_dict())


def accuracy(args):
    from ..calling.accuracy import evaluate, read_variants
    from ..files import write_tsv

    settings = args.settings
    truth = read_variants(args.truth, args.calls_sample, args.chromosomes, fallback=True)
    calls = read_variants(args.calls, args.calls_sample, args.chromosomes)
    summary, recovery = evaluate(truth, calls, settings["sv_tolerance_bp"], settings["sv_min_overlap"])
    for table, path in ((summary, args.summary), (recovery, args.sv_recovery)):
        write_tsv(table, path, float_format="%.4f")
    log.info("\n%s\n%s", summary.to_string(index=False), recovery.to_string(index=False))


def sv_bench(args):
    import shutil
    import tempfile
    from pathlib import Path

    import pysam

    from ..calling.accuracy import pick_sample
    from ..calling.truvari import bench_command, bench_table, run_bench
    from ..errors import InputError
    from ..files import atomic_output, write_tsv

    samples = {}
    for key, path, fallback in (("truth", args.truth, True), ("calls", args.calls, False)):
        try:
            with pysam.VariantFile(str(path)) as vcf:
                samples[key] = pick_sample(vcf.header.samples, args.calls_sample, path, fallback)
        except (OSError, ValueError) as err:
            raise InputError(f"cannot read the VCF: {err}", path) from None
    out = Path(args.table)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".truvari.") as tmp:
        include = None
        if args.chromosomes:
            sizes = reference_sizes(args.reference)
            include = Path(tmp) / "include.bed"
            include.write_text("".join(f"{c}\t0\t{sizes[c]}\n" for c in args.chromosomes))
        bench = Path(tmp) / "bench"
        run_bench(bench_command(args.truth, args.calls, bench, args.settings, samples["truth"], samples["calls"],
                                include))
        table = bench_table(bench)
        write_tsv(table, args.table, float_format="%.4f")
        with atomic_output(args.summary) as path:
            shutil.copyfile(bench / "summary.json", path)
    log.info("\n%s", table.to_string(index=False))


def _calling_part(name):
    return lambda: settings_schema(section_schema("calling")["properties"][name])


def _truth_and_calls(p):
    p.add_argument("--truth", required=True, help="normalised truth VCF (bgzipped, indexed)")
    p.add_argument("--calls", required=True, help="normalised calls VCF (bgzipped, indexed)")
    p.add_argument("--calls-sample", required=True,
                   help="sample column of the calls (also read from the truth if it has it, else its only one)")
    p.add_argument("--chromosomes", nargs="+", help="score only these")


def register(commands):
    p = add_command(commands, "coverage", coverage, "coverage QC of alignments: depth and fraction of bases covered")
    p.add_argument("--bam", required=True, help="indexed BAM or CRAM (header checked, reads counted)")
    p.add_argument("--per-base", required=True,
                   help="mosdepth's <prefix>.per-base.bed.gz of that file (--fast-mode -Q <min MAPQ> -F 3844)")
    p.add_argument("--reference", required=True, help="reference FASTA (lengths; decodes a CRAM)")
    p.add_argument("--threads", type=int, default=1, help="decompression threads for counting reads")
    p.add_argument("--chromosomes", nargs="+", required=True, help="chromosomes measured")
    p.add_argument("--out", required=True, help="coverage table written (TSV)")
    add_settings(p, lambda: section_schema("calling"), "config calling (min_mapping_quality, coverage_thresholds)")

    p = add_command(commands, "filter-svs", filter_svs, "add FILTER values to delly's SV calls")
    p.add_argument("--vcf", required=True, help="delly call output (BCF/VCF)")
    p.add_argument("--sample", help="sample column (default: the only one)")
    p.add_argument("--out", required=True, help="bgzipped VCF, indexed")
    add_settings(p, _calling_part("structural_variants"), "config calling.structural_variants")

    p = add_command(commands, "accuracy", accuracy, "recall and precision of calls against a truth VCF")
    _truth_and_calls(p)
    p.add_argument("--summary", required=True, help="per-class TSV written")
    p.add_argument("--sv-recovery", required=True, help="per-truth-SV TSV written")
    add_settings(p, _calling_part("evaluation"), "config calling.evaluation")

    p = add_command(commands, "sv-bench", sv_bench, "SV recall and precision against a truth VCF with truvari bench")
    _truth_and_calls(p)
    p.add_argument("--reference", required=True, help="reference FASTA (chromosome lengths)")
    p.add_argument("--table", required=True, help="per-class TSV written")
    p.add_argument("--summary", required=True, help="truvari's summary.json, copied")
    add_settings(p, _calling_part("evaluation"), "config calling.evaluation")
