"""Seconds per training step (forward + backward + AdamW) of a model preset on the CPU.

Used to measure the effect of OpenMP's wait policy on cores shared with other
jobs; the policy must be set before torch loads, so it is an environment
variable of the command:

    OMP_WAIT_POLICY=ACTIVE  PYTHONPATH=src python benchmarks/train_step.py --preset synthetic --threads 2
    OMP_WAIT_POLICY=PASSIVE PYTHONPATH=src python benchmarks/train_step.py --preset synthetic --threads 2

Prints one JSON line: the median of ``--steps`` steps after one warm-up step,
and the load average when it started (the cores are shared).
"""

import argparse
import json
import os
import statistics
import time

import torch

from hicmodels import models
from hicmodels.config import read_yaml
from hicmodels.modelling.training import masked_l1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="synthetic")
    parser.add_argument("--window", type=int, default=4096, help="window length in bp")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--config", default="config/config.yaml")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = read_yaml(args.config)["model_presets"][args.preset]
    model = models.build(config)
    optimizer = torch.optim.AdamW(model.parameters())
    x = torch.rand(args.batch_size, config["channels"][0], args.window)
    nbins = args.window // models.bin_size(config)
    target = torch.rand(args.batch_size, nbins, nbins)
    load = os.getloadavg()[0]
    seconds = []
    for _ in range(args.steps + 1):
        start = time.perf_counter()
        loss = masked_l1(model(x), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"preset": args.preset, "batch_size": args.batch_size, "window_bp": args.window,
                      "threads": args.threads, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "<unset>"),
                      "seconds_per_step": round(statistics.median(seconds[1:]), 3),
                      "load_average_at_start": load}))


if __name__ == "__main__":
    main()
