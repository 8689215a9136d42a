"""Paper figures: the numbers in each figure's TSV against hand-made maps, and what the panels show."""

import cooler
import numpy as np
import pandas as pd
import pytest

from hicmodels.evaluation import paper, plotting

BINSIZE = 1000


@pytest.fixture
def drawn(monkeypatch):
    """The figures passed to the saver (files are still written)."""
    kept, save = [], paper.save_figure

    def keep(fig, path, table):
        kept.append(fig)
        save(fig, path, table)

    monkeypatch.setattr(paper, "save_figure", keep)
    return kept


def make_cool(path, matrix, masked=()):
    """A one-chromosome cooler holding ``matrix`` (float counts), weight 1 except NaN at ``masked`` bins."""
    n = matrix.shape[0]
    bins = pd.DataFrame({"chrom": "chrA", "start": np.arange(n) * BINSIZE, "end": np.arange(1, n + 1) * BINSIZE,
                         "weight": [np.nan if i in masked else 1.0 for i in range(n)]})
    i, j = np.triu_indices(n)
    keep = matrix[i, j] != 0
    pixels = pd.DataFrame({"bin1_id": i[keep], "bin2_id": j[keep], "count": matrix[i, j][keep]})
    cooler.create_cooler(str(path), bins, pixels, dtypes={"count": float}, ordered=True)
    return cooler.Cooler(str(path))


def decay_map(n):
    """Contacts 1 / (1 + s) at a distance of s bins: P(s) known exactly."""
    distance = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    return 1.0 / (1.0 + distance)


def test_contact_decay_tsv_has_the_known_decay_and_reruns_byte_identical(tmp_path, drawn):
    clr = make_cool(tmp_path / "decay.cool", decay_map(30), masked={4})
    curve = paper.contact_decay(clr, ["chrA"], max_distance_bp=19 * BINSIZE)  # the farthest diagonal kept
    assert curve["distance_bp"].tolist() == [d * BINSIZE for d in range(20)]
    assert curve["mean_contact"].to_numpy() == pytest.approx(1 / (1 + np.arange(20)))
    assert curve["relative"].to_numpy() == pytest.approx(2 / (1 + np.arange(20)))
    # pixels between unmasked bins: 30 - d pairs at distance d, less those touching bin 4
    touching = [(4 - d >= 0) + (4 + d < 30) if d else 1 for d in range(20)]
    assert curve["n_valid"].tolist() == [30 - d - t for d, t in zip(range(20), touching)]
    curves = pd.concat([curve.assign(predictor=name) for name in ("experiment", "model")])
    for run in ("a", "b"):
        paper.contact_decay_figure(curves, tmp_path / f"{run}.png")
    written = pd.read_csv(tmp_path / "a.tsv", sep="\t")
    assert written.loc[written["predictor"] == "model", "relative"].to_numpy() == pytest.approx(
        2 / (1 + np.arange(20)), rel=1e-5)
    for suffix in (".tsv", ".png"):
        assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()
    ax = drawn[0].axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["experiment", "model"]


def two_domains():
    """Contacts 1 / (1 + s) inside each of two 12-bin domains, a tenth of that across them and for bin 12,
    an insulator between them (a lone bin, so that the insulation minimum is one bin, not a tie of two)."""
    domain = np.array([0] * 12 + [-1] + [1] * 12)
    inside = (domain[:, None] == domain[None, :]) & (domain[:, None] >= 0) | np.eye(len(domain), dtype=bool)
    return decay_map(len(domain)) * np.where(inside, 1.0, 0.1)


def test_insulation_track_finds_the_planted_domain_boundary(tmp_path):
    clr = make_cool(tmp_path / "domains.cool", two_domains())
    track = paper.insulation_track(clr, ["chrA"], window_bins=4)
    assert track["start"].tolist() == [i * BINSIZE for i in range(25)]
    # cooltools' diamond of bin k spans rows k-3..k and columns k..k+3: least contact centred on the insulator
    assert track["start"][track["log2_insulation"].idxmin()] == 12 * BINSIZE
    assert track["log2_insulation"][12] == pytest.approx(np.log2(0.1), abs=0.05)  # a tenth of the median diamond
    assert track.loc[track["is_boundary"], "start"].tolist() == [12 * BINSIZE]


