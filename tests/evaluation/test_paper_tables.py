"""The papers' tables of `snakemake paper`: MIX-HIC v2 Tables 2-4 and Lu et al.'s Table 1, on hand-made inputs."""

import numpy as np
import pandas as pd
import pytest

from hicmodels.cli import main
from hicmodels.errors import InputError
from hicmodels.evaluation.tables import (
    akita_table,
    bound_coverage,
    mixhic_tables,
    read_mixhic_metrics,
    held_out_coverage,
)
from hicmodels.hic.cool import ExperimentalMap, write_cool
from hicmodels.modelling.store import VALUE_NAMES

MIXHIC = """table\ttask\tpredictor\tmetric\tvalue
2\thic\tmix\tr2\t0.61
2\thic\tmix\tpearson\t0.8
2\thic\tdistance_decay\tr2\t0.4
2\thic\tdistance_decay\tpearson\t0.7
3\tloops\tmix\tprecision\t0.9
3\tloops\tmix\trecall\t0.5
3\tloops\tmix\tf1\t0.642857
3\tloops\tmix\tauroc\t0.77
4\tcage\tmix\tr2\t0.33
4\tcage\tmix\tpearson\t0.6
"""


def _mixhic(tmp_path, text=MIXHIC, name="mix.tsv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_mixhic_metrics_land_in_the_papers_rows_beside_the_papers_numbers(tmp_path):
    table = mixhic_tables({"mix": read_mixhic_metrics(_mixhic(tmp_path))})
    assert table.columns.tolist() == ["table", "task", "metric", "mix", "distance_decay", "paper_method",
                                      "paper_GM12878", "paper_K562"]
    assert table[["table", "task", "metric"]].values.tolist() == [
        [2, "hic", "r2"], [2, "hic", "pearson"], [3, "loops", "precision"], [3, "loops", "recall"],
        [3, "loops", "f1"], [3, "loops", "auroc"], [4, "cage", "r2"], [4, "cage", "pearson"]]
    rows = table.set_index(["table", "metric"])
    assert rows.loc[(2, "r2"), "mix"] == 0.61 and rows.loc[(2, "r2"), "distance_decay"] == 0.4
    assert rows.loc[(3, "recall"), "mix"] == 0.5 and rows.loc[(4, "pearson"), "mix"] == 0.6
    assert np.isnan(rows.loc[(3, "f1"), "distance_decay"])  # the baseline is a Hi-C map only
    # MIX-HIC v2 section 5.1: MIX-HIC-Infer's R^2 (Table 2), MIX-HIC-Bimodal's loop F1 (Table 3), CAGE R^2 (Table 4)
    assert rows.loc[(2, "r2"), ["paper_method", "paper_GM12878", "paper_K562"]].tolist() == [
        "MIX-HIC-Infer", 0.8724, 0.8001]
    assert rows.loc[(3, "f1"), ["paper_GM12878", "paper_K562"]].tolist() == [0.8420, 0.8267]
    assert rows.loc[(4, "r2"), ["paper_method", "paper_K562"]].tolist() == ["MIX-HIC-Bimodal", 0.9077]
    assert np.isnan(rows.loc[(2, "pearson"), "paper_GM12878"])  # the paper reports R^2 only


def test_two_mixhic_entries_share_a_baseline_column_only_when_it_is_the_same(tmp_path):
    other = MIXHIC.replace("\tmix\t", "\tnonpre\t")
    same = mixhic_tables({"mix": read_mixhic_metrics(_mixhic(tmp_path)),
                          "nonpre": read_mixhic_metrics(_mixhic(tmp_path, other, "b.tsv"))})
    assert same.columns.tolist()[3:6] == ["mix", "nonpre", "distance_decay"]
    differs = other.replace("distance_decay\tr2\t0.4", "distance_decay\tr2\t0.2")
    both = mixhic_tables({"mix": read_mixhic_metrics(_mixhic(tmp_path)),
                          "nonpre": read_mixhic_metrics(_mixhic(tmp_path, differs, "c.tsv"))})
    assert both.columns.tolist()[3:7] == ["mix", "nonpre", "distance_decay@mix", "distance_decay@nonpre"]
    assert both.set_index(["table", "metric"]).loc[(2, "r2"), ["distance_decay@mix", "distance_decay@nonpre"]
                                                   ].tolist() == [0.4, 0.2]


@pytest.mark.parametrize("bad, message", [
    ("5\thic\tmix\tr2\t0.6", ":2: table '5' is not one of [2, 3, 4]"),
    ("2\tloops\tmix\tr2\t0.6", ":2: task 'loops' is not table 2's ('hic')"),
    ("3\tloops\tmix\tr2\t0.6", ":2: metric 'r2' is not one of table 3's"),
    ("2\thic\tmix\tr2\thigh", ":2: value 'high' is not a number"),
])
def test_a_bad_mixhic_row_is_named_by_file_and_line(tmp_path, bad, message):
    path = _mixhic(tmp_path, "table\ttask\tpredictor\tmetric\tvalue\n" + bad + "\n")
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")
                       .replace(")", r"\)")):
        read_mixhic_metrics(path)
    repeated = _mixhic(tmp_path, MIXHIC + "2\thic\tmix\tr2\t0.7\n", "repeated.tsv")
    with pytest.raises(InputError, match=r"repeated.tsv:12: a second row"):
        read_mixhic_metrics(repeated)
    with pytest.raises(InputError, match="no column value"):
        read_mixhic_metrics(_mixhic(tmp_path, "table\ttask\tpredictor\tmetric\n", "short.tsv"))


