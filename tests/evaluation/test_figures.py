"""Report figures: what each panel shows, read back from the figure before it is saved."""

import numpy as np
import pandas as pd
import pytest

from hicmodels.evaluation import figures


@pytest.fixture
def drawn(monkeypatch, tmp_path):
    """The figures passed to the saver (the file is still written)."""
    kept, save = [], figures._save

    def keep(fig, path):
        kept.append(fig)
        save(fig, path)

    monkeypatch.setattr(figures, "_save", keep)
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