def test_insulation_figure_draws_tracks_under_maps_on_one_scale(tmp_path, drawn):
    clr = make_cool(tmp_path / "domains.cool", two_domains())
    flat = make_cool(tmp_path / "flat.cool", decay_map(25))
    tracks = pd.concat([paper.insulation_track(c, ["chrA"], 4).assign(predictor=name)
                        for name, c in (("experiment", clr), ("model", flat))])
    maps = {"experiment": two_domains(), "model": decay_map(25) * 3}
    paper.insulation_figure(("chrA", 0, 25 * BINSIZE), maps, tracks, BINSIZE, tmp_path / "fig4.png")
    written = pd.read_csv(tmp_path / "fig4.tsv", sep="\t")
    assert len(written) == 50 and set(written["predictor"]) == {"experiment", "model"}
    fig = drawn[0]
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 2 and images[0].get_clim() == images[1].get_clim()  # shared scale
    assert images[0].get_clim()[1] == pytest.approx(np.percentile(np.log1p(maps["model"]), 99))
    assert images[0].get_extent() == [0, 25 * BINSIZE, 25 * BINSIZE, 0]  # genomic coordinates
    assert any(ax.get_ylabel() == "log1p(contacts)" for ax in fig.axes)  # a colour bar
    tracks_axes = [ax for ax in fig.axes if ax.get_ylabel() == "log2 insulation"]
    assert len(tracks_axes) == 1 and len(tracks_axes[0].lines) >= 2


def test_personal_region_map_places_windows_by_their_personal_sequence():
    windows = pd.DataFrame({"window_id": ["a", "b", "c"], "seq_chrom": ["chrA", "chrA", "chrB"],
                            "seq_start": [100, 127, 100]})
    maps = np.stack([np.full((4, 4), 1.0), np.full((4, 4), 3.0), np.full((4, 4), 50.0)])
    out = paper.personal_region_map(windows, ["a", "b", "c"], maps, "chrA", 100, 200, 10)
    assert out.shape == (10, 10)
    # window b starts 2.7 bins in: its bins go to the nearest, 3..6; bin 3 is covered by both windows
    assert np.diag(out)[:7].tolist() == [1, 1, 1, 2, 3, 3, 3]
    assert np.isnan(out[0, 4]) and np.isnan(out[6, 2])  # no window covers both bins
    assert out[6, 3] == 3 and out[1, 3] == 1
    assert np.isnan(np.diag(out)[7:]).all()


def test_example_windows_share_one_scale_per_row_with_log1p_values_in_the_tsv(tmp_path, drawn):
    regions = pd.DataFrame({"chrom": ["chrA", "chrB"], "start": [0, 5 * BINSIZE], "end": [4 * BINSIZE, 9 * BINSIZE]})
    truth = [np.full((4, 4), 3.0), np.full((4, 4), 1.0)]
    model = [np.full((4, 4), 1.0), np.eye(4) * 7]
    paper.example_windows(regions, {"experiment": truth, "model": model}, BINSIZE, tmp_path / "fig3.png")
    table = pd.read_csv(tmp_path / "fig3.tsv", sep="\t")
    assert len(table) == 2 * 2 * 10  # windows x panels x upper-triangle pixels
    second = table[(table["window"] == 1) & (table["panel"] == "model")]
    assert second["start1"].min() == 5 * BINSIZE and second["chrom"].unique().tolist() == ["chrB"]
    diagonal = second[second["start1"] == second["start2"]]["value"]
    assert diagonal.to_numpy() == pytest.approx(np.full(4, np.log1p(7)), rel=1e-5)
    axes = [ax for ax in drawn[0].axes if ax.images]
    clims = [ax.images[0].get_clim() for ax in axes]
    assert clims[0] == clims[1] and clims[2] == clims[3] and clims[0] != clims[2]
    assert axes[2].images[0].get_extent() == [5 * BINSIZE, 9 * BINSIZE, 9 * BINSIZE, 5 * BINSIZE]
    assert axes[0].xaxis.get_major_formatter()(2000, 0) == "2kb"


