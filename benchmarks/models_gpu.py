"""GPU inference throughput at the paper preset: fp32 vs bf16 (+ torch.compile), diffusion sampling.

Random weights, batches of ``--batch-size`` windows of 2,097,152 bp, the
package's own inference path (:func:`hicmodels.modelling.prediction.load_model`:
channels-last on a GPU, :func:`hicmodels.modelling.runtime.autocast`: bf16). Also
measures the GPU's bf16 matmul rate (8192^3 GEMMs) and reports the fraction
of it the encoder-decoder achieves (its FLOPs counted by
``torch.utils.flop_counter``).

    PYTHONPATH=src python benchmarks/models_gpu.py --preset human --batch-size 4

Runs on the CPU too (``--device cpu``, fp32 only), e.g. as a smoke test with
``--preset synthetic --window 4096``.
"""

import argparse
import json
import time

import torch

from hicmodels import models
from hicmodels.config import read_yaml
from hicmodels.modelling.prediction import load_model
from hicmodels.modelling.runtime import autocast


def rate(call, device, repeats):
    call()  # warm-up (and compilation)
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        call()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return repeats / (time.perf_counter() - start)



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="human")
    parser.add_argument("--window", type=int, default=2_097_152)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--config", default="config/config.yaml")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    config = read_yaml(args.config)["model_presets"][args.preset]
    x = torch.rand(args.batch_size, config["channels"][0], args.window, device=device)
    results = {"device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
               "preset": args.preset, "batch_size": args.batch_size}
    if device.type == "cuda":
        a = torch.randn(8192, 8192, device=device, dtype=torch.bfloat16)
        results["bf16_matmul_tflops"] = rate(lambda: a @ a, device, 20) * 2 * 8192**3 / 1e12
    checkpoint = {"model_config": config, "state_dict": models.build(config).state_dict()}
    with torch.utils.flop_counter.FlopCounterMode(display=False) as counter, torch.inference_mode():
        models.build(config).to(device).eval()(x[:1])
    flops = counter.get_total_flops()
    variants = [("fp32", False, False)] + ([("bf16", True, False), ("bf16_compile", True, True)]
                                           if device.type == "cuda" else [])
    for name, bf16, compiled in variants:
        model = load_model(checkpoint, device, compile=compiled)
        precision = autocast(device) if bf16 else torch.autocast(device.type, enabled=False)
        with torch.inference_mode(), precision:
            windows_per_s = rate(lambda model=model: model(x), device, args.repeats) * args.batch_size
        results[f"encoder_decoder_{name}_windows_per_s"] = round(windows_per_s, 3)
        if "bf16_matmul_tflops" in results:
            results[f"encoder_decoder_{name}_fraction_of_bf16_matmul"] = round(
                windows_per_s * flops / 1e12 / results["bf16_matmul_tflops"], 3)
    diffusion = models.diffusion_config(config)
    model = load_model({"model_config": diffusion, "state_dict": models.build(diffusion).state_dict()}, device, False)
    with torch.inference_mode(), autocast(device):
        results["diffusion_seconds_per_window"] = round(
            1 / (rate(lambda: model(x), device, max(1, args.repeats // 2)) * args.batch_size), 3)
    results["encoder_decoder_gflop_per_window"] = round(flops / 1e9, 1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
