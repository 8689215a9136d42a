"""GPU inference throughput at the paper preset: precisions, layouts, compilation, batch sizes, diffusion sampling.

Random weights, windows of the preset's window size (2,097,152 bp for ``human``), the package's own
inference path where it applies (:func:`hicmodels.modelling.prediction.load_model`: batch norms folded,
channels-last; :func:`hicmodels.modelling.runtime.autocast`: bf16). Prints one JSON line per
measurement and a summary line at the end:

- ``matmul``: the device's measured dense matmul rate (bf16 on a GPU, 8192^3; fp32 on the CPU);
- ``variant``: windows/s of the encoder-decoder at ``--batch-size`` in fp32 (NCHW), bf16 (NCHW),
  bf16 + channels-last (the predict rule's path), that + ``torch.compile``, and that + CUDA graphs
  (``mode="reduce-overhead"``); peak memory; the fraction of the matmul rate achieved (FLOPs counted
  by ``torch.utils.flop_counter``); the largest difference of the map from fp32's; compile seconds;
- ``batch``: the bf16 + channels-last path over batch sizes 1, 2, 4, ... up to ``--max-batch`` or
  the memory limit (the first size that runs out of memory is reported and ends the sweep);
- ``diffusion``: seconds per window of diffusion sampling per ``--sampling`` setting (steps:eta);
- ``projection``: hours per human haplotype (``--genome-bp`` tiled by the window preset's step) and per
  100 samples (200 haplotypes) at the best encoder-decoder rate and for each diffusion setting.

``--budget-s`` (default 270) keeps the whole run under 5 minutes: once it is spent, the remaining
measurements are skipped and listed in the summary.

    PYTHONPATH=src python benchmarks/models_gpu.py                # one GPU, human preset
    PYTHONPATH=src python benchmarks/models_gpu.py --smoke        # CPU, synthetic preset, seconds

``--smoke`` runs every code path on the CPU at the ``synthetic`` preset's size (bf16 through CPU
autocast, compilation with the ``eager`` backend, no CUDA graphs), so a test can check the script
still runs; its numbers mean nothing.
"""

import argparse
import copy
import json
import math
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from hicmodels import models
from hicmodels.config import read_yaml
from hicmodels.genome.sequence import one_hot
from hicmodels.modelling.prediction import load_model

HUMAN_GENOME_BP = 3_100_000_000  # GRCh38 primary assembly, rounded
COMPILE_S = 60  # budget kept for compiling one variant at the paper preset (a guess: no GPU run yet)


def haplotype_windows(genome_bp, size, step):
    """Windows of ``size`` every ``step`` bp that tile ``genome_bp`` (one sequence; the last may overhang)."""
    return 1 + math.ceil(max(genome_bp - size, 0) / step)


def projection(windows_per_s, windows):
    """Hours per haplotype of ``windows`` windows and per 100 diploid samples (200 haplotypes)."""
    hours = windows / windows_per_s / 3600
    return {"hours_per_haplotype": round(hours, 4), "hours_per_100_samples": round(200 * hours, 2)}


class Clock:
    """Wall time against a budget; ``sync`` waits for the device so that times include its queued work."""

    def __init__(self, device, budget_s):
        self.device, self.start, self.budget_s = device, time.perf_counter(), budget_s
        self.skipped = []

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize()

    def left(self):
        return self.budget_s - (time.perf_counter() - self.start)

    def allows(self, what, need_s=0.0):
        """Whether ``what`` may start, leaving ``need_s`` for what must come after; if not, it is listed."""
        if self.left() > need_s:
            return True
        self.skipped.append(what)
        return False

    def rate(self, call, repeats):
        """Calls per second over ``repeats`` calls after one warm-up call (which also compiles)."""
        call()
        self.sync()
        start = time.perf_counter()
        for _ in range(repeats):
            call()
        self.sync()
        return repeats / (time.perf_counter() - start)


def peak_reset(device):
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def peak_gib(device):
    return round(torch.cuda.max_memory_allocated(device) / 2**30, 2) if device.type == "cuda" else None


def emit(record):
    print(json.dumps(record), flush=True)


def matmul_tflops(device, clock, smoke):
    """Dense matmul rate: bf16 8192^3 on a GPU (what tensor cores give), fp32 on the CPU."""
    size, dtype = (256, torch.float32) if smoke else ((8192, torch.bfloat16) if device.type == "cuda"
                                                      else (4096, torch.float32))
    a = torch.randn(size, size, device=device, dtype=dtype)
    return clock.rate(lambda: a @ a, 3 if smoke else 20) * 2 * size**3 / 1e12, str(dtype).split(".")[-1]


def variants(device):
    """(name, bf16, channels-last, compile mode or None)."""
    out = [("fp32", False, False, None), ("bf16", True, False, None), ("bf16_channels_last", True, True, None),
           ("bf16_channels_last_compile", True, True, "default")]
    if device.type == "cuda":
        out.append(("bf16_channels_last_compile_cudagraphs", True, True, "reduce-overhead"))
    return out


def inference_model(checkpoint, device, channels_last, mode, smoke):
    """The predict path's model (``load_model``), or, without channels-last, the same with a contiguous layout."""
    model = load_model(copy.deepcopy(checkpoint), device, False)
    if not channels_last:
        model.to(memory_format=torch.contiguous_format)
    if mode:
        # the transformer's fused inference kernel has no compilable fake kernel in fp32 (torch 2.13): compile
        # the convolutional parts, which hold nearly all the FLOPs
        compile_options = {"backend": "eager"} if smoke else {"mode": mode}
        model.encoder = torch.compile(model.encoder, **compile_options)
        model.decoder = torch.compile(model.decoder, **compile_options)
    return model