def test_chromosome_metric_bars_read_metrics_by_name(tmp_path, drawn):
    table = pd.DataFrame({"predictor": ["m", "m", "distance_decay", "m"], "chrom": ["x", "y", "x", "x"],
                          "protocol": ["chromosome", "chromosome", "chromosome", "window"],
                          "n_pixels": [10, 10, 10, 10], "scc": [0.5, 0.3, 0.1, 0.4],
                          "new_metric": [1.0, 2.0, 3.0, 4.0], "loop_f1": [np.nan] * 4})
    paper.chromosome_metric_bars(table, tmp_path / "bars.png")
    written = pd.read_csv(tmp_path / "bars.tsv", sep="\t")
    # counts are not metrics; a metric without any value (loops on a narrow band) is not drawn as zeros
    assert set(written["metric"]) == {"scc", "new_metric"}
    assert len(drawn[0].axes) == 2
    scc = written[written["metric"] == "scc"].set_index(["predictor", "chrom"])["value"]
    assert scc[("m (window)", "x")] == 0.4 and np.isnan(scc.get(("distance_decay (chromosome)", "y"), np.nan))
    ax = drawn[0].axes[0]
    assert [bar.get_height() for bar in ax.containers[0]] == [0.5, 0.3]  # m (chromosome) on x, y
    assert [bar.get_height() for bar in ax.containers[1]] == [0.1, 0.0]  # missing y drawn as 0


def test_chromosome_metric_bars_without_any_value_write_a_figure_and_an_empty_table(tmp_path, drawn):
    table = pd.DataFrame({"predictor": ["m", "distance_decay"], "chrom": ["x", "x"], "scc": [np.nan, np.nan]})
    paper.chromosome_metric_bars(table, tmp_path / "bars.png")
    written = pd.read_csv(tmp_path / "bars.tsv", sep="\t")
    assert list(written.columns) == ["metric", "chrom", "predictor", "value"] and written.empty
    assert (tmp_path / "bars.png").stat().st_size > 0 and "no metric" in drawn[0].axes[0].texts[0].get_text()


def test_structural_variant_figure_uses_symmetric_difference_limits_and_own_coordinates(tmp_path, drawn):
    reference = np.full((6, 6), 1.0)
    hap = reference.copy()
    hap[2:4, 2:4] = 4.0  # a gain in the haplotype
    personal = {"chrom": "chrA", "start": 12 * BINSIZE, "matrix": np.full((8, 8), 2.0), "edges": [14_000, 18_000]}
    variant = {"label": "DUP1", "chrom": "chrA", "start": 10 * BINSIZE, "binsize": BINSIZE, "edges": [12_000, 14_000],
               "reference": reference,
               "haplotypes": {"hap1": {"matrix": hap, "personal": personal}, "hap2": {"matrix": reference,
                                                                                    "personal": None}}}
    paper.haplotype_structural_variants([variant], tmp_path / "fig6.png")
    table = pd.read_csv(tmp_path / "fig6.tsv", sep="\t")
    assert set(table["panel"]) == {"reference", "hap1 (reference coords)", "hap2 (reference coords)",
                                   "hap1 - reference", "hap2 - reference", "hap1 (own coords)"}
    diff = table[table["panel"] == "hap1 - reference"]
    assert diff["value"].max() == pytest.approx(np.log1p(4) - np.log1p(1), rel=1e-5)
    own = table[table["panel"] == "hap1 (own coords)"]
    assert own["coordinates"].unique().tolist() == ["hap1"] and own["start1"].min() == 12 * BINSIZE
    images = {ax.get_title(): ax.images[0] for ax in drawn[0].axes if ax.images}
    low, high = images["hap1 - reference"].get_clim()
    assert low == -high == pytest.approx(-(np.log1p(4) - np.log1p(1)))
    assert images["hap1 - reference"].get_cmap().name == plotting.DIFFERENCE_CMAP
    assert images["hap1 (own coords)"].get_extent() == [12_000, 20_000, 20_000, 12_000]
