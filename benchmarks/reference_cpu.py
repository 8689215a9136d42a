"""The paper-preset encoder-decoder on the CPU next to the HiCDiffusion reference implementation.

The reference model (``HiCDiffusionEncoderDecoder`` of a local checkout of the public repository
SFGLab/HiCDiffusion, never vendored here) is built with seeded random weights and random
batch-norm statistics; dna2hic's model gets the same weights through the checkpoint importer
(:func:`hicmodels.models.published.hicdiffusion_model`) and runs as the predict rule runs it
(:func:`hicmodels.modelling.prediction.load_model`: batch norms folded, channels-last), as it ran
before those (``dna2hic_unoptimised``), and optionally compiled. One window of 2,097,152 bp (batch 1), the same random sequence for all (in
each model's channel order), fp32, ``--threads`` threads, repeats interleaved so that load on the
machine hits every model alike. Prints JSON lines: the machine's fp32 matmul rate, each model's
seconds per window (median), the ratio to the reference, the largest output difference, and
GFLOP/s per part (FLOPs counted by ``torch.utils.flop_counter``).

    git clone https://github.com/SFGLab/HiCDiffusion /path/to/HiCDiffusion   # outside this repository
    PYTHONPATH=src python benchmarks/reference_cpu.py --hicdiffusion /path/to/HiCDiffusion --threads 2

Without ``--hicdiffusion`` it says so and stops: ``benchmarks/models_cpu.py`` compares with
C.Origami (``corigami`` on PyPI) instead.
"""

import argparse
import copy
import importlib
import json
import os
import statistics
import sys
import time

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from hicmodels import models
from hicmodels.genome.sequence import one_hot
from hicmodels.models.encoder_decoder import pairwise
from hicmodels.models.published import ORDERS, hicdiffusion_model
from hicmodels.modelling.prediction import load_model

WINDOW = 2_097_152


def matmul_rate(threads, size=4096, repeats=3):
    """The machine's fp32 GEMM rate (GFLOP/s): the best of ``repeats`` size^3 products."""
    a, b = torch.rand(size, size), torch.rand(size, size)
    a @ b
    best = min(_seconds(lambda: a @ b) for _ in range(repeats))
    return 2 * size**3 / best / 1e9


def _seconds(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def reference_model(checkout):
    """The reference encoder-decoder with seeded random weights and batch-norm statistics, in eval mode."""
    sys.path.insert(0, str(checkout))
    module = importlib.import_module("hicdiffusion_encoder_decoder_model")
    torch.manual_seed(0)
    model = module.HiCDiffusionEncoderDecoder("/tmp", "chr21", "chr22")
    for layer in model.modules():
        if isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            layer.running_mean.normal_(0, 0.1)
            layer.running_var.uniform_(0.5, 2)
    return model.eval()


def parts(model, x):
    """FLOPs and seconds of dna2hic's model's two parts: the encoder (conv tower + transformer, to
    per-bin features) and the 2D part (pairwise features, dilated decoder, readout)."""
    with FlopCounterMode(display=False) as counter:
        start = time.perf_counter()
        features = model.encode(x)
        encoder_seconds = time.perf_counter() - start
    encoder_flops = counter.get_total_flops()
    with FlopCounterMode(display=False) as counter:
        start = time.perf_counter()
        model.readout(model.decoder(pairwise(features, model.pair_order)))
        decoder_seconds = time.perf_counter() - start
    return {"encoder": (encoder_flops, encoder_seconds), "decoder": (counter.get_total_flops(), decoder_seconds)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hicdiffusion", help="local checkout of SFGLab/HiCDiffusion")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--compile", action="store_true", help="also time dna2hic's model under torch.compile")
    parser.add_argument("--skip-unoptimised", action="store_true", help="do not time dna2hic's model as it was")
    args = parser.parse_args()
    if not args.hicdiffusion:
        print("no --hicdiffusion checkout given: nothing to compare with here; "
              "benchmarks/models_cpu.py compares with C.Origami")
        return
    torch.set_num_threads(args.threads)
    print(json.dumps({"fp32_matmul_gflops": round(matmul_rate(args.threads), 1), "threads": args.threads,
                      "load_average": os.getloadavg()}), flush=True)
    reference = reference_model(args.hicdiffusion)
    state = {k: v for k, v in reference.state_dict().items() if not k.startswith(("train_", "valid_"))}
    config, weights = hicdiffusion_model(state, {}, args.hicdiffusion)
    checkpoint = {"model_config": config, "state_dict": weights}
    cpu = torch.device("cpu")
    plain = load_model(copy.deepcopy(checkpoint), cpu, False)
    unoptimised = models.build(config)  # as the predict rule ran it before: batch norms, contiguous layout
    unoptimised.load_state_dict(weights)
    unoptimised.eval()
    codes = torch.randint(0, 5, (1, WINDOW), generator=torch.Generator().manual_seed(1), dtype=torch.uint8)
    ours_x = one_hot(codes)
    reference_x = ours_x[:, ["ACGTN".index(base) for base in ORDERS["hicdiffusion"]]].contiguous()
    candidates = {"reference": lambda: reference(reference_x), "dna2hic_unoptimised": lambda: unoptimised(ours_x),
                  "dna2hic": lambda: plain(ours_x)}
    if args.skip_unoptimised:
        del candidates["dna2hic_unoptimised"]
    if args.compile:
        compiled = load_model(copy.deepcopy(checkpoint), cpu, True)
        candidates["dna2hic_compiled"] = lambda: compiled(ours_x)
    with torch.inference_mode():
        outputs, first_call = {}, {}
        for name, call in candidates.items():  # warm-up (and compilation, timed apart)
            start = time.perf_counter()
            outputs[name] = call()
            first_call[name] = round(time.perf_counter() - start, 2)
        seconds = {name: [] for name in candidates}
        for _ in range(args.repeats):
            for name, call in candidates.items():
                seconds[name].append(_seconds(call))
        split = parts(plain, ours_x)
    base = statistics.median(seconds["reference"])
    for name, runs in seconds.items():
        median = statistics.median(runs)
        print(json.dumps({"model": name, "seconds_per_window": round(median, 2), "runs": [round(s, 2) for s in runs],
                          "first_call_seconds": first_call[name],
                          "speedup_vs_reference": round(base / median, 3),
                          "max_abs_difference_vs_reference": float((outputs[name] - outputs["reference"]).abs().max())}),
              flush=True)
    for part, (flops, part_seconds) in split.items():  # one run each, counted and timed together
        print(json.dumps({"part": f"dna2hic {part}", "gflop": round(flops / 1e9, 1), "seconds": round(part_seconds, 2),
                          "gflops_per_s": round(flops / 1e9 / part_seconds, 1)}), flush=True)
    print(json.dumps({"load_average": os.getloadavg()}), flush=True)


if __name__ == "__main__":
    main()
