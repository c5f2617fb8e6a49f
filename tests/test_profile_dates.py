"""Inventory statistics of dates and small integer domains: parsed extremes, calendar charts, a bar per value,
readable ticks (issue 15, point 7)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from stocktake.serve.charts import chart_column
from stocktake.tools.ingest import ingest_path
from stocktake.tools.profile import profile_asset
from stocktake.tools.sample_data import write_sample_data


@pytest.fixture
def shop(catalog, tmp_path):
    """A workspace of its own with the sample shop ingested, and the generator's record of what it injected."""
    data = write_sample_data(tmp_path / "shop", seed=0)
    for table, path in data.paths.items():
        ingest_path(catalog, path, name=table)
    return catalog, data


def signup_dates(data) -> pd.Series:
    raw = pd.read_csv(data.paths["users"], dtype=str)["signup_date"].dropna()
    return pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")


def test_a_text_date_column_has_the_earliest_and_latest_parsed_date_as_min_and_max(shop):
    catalog, data = shop
    column = profile_asset(catalog, "users").column("signup_date")
    parsed = signup_dates(data).dropna()
    assert column.semantic_type == "date"
    assert (column.min, column.max) == (f"{parsed.min():%Y-%m-%d}", f"{parsed.max():%Y-%m-%d}")


def test_unparseable_dates_are_an_issue_with_their_count_and_an_example(shop):
    catalog, data = shop
    injected = next(p for p in data.problems if (p.table, p.column, p.kind) == ("users", "signup_date",
                                                                                 "unparseable_values"))
    issue = next(i for i in profile_asset(catalog, "users").issues if i.kind == "unparseable_values")
    assert issue.column == "signup_date" and issue.rows == injected.rows
    raw = set(pd.read_csv(data.paths["users"], dtype=str)["signup_date"].dropna())
    assert issue.examples and all(e in raw and pd.isna(pd.to_datetime(e, format="%Y-%m-%d", errors="coerce"))
                                  for e in issue.examples)


def test_a_text_date_column_is_charted_per_month_not_by_its_most_frequent_values(shop):
    catalog, data = shop
    hist = profile_asset(catalog, "users").column("signup_date").histogram
    by_month = signup_dates(data).dropna().dt.to_period("M").value_counts()
    assert hist["kind"] == "time" and hist["unit"] == "month"
    counts = dict(zip((e[:7] for e in hist["edges"]), hist["counts"]))
    assert counts == {str(m): int(by_month.get(m, 0)) for m in pd.period_range(by_month.index.min(),
                                                                              by_month.index.max(), freq="M")}


def test_a_timestamp_column_counts_its_rows_per_calendar_month(shop):
    catalog, data = shop
    hist = profile_asset(catalog, "orders").column("order_date").histogram
    months = pd.to_datetime(pd.read_csv(data.paths["orders"])["order_date"]).dt.to_period("M").value_counts()
    assert hist["unit"] == "month" and len(hist["edges"]) == len(hist["counts"]) + 1
    assert [e[:7] for e in hist["edges"][:-1]] == [str(m) for m in sorted(months.index)]
    assert hist["counts"] == [int(months[m]) for m in sorted(months.index)]


def test_a_span_of_a_few_weeks_is_charted_per_day(catalog):
    days = pd.date_range("2024-03-01", "2024-03-21", freq="D")
    catalog.register("visits", pd.DataFrame({"visit_time": days.repeat(2) + pd.Timedelta(hours=9)}),
                     kind="events", source="test", fmt="test")
    hist = profile_asset(catalog, "visits").column("visit_time").histogram
    assert hist["unit"] == "day" and hist["counts"] == [2] * len(days)
    assert hist["edges"][0] == "2024-03-01T00:00:00"


def test_a_date_far_off_the_rest_stays_out_of_the_chart_instead_of_stretching_it_over_centuries(catalog):
    frame = pd.DataFrame({"day": ["0201-05-01"] + [f"2024-01-{d:02d}" for d in range(1, 29)]})
    catalog.register("typo", frame, kind="other", source="test", fmt="test")
    profile = profile_asset(catalog, "typo")
    hist = profile.column("day").histogram
    assert hist["unit"] == "day" and hist["counts"] == [1] * 28 and hist["edges"][0] == "2024-01-01T00:00:00"
    assert any(i.kind == "future_or_ancient_dates" and i.rows == 1 for i in profile.issues)


def test_ratings_get_one_bar_per_value(shop):
    catalog, data = shop
    hist = profile_asset(catalog, "reviews").column("rating").histogram
    counts = pd.read_csv(data.paths["reviews"])["rating"].value_counts()
    assert hist["kind"] == "values" and hist["labels"] == [1, 2, 3, 4, 5]
    assert hist["counts"] == [int(counts.get(v, 0)) for v in range(1, 6)]


def test_values_missing_inside_a_short_integer_span_get_an_empty_bar(catalog):
    catalog.register("t", pd.DataFrame({"n": [-2, -2, 1, 3, 3, 3]}), kind="other", source="test", fmt="test")
    hist = profile_asset(catalog, "t").column("n").histogram
    assert hist == {"kind": "values", "labels": [-2, -1, 0, 1, 2, 3], "counts": [2, 0, 0, 1, 0, 3]}


def test_a_wide_integer_span_keeps_a_numeric_histogram(catalog):
    catalog.register("t", pd.DataFrame({"n": list(range(0, 1000, 7))}), kind="other", source="test", fmt="test")
    assert profile_asset(catalog, "t").column("n").histogram["kind"] == "numeric"


def drawn(fig):
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    return [(t.get_position()[0], t.get_text()) for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]


def test_the_rating_chart_has_a_tick_at_each_star_and_none_between(shop):
    catalog, _ = shop
    fig = chart_column(profile_asset(catalog, "reviews").column("rating").to_dict())
    assert [text for _, text in drawn(fig)] == ["1", "2", "3", "4", "5"]
    assert fig.axes[0].get_title(loc="left") == "Rows per value of rating"


def test_a_price_histogram_has_ticks_on_round_values(shop):
    catalog, _ = shop
    ticks = drawn(chart_column(profile_asset(catalog, "order_items").column("unit_price").to_dict()))
    positions = [x for x, _ in ticks]
    step = positions[1] - positions[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert len(ticks) >= 3 and round(mantissa, 6) in (1, 2, 2.5, 5)
    assert all(round(x / step, 6).is_integer() for x in positions)
    assert all("e+" not in text and text.replace(",", "").lstrip("−-").isdigit() for _, text in ticks)


def test_a_date_chart_labels_its_bars_as_months_on_calendar_steps(shop):
    catalog, _ = shop  # 18 months of orders: a tick every quarter
    fig = chart_column(profile_asset(catalog, "orders").column("order_date").to_dict())
    assert [text for _, text in drawn(fig)] == ["2023-01", "2023-04", "2023-07", "2023-10", "2024-01", "2024-04"]
    assert fig.axes[0].get_title(loc="left") == "Rows per month of order_date"


def test_years_of_months_are_ticked_each_january(shop):
    catalog, _ = shop  # signups over five and a half years
    labels = [text for _, text in drawn(chart_column(profile_asset(catalog, "users").column("signup_date").to_dict()))]
    assert labels == [f"{year}-01" for year in range(2019, 2025)]