def precision(device, bf16):
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="human")
    parser.add_argument("--windows", default="human", help="window preset (size and step)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-batch", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sampling", default="10:1,3:0,1:0", help="diffusion settings steps:eta, comma-separated")
    parser.add_argument("--genome-bp", type=float, default=HUMAN_GENOME_BP)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--budget-s", type=float, default=270)
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--smoke", action="store_true", help="CPU, synthetic preset, tiny sizes: does it still run")
    args = parser.parse_args()
    if args.smoke:
        args.preset = args.windows = "synthetic"
        args.device, args.batch_size, args.max_batch, args.repeats = "cpu", 2, 4, 1
    device = torch.device(args.device)
    clock = Clock(device, args.budget_s)
    torch.manual_seed(0)
    catalog = read_yaml(args.config)
    config, window = catalog["model_presets"][args.preset], catalog["window_presets"][args.windows]
    windows = haplotype_windows(args.genome_bp, window["size"], window["step"])
    codes = torch.randint(0, 5, (args.max_batch, window["size"]), dtype=torch.uint8, device=device)
    extra = config["channels"][0] - 5  # track channels of a sequence + tracks preset: zeros here

    def inputs(batch):
        x = one_hot(codes[:batch])
        return torch.cat([x, x.new_zeros(batch, extra, x.shape[-1])], 1) if extra else x

    tflops, dtype = matmul_tflops(device, clock, args.smoke)
    emit({"matmul": dtype, "tflops": round(tflops, 4),
          "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
          "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32 if device.type == "cuda" else None})
    checkpoint = {"model_config": config, "state_dict": models.build(config).state_dict()}
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        models.build(config).to(device).eval()(inputs(1))
    flops = counter.get_total_flops()
    x = inputs(args.batch_size)
    best, fp32 = 0.0, {}

    def measure(name, bf16, channels_last, mode):
        nonlocal best
        model = inference_model(checkpoint, device, channels_last, mode, args.smoke)
        peak_reset(device)
        with torch.inference_mode(), precision(device, bf16):
            start = time.perf_counter()
            y = model(x).float()
            clock.sync()
            first_s = time.perf_counter() - start
            windows_per_s = clock.rate(lambda: model(x), args.repeats) * args.batch_size
        fp32.setdefault("map", y)
        best = max(best, windows_per_s)
        emit({"variant": name, "batch_size": args.batch_size, "windows_per_s": round(windows_per_s, 3),
              "peak_gib": peak_gib(device), "first_call_s": round(first_s, 2),
              "fraction_of_matmul": round(windows_per_s * flops / 1e12 / tflops, 4),
              "max_abs_difference_vs_fp32": float((y - fp32["map"]).abs().max())})

    compiled = [v for v in variants(device) if v[3]]
    for name, bf16, channels_last, mode in variants(device):
        if not mode and clock.allows(f"variant {name}"):
            measure(name, bf16, channels_last, mode)
    eager = inference_model(checkpoint, device, True, None, args.smoke)
    batch = 1
    while batch <= args.max_batch and clock.allows(f"batch {batch}", need_s=COMPILE_S * len(compiled)):
        peak_reset(device)
        try:
            xb = inputs(batch)
            with torch.inference_mode(), precision(device, True):
                windows_per_s = clock.rate(lambda: eager(xb), args.repeats) * batch
        except torch.OutOfMemoryError:
            emit({"batch": batch, "out_of_memory": True})
            break
        best = max(best, windows_per_s)
        emit({"batch": batch, "windows_per_s": round(windows_per_s, 3), "peak_gib": peak_gib(device),
              "fraction_of_matmul": round(windows_per_s * flops / 1e12 / tflops, 4)})
        del xb
        batch *= 2
    eager = None  # its memory back before the diffusion model's
    peak_reset(device)
    summary = {"preset": args.preset, "gflop_per_window": round(flops / 1e9, 3), "haplotype_windows": windows}
    diffusion = models.diffusion_config(config)
    sampler = load_model({"model_config": diffusion, "state_dict": models.build(diffusion).state_dict()}, device, False)
    generator = torch.Generator(device=device).manual_seed(0)
    for setting in args.sampling.split(","):
        steps, eta = int(setting.split(":")[0]), float(setting.split(":")[1])
        if not clock.allows(f"diffusion {setting}", need_s=COMPILE_S * len(compiled)):
            continue
        noise = torch.randn(args.batch_size, steps, window["bins"], window["bins"], device=device, generator=generator)
        peak_reset(device)
        with torch.inference_mode(), precision(device, True):
            calls_per_s = clock.rate(lambda: sampler(x, noise=noise, eta=eta), max(1, args.repeats - 1))
        windows_per_s = calls_per_s * args.batch_size
        emit({"diffusion": setting, "batch_size": args.batch_size, "seconds_per_window": round(1 / windows_per_s, 4),
              "peak_gib": peak_gib(device)})
        summary[f"diffusion_{steps}_steps_eta_{eta:g}"] = {"windows_per_s": round(windows_per_s, 3),
                                                           **projection(windows_per_s, windows)}
    sampler = None
    for name, bf16, channels_last, mode in compiled:  # last: compilation takes minutes at the paper preset
        if clock.allows(f"variant {name}", need_s=COMPILE_S):
            measure(name, bf16, channels_last, mode)
    summary["encoder_decoder"] = {"windows_per_s": round(best, 3), **projection(best, windows)}
    summary.update(seconds=round(time.perf_counter() - clock.start, 1), skipped=clock.skipped)
    emit(summary)


if __name__ == "__main__":
    main()
