"""Held-out yeast metrics of the encoder-decoder and of the diffusion-refined model, next to distance decay.

Reads a finished default workflow run (``results/``): both checkpoints, the
reference window table and the experimental map from the config. Each model
predicts the test chromosome's windows, the predictions are stitched into a
``.cool`` and scored with :func:`hicmodels.evaluation.evaluate`, exactly as the
workflow's ``metrics`` rule scores ``results/cell_lines/<cell line>/maps/reference.cool``.

    PYTHONPATH=src python benchmarks/yeast_stages.py --results results --threads 2

Prints one TSV: predictor, chromosome, the metrics, seconds to predict.
"""

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from hicmodels.assemble import assemble_cool
from hicmodels.config import read_yaml
from hicmodels.evaluation import evaluate
from hicmodels.genome.aliases import read_aliases
from hicmodels.genome.reference import chromsizes
from hicmodels.genome.windows import read_windows
from hicmodels.hic.cool import ExperimentalMap
from hicmodels.prediction import predict, read_predictions
from hicmodels.training import load_checkpoint


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cell-line", help="default: the first of hic.cell_lines")
    args = parser.parse_args()
    config = read_yaml(args.config)
    results = Path(args.results)
    fasta = results / "reference" / "genome.fa.gz"
    sizes = chromsizes(fasta)
    windows = read_windows(results / "windows" / "reference.tsv")
    test = windows[windows["split"] == "test"]
    train_chroms = list(dict.fromkeys(windows.loc[windows["split"] == "train", "chrom"]))
    cell_line = args.cell_line or next(iter(config["hic"]["cell_lines"]))
    model_dir = results / "cell_lines" / cell_line / "model"
    experimental = ExperimentalMap(config["hic"]["cell_lines"][cell_line]["cool"],
                                   read_aliases(config["reference"]["chrom_aliases"]), sizes)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in (("encoder_decoder", model_dir / "model.pt"), ("diffusion", model_dir / "diffusion.pt")):
            checkpoint = load_checkpoint(path)
            start = time.perf_counter()
            predict(path, fasta, test, Path(tmp) / f"{name}.h5", config["prediction"]["batch_size"], args.threads,
                    sampling_steps=config["prediction"]["sampling_steps"], seed=config["prediction"]["seed"])
            seconds = time.perf_counter() - start
            ids, maps, _ = read_predictions(Path(tmp) / f"{name}.h5")
            cool = Path(tmp) / f"{name}.cool"
            assemble_cool(test, ids, maps, sizes, config["assemble"]["bin_size"], cool,
                          min_coverage=config["assemble"]["min_coverage"])
            width = checkpoint["window_size"] // checkpoint["bin_size"]
            table = evaluate(cool, experimental, list(test["chrom"].unique()), train_chroms, width,
                             checkpoint["contact_scale"], config["metrics"])
            table["predictor"] = table["predictor"].replace({"model": name})
            table.loc[table["predictor"] == name, "predict_seconds"] = round(seconds, 1)
            rows.append(table if name == "encoder_decoder" else table[table["predictor"] == name])
    print(pd.concat(rows).to_csv(sep="\t", index=False, float_format="%.4f"), end="")


if __name__ == "__main__":
    main()
