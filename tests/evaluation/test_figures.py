"""Report figures: what each panel shows, read back from the figure before it is saved."""

import numpy as np
import pandas as pd
import pytest

from hicmodels.evaluation import figures


@pytest.fixture
def drawn(monkeypatch, tmp_path):
    """The figures passed to the saver (the file is still written)."""
    kept, save = [], figures.save_png

    def keep(fig, path):
        kept.append(fig)
        save(fig, path)

    monkeypatch.setattr(figures, "save_png", keep)
    return kept


def test_metric_bars_are_per_predictor_means(drawn, tmp_path):
    table = pd.DataFrame({"predictor": ["m", "distance_decay", "m", "distance_decay"], "chrom": ["x", "x", "y", "y"],
                          "pearson_log1p": [0.9, 0.8, 0.7, 0.6], "spearman_log1p": [0.5, 0.4, 0.3, 0.2],
                          "pearson_oe": [0.2, 0.0, 0.4, np.nan], "scc": [0.5, 0.1, 0.3, 0.1],
                          "pearson_insulation": [0.6, 0.2, 0.8, 0.4]})
    figures.metrics_bars(table, tmp_path / "bars.png")
    assert (tmp_path / "bars.png").read_bytes()[:4] == b"\x89PNG"
    ax = drawn[0].axes[0]
    heights = {label: [bar.get_height() for bar in container]
               for label, container in zip([t.get_text() for t in ax.get_legend().get_texts()], ax.containers)}
    assert heights["m"] == pytest.approx([0.8, 0.4, 0.3, 0.4, 0.7])
    assert heights["distance_decay"] == pytest.approx([0.7, 0.3, 0.0, 0.1, 0.3])  # NaN mean drawn as 0
    assert ax.get_title() == "Held-out chromosome(s): x, y"


def test_personal_summary_tables_list_counts_and_skip_reasons(drawn, tmp_path):
    summary = pd.DataFrame({"haplotype": [1, 1, 2], "class": ["snv", "snv", "sv_del"],
                            "outcome": ["applied", "skipped", "skipped"], "reason": [".", "filter", "overlap"],
                            "count": [1200, 3, 1]})
    figures.personal_summary(summary, "S1", tmp_path / "summary.png")
    top, bottom = drawn[0].axes
    reasons = [[cell.get_text().get_text() for (r, c), cell in sorted(bottom.tables[0].get_celld().items()) if r == row]
               for row in (1, 2)]
    assert reasons == [["hap1", "snv", "filter", "3"], ["hap2", "sv_del", "overlap", "1"]]
    assert top.get_title() == "S1: records per class and haplotype"


def _cool(path, matrix, binsize=1000):
    import cooler

    n = matrix.shape[0]
    bins = pd.DataFrame({"chrom": "chrA", "start": np.arange(n) * binsize, "end": np.arange(1, n + 1) * binsize,
                         "weight": 1.0})
    i, j = np.triu_indices(n)
    pixels = pd.DataFrame({"bin1_id": i, "bin2_id": j, "count": matrix[i, j]})
    cooler.create_cooler(str(path), bins, pixels, dtypes={"count": float}, ordered=True)
    return cooler.Cooler(str(path))


def test_structural_variant_maps_have_coordinates_colour_bars_and_symmetric_differences(drawn, tmp_path):
    reference = _cool(tmp_path / "ref.cool", np.ones((20, 20)))
    gain = np.ones((20, 20))
    gain[8:12, 8:12] = 3.0
    haplotypes = {"hap1": _cool(tmp_path / "h1.cool", gain), "hap2": _cool(tmp_path / "h2.cool", np.ones((20, 20)))}
    svs = pd.DataFrame({"chrom": ["chrA"], "start": [8000], "end": [12000], "label": ["DUP"]})
    figures.structural_variants(reference, haplotypes, svs, tmp_path / "sv.png", flank=5000)
    images = {ax.get_title(): ax.images[0] for ax in drawn[0].axes if ax.images}
    assert images["reference"].get_extent() == [3000, 17000, 17000, 3000]  # genomic coordinates, bp
    assert images["reference"].get_clim() == images["hap1"].get_clim()  # compared maps share a scale
    low, high = images["hap1 - reference"].get_clim()
    assert low == -high == pytest.approx(-(np.log1p(3) - np.log1p(1)))
    assert images["hap2 - reference"].get_clim() == (low, high)
    assert {ax.get_ylabel() for ax in drawn[0].axes} >= {"log1p(contacts)", "difference"}  # colour bars


def test_bars_average_the_chromosome_rows_only():
    table = pd.DataFrame({"predictor": ["m", "m", "m", "decay"], "chrom": ["a", "b", "a", "a"],
                          "protocol": ["chromosome", "chromosome", "window", "chromosome"],
                          "pearson_log1p": [0.2, 0.4, 0.9, 0.5], "spearman_log1p": 0.0, "pearson_oe": 0.0,
                          "scc": [0.1, 0.3, 0.8, 0.2], "pearson_insulation": 0.0})
    mean = figures.mean_per_predictor(table)
    assert list(mean.index) == ["m", "decay"]
    assert mean.loc["m", "pearson_log1p"] == pytest.approx(0.3) and mean.loc["m", "scc"] == pytest.approx(0.2)
    assert figures.mean_per_predictor(table.drop(columns="protocol")).loc["m", "scc"] == pytest.approx(0.4)
