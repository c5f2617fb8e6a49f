"""Comparing two versions of an asset (``stocktake diff``): schema changes, per-column statistics, drift tested as
Evidently's defaults test it, quality issues and key coverage; and the command's table, JSON and errors."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.cli.main import app
from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.settings import EVIDENTLY_DRIFT, DriftSettings
from stocktake.tools.drift import diff_versions
from stocktake.tools.ingest import ingest_path
from stocktake.tools.sample_data import write_sample_data
from stocktake.usecases import Services
from stocktake.usecases.changes import diff

RNG = np.random.default_rng(7)


def versions(catalog, *frames, name="t"):
    """The frames as versions 1, 2, … of one asset."""
    catalog.register(name, frames[0], kind="other", source="t.csv", fmt="csv")
    for i, frame in enumerate(frames[1:]):
        catalog.add_version(name, frame, note=f"change {i + 1}")
    return catalog


def compared(catalog, before, after, **settings):
    versions(catalog, before, after)
    return diff_versions(catalog, "t", 1, 2, settings=replace(DriftSettings(), **settings))


def numbers(n, mean=0.0):
    return pd.DataFrame({"x": RNG.normal(mean, 1.0, n)})


# ---- which test, on tiny edge cases -----------------------------------------------------------------------------
@pytest.mark.parametrize("before, after, test", [
    (numbers(1000), numbers(1000), "ks"),  # numeric, up to 1,000 reference values
    (numbers(1001), numbers(1001), "wasserstein"),  # numeric, more
    (pd.DataFrame({"x": [1.5, 2.5, 3.5] * 100}), pd.DataFrame({"x": [1.5, 2.5, 3.5] * 100}), "chisquare"),  # 5 or fewer
    (pd.DataFrame({"x": [1.5, 2.5] * 1000}), pd.DataFrame({"x": [1.5, 2.5] * 1000}), "jensenshannon"),
    (pd.DataFrame({"x": ["a", "b", "c"] * 100}), pd.DataFrame({"x": ["a", "b", "c"] * 100}), "chisquare"),
    (pd.DataFrame({"x": ["a", "b", "c"] * 400}), pd.DataFrame({"x": ["a", "b", "c"] * 400}), "jensenshannon"),
    (pd.DataFrame({"x": [True, False] * 100}), pd.DataFrame({"x": [True, False] * 100}), "z"),  # binary
    (pd.DataFrame({"x": ["yes", "no"] * 100}), pd.DataFrame({"x": ["yes", "no"] * 100}), "z"),
    (pd.DataFrame({"x": [7] * 300}), pd.DataFrame({"x": [7] * 300}), "z"),  # constant
    (pd.DataFrame({"x": [7.0] * 3000}), pd.DataFrame({"x": [7.0] * 3000}), "jensenshannon"),
], ids=["numeric-1000", "numeric-1001", "few-numbers-small", "few-numbers-large", "category-small",
        "category-large", "boolean", "two-words", "constant-small", "constant-large"])
def test_each_column_gets_the_test_evidentlys_defaults_choose(catalog, before, after, test):
    column = compared(catalog, before, after).column("x")
    assert (column.test, column.drifted) == (test, False)


def test_the_reference_size_counts_values_not_rows(catalog):
    """1,200 rows of which 1,000 hold a value: a small reference, tested with Kolmogorov-Smirnov."""
    x = np.concatenate([RNG.normal(size=1000), [np.nan] * 200])
    assert compared(catalog, pd.DataFrame({"x": x}), pd.DataFrame({"x": x[::-1]})).column("x").test == "ks"


def test_a_constant_column_that_stays_constant_does_not_drift_and_a_new_constant_does(catalog):
    got = compared(catalog, pd.DataFrame({"same": [3] * 200, "moved": [3] * 200}),
                   pd.DataFrame({"same": [3] * 200, "moved": [4] * 200}))
    assert (got.column("same").score, got.column("same").drifted) == (1.0, False)
    assert got.column("moved").drifted


def test_an_all_null_column_is_not_tested_and_says_why(catalog):
    frame = pd.DataFrame({"x": range(50), "empty": [None] * 50})
    got = compared(catalog, frame, frame.assign(x=frame.x + 1))
    empty = got.column("empty")
    assert (empty.test, empty.drifted, empty.note) == (None, False, "no values in the earlier version")


def test_free_text_is_not_tested(catalog):
    frame = pd.DataFrame({"comment": [f"review number {i}" for i in range(300)]})
    column = compared(catalog, frame, frame.iloc[::-1]).column("comment")
    assert (column.kind, column.test) == ("text", None)


def test_chi_squared_compares_two_samples_where_evidentlys_takes_the_reference_as_exact(catalog):
    """Counts 100 x 5 against 120, 80, 110, 90, 100: well within two samples' noise (p 0.28), though not within
    one sample's around a known mix (Evidently's goodness of fit: p 0.04)."""
    before = pd.DataFrame({"x": [v for v in "abcde" for _ in range(100)]})
    after = pd.DataFrame({"x": [v for v, n in zip("abcde", (120, 80, 110, 90, 100)) for _ in range(n)]})
    versions(catalog, before, after)
    ours, theirs = (diff_versions(catalog, "t", 1, 2, settings=s).column("x")
                    for s in (DriftSettings(), EVIDENTLY_DRIFT))
    assert (ours.test, ours.score, ours.drifted) == ("chisquare", pytest.approx(0.283, abs=0.001), False)
    assert (theirs.test, theirs.score, theirs.drifted) == ("chisquare", pytest.approx(0.0404, abs=0.001), True)


def test_rare_values_are_pooled_so_two_samples_of_many_cities_do_not_drift(catalog):
    cities = [f"city {i}" for i in RNG.zipf(1.3, 6000) % 600]
    versions(catalog, pd.DataFrame({"city": cities[:3000]}), pd.DataFrame({"city": cities[3000:]}))
    ours, theirs = (diff_versions(catalog, "t", 1, 2, settings=s).column("city")
                    for s in (DriftSettings(), EVIDENTLY_DRIFT))
    assert (ours.test, ours.drifted, theirs.drifted) == ("jensenshannon", False, True)


# ---- schema changes --------------------------------------------------------------------------------------------
def test_added_removed_retyped_and_renamed_looking_columns_are_told_apart(catalog):
    before = pd.DataFrame({"id": range(500), "zip": range(10_000, 10_500), "colour": ["red", "blue"] * 250,
                           "weight": RNG.gamma(2.0, 3.0, 500)})
    after = pd.DataFrame({"id": range(500), "zip": [str(z) for z in range(10_000, 10_500)],
                          "color": ["red", "blue"] * 250, "price": RNG.normal(10, 1, 500)})
    got = compared(catalog, before, after)
    assert {(c.kind, c.column, c.before, c.after) for c in got.schema} == {
        ("retyped", "zip", "integer", "string"), ("renamed", "color", "colour", None),
        ("added", "price", None, "float"), ("removed", "weight", "float", None)}
    assert (got.column("color").renamed_from, got.column("color").test) == ("colour", "z")
    assert got.column("zip").note == "retyped from integer to string"


def test_a_new_column_with_other_values_does_not_look_renamed(catalog):
    got = compared(catalog, pd.DataFrame({"a": RNG.normal(0, 1, 300)}), pd.DataFrame({"b": RNG.normal(50, 1, 300)}))
    assert sorted(c.kind for c in got.schema) == ["added", "removed"]


# ---- real changes are found, resamples are not flagged -------------------------------------------------------
@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shop")
    write_sample_data(folder, seed=0)
    return folder


def halves(frame: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = np.random.default_rng(seed).permutation(len(frame))
    half = len(frame) // 2
    return frame.iloc[rows[:half]].reset_index(drop=True), frame.iloc[rows[half:2 * half]].reset_index(drop=True)


@pytest.fixture
def events(catalog, shop):
    ingest_path(catalog, shop / "events.csv")
    return catalog.load("events")


@pytest.fixture
def orders(catalog, shop):
    ingest_path(catalog, shop / "orders.csv")
    return catalog.load("orders")


def test_an_unchanged_resample_of_the_sample_shop_is_not_flagged(catalog, events):
    got = compared(catalog, *halves(events))
    assert not [c.name for c in got.columns if c.drifted or c.null_rate_changed]
    assert (got.schema, got.dataset_drifted, got.tested_columns > 3) == ((), False, True)


def test_a_mean_shifted_by_half_a_standard_deviation_drifts(catalog, orders):
    before, after = halves(orders)
    got = compared(catalog, before, after.assign(total_amount=after.total_amount + 0.5 * before.total_amount.std()))
    assert [c.name for c in got.columns if c.drifted] == ["total_amount"]
    assert got.column("total_amount").mean[1] > got.column("total_amount").mean[0]


def test_a_category_mix_moved_by_twenty_points_drifts_at_either_size(catalog, events):
    before, after = halves(events[:800])
    moved = after.copy()
    others = np.flatnonzero(moved.event_type != "view")
    moved.loc[others[: round(0.2 * len(moved))], "event_type"] = "view"
    got = compared(catalog, before, moved)
    assert (got.column("event_type").test, got.column("event_type").drifted) == ("chisquare", True)


def test_ten_percent_more_nulls_is_flagged_and_the_missing_values_issue_is_new(catalog, events):
    before, after = halves(events)
    gone = np.random.default_rng(1).choice(len(after), len(after) // 10, replace=False)
    after = after.astype({"session_id": object})
    after.loc[gone, "session_id"] = None
    got = compared(catalog, before, after)
    session = got.column("session_id")
    assert session.null_rate_changed and session.null_rate[1] == pytest.approx(0.1, abs=0.001)
    assert [(i.kind, i.column) for i in got.new_issues] == [("missing_values", "session_id")]


def test_a_large_column_is_tested_on_a_sample_with_the_decision_of_every_row(catalog, events):
    before, after = halves(events)
    versions(catalog, before, after.assign(event_time=after.event_time + pd.Timedelta(days=30)))
    sampled, whole = (diff_versions(catalog, "t", 1, 2, settings=replace(DriftSettings(), sample_values=n)).column(
        "event_time") for n in (5_000, 10 ** 9))
    assert (sampled.sampled, whole.sampled) == (True, False)
    assert sampled.drifted == whole.drifted and sampled.score == pytest.approx(whole.score, abs=0.02)


def test_an_unchanged_resample_of_a_real_dataset_is_not_flagged_and_a_shift_is(catalog, shared_data):
    ingest_path(catalog, shared_data / "olist-ecommerce-sample" / "olist_order_items_dataset.csv", name="items")
    before, after = halves(catalog.load("items"), seed=3)
    versions(catalog, before, after, after.assign(freight_value=after.freight_value + 0.5 * before.freight_value.std()))
    same, shifted = (diff_versions(catalog, "t", 1, v) for v in (2, 3))
    assert not [c.name for c in same.columns if c.drifted or c.null_rate_changed]
    assert [c.name for c in shifted.columns if c.drifted] == ["freight_value"]


# ---- relationships and issues ------------------------------------------------------------------------------------
def test_key_coverage_falls_when_a_parent_version_loses_keys(catalog):
    users = pd.DataFrame({"user_id": range(1, 101), "age": RNG.integers(18, 80, 100)})
    catalog.register("orders", pd.DataFrame({"order_id": range(1, 401), "user_id": [i % 100 + 1 for i in range(400)]}),
                     kind="orders", source="o.csv", fmt="csv")
    versions(catalog, users, users[users.user_id <= 95], name="users")
    got = diff_versions(catalog, "users", 1, 2)
    link = next(r for r in got.relations if (r.from_asset, r.to_asset) == ("orders", "users"))
    assert (link.coverage, link.orphan_rows) == ((1.0, 0.95), (0, 20))
    assert got.rows == (100, 95)


# ---- the use case and the command --------------------------------------------------------------------------------
def test_by_default_the_last_two_versions_are_compared(catalog):
    versions(catalog, numbers(100), numbers(100, 1.0), numbers(100, 2.0))
    assert diff(Services(catalog), "t").versions == (2, 3)
    assert diff(Services(catalog), "t", after=2).versions == (1, 2)


@pytest.mark.parametrize("asset, before, after, error, words", [
    ("nope", None, None, UnknownNameError, "No asset named 'nope'"),
    ("one", None, None, StocktakeError, "'one' has only one version"),
    ("t", 2, 2, StocktakeError, "compared with itself"),
    ("t", 9, None, UnknownNameError, "No version of 't' named '9'. Valid: 1, 2."),
])
def test_what_cannot_be_compared_is_one_line_saying_why(catalog, asset, before, after, error, words):
    versions(catalog, numbers(10), numbers(10))
    catalog.register("one", numbers(10), kind="other", source="one.csv", fmt="csv")
    with pytest.raises(error, match=words):
        diff(Services(catalog), asset, before, after)


def test_one_version_says_how_to_get_a_second(catalog):
    catalog.register("solo", numbers(10), kind="other", source="solo.csv", fmt="csv")
    result = CliRunner().invoke(app, ["diff", "solo"])
    assert result.exit_code == 1
    assert "ingest PATH --name solo --replace" in result.output and "sync" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_diff_json_has_one_entry_per_column_with_its_verdict(catalog):
    versions(catalog, pd.DataFrame({"x": RNG.normal(0, 1, 300), "kind": ["a", "b", "c"] * 100}),
             pd.DataFrame({"x": RNG.normal(1, 1, 300), "kind": ["a", "b", "c"] * 100, "new": 1.0}))
    result = CliRunner().invoke(app, ["diff", "t", "--json"])
    found = json.loads(result.output)
    assert [{k: c[k] for k in ("name", "drifted", "test", "threshold")} for c in found["columns"]] == [
        {"name": "x", "drifted": True, "test": "ks", "threshold": 0.05},
        {"name": "kind", "drifted": False, "test": "chisquare", "threshold": 0.05},
        {"name": "new", "drifted": False, "test": None, "threshold": None}]
    assert all(isinstance(c["score"], float) for c in found["columns"][:2])
    assert (found["versions"], found["schema"]) == ({"from": 1, "to": 2}, [
        {"kind": "added", "column": "new", "from": None, "to": "float"}])


def test_diff_prints_a_table_of_columns(catalog):
    versions(catalog, numbers(300), numbers(300, 1.0))
    result = CliRunner().invoke(app, ["diff", "t"])
    assert result.exit_code == 0
    assert "t v1 -> v2: 300 -> 300 rows" in result.output and "ks" in result.output
