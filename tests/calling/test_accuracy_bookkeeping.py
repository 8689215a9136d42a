"""Scoring bookkeeping: reciprocal overlap of nested calls of different lengths, worked out by hand."""

import pandas as pd
import pytest

from hicmodels.calling.accuracy import VARIANT_COLUMNS, evaluate, reciprocal_overlap


def sv(kind, start, end, ident):
    return ("c", start, ident, "N", f"<{kind}>", kind, start, end, 1)


@pytest.mark.parametrize("spans, want", [
    ((1000, 1060, 1000, 1150), 0.4),  # a call nested at the start of the truth: 60 / 150, not 60 / 60
    ((1000, 1150, 1000, 1060), 0.4),  # the same, truth and call swapped
    ((1000, 1150, 1050, 1110), 0.4),  # nested in the middle
    ((1000, 1100, 1050, 1250), 0.25),  # staggered: 50 shared over the longer 200
    ((1000, 1100, 1100, 1200), 0.0),  # abutting, no base shared
    ((1000, 1100, 1300, 1400), 0.0),  # disjoint: 0, not negative
    ((1000, 1100, 1000, 1100), 1.0),
])
def test_reciprocal_overlap_is_over_the_longer_span(spans, want):
    assert reciprocal_overlap(*spans) == pytest.approx(want)


def test_nested_call_matches_only_at_an_overlap_threshold_it_reaches():
    # truth DEL 1000-1150, call DEL 1000-1060: both breakpoints within 100 bp, reciprocal overlap 0.4
    truth = pd.DataFrame([sv("DEL", 1000, 1150, "t")], columns=VARIANT_COLUMNS)
    calls = pd.DataFrame([sv("DEL", 1000, 1060, "c")], columns=VARIANT_COLUMNS)
    _, recovery = evaluate(truth, calls, tolerance=100, min_overlap=0.5)
    assert recovery.loc[0, ["start_offset", "end_offset", "reciprocal_overlap", "recovered"]].tolist() == \
        [0, -90, pytest.approx(0.4), False]
    summary, _ = evaluate(truth, calls, tolerance=100, min_overlap=0.4)  # the threshold itself matches
    assert summary.set_index("class").loc["DEL", ["recall", "precision"]].tolist() == [1.0, 1.0]
    summary, _ = evaluate(truth, calls, tolerance=89, min_overlap=0.1)  # the end is 90 bp off
    assert summary.set_index("class").loc["DEL", "recall"] == 0.0
