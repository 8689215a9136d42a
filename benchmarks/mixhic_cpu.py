"""Parameters and CPU seconds per window of the MIX-HIC presets (random weights, eval, ``torch.inference_mode``).

For each preset: InferMap (tracks only) and Bimodal (map + tracks) forward
passes on ``--batch`` random windows (2 x 5,000 track values, a 50 x 50 map);
seconds per window are the median of ``--repeats`` calls after one warm-up,
divided by the batch.

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/mixhic_cpu.py --threads 1 --batch 8 --repeats 3

One JSON line per preset.
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from hicmodels import models
from hicmodels.config import read_yaml

PRESETS = ("mixhic_small", "mixhic", "mixhic_cage")


def seconds(call, repeats):
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    presets = read_yaml(Path(__file__).resolve().parents[1] / "config" / "config.yaml")["model_presets"]
    generator = torch.Generator().manual_seed(0)
    tracks = torch.rand(args.batch, 2, 5000, generator=generator)
    hic = torch.rand(args.batch, 50, 50, generator=generator)
    for name in PRESETS:
        torch.manual_seed(0)
        model = models.build(presets[name]).eval()
        with torch.inference_mode():
            infer = seconds(lambda: model(tracks), args.repeats) / args.batch
            bimodal = seconds(lambda: model(tracks, hic), args.repeats) / args.batch
        print(json.dumps({"preset": name, "parameters": sum(p.numel() for p in model.parameters()),
                          "threads": args.threads, "batch": args.batch, "seconds_per_window_infermap": round(infer, 4),
                          "seconds_per_window_bimodal": round(bimodal, 4)}), flush=True)


if __name__ == "__main__":
    main()
