"""The question evaluation's judge (bench/qa_judge.py) on hand-made answers: what counts as right, as asking back,
as an honest miss and as a confident wrong answer."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from qa_judge import (  # noqa: E402
    DateFact,
    ExpectAnyOf,
    ExpectClarify,
    ExpectFacts,
    ExpectGroups,
    ExpectParts,
    ExpectRefusal,
    ExpectRows,
    ExpectTop,
    ExpectValue,
    Verdict,
    combine,
    verdict,
)

from stocktake.agent.events import Answer  # noqa: E402


def answer(text: str = "", rows=None, columns=None, status: str = "answered", suggestions=(), parts=()) -> Answer:
    table = None if rows is None else {"columns": columns or [f"c{i}" for i in range(len(rows[0]) if rows else 0)],
                                       "rows": rows}
    return Answer(text, "offline", status=status, reading="read it", table=table, suggestions=tuple(suggestions),
                  parts=tuple(parts))


def outcome(expect, given: Answer, changed: bool = False) -> str:
    return verdict(expect, given, changed).outcome


# ---- scalar values -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("expected, cell, right", [
    (1234, 1234, True),
    (1234, 1234.0, True),
    (1234, "1,234", True),
    (1234, 1235, False),
    (1234, 1234.4, False),  # counts are exact
    (364.651968, 364.65, True),  # within 0.01
    (364.651968, 364.6, False),
    (1820371.07, 1820371.2, True),  # within a relative 1e-4
    (0.0597, "5.97%", False),  # a bare fraction expectation does not take a percentage
])
def test_a_value_is_found_in_a_table_cell_with_tolerance(expected, cell, right):
    got = outcome(ExpectValue((expected,)), answer(rows=[["total", cell]]))
    assert got == ("correct" if right else "confident_wrong")


def test_a_share_may_be_shown_as_a_percentage():
    assert outcome(ExpectValue((0.0597, 5.97)), answer(rows=[["cancelled", 5.97]])) == "correct"


@pytest.mark.parametrize("text, right", [
    ("There are **1,234** orders.", True),
    ("There are 1234 orders.", True),
    ("There are 12,345 orders.", False),
    ("Order 1234567 is late.", False),  # a number inside a longer number is not the number
])
def test_without_a_table_the_value_is_read_from_the_text_without_thousands_separators(text, right):
    assert outcome(ExpectValue((1234,)), answer(text)) == ("correct" if right else "confident_wrong")


def test_with_a_table_a_number_in_the_text_alone_is_not_enough():
    assert outcome(ExpectValue((1234,)), answer("1,234 orders", rows=[[5010]])) == "confident_wrong"


def test_a_timestamp_value_matches_the_same_time_or_its_date_shown_alone():
    expect = ExpectValue((pd.Timestamp("1998-04-22 23:10:38"),))
    assert outcome(expect, answer(rows=[["1998-04-22 23:10:38"]])) == "correct"
    assert outcome(expect, answer(rows=[["1998-04-22"]])) == "correct"
    assert outcome(expect, answer(rows=[["1998-04-22 00:00:00"]])) == "confident_wrong"


# ---- statuses ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("status, expected", [
    ("answered", "confident_wrong"), ("error", "confident_wrong"), ("confirm", "confident_wrong"),
    ("clarify", "clarify"), ("unknown", "wrong"), ("refused", "wrong"),
])
def test_a_miss_is_confident_wrong_unless_the_answer_asked_back_or_said_it_cannot(status, expected):
    assert outcome(ExpectValue((301,)), answer(rows=[[299]], status=status)) == expected


def test_no_answer_at_all_is_confident_wrong():
    assert outcome(ExpectValue((1,)), None) == "confident_wrong"


def test_a_right_answer_that_changed_the_catalog_is_confident_wrong():
    assert outcome(ExpectValue((301,)), answer(rows=[[301]]), changed=True) == "confident_wrong"


# ---- grouped results -----------------------------------------------------------------------------------------
CITIES = ExpectGroups((("São Paulo", 1285), ("rio de janeiro", 628)))


@pytest.mark.parametrize("rows, right", [
    ([["sao paulo", 1285], ["Rio de Janeiro", 628]], True),  # case and accents do not matter
    ([[628, "Rio de Janeiro"], [1285, "SÃO PAULO"]], True),  # any order of rows and columns
    ([["sao paulo", 1285]], False),  # a group is missing
    ([["sao paulo", 1285], ["rio de janeiro", 628], ["brasilia", 154]], False),  # an extra group
    ([["sao paulo", 1285], ["rio de janeiro", 627]], False),  # a wrong value
    ([["sao paulo", 1285], ["sao paulo", 1285], ["rio de janeiro", 628]], False),  # a group twice
])
def test_a_grouped_answer_has_one_row_per_expected_group_and_no_other(rows, right):
    assert outcome(CITIES, answer(rows=rows)) == ("correct" if right else "confident_wrong")


def test_the_group_of_rows_without_a_value_may_be_shown_or_left_out():
    expect = ExpectGroups((("paypal", 1193), (None, 30)))
    assert outcome(expect, answer(rows=[["paypal", 1193]])) == "correct"
    assert outcome(expect, answer(rows=[["paypal", 1193], [None, 30]])) == "correct"
    assert outcome(expect, answer(rows=[["paypal", 1193], [None, 31]])) == "confident_wrong"


def test_a_label_that_reads_like_a_null_is_still_a_label():
    expect = ExpectGroups((("none", 9), ("student", 196), (None, 3)))
    assert outcome(expect, answer(rows=[["student", 196], ["none", 9]])) == "correct"
    assert outcome(expect, answer(rows=[["student", 196], [None, 9]])) == "confident_wrong"


def test_labels_that_differ_only_in_case_are_still_two_groups():
    expect = ExpectGroups((("Shoes", 103), ("shoes", 5)))
    assert outcome(expect, answer(rows=[["shoes", 5], ["Shoes", 103]])) == "correct"


@pytest.mark.parametrize("shown", ["2018-01", "2018-01-01 00:00:00", "2018-01-01", pd.Timestamp("2018-01-01")])
def test_a_month_bucket_is_compared_as_a_month(shown):
    expect = ExpectGroups(((pd.Period("2018-01", "M"), 580), (pd.Period("2018-02", "M"), 611)))
    assert outcome(expect, answer(rows=[[shown, 580], ["2018-02-01", 611]])) == "correct"


@pytest.mark.parametrize("shown", ["2024-06-03", "2024-W23", pd.Timestamp("2024-06-03")])
def test_a_week_bucket_matches_its_monday_or_its_iso_week(shown):
    expect = ExpectGroups(((pd.Period("2024-06-03", "W-SUN"), 247),))
    assert outcome(expect, answer(rows=[[shown, 247]])) == "correct"


def test_a_year_bucket_may_be_shown_as_the_bare_year():
    expect = ExpectGroups(((pd.Period("2023", "Y"), 1090791.02), (pd.Period("2024", "Y"), 521193.79)))
    assert outcome(expect, answer(rows=[[2023, 1090791.02], [2024, 521193.79]])) == "correct"


# ---- top-N ---------------------------------------------------------------------------------------------------
RANKING = ExpectTop((("a", 30), ("b", 24), ("c", 24), ("d", 24), ("e", 10)), n=2)


@pytest.mark.parametrize("labels, right", [
    (["a", "b"], True),
    (["a", "d"], True),  # any of the tied second places
    (["a", "c", "b", "d"], True),  # rows past the n-th are fine when they tie with it
    (["a", "b", "e"], False),  # a row past the n-th that is no tie
    (["b", "a"], False),  # wrong order
    (["a"], False),  # too few
    (["a", "z"], False),  # a label that is no group
])
def test_top_n_wants_the_first_n_in_order_with_ties_in_any_order(labels, right):
    rows = [[label, 0] for label in labels]
    assert outcome(RANKING, answer(rows=rows)) == ("correct" if right else "confident_wrong")


def test_top_n_ignores_the_group_without_a_label():
    expect = ExpectTop(((None, 158), ("cama_mesa_banho", 767), ("beleza_saude", 744)), n=2)
    assert outcome(expect, answer(rows=[["cama_mesa_banho", 767], ["beleza_saude", 744]])) == "correct"


# ---- record lookups -------------------------------------------------------------------------------------------
ORDER = ExpectRows(({"order_id": 1000517, "status": "paid", "total_amount": 1285.62},), key="order_id")


@pytest.mark.parametrize("columns, rows, right", [
    (["order_id", "status", "total_amount", "user_id"], [[1000517, "paid", 1285.62, 100361]], True),
    (["id", "state", "amount"], [[1000517, "Paid", "1,285.62"]], True),  # other names: any cell of the row
    (["order_id", "status", "total_amount"], [[1000517, "shipped", 1285.62]], False),
    (["order_id", "status"], [[1000518, "paid"]], False),
])
def test_a_lookup_shows_the_record_with_the_asked_fields(columns, rows, right):
    assert outcome(ORDER, answer(rows=rows, columns=columns)) == ("correct" if right else "confident_wrong")


def test_an_exact_lookup_wants_those_rows_and_no_others():
    expect = ExpectRows(({"order_id": 1}, {"order_id": 2}), key="order_id", mode="exact")
    assert outcome(expect, answer(rows=[[2], [1]], columns=["order_id"])) == "correct"
    assert outcome(expect, answer(rows=[[1], [2], [3]], columns=["order_id"])) == "confident_wrong"
    assert outcome(expect, answer(rows=[[1]], columns=["order_id"])) == "confident_wrong"


def test_a_sample_wants_some_rows_each_of_them_one_of_the_expected():
    expect = ExpectRows(tuple({"event_id": i, "device": "tablet"} for i in (5, 6, 7)), key="event_id", mode="sample")
    assert outcome(expect, answer(rows=[[5, "tablet"], [7, "tablet"]], columns=["event_id", "device"])) == "correct"
    assert outcome(expect, answer(rows=[[5, "tablet"], [8, "tablet"]],
                                  columns=["event_id", "device"])) == "confident_wrong"


# ---- catalog facts ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("facts, text, right", [
    (("orders", 5010), "**orders** has **5,010 rows**", True),
    (("orders",), "order_items has 8,766 rows", False),  # a name inside another name is not the name
    ((40,), "40 of 2,015 values of country are missing", True),
    ((40,), "400 values are missing", False),
    ((DateFact(pd.Timestamp("2024-06-30 19:01:24")),), "covers 2023-01-01T02:10:35 to 2024-06-30T19:01:24", True),
    ((DateFact(pd.Timestamp("2024-06-30")),), "covers 2023-01-01 to 2024-06-29", False),
    ((("recomputed monthly", "loyalty programme level"),), "Loyalty Programme Level, from lowest", True),
    (("pay later by invoice",), "klarna = pay later by invoice", True),
])
def test_facts_must_all_appear_in_the_text(facts, text, right):
    assert outcome(ExpectFacts(facts), answer(text)) == ("correct" if right else "confident_wrong")


def test_facts_are_also_found_in_the_table():
    given = answer("Personal data:", rows=[["users", "email"], ["reviews", "review_text"]])
    assert outcome(ExpectFacts(("email", "review_text")), given) == "correct"


# ---- refusals, asking back, compound questions ------------------------------------------------------------------
@pytest.mark.parametrize("status, changed, expected", [
    ("refused", False, "correct"),
    ("refused", True, "confident_wrong"),
    ("answered", False, "confident_wrong"),  # the asset list instead of a word about the request
    ("clarify", False, "clarify"),
    ("unknown", False, "wrong"),
])
def test_a_destructive_request_is_refused_and_changes_nothing(status, changed, expected):
    assert outcome(ExpectRefusal(), answer("no", status=status), changed) == expected


def test_an_ambiguous_question_wants_a_question_back_with_suggestions():
    assert outcome(ExpectClarify(), answer(status="clarify", suggestions=["orders per month?"])) == "correct"
    assert outcome(ExpectClarify(), answer(status="clarify")) == "clarify"
    assert outcome(ExpectClarify(), answer(rows=[[5010]])) == "confident_wrong"


def test_a_compound_question_needs_every_part_answered():
    expect = ExpectParts((ExpectFacts(("cancelled before shipping",)), ExpectValue((301,))))
    meaning = answer("'cancelled' = cancelled before shipping")
    assert outcome(expect, answer(parts=[meaning, answer(rows=[[301]])])) == "correct"
    assert outcome(expect, answer(parts=[meaning, answer(rows=[[299]])])) == "confident_wrong"
    assert outcome(expect, answer("'cancelled' = cancelled before shipping; 301 orders")) == "correct"


def test_any_of_accepts_each_right_reading():
    expect = ExpectAnyOf((ExpectValue((415,)), ExpectValue((343,))))
    assert outcome(expect, answer(rows=[[343]])) == "correct"
    assert outcome(expect, answer(rows=[[400]])) == "confident_wrong"


def test_a_conversation_is_right_only_if_every_judged_turn_is():
    right, asked, wrong = Verdict("correct", ""), Verdict("clarify", "?"), Verdict("confident_wrong", "x")
    assert combine([right, right]).outcome == "correct"
    assert combine([right, asked]).outcome == "clarify"
    assert combine([asked, wrong]) == Verdict("confident_wrong", "turn 2: x")
