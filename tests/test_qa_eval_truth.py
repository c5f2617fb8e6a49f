"""The question evaluation's expected answers (bench/qa_truth.py): specs computed with pandas on tiny tables."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from qa_judge import DateFact, ExpectFacts, ExpectGroups, ExpectRows, ExpectTop, ExpectValue  # noqa: E402
from qa_truth import SpecError, expected  # noqa: E402


class TinySource:
    """Stands in for a dataset's source files."""

    def __init__(self):
        self.frames = {
            "orders": pd.DataFrame({
                "order_id": [1, 2, 3, 4, 5],
                "user_id": [10, 10, 11, 99, 12],
                "status": ["paid", "cancelled", "paid", "paid", "cancelled"],
                "amount": [10.0, 20.0, 30.0, 40.0, None],
                "when": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-01", "2024-02-02", None]),
            }),
            # user 10 is there twice, as an exact copy: a join must not count their orders twice
            "users": pd.DataFrame({"user_id": [10, 10, 11, 12], "country": ["DE", "DE", "FR", None]}),
            "lines": pd.DataFrame({"order_id": [1, 1, 2], "qty": [2, 1, 3], "price": [1.5, 4.0, 2.0],
                                   "list_price": [1.5, 3.0, 2.5]}),
        }

    def frame(self, asset: str) -> pd.DataFrame:
        return self.frames[asset].copy()

    def problems(self) -> list[dict]:
        return [{"table": "users", "column": "*", "kind": "duplicate_rows", "rows": 1}]


@pytest.fixture
def source():
    return TinySource()


def test_a_filtered_sum_skips_missing_values(source):
    spec = {"value": {"from": "orders", "where": [["status", "==", "paid"]], "measure": "sum", "of": "amount"}}
    assert expected(source, spec) == ExpectValue((80.0,))


def test_a_share_is_offered_as_a_fraction_and_as_a_percentage(source):
    spec = {"value": {"from": "orders", "measure": "share", "match": [["status", "==", "cancelled"]]}}
    assert expected(source, spec) == ExpectValue((0.4, 40.0))


def test_a_derived_measure_multiplies_two_columns(source):
    spec = {"value": {"from": "lines", "derive": {"revenue": ["qty", "*", "price"]}, "measure": "sum", "of": "revenue"}}
    assert expected(source, spec) == ExpectValue((13.0,))


def test_a_join_drops_exact_copies_of_the_joined_rows(source):
    spec = {"groups": {"from": "orders", "join": [{"table": "users", "using": "user_id"}], "by": "country",
                       "measure": "count"}}
    assert expected(source, spec) == ExpectGroups((("DE", 2), ("FR", 1), (None, 1)))


def test_orphans_are_values_missing_from_the_other_table(source):
    spec = {"value": {"from": "orders", "where": [["user_id", "not in", {"table": "users", "col": "user_id"}]]}}
    assert expected(source, spec) == ExpectValue((1,))


def test_a_condition_can_compare_two_columns(source):
    spec = {"value": {"from": "lines", "where": [["price", ">", {"col": "list_price"}]]}}
    assert expected(source, spec) == ExpectValue((1,))


def test_a_month_bucket_keeps_rows_without_a_date_as_their_own_group(source):
    spec = {"groups": {"from": "orders", "by": {"col": "when", "every": "month"}, "measure": "count"}}
    assert expected(source, spec) == ExpectGroups(
        ((pd.Period("2024-01", "M"), 2), (pd.Period("2024-02", "M"), 2), (None, 1)))


def test_top_keeps_the_whole_ranking_for_ties(source):
    spec = {"top": {"from": "orders", "by": "user_id", "measure": "count", "top": 1}}
    assert expected(source, spec) == ExpectTop(((10, 2), (11, 1), (12, 1), (99, 1)), n=1)


def test_rows_are_sorted_and_limited(source):
    spec = {"rows": {"from": "orders", "where": [["when", "not null"]], "sort": [["when", "desc"]], "limit": 2,
                     "select": ["order_id"]}, "key": "order_id", "mode": "exact"}
    assert expected(source, spec) == ExpectRows(({"order_id": 4}, {"order_id": 3}), key="order_id", mode="exact")


def test_facts_expand_column_names_and_compute_numbers_and_dates(source):
    spec = {"facts": [{"column_names": "users"}, {"columns": "lines"}, {"problem": {"table": "users",
                                                                                     "kind": "duplicate_rows"}},
                      {"value": {"from": "orders", "measure": "max", "of": "when"}}]}
    assert expected(source, spec) == ExpectFacts(("user_id", "country", 4, 1, DateFact(pd.Timestamp("2024-02-02"))))


def test_duplicates_count_the_rows_that_repeat_an_earlier_row(source):
    spec = {"facts": [{"duplicates": "users"}, {"duplicates": "orders", "of": ["user_id"]},
                      {"duplicates": "orders", "of": ["user_id", "status"]}]}
    assert expected(source, spec) == ExpectFacts((1, 1, 0))


def test_timestamps_with_an_offset_are_read_as_naive_utc(tmp_path, monkeypatch):
    import qa_datasets

    (tmp_path / "crawl.csv").write_text("id,at\n1,2016-04-30 03:22:56 +0200\n2,2016-05-01 01:00:00 +0200\n")
    dataset = qa_datasets.Dataset("crawl-tz", tables=(qa_datasets.Table("crawl", "crawl.csv", dates=("at",)),))
    monkeypatch.setitem(qa_datasets.DATASETS, "crawl-tz", dataset)
    spec = {"value": {"from": "crawl", "where": [["at", "<", "2016-04-30 23:30:00"]], "measure": "max", "of": "at"}}
    assert expected(qa_datasets.Source(dataset, tmp_path), spec) == ExpectValue((pd.Timestamp("2016-04-30 23:00:00"),))


@pytest.mark.parametrize("spec", [
    {"value": {"from": "orders", "measure": "average", "of": "amount"}},
    {"value": {"from": "orders", "where": [["status", "~", "paid"]]}},
    {"value": {"from": "orders", "by": "status"}},
    {"answer": 3},
])
def test_a_spec_that_cannot_be_computed_is_an_error(source, spec):
    with pytest.raises(SpecError):
        expected(source, spec)


@pytest.mark.parametrize("name", ["dev", "heldout"])
def test_the_question_files_load_and_cover_every_category(name):
    from qa_eval import CATEGORIES, SETS, load_questions

    questions = load_questions(SETS[name])
    assert {q.category for q in questions} == set(CATEGORIES)