def test_table_mixhic_command_writes_tsv_and_markdown(tmp_path):
    out = tmp_path / "paper" / "mixhic_tables.tsv"
    assert main(["evaluation", "table-mixhic", "--metrics", "mix", str(_mixhic(tmp_path)), "--out", str(out),
                 "--markdown", str(tmp_path / "paper" / "mixhic_tables.md")]) == 0
    table = pd.read_csv(out, sep="\t")
    assert table.set_index(["table", "metric"]).loc[(3, "auroc"), "mix"] == 0.77
    text = (tmp_path / "paper" / "mixhic_tables.md").read_text()
    assert "## Table 3: chromatin loop detection" in text
    assert "| loops | auroc | 0.77 |  | MIX-HIC-Bimodal | 0.9209 | 0.9194 |" in text
    assert "another dataset" in text


def test_bound_coverage_counts_the_pixels_inside_their_interval_on_the_scored_offsets():
    truth = np.arange(1.0, 13.0).reshape(4, 3)  # offsets 0, 1, 2 of 4 bins
    lower, upper = truth - 0.5, truth + 0.5
    upper[:, 2] = truth[:, 2] - 0.1  # every pixel at offset 2 falls above its interval
    lower[0, 1] = truth[0, 1]  # on the bound: inside
    truth[3, 1] = np.nan  # not scored
    assert bound_coverage(lower, upper, truth, 1, 2) == (pytest.approx(3 / 7), 7)
    assert bound_coverage(lower, upper, truth, 1, 1) == (1.0, 3)
    assert bound_coverage(lower, upper, truth, 0, 0) == (1.0, 4)  # min_offset 0 scores the diagonal
    assert np.isnan(bound_coverage(lower, upper, np.full_like(truth, np.nan), 1, 2)[0])


def _pixels(n, rng):
    i, j = np.triu_indices(n)
    return i, j, 10.0 / (1 + j - i) * rng.uniform(0.5, 1.5, len(i))


