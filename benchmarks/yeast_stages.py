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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--model", help="model entry (default: the first of models)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cell-line", help="default: the first of hic.cell_lines")
    args = parser.parse_args()
    config = resolve_config(read_yaml(args.config))
    model = args.model or next(iter(config["models"]))
    entry = model_entries(config)[model]
    results = Path(args.results)
    fasta = results / "reference" / "genome.fa.gz"
    sizes = chromsizes(fasta)
    windows = read_windows(results / "windows" / entry["window_preset"] / "reference.tsv")
    test = windows[windows["split"] == "test"]
    cell_line = args.cell_line or next(iter(config["hic"]["cell_lines"]))
    model_dir = results / "cell_lines" / cell_line / "models" / model
    experimental = ExperimentalMap(config["hic"]["cell_lines"][cell_line]["cool"],
                                   read_aliases(config["reference"]["chrom_aliases"]), sizes)
    tables, seconds = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in (("encoder_decoder", model_dir / "model.pt"), ("diffusion", model_dir / "diffusion.pt")):
            start = time.perf_counter()
            predict(checkpoint_path=path, fasta_path=fasta, windows=test, out_path=Path(tmp) / f"{name}.h5",
                    settings=config["prediction"], threads=args.threads)
            seconds[name] = round(time.perf_counter() - start, 1)
            cool = Path(tmp) / f"{name}.cool"
            assemble_genome(predictions_path=Path(tmp) / f"{name}.h5", windows=test, chromsizes=sizes,
                            settings=config["assemble"], out_path=cool)
            # scored as the workflow scores a model: against the encoder-decoder's checkpoint and windows
            tables[name] = evaluate_checkpoint(predicted_path=cool, checkpoint=load_checkpoint(model_dir / "model.pt"),
                                               windows=windows, experimental=experimental,
                                               settings=config["metrics"], name=name)
    table = side_by_side(tables)
    table["predict_seconds"] = table["predictor"].map(seconds)
    print(pd.DataFrame(table).to_csv(sep="\t", index=False, float_format="%.4f"), end="")


if __name__ == "__main__":
    main()
