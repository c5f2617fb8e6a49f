"""The plan compiler: plans become DuckDB SQL with bound values, joins along relationships, and the edge cases
that make an aggregate wrong (ties, nulls, fan-out joins, copied parent rows, time zones) come out right."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.errors import StocktakeError
from stocktake.tools.ask.answer import run_plan
from stocktake.tools.ask.compile import compile_plan
from stocktake.tools.ask.model import Col, Compare, Derived, Filter, Group, Measure, QueryPlan
from stocktake.tools.ask.schema import build_schema
from stocktake.tools.ingest import ingest_path

# Ids come from ranges that never overlap, so no relationship is found by coincidence.
CUSTOMERS = pd.DataFrame({"customer_id": [1, 2, 3, 4, 4], "city": ["Rome", "Oslo", None, "Rome", "Rome"],
                          "tier": ["gold", "silver", "gold", "bronze", "bronze"]})  # customer 4 copied
PRODUCTS = pd.DataFrame({"product_id": [10, 11, 12, 13], "category": ["toys", "books", "toys", "games"],
                         "price": [5.0, None, 7.5, 3.0]})
ORDERS = pd.DataFrame({"order_id": range(100, 112), "customer_id": [1, 1, 2, 4, 3, 1, 2, 3, 3, 4, 1, 2],
                       "status": ["paid", "cancelled", "paid", "paid", "paid", "paid", "cancelled", "paid", "paid",
                                  "paid", "paid", "paid"],
                       "ordered_at": ["2024-01-31 23:30:00", "2024-02-01 08:00:00", "2024-02-10 12:00:00",
                                      "2024-03-05 09:00:00", "2024-03-06 09:00:00"] + ["2024-04-01 10:00:00"] * 7,
                       "due_at": ["2024-02-02 00:00:00", "2024-01-30 00:00:00", "2024-02-20 00:00:00",
                                  "2024-03-01 00:00:00", "2024-03-10 00:00:00"] + ["2024-04-03 00:00:00"] * 7})
LINES = pd.DataFrame({"line_id": range(5001, 5008), "order_id": [100, 100, 101, 102, 103, 103, 104],
                      "product_id": [10, 11, 10, 12, 11, 10, 12], "qty": [2, 1, 3, 1, 2, 1, 4],
                      "unit_price": [5.0, 9.0, 5.0, 7.5, None, 5.0, 7.5]})


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("ask-compile")
    catalog = Catalog(Workspace(root / "ws"))
    for name, frame in (("customers", CUSTOMERS), ("products", PRODUCTS), ("orders", ORDERS), ("lines", LINES)):
        path = root / f"{name}.csv"
        frame.to_csv(path, index=False)
        ingest_path(catalog, path, name=name)
    return catalog, build_schema(catalog)


def run(shop, plan: QueryPlan):
    catalog, schema = shop
    result = run_plan(plan, schema, catalog)
    return pd.DataFrame([list(r) for r in result.rows], columns=list(result.columns), dtype=object), result


def col(asset, column):
    return Col(asset=asset, column=column)


def test_values_are_bound_never_pasted_into_the_sql(shop):
    hostile = "paid' OR '1'='1"
    plan = QueryPlan(asset="orders", measures=(Measure(agg="count"),),
                     filters=(Filter(column=col("orders", "status"), op="=", value=hostile),))
    compiled = compile_plan(plan, shop[1])
    assert hostile not in compiled.sql and compiled.params == (hostile,)
    assert run(shop, plan)[0].iloc[0, 0] == 0


def test_a_group_without_a_label_is_its_own_row_and_a_value_no_row_has_is_no_row(shop):
    plan = QueryPlan(asset="customers", measures=(Measure(agg="count"),), group_by=(Group(column=col("customers", "city")),))
    _, result = run(shop, plan)
    got = {r[0]: r[1] for r in result.rows}
    assert got == {k if isinstance(k, str) else None: v for k, v in CUSTOMERS["city"].value_counts(dropna=False).items()}
    assert "Paris" not in got


def test_ties_at_the_cut_of_a_top_n_are_kept(shop):
    plan = QueryPlan(asset="lines", measures=(Measure(agg="count"),), group_by=(Group(column=col("lines", "product_id")),),
                     order="desc", limit=2)
    frame, _ = run(shop, plan)
    counts = LINES["product_id"].value_counts()
    assert sorted(frame["product_id"]) == sorted(counts[counts >= counts.iloc[1]].index)  # 11 and 12 tie for 2nd


def test_missing_values_are_left_out_of_an_average_and_a_group_of_them_has_no_total(shop):
    mean = QueryPlan(asset="products", measures=(Measure(agg="mean", column=col("products", "price")),))
    assert run(shop, mean)[0].iloc[0, 0] == pytest.approx(PRODUCTS["price"].mean())
    per = QueryPlan(asset="products", measures=(Measure(agg="sum", column=col("products", "price")),),
                    group_by=(Group(column=col("products", "category")),))
    totals = {r[0]: r[1] for r in run(shop, per)[1].rows}
    assert totals["books"] is None and totals["toys"] == 12.5


def test_a_parent_copied_row_for_row_is_joined_once(shop):
    plan = QueryPlan(asset="orders", measures=(Measure(agg="count"),), group_by=(Group(column=col("customers", "tier")),))
    frame, result = run(shop, plan)
    expected = ORDERS.merge(CUSTOMERS.drop_duplicates(), on="customer_id")["tier"].value_counts()
    assert dict(zip(frame["tier"], frame["count"])) == expected.to_dict()
    assert any("exact copies" in d for d in result.dropped)


def test_a_condition_on_a_one_to_many_side_counts_each_row_once(shop):
    plan = QueryPlan(asset="orders", measures=(Measure(agg="count"),),
                     filters=(Filter(column=col("lines", "product_id"), op="=", value=10),))
    frame, result = run(shop, plan)
    assert "EXISTS" in result.sql
    assert frame.iloc[0, 0] == LINES.loc[LINES["product_id"] == 10, "order_id"].nunique()


def test_grouping_across_a_fan_out_counts_distinct_rows_of_the_asset(shop):
    plan = QueryPlan(asset="orders", measures=(Measure(agg="count"),), group_by=(Group(column=col("lines", "product_id")),))
    frame, _ = run(shop, plan)
    expected = LINES.groupby("product_id")["order_id"].nunique()
    assert dict(zip(frame["product_id"], frame["count"])) == expected.to_dict()


def test_a_sum_across_a_fan_out_is_refused_rather_than_counted_twice(shop):
    plan = QueryPlan(asset="customers", measures=(Measure(agg="sum", column=col("customers", "customer_id")),),
                     group_by=(Group(column=col("orders", "status")),))
    with pytest.raises(StocktakeError, match="more than once"):
        compile_plan(plan, shop[1])


def test_month_buckets_are_calendar_months_in_utc(shop):
    plan = QueryPlan(asset="orders", measures=(Measure(agg="count"),),
                     group_by=(Group(column=col("orders", "ordered_at"), bucket="month"),))
    frame, _ = run(shop, plan)
    months = pd.to_datetime(ORDERS["ordered_at"]).dt.strftime("%Y-%m").value_counts().sort_index()
    assert list(frame["month"]) == list(months.index) and list(frame["count"]) == list(months)


def test_a_derived_measure_multiplies_per_row_before_summing(shop):
    revenue = Derived(name="revenue", op="*", left=col("lines", "qty"), right=col("lines", "unit_price"))
    plan = QueryPlan(asset="lines", measures=(Measure(agg="sum", derived=revenue),))
    assert run(shop, plan)[0].iloc[0, 0] == pytest.approx((LINES["qty"] * LINES["unit_price"]).sum())


def _days_late() -> pd.Series:
    return (pd.to_datetime(ORDERS["ordered_at"]) - pd.to_datetime(ORDERS["due_at"])).dt.total_seconds() / 86400


@pytest.mark.parametrize("unit, per_day, agg", [("days", 1, "max"), ("hours", 24, "mean"), ("weeks", 1 / 7, "min")])
def test_a_duration_is_the_time_between_two_timestamps_in_the_unit_asked(shop, unit, per_day, agg):
    late = Derived(name="late by", op=unit, left=col("orders", "ordered_at"), right=col("orders", "due_at"))
    plan = QueryPlan(asset="orders", measures=(Measure(agg=agg, derived=late),))
    assert run(shop, plan)[0].iloc[0, 0] == pytest.approx(getattr(_days_late() * per_day, agg)())


def test_a_comparison_between_two_columns_of_a_row(shop):
    plan = QueryPlan(asset="orders", measures=(Measure(agg="count"),),
                     compares=(Compare(left=col("orders", "ordered_at"), op=">", right=col("orders", "due_at")),))
    late = (pd.to_datetime(ORDERS["ordered_at"]) > pd.to_datetime(ORDERS["due_at"])).sum()
    assert run(shop, plan)[0].iloc[0, 0] == late


def test_a_comparison_with_a_multiple_of_the_other_column(shop):
    plan = QueryPlan(asset="lines", measures=(Measure(agg="count"),),
                     compares=(Compare(left=col("lines", "unit_price"), op=">", right=col("lines", "qty"), factor=2.5),))
    assert run(shop, plan)[0].iloc[0, 0] == (LINES["unit_price"] > 2.5 * LINES["qty"]).sum()


@pytest.mark.parametrize("days, op", [(1.5, ">"), (-0.5, "<"), (0.25, "<=")])
def test_a_comparison_of_the_days_between_two_dates(shop, days, op):
    plan = QueryPlan(asset="orders", measures=(Measure(agg="count"),), compares=(
        Compare(left=col("orders", "ordered_at"), op=op, right=col("orders", "due_at"), days=days),))
    gap = _days_late()
    expected = {">": gap > days, "<": gap < days, "<=": gap <= days}[op].sum()
    assert run(shop, plan)[0].iloc[0, 0] == expected


def test_rows_with_no_related_row_and_a_share_of_the_rows(shop):
    unsold = QueryPlan(asset="products", measures=(Measure(agg="count"),), absent=("lines",))
    assert run(shop, unsold)[0].iloc[0, 0] == (~PRODUCTS["product_id"].isin(LINES["product_id"])).sum()
    paid = Filter(column=col("orders", "status"), op="=", value="paid")
    share = QueryPlan(asset="orders", measures=(Measure(agg="share", part=(paid,)),))
    assert run(shop, share)[0].iloc[0, 0] == pytest.approx(100 * (ORDERS["status"] == "paid").mean())


@pytest.mark.parametrize("plan, message", [
    (QueryPlan(asset="orders", measures=(Measure(agg="count"),), filters=(
        Filter(column=col("orders", "nope"), op="=", value=1),)), "nope"),
    (QueryPlan(asset="nowhere", measures=(Measure(agg="count"),)), "nowhere"),
])
def test_a_plan_naming_what_does_not_exist_is_refused(shop, plan, message):
    with pytest.raises((StocktakeError, KeyError), match=message):
        compile_plan(plan, shop[1])


@pytest.mark.parametrize("fields, message", [
    ({"agg": "sum"}, "needs a column"),
    ({"agg": "count", "column": {"asset": "a", "column": "b"}, "derived": {"name": "x", "op": "*",
      "left": {"asset": "a", "column": "b"}, "right": {"asset": "a", "column": "c"}}}, "not both"),
])
def test_a_measure_that_cannot_be_computed_is_invalid(fields, message):
    with pytest.raises(ValueError, match=message):
        Measure.model_validate(fields)


@pytest.mark.parametrize("op, value, message", [("between", [1], "two values"), ("in", [], "non-empty"),
                                                ("is_null", 3, "takes no value"), ("=", None, "one value")])
def test_a_filter_whose_value_does_not_fit_its_operator_is_invalid(op, value, message):
    with pytest.raises(ValueError, match=message):
        Filter(column=col("a", "b"), op=op, value=value)


PEOPLE = pd.DataFrame({"person_id": [1, 2, 3, 3], "name": ["Ada Lovelace", "Alan Turing", "Grace Hopper",
                                                           "Grace Hopper"],
                       "email": ["ada@example.com", "alan@example.com", "grace@example.com", "grace@example.com"],
                       "city": ["London", "Wilmslow", "New York", "New York"],
                       "note": ["call ada@example.com", "none given", "vip", "vip"]})  # person 3 copied
VISITS = pd.DataFrame({"visit_id": range(900, 906), "person_id": [1, 1, 2, 3, 3, 3]})


@pytest.fixture(scope="module")
def people(tmp_path_factory):
    root = tmp_path_factory.mktemp("ask-people")
    catalog = Catalog(Workspace(root / "ws"))
    for name, frame in (("people", PEOPLE), ("visits", VISITS)):
        frame.to_csv(root / f"{name}.csv", index=False)
        ingest_path(catalog, root / f"{name}.csv", name=name)
    return catalog, build_schema(catalog)


def test_a_planner_answer_masks_personal_columns_and_leaves_the_others_readable(people):
    got, _ = run(people, QueryPlan(asset="people", filters=(Filter(column=col("people", "person_id"), op="=",
                                                                       value=1),)))
    row = got.iloc[0]
    assert row["city"] == "London"
    assert "Lovelace" not in str(row["name"]) and "ada@example.com" not in str(row["email"])
    assert "ada@example.com" not in str(row["note"])  # a free-text address is masked by value


def test_groups_joined_through_a_parent_with_personal_columns_keep_their_labels(people):
    got, result = run(people, QueryPlan(asset="visits", measures=(Measure(agg="count"),),
                                        group_by=(Group(column=col("people", "city")),), limit=2))
    assert "DISTINCT *" not in result.sql  # the copied parent row is dropped without reading name or email
    assert dict(zip(got["city"], got["count"])) == {"New York": 3, "London": 2}


def test_a_date_kept_as_text_is_compared_as_a_date_and_unreadable_ones_drop_out(tmp_path):
    catalog = Catalog(Workspace(tmp_path / "ws"))
    joined = ["2024-01-05", "2024/02/10", "unknown", "2024-03-01"] + [f"2024-04-{d:02d}" for d in range(1, 17)]
    pd.DataFrame({"member_id": range(1, 21), "joined": joined}).to_csv(tmp_path / "members.csv", index=False)
    pd.DataFrame({"post_id": range(700, 705), "member_id": [1, 2, 3, 4, 4],
                  "posted": ["2024-01-01", "2024-02-11", "2024-01-01", "2024-02-01", "2024-03-02"]}
                 ).to_csv(tmp_path / "posts.csv", index=False)
    for name in ("members", "posts"):
        ingest_path(catalog, tmp_path / f"{name}.csv", name=name)
    schema = build_schema(catalog)
    assert schema.column("members", "joined").type == "string" and schema.column("members", "joined").temporal
    plan = QueryPlan(asset="posts", measures=(Measure(agg="count"),),
                     compares=(Compare(left=col("posts", "posted"), op="<", right=col("members", "joined")),))
    got, _ = run((catalog, schema), plan)
    assert got.iloc[0, 0] == 2  # posts 700 and 703; member 3's join date is unreadable


def test_values_two_assets_merely_share_are_no_relationship_to_join_on(tmp_path):
    catalog = Catalog(Workspace(tmp_path / "ws"))
    pd.DataFrame({"rater": [1, 1, 1, 2, 2, 2, 3, 3, 3, 3], "score": range(10)}).to_csv(tmp_path / "scores.csv",
                                                                                     index=False)
    pd.DataFrame({"rater": [1, 2, 2, 3], "label": list("abcd")}).to_csv(tmp_path / "labels.csv", index=False)
    for name in ("scores", "labels"):
        ingest_path(catalog, tmp_path / f"{name}.csv", name=name)
    schema = build_schema(catalog)
    assert schema.path("labels", "scores") is None and schema.path("scores", "labels") is None


FILMS = pd.DataFrame({"film_id": range(1, 13), "genres": ["Comedy|Drama", "Comedy", "Drama|Horror", "Horror",
                                                          "Comedy|Romance", None] * 2})
VIEWS = pd.DataFrame({"view_id": range(50, 58), "film_id": [1, 1, 2, 3, 9, 9, 4, 11]})


@pytest.fixture(scope="module")
def films(tmp_path_factory):
    root = tmp_path_factory.mktemp("ask-films")
    catalog = Catalog(Workspace(root / "ws"))
    for name, frame in (("films", FILMS), ("views", VIEWS)):
        frame.to_csv(root / f"{name}.csv", index=False)
        ingest_path(catalog, root / f"{name}.csv", name=name)
    return catalog, build_schema(catalog)


def _genre_counts(frame: pd.DataFrame) -> dict:
    return frame["genres"].dropna().str.split("|").explode().value_counts().to_dict()


def test_a_column_of_lists_is_grouped_value_by_value(films):
    assert films[1].column("films", "genres").separator == "|"
    got, _ = run(films, QueryPlan(asset="films", measures=(Measure(agg="count"),),
                                  group_by=(Group(column=col("films", "genres")),)))
    assert dict(zip(got["genres"], got["count"])) == _genre_counts(FILMS)


def test_rows_joined_to_a_list_count_once_for_each_value_listed(films):
    got, _ = run(films, QueryPlan(asset="views", measures=(Measure(agg="count"),),
                                  group_by=(Group(column=col("films", "genres")),)))
    assert dict(zip(got["genres"], got["count"])) == _genre_counts(VIEWS.merge(FILMS, on="film_id"))


@pytest.mark.parametrize("op, value, expected", [("=", "Comedy", 6), ("!=", "Comedy", 6),
                                                 ("in", ["Horror", "Romance"], 6), ("not_in", ["Comedy", "Drama"], 4)])
def test_a_value_of_a_list_column_matches_the_rows_that_list_it(films, op, value, expected):
    got, _ = run(films, QueryPlan(asset="films", measures=(Measure(agg="count"),),
                                  filters=(Filter(column=col("films", "genres"), op=op, value=value),)))
    assert got.iloc[0, 0] == expected  # a film without genres lists none of them


@pytest.mark.parametrize("question, rows", [
    ("what's the description for stockcode 85123A", [("85123A", "WHITE HEART HOLDER")]),  # a code's text, once
    ("quantity for stockcode 85123A", [("85123A", 6), ("85123A", 6), ("85123A", 8)]),  # repeated numbers are rows
])
def test_a_lookup_of_a_code_many_rows_repeat_lists_its_text_once(tmp_path, question, rows):
    from stocktake.tools.ask.answer import interpret

    catalog = Catalog(Workspace(tmp_path / "ws"))
    pd.DataFrame({"InvoiceNo": ["536365", "536366", "536367", "536368", "536369"],
                  "StockCode": ["85123A", "85123A", "85123A", "71053", "71053"],
                  "Description": ["WHITE HEART HOLDER"] * 3 + ["METAL LANTERN"] * 2,
                  "Quantity": [6, 6, 8, 1, 2]}).to_csv(tmp_path / "lines.csv", index=False)
    ingest_path(catalog, tmp_path / "lines.csv", name="lines")
    schema = build_schema(catalog)
    reading = interpret(question, schema)
    assert reading.status == "plan"
    got, _ = run((catalog, schema), reading.plan)
    assert sorted(map(tuple, got.values.tolist())) == sorted(rows)


def test_a_word_the_question_defines_by_a_condition_is_read_as_that_condition(tmp_path):
    from stocktake.tools.ask.answer import interpret

    catalog = Catalog(Workspace(tmp_path / "ws"))
    pd.DataFrame({"InvoiceNo": ["536365", "C536366", "C536367", "536368", "C536367"],
                  "Quantity": [6, -1, -2, 1, -3]}).to_csv(tmp_path / "lines.csv", index=False)
    ingest_path(catalog, tmp_path / "lines.csv", name="lines")
    schema = build_schema(catalog)
    reading = interpret("how many cancelled invoices (the ones starting with C)", schema)
    got, _ = run((catalog, schema), reading.plan)
    assert reading.status == "plan" and got.iloc[0, 0] == 2 and any("cancelled" in n for n in reading.notes)
