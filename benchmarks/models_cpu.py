"""Parameters and forward time per window at the paper preset on the CPU, next to C.Origami.

Models have random weights and run in eval mode under ``torch.inference_mode``
on one window of 2,097,152 bp (batch 1): the HiCDiffusion encoder-decoder
(``human``), the same model reading CTCF + ATAC (``human_tracks``), the
diffusion stage's sampling (U-Net over the 10-step chain, encoder-decoder
included), and C.Origami (``corigami`` 0.0.1, ``ConvTransModel`` with two
genomic features, i.e. the same 7-channel input as ``human_tracks``).

    pip install --no-deps corigami==0.0.1   # its pyBigWig==0.3.18 pin clashes with ours; the model needs only torch
    PYTHONPATH=src python benchmarks/models_cpu.py --threads 2 --repeats 3

One JSON line per model: parameters, then seconds per window (median of
``repeats`` after one warm-up call).
"""

import argparse
import contextlib
import io
import json
import statistics
import time

import torch

from hicmodels import models
from hicmodels.config import read_yaml

WINDOW = 2_097_152


def timed(call, repeats):
    call()  # warm-up: allocator, oneDNN kernels
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), seconds



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--config", default="config/config.yaml")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    presets = read_yaml(args.config)["model_presets"]
    with contextlib.redirect_stdout(io.StringIO()):  # C.Origami prints while it builds
        from corigami.model.corigami_models import ConvTransModel

        corigami = ConvTransModel(num_genomic_features=2)
    diffusion = models.build(models.diffusion_config(presets["human"]))
    candidates = [
        ("hicdiffusion encoder-decoder (human)", models.build(presets["human"]), lambda m, x: m(x), 5, "ncl"),
        ("encoder-decoder + CTCF/ATAC (human_tracks)", models.build(presets["human_tracks"]), lambda m, x: m(x), 7,
         "ncl"),
        ("hicdiffusion sampling, 10 steps (human, diffusion)", diffusion, lambda m, x: m(x), 5, "ncl"),
        ("C.Origami ConvTransModel (corigami 0.0.1)", corigami, lambda m, x: m(x), 7, "nlc"),
    ]
    for name, model, call, channels, layout in candidates:
        model.eval()
        shape = (1, channels, WINDOW) if layout == "ncl" else (1, WINDOW, channels)
        x = torch.rand(shape)
        parameters = sum(p.numel() for p in model.parameters())
        with torch.inference_mode():
            median, seconds = timed(lambda call=call, model=model, x=x: call(model, x), args.repeats)
        print(json.dumps({"model": name, "parameters": parameters, "seconds_per_window": round(median, 2),
                          "runs": [round(s, 2) for s in seconds], "threads": args.threads,
                          "input": f"{shape}"}), flush=True)


if __name__ == "__main__":
    main()
