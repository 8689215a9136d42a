"""How far a map model can beat distance decay on the held-out synthetic chromosome, and what the tracks tell.

The chromosomes, split and windows of ``benchmarks/mixhic_synthetic.py``
(eight of 400 bins, seed 0; chr8 held out). Per window, against the
observed log1p map (:func:`hicmodels.evaluation.mixhic.per_sample`), and on
log O/E (the map minus the decay baseline):

- ``decay``: the distance-decay baseline of the training chromosomes;
- ``noise_free``: the map's Poisson mean itself (no model can do better on
  average: what is left is counting noise);
- ``ctcf_between``: a hand-made predictor from the tracks alone: log O/E at
  offset ``k`` as a quadratic in log1p of the CTCF signal above background
  summed over the bins from one pixel's bin to the other's, fitted per offset
  on the training chromosomes (boundaries sit at CTCF peaks, and a pixel
  across more of them is more insulated).

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/mixhic_ceiling.py --stride 10 --offsets 0

One JSON object.
"""

import argparse
import json

import numpy as np

from hicmodels.evaluation import mixhic as scores
from hicmodels.simulation import multimodal

CTCF_BACKGROUND = 0.2  # mean of the CTCF track's exponential background (synthetic_genome.chromosome_tracks)


def ctcf_between(chrom):
    """log1p of the CTCF signal above background summed over bins ``min(i, j)..max(i, j)``, for every pixel."""
    nbins = len(chrom["hic"])
    signal = np.clip(np.expm1(chrom["tracks"][0].astype(np.float64)) - CTCF_BACKGROUND, 0, None)
    cumulative = np.concatenate([[0.0], np.cumsum(signal.reshape(nbins, -1).sum(axis=1))])
    i, j = np.indices((nbins, nbins))
    return np.log1p(cumulative[np.maximum(i, j) + 1] - cumulative[np.minimum(i, j)])


def windows(full, stride, offsets, map_bins=50):
    """A whole-chromosome array cut into the benchmark's windows."""
    return np.stack([full[x : x + map_bins, y : y + map_bins]
                     for x, y in multimodal.map_windows(len(full), map_bins, stride, offsets)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stride", type=int, default=10)
    parser.add_argument("--offsets", type=int, nargs="+", default=[0, 25])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    chroms = [multimodal.make_chromosome(400, rng) for _ in range(8)]
    train, test = chroms[:6], chroms[7]
    reach = 400
    decay = np.log1p(scores.distance_decay([c["hic"] for c in train], reach))
    offset = np.abs(np.subtract.outer(np.arange(reach), np.arange(reach)))
    fits = {}
    for k in range(1, 50 + max(args.offsets)):
        x = np.concatenate([ctcf_between(c)[offset == k] for c in train])
        y = np.concatenate([(c["hic"] - decay[offset])[offset == k] for c in train])
        fits[k] = np.polyfit(x, y, 2)
    feature = ctcf_between(test)
    oe = np.zeros_like(feature)
    for k, coefficients in fits.items():
        oe[offset == k] = np.polyval(coefficients, feature[offset == k])
    baseline = windows(decay[offset], args.stride, args.offsets)
    observed = windows(test["hic"], args.stride, args.offsets)
    predictors = {"noise_free": windows(test["truth"], args.stride, args.offsets),
                  "ctcf_between": windows(decay[offset] + oe, args.stride, args.offsets)}
    results = {"windows": len(observed), "decay": {"map": scores.per_sample(baseline, observed)}}
    for name, predicted in predictors.items():
        results[name] = {"map": scores.per_sample(predicted, observed),
                         "log_oe": scores.per_sample(predicted - baseline, observed - baseline)}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
