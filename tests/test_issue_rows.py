"""The rows behind a quality issue, on the sample shop whose injected problems list the keys of the rows they
touch (answers/problems.json)."""

from __future__ import annotations

import pytest

from stocktake.errors import StocktakeError
from stocktake.tools.profile import issue_rows, profile_asset
from tests.test_profile import sample_catalog


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    return sample_catalog(tmp_path_factory.mktemp("issue-rows"), seed=0)


def issue_of(catalog, asset: str, kind: str, column: str | None):
    return next(i for i in profile_asset(catalog, asset).issues if (i.kind, i.column) == (kind, column))


def shown_keys(catalog, problem: dict, limit: int = 200) -> set:  # room for every copy and its original
    column = None if problem["column"] == "*" else problem["column"]
    got = issue_rows(catalog, problem["table"], issue_of(catalog, problem["table"], problem["kind"], column), limit)
    return {row[1] for row in got.rows}  # row[0] is the row number; every sample table starts with its key


def test_the_rows_shown_for_each_injected_problem_are_the_rows_it_touched(shop):
    catalog, problems = shop
    for p in (p for p in problems if p["kind"] != "suspected_mislabel"):
        assert shown_keys(catalog, p) == set(p["keys"]), (p["table"], p["kind"], p["column"])


def test_copies_are_shown_next_to_the_row_they_copy(shop):
    catalog, _ = shop
    got = issue_rows(catalog, "users", issue_of(catalog, "users", "duplicate_rows", None))
    assert got.rows[0][1:] == got.rows[1][1:] and got.rows[0][0] < got.rows[1][0]


def test_rows_are_bounded_by_the_limit_and_say_more_match(shop):
    catalog, _ = shop
    got = issue_rows(catalog, "users", issue_of(catalog, "users", "missing_values", "country"), limit=5)
    assert len(got.rows) == 5 and got.truncated


def test_every_row_comes_with_its_row_number_in_the_file(shop):
    catalog, _ = shop
    got = issue_rows(catalog, "order_items", issue_of(catalog, "order_items", "negative_values", "quantity"))
    items = profile_asset(catalog, "order_items")
    assert got.columns == ("row", *(c.name for c in items.columns)) and not got.truncated
    assert all(row[got.columns.index("quantity")] < 0 for row in got.rows)


def test_personal_columns_are_masked_as_in_sql_results(shop):
    catalog, _ = shop
    got = issue_rows(catalog, "users", issue_of(catalog, "users", "missing_values", "country"))
    emails = [row[got.columns.index("email")] for row in got.rows]
    assert emails and all("***" in e for e in emails)


def test_an_issue_of_another_asset_is_refused(shop):
    catalog, _ = shop
    with pytest.raises(StocktakeError, match="about users"):
        issue_rows(catalog, "orders", issue_of(catalog, "users", "missing_values", "country"))


def test_personal_data_rows_are_the_rows_the_profile_counts(catalog, tmp_path):
    import pandas as pd

    from stocktake.tools.ingest import ingest_path

    notes = ["write to ann@example.com", "card 4111 1111 1111 1111 on file", "order code 4111111111111112",
             "protocol 2517102738811", "all good", "call +44 20 7946 0958"]  # a failing checksum is no card
    pd.DataFrame({"id": range(len(notes)), "note": notes}).to_csv(tmp_path / "notes.csv", index=False)
    ingest_path(catalog, tmp_path / "notes.csv")
    issue = issue_of(catalog, "notes", "pii", "note")
    got = issue_rows(catalog, "notes", issue)
    assert issue.rows == len(got.rows) == 3 and not got.truncated
    assert [row[1] for row in got.rows] == [0, 1, 5]


def test_olist_review_messages_show_as_many_personal_rows_as_counted(catalog, shared_data):
    from stocktake.tools.ingest import ingest_path

    ingest_path(catalog, shared_data / "olist-ecommerce-sample" / "olist_order_reviews_dataset.csv", name="reviews")
    issue = issue_of(catalog, "reviews", "pii", "review_comment_message")
    assert len(issue_rows(catalog, "reviews", issue, limit=500).rows) == issue.rows
