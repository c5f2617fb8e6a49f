"""How numbers are written for people: ids and years as typed, measures with separators, one precision rule."""

from __future__ import annotations

import pytest

from stocktake.agent.templates import number
from stocktake.numbers import decimal_text, is_identifier, measure_text, metric_text, value_text
from stocktake.tools.report.wording import metrics_text


@pytest.mark.parametrize("column", ["id", "user_id", "orderId", "ID", "product_id", "year", "order_year", "zip",
                                    "sku", "id_user"])
def test_ids_and_years_are_identifiers(column):
    assert is_identifier(column)


@pytest.mark.parametrize("column", ["n", "count", "revenue", "valid", "paid", "rows", "month", "percent", ""])
def test_counts_and_words_ending_in_id_are_not(column):
    assert not is_identifier(column)


@pytest.mark.parametrize("column, value, text", [
    ("user_id", 100725, "100725"), ("year", 2023, "2023"), ("year", 2023.0, "2023"), ("order_id", 1000001, "1000001"),
    ("n", 100725, "100,725"), ("revenue", 12345.678, "12,345.68"), ("share", 0.5, "0.5000"),
])
def test_ids_and_years_never_get_separators_measures_do(column, value, text):
    assert value_text(column, value) == text


@pytest.mark.parametrize("value, text", [
    (0.007621, "0.0076"), (0.0369, "0.0369"), (0.971, "0.9710"), (0.04836, "0.0484"), (0.0, "0.00"),
    (3.14159, "3.14"), (1234.5, "1,234.50"), (-0.25, "-0.2500"), (1e-7, "1.0e-07"), (float("nan"), "NaN"),
])
def test_one_precision_rule_for_fractions_four_decimals(value, text):
    assert decimal_text(value) == text


def test_metrics_read_alike_whatever_their_size():
    assert [metric_text(v) for v in (0.007621, 0.0369, 0.971, 2)] == ["0.0076", "0.0369", "0.9710", "2"]
    assert metrics_text((("ndcg@10", 0.007621), ("recall@10", 0.0369))) == "ndcg@10 0.0076 · recall@10 0.0369"


def test_the_offline_answers_measures_follow_the_rule():
    assert [number(v) for v in (0.007621, 0.0369, 22, 100725, None)] == ["0.0076", "0.0369", "22", "100,725", "∅"]
    assert measure_text("paid") == "paid"
