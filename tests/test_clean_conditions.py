"""Row conditions of drop_rows: the grammar, what each operator selects on tiny tables, checks against the table's
columns and types, limits, and how pandas-style expressions of older sessions fare."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.tools.clean import condition, get_step
from stocktake.tools.clean.condition import Compare, ConditionLimits, Join, Not

TABLE = pd.DataFrame({
    "qty": [3, -1, 0, 7, None],
    "country": ["France", "Spain", None, "France", "Italy"],
    "price": [9.5, 1.0, np.nan, 12.0, 3.25],
    "gift": [True, False, True, False, True],
    "when": pd.to_datetime(["2024-01-05", "2024-02-10", None, "2024-03-01", "2023-12-31"]),
    "Unit Price": [1.0, 2.0, 3.0, 4.0, 5.0],
})


@pytest.mark.parametrize("text, tree", [
    ("qty < 0", Compare("qty", "<", 0)),
    ("qty <= -1.5e1", Compare("qty", "<=", -15.0)),
    ('country == "France"', Compare("country", "=", "France")),
    ("country = 'It\\'s'", Compare("country", "=", "It's")),
    ("country <> 'x'", Compare("country", "!=", "x")),
    ("gift == True", Compare("gift", "=", True)),
    ("qty in [1, 2,]", Compare("qty", "in", (1, 2))),
    ("country not in ('a', 'b')", Compare("country", "notin", ("a", "b"))),
    ("price is null", Compare("price", "null")),
    ("price IS NOT None", Compare("price", "notnull")),
    ("country contains 'an'", Compare("country", "contains", "an")),
    ("`Unit Price` >= 2", Compare("Unit Price", ">=", 2)),
    ("a < 1 and b > 2 or c = 3", Join("or", (Join("and", (Compare("a", "<", 1), Compare("b", ">", 2))),
                                              Compare("c", "=", 3)))),
    ("not (a < 1 or b > 2)", Not(Join("or", (Compare("a", "<", 1), Compare("b", ">", 2))))),
    ("(a < 1) & ~(b == 'x') | c is null", Join("or", (Join("and", (Compare("a", "<", 1), Not(Compare("b", "=", "x")))),
                                                       Compare("c", "null")))),
])
def test_text_parses_into_the_typed_form(text, tree):
    assert condition.parse(text) == tree


@pytest.mark.parametrize("where, kept", [
    ("qty < 0", [0, 2, 3, 4]),
    ("qty >= 3", [1, 2, 4]),
    ('country == "France"', [1, 2, 4]),
    ('country != "France"', [0, 3]),  # the exact negation of ==: a missing country is dropped too
    ("country in ['Spain', 'Italy']", [0, 2, 3]),
    ("country not in ['Spain', 'Italy']", [1, 4]),
    ("price is null", [0, 1, 3, 4]),
    ("qty is not null", [4]),
    ("country contains 'an'", [1, 2, 4]),
    ("country startswith 'I'", [0, 1, 2, 3]),
    ("country endswith 'ce'", [1, 2, 4]),
    ("gift = true", [1, 3]),
    ("when < '2024-01-01'", [0, 1, 2, 3]),
    ("when >= '2024-02-01' and when < '2024-03-01'", [0, 2, 3, 4]),
    ("price < 5 or qty < 0", [0, 2, 3]),
    ("not (price < 5)", [1, 4]),  # a missing price is not below 5, so "not" drops it
    ("`Unit Price` > 3 and gift", None),
])
def test_drop_rows_drops_the_rows_the_condition_selects(where, kept):
    if kept is None:  # a bare column is no comparison
        with pytest.raises(StocktakeError, match="expected an operator"):
            get_step("drop_rows").apply(TABLE, {"where": where})
        return
    assert get_step("drop_rows").apply(TABLE, {"where": where}).index.tolist() == kept


@pytest.mark.parametrize("where, message", [
    ("qty == 'three'", "Column 'qty' holds number values; compare it with a number, not \"three\""),
    ("country > 3", "Column 'country' holds text values; compare it with a quoted text, not 3"),
    ("gift < true", "holds true/false values; compare it with = or != only"),
    ("gift == 1", "compare it with true or false, not 1"),
    ("qty contains '1'", "'contains' does not apply; it is for text columns"),
    ("when == 'yesterday'", "compare it with a quoted date such as '2024-01-31', not \"yesterday\""),
    ("when < '2024-01-01T00:00+02:00'", "a quoted date such as"),
    ("when in ['2024-01-05']", "select a range with >= and < instead of a list"),
])
def test_a_value_that_does_not_fit_its_column_is_a_one_line_error(where, message):
    with pytest.raises(StocktakeError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        get_step("drop_rows").validate({"where": where}, TABLE)
    assert "\n" not in str(caught.value)


def test_an_unknown_column_is_named_with_the_valid_ones():
    with pytest.raises(UnknownNameError, match="No column named 'quantity'.*qty") as caught:
        get_step("drop_rows").validate({"where": "quantity < 0"}, TABLE)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("text, message", [
    ("qty < ", "expected a value to compare qty with"),
    ("qty < 0 and", "expected a column name"),
    ("qty < 0)", "expected and, or or the end"),
    ("(qty < 0", "expected ')'"),
    ("qty in 3", "expected a list"),
    ("qty == null", "write 'is null' or 'is not null'"),
    ("country == 'open", "a quote that is never closed"),
    ("country == 'a\\qb'", "unknown escape"),
    ("qty < 1e999", "out of range"),
    ("qty < 99999999999999999999", "out of range"),
    ("country is 'x'", "expected null after 'is'"),
    ("country not 'x'", "expected 'in' after 'not'"),
    ("'France' == country", "expected a column name"),
])
def test_malformed_text_says_where_and_what(text, message):
    with pytest.raises(StocktakeError, match=re.escape(message)) as caught:
        condition.parse(text)
    assert "\n" not in str(caught.value) and "at character" in str(caught.value)


@pytest.mark.parametrize("text, message, limits", [
    ("(" * 40 + "qty < 0" + ")" * 40, "more than 32 levels of nesting", ConditionLimits()),
    ("not " * 40 + "qty < 0", "more than 32 levels of nesting", ConditionLimits()),
    (" or ".join(["qty < 0"] * 201), "more than 200 comparisons", ConditionLimits(max_chars=10**5)),
    ("qty in [" + ", ".join(["1"] * 1001) + "]", "more than 1,000 values", ConditionLimits(max_chars=10**5)),
    ("qty < 0 or " * 400 + "qty < 0", "at most 2,000 are allowed", ConditionLimits()),
])
def test_limits_bound_the_work_a_condition_can_ask_for(text, message, limits):
    with pytest.raises(StocktakeError, match=message):
        condition.parse(text, limits)


def test_deep_nesting_is_refused_before_the_parser_recurses():
    with pytest.raises(StocktakeError, match="levels of nesting"):
        condition.parse("(" * 1_000 + "qty < 0" + ")" * 1_000, ConditionLimits(max_chars=10_000))


@pytest.mark.parametrize("old", ["price < 0", "(price < 0) | (price > 100)", "~(status == 'paid')",
                                 "status == 'paid' & price > 5", "status != 'x' and price >= 1.5"])
def test_pandas_style_conditions_of_older_sessions_still_parse(old):
    df = pd.DataFrame({"price": [-1.0, 50.0, 200.0], "status": ["paid", "x", "paid"]})
    expected = df[~df.eval(old).fillna(False).astype(bool)]  # what sessions used to run, on trusted text only
    pd.testing.assert_frame_equal(get_step("drop_rows").apply(df, {"where": old}), expected)


@pytest.mark.parametrize("old", ["price.abs() > 5", "price * 2 > 10", "index > 3", "price > price.mean()"])
def test_pandas_expressions_beyond_the_grammar_are_refused_not_run(old):
    with pytest.raises(StocktakeError, match="is not valid|No column named 'index'"):
        get_step("drop_rows").apply(pd.DataFrame({"price": [1.0]}), {"where": old})


def test_the_description_writes_the_condition_as_it_was_understood():
    what = get_step("drop_rows").describe({"where": "(qty<0)&~(country=='France')|`Unit Price` in [1,2]"})
    assert what == 'drop rows where (qty < 0 and not (country = "France")) or `Unit Price` in [1, 2]'
