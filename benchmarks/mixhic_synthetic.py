"""MIX-HIC's three tasks on held-out synthetic chromosomes (small preset, CPU): the numbers in docs/benchmarks.md.

Eight chromosomes of 400 bins of 5 kb (:mod:`hicmodels.simulation.multimodal`,
seed 0): chr1-6 train, chr7 validates, chr8 is the test chromosome (never
seen). Map samples: 50 x 50 windows every ``--stride`` bins, the y segment
``--offsets`` bins after x (0: on the diagonal); loop samples: windows centred on the known loops' anchors
and as many distance-matched non-loops. Steps:

1. pre-training (eq. 7) on the training map samples;
2. Hi-C maps, tracks only ("MIX-HIC-Infer"), fine-tuned from the pre-trained
   model and from scratch with the same steps; scored per window (PCC, R^2,
   the paper's Table 2 metric) against the distance-decay baseline, on
   log1p contacts and on their difference from the baseline (what a model
   adds beyond P(s));
3. loops with map and tracks ("MIX-HIC-Bimodal"), pre-trained and scratch;
   precision, recall, F1, AUROC (Table 3);
4. CAGE with map and tracks, pre-trained (Table 4: PCC, R^2 per sample);
5. CPU seconds per window of InferMap prediction (one thread).

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/mixhic_synthetic.py --out /tmp/mixhic_synthetic

Writes ``results.json`` and each stage's checkpoint and loss log in ``--out``.
"""

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
import yaml

from hicmodels.evaluation import mixhic as scores
from hicmodels.modelling import mixhic
from hicmodels.simulation import multimodal

REPO = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--stride", type=int, default=10)
    parser.add_argument("--offsets", type=int, nargs="+", default=[0, 25], help="y segment starts, bins after x")
    parser.add_argument("--pretrain-epochs", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0, help="training seed (the chromosomes are always seed 0)")
    parser.add_argument("--tasks", nargs="+", choices=("hic", "loop", "cage"), default=["hic", "loop", "cage"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    preset = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["model_presets"]["mixhic_small"]
    rng = np.random.default_rng(0)
    chroms = [multimodal.make_chromosome(400, rng) for _ in range(8)]
    train, validation, test = chroms[:6], chroms[6:7], chroms[7:]
    maps = {name: multimodal.map_samples(c, 50, args.stride, args.offsets)
            for name, c in (("train", train), ("validation", validation), ("test", test))}
    loops = {name: multimodal.loop_samples(c, 50, np.random.default_rng(seed))
             for seed, (name, c) in enumerate((("train", train), ("validation", validation), ("test", test)))}
    training = {"epochs": args.epochs, "batch_size": args.batch_size, "learning_rate": args.learning_rate,
                "weight_decay": 0.01, "seed": args.seed, "patience": 20, "devices": 1, "workers": 0, "resume": False}
    results = {"samples": {"maps": {k: len(v["hic"]) for k, v in maps.items()},
                           "loops": {k: len(v["loop"]) for k, v in loops.items()}}, "settings": vars(args) | {"out": ""}}

    def fit(function, name, data, config, epochs, **kwargs):
        start = time.process_time()
        checkpoint = function(train=data["train"], validation=data["validation"], model_config=config,
                              training_config={**training, "epochs": epochs}, checkpoint_path=args.out / f"{name}.pt",
                              log_path=args.out / f"{name}.tsv", contact_scale=1.0, threads=1, **kwargs)
        rows = np.loadtxt(args.out / f"{name}.tsv", skiprows=1, ndmin=2)
        results[name] = {"cpu_seconds": time.process_time() - start, "train_loss": rows[:, 1].tolist(),
                         "validation_loss": rows[:, 2].tolist(), "epoch_kept": checkpoint["epoch"]}
        return checkpoint

    pretrained = fit(mixhic.pretrain, "pretraining", maps, preset, args.pretrain_epochs)
    decay = scores.distance_decay([c["hic"] for c in train], 100)
    baseline = scores.decay_windows(decay, maps["test"]["distance"], 50)
    observed = maps["test"]["hic"]
    results["hic_baseline"] = scores.per_sample(baseline, observed)
    offsets = scores.window_offsets(maps["test"]["distance"], 50)
    expectation = mixhic.map_expectation(maps["train"], maps["test"])[offsets]
    results["hic_expectation"] = scores.per_sample(expectation, observed)  # the map model with a zero head
    for name, start in (("hic_pretrained", pretrained), ("hic_scratch", None)):
        if "hic" not in args.tasks:
            break
        checkpoint = fit(mixhic.finetune, name, maps, preset, args.epochs, infer_map=True, pretrained=start)
        clock = time.process_time()
        predicted = mixhic.predict(checkpoint, maps["test"]["tracks"], distance=maps["test"]["distance"])
        results[name]["cpu_seconds_per_window"] = (time.process_time() - clock) / len(predicted)
        results[name]["test"] = scores.per_sample(predicted, observed)
        results[name]["test_beyond_decay"] = scores.per_sample(predicted - baseline, observed - baseline)
    for name, start in (("loop_pretrained", pretrained), ("loop_scratch", None)):
        if "loop" not in args.tasks:
            break
        checkpoint = fit(mixhic.finetune, name, loops, {**preset, "task": "loop"}, args.epochs, infer_map=False,
                         pretrained=start)
        probabilities = mixhic.predict(checkpoint, loops["test"]["tracks"], loops["test"]["hic"])
        results[name]["test"] = scores.loop_scores(probabilities, loops["test"]["loop"])
    if "cage" in args.tasks:
        checkpoint = fit(mixhic.finetune, "cage_pretrained", maps, {**preset, "task": "cage"}, args.epochs,
                         infer_map=False, pretrained=pretrained)
        predicted = mixhic.predict(checkpoint, maps["test"]["tracks"], maps["test"]["hic"])
        results["cage_pretrained"]["test"] = scores.per_sample(predicted, maps["test"]["cage"])
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    print(json.dumps({k: v.get("test", v) if isinstance(v, dict) else v for k, v in results.items()}, indent=1))


if __name__ == "__main__":
    main()
