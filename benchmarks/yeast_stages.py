"""Held-out yeast metrics of a model entry's encoder-decoder and diffusion stage, next to distance decay.

Reads a finished workflow run (``results/``) of a config whose model entry has
``diffusion: true``: both checkpoints, the entry's reference window table and
the experimental map from the config. Each stage predicts the test
chromosome's windows, the predictions are assembled into a ``.cool`` and scored
with :func:`hicmodels.evaluation.scoring.evaluate_checkpoint`, exactly as the
workflow's ``assemble_cool`` and ``metrics`` rules do.

    PYTHONPATH=src python benchmarks/yeast_stages.py --results results --model yeast --threads 2

Prints one TSV: predictor, chromosome, the metrics, seconds to predict.
"""

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from hicmodels.config import model_entries, read_yaml, resolve_config
from hicmodels.evaluation.scoring import evaluate_checkpoint, side_by_side
from hicmodels.genome.aliases import read_aliases
from hicmodels.genome.reference import chromsizes
from hicmodels.genome.windows import read_windows
from hicmodels.hic.assemble import assemble_genome
from hicmodels.hic.cool import ExperimentalMap
from hicmodels.modelling.checkpoints import load_checkpoint
from hicmodels.modelling.prediction import predict


class HeldOutRun:
    """A finished workflow run's held-out chromosome: config, reference, the entry's test windows and the map."""

    def __init__(self, results, config_path, model=None, cell_line=None):
        self.config = resolve_config(read_yaml(config_path))
        model = model or next(iter(self.config["models"]))
        entry = model_entries(self.config)[model]
        results = Path(results)
        self.fasta = results / "reference" / "genome.fa.gz"
        self.sizes = chromsizes(self.fasta)
        self.windows = read_windows(results / "windows" / entry["window_preset"] / "reference.tsv")
        self.test = self.windows[self.windows["split"] == "test"]
        cell_line = cell_line or next(iter(self.config["hic"]["cell_lines"]))
        self.model_dir = results / "cell_lines" / cell_line / "models" / model
        self.cell_line = cell_line

    def experimental(self):
        return ExperimentalMap(self.config["hic"]["cell_lines"][self.cell_line]["cool"],
                               read_aliases(self.config["reference"]["chrom_aliases"]), self.sizes)

    def score(self, name, checkpoint_path, settings, threads, experimental, scratch):
        """Predict, assemble and score the test windows as ``assemble_cool`` and ``metrics`` do: (table, seconds)."""
        start = time.perf_counter()
        predict(checkpoint_path=checkpoint_path, fasta_path=self.fasta, windows=self.test,
                out_path=Path(scratch) / f"{name}.h5", settings=settings, threads=threads)
        seconds = round(time.perf_counter() - start, 1)
        cool = Path(scratch) / f"{name}.cool"
        assemble_genome(predictions_path=Path(scratch) / f"{name}.h5", windows=self.test, chromsizes=self.sizes,
                        settings=self.config["assemble"], out_path=cool)
        # scored as the workflow scores a model: against the encoder-decoder's checkpoint and windows
        table = evaluate_checkpoint(predicted_path=cool, checkpoint=load_checkpoint(self.model_dir / "model.pt"),
                                    windows=self.windows, experimental=experimental,
                                    settings=self.config["metrics"], name=name)
        return table, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--model", help="model entry (default: the first of models)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cell-line", help="default: the first of hic.cell_lines")
    args = parser.parse_args()
    run = HeldOutRun(args.results, args.config, args.model, args.cell_line)
    experimental = run.experimental()
    tables, seconds = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in (("encoder_decoder", run.model_dir / "model.pt"),
                           ("diffusion", run.model_dir / "diffusion.pt")):
            tables[name], seconds[name] = run.score(name, path, run.config["prediction"], args.threads,
                                                    experimental, tmp)
    table = side_by_side(tables)
    table["predict_seconds"] = table["predictor"].map(seconds)
    print(pd.DataFrame(table).to_csv(sep="\t", index=False, float_format="%.4f"), end="")


if __name__ == "__main__":
    main()