@pytest.mark.parametrize("oe", [False, True])
def test_coverage_of_bound_maps_on_the_test_chromosome_at_the_model_scale(tmp_path, oe):
    """Bounds 10% around the truth, except at odd offsets, where the upper bound is 5% under it: the
    coverage is the fraction of even offsets among the test chromosome's pixels at offsets 1..5 (the
    bounds' stored band: 6 diagonals, inside the 8-bin window)."""
    from hicmodels.evaluation.baselines import distance_decay

    rng = np.random.default_rng(3)
    sizes = pd.Series({"train": 400, "test": 300})
    pixels = {c: _pixels(n // 10, rng) for c, n in sizes.items()}
    valid = {c: np.ones(n // 10, bool) for c, n in sizes.items()}
    write_cool(tmp_path / "experiment.cool", sizes, 10, pixels, valid)
    experimental = ExperimentalMap(tmp_path / "experiment.cool", {}, sizes)
    scale = 0.5
    decay = distance_decay(experimental, ["train"], 8, scale)
    # named as the assembler names bounds: "<side> bound of the central ... of: <the model's values>"
    values = VALUE_NAMES["log_oe" if oe else "log1p_contacts"]

    def bound(factor_even, factor_odd):
        out = {}
        for c, (i, j, v) in pixels.items():
            factor = np.where((j - i) % 2 == 0, factor_even, factor_odd)
            values = v * scale * factor
            out[c] = (i, j, values / decay[np.minimum(j - i, 7)] if oe else values)
        return out

    for side, factors in (("lower", (0.9, 0.9)), ("upper", (1.1, 0.95))):
        metadata = {"band_diagonals": 6, "values": f"{side} bound of the central 0.9 interval of: {values}"}
        write_cool(tmp_path / f"{side}.cool", sizes, 10, bound(*factors), valid, metadata)
    windows = pd.DataFrame({"chrom": ["train", "test", "test"], "start": [0, 0, 80], "end": [80, 80, 160],
                            "split": ["train", "test", "test"]})
    checkpoint = {"window_size": 80, "bin_size": 10, "contact_scale": scale}
    fraction, n = held_out_coverage(tmp_path / "lower.cool", tmp_path / "upper.cool", checkpoint, windows,
                                     experimental, 1)
    even = sum(30 - k for k in range(2, 6, 2))
    assert n == sum(30 - k for k in range(1, 6))  # the test chromosome only, within the stored band
    assert fraction == pytest.approx(even / n)


def _metrics():
    rows = []
    for chrom, shift in (("c1", 0.0), ("c2", 0.1)):
        for predictor, base in (("akita", 0.5), ("yeast", 0.9), ("distance_decay", 0.3), ("gc_content", 0.2)):
            for protocol, offset in (("chromosome", 0.0), ("window", 0.01)):
                value = base + shift + offset
                rows.append({"predictor": predictor, "chrom": chrom, "protocol": protocol, "pearson_log1p": value,
                             "spearman_log1p": value - 0.05, "mse_log1p": 1 - value, "scc": 0.0})
    return pd.DataFrame(rows)


def test_akita_table_is_the_mean_over_test_chromosomes_per_protocol_with_the_papers_columns():
    table = akita_table(_metrics(), ["akita"], {"akita": {"level": 0.9, "coverage": 0.87, "n_pixels": 10}})
    assert table.columns.tolist() == ["protocol", "metric", "akita", "distance_decay", "paper_transformer",
                                      "paper_vae"]  # the other model and the sequence baseline are left out
    rows = table.set_index(["protocol", "metric"])
    assert rows.loc[("chromosome", "pearson"), "akita"] == pytest.approx(0.55)
    assert rows.loc[("window", "pearson"), "akita"] == pytest.approx(0.56)
    assert rows.loc[("chromosome", "spearman"), "distance_decay"] == pytest.approx(0.30)
    assert rows.loc[("chromosome", "mse"), "akita"] == pytest.approx(0.45)
    assert rows.loc[("chromosome", "coverage_0.9"), "akita"] == 0.87
    assert np.isnan(rows.loc[("chromosome", "coverage_0.9"), "distance_decay"])
    # Lu et al. Table 1: transformer and VAE
    assert rows.loc[("window", "mse"), ["paper_transformer", "paper_vae"]].tolist() == [0.177, 0.222]
    assert rows.loc[("chromosome", "spearman"), ["paper_transformer", "paper_vae"]].tolist() == [0.384, 0.075]
    assert akita_table(_metrics(), ["akita"])["metric"].tolist() == ["mse", "pearson", "spearman"] * 2


def test_table_akita_command_refuses_bounds_without_their_level(tmp_path):
    (tmp_path / "metrics.tsv").write_text(_metrics().to_csv(sep="\t", index=False))
    args = ["evaluation", "table-akita", "--metrics", str(tmp_path / "metrics.tsv"), "--model", "akita",
            "--out", str(tmp_path / "t.tsv"), "--markdown", str(tmp_path / "t.md"),
            "--config", '{"assemble": {"bin_size": 10, "resolutions": [10]}}']
    assert main(args) == 0
    table = pd.read_csv(tmp_path / "t.tsv", sep="\t").set_index(["protocol", "metric"])
    assert table.loc[("chromosome", "mse"), "akita"] == pytest.approx(0.45)
    assert "## Table 1 (Lu et al.)" in (tmp_path / "t.md").read_text()
    assert main([*args, "--bounds", "akita", "l.cool", "u.cool", "c.pt", "w.tsv"]) == 2
