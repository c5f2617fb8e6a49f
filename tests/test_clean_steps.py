"""Cleaning step kinds: what each does to tiny tables, how it checks its parameters, and its previews."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.tools.clean import STEP_TYPES, get_step
from stocktake.tools.clean.checks import cluster_spellings

NA = np.nan


def run(kind: str, df: pd.DataFrame, **params) -> pd.DataFrame:
    return get_step(kind).apply(df, params)


@pytest.mark.parametrize("kind, before, params, after", [
    ("drop_duplicates", {"a": [1, 1, 2], "b": ["x", "x", "x"]}, {}, {"a": [1, 2], "b": ["x", "x"]}),
    ("drop_duplicates", {"a": [1, 1, 2], "b": ["x", "y", "x"]}, {"subset": "a"}, {"a": [1, 2], "b": ["x", "x"]}),
    ("dedupe_key", {"k": [1, 1, 2], "t": ["2024-02", "2024-01", "2024-01"]}, {"key": ["k"], "order_by": "t"},
     {"k": [1, 2], "t": ["2024-02", "2024-01"]}),
    ("dedupe_key", {"k": [1, 1, 2], "v": ["a", "b", "c"]}, {"key": "k"}, {"k": [1, 2], "v": ["b", "c"]}),
    ("drop_missing", {"a": [1.0, NA, 3.0], "b": ["x", "y", None]}, {"columns": ["a"]},
     {"a": [1.0, 3.0], "b": ["x", None]}),
    ("fill_missing", {"a": [1.0, NA, 5.0]}, {"column": "a", "strategy": "median"}, {"a": [1.0, 3.0, 5.0]}),
    ("fill_missing", {"c": ["x", None, "x"]}, {"column": "c", "value": "unknown"}, {"c": ["x", "unknown", "x"]}),
    ("fill_missing", {"c": ["x", None, "y", "y"]}, {"column": "c", "strategy": "mode"}, {"c": ["x", "y", "y", "y"]}),
    ("normalise_text", {"t": ["  a  b ", "c", None]}, {"columns": "t"}, {"t": ["a b", "c", None]}),
    ("normalise_text", {"t": [" Ab "]}, {"columns": ["t"], "case": "lower"}, {"t": ["ab"]}),
    ("unify_categories", {"c": ["Books", "books", "Bokos", "Toys"]}, {"column": "c", "mapping": {"books": "Books",
     "Bokos": "Books"}}, {"c": ["Books", "Books", "Books", "Toys"]}),
    ("out_of_range", {"p": [1.0, -2.0, NA, 9.0]}, {"column": "p", "min": 0}, {"p": [1.0, NA, 9.0]}),
    ("out_of_range", {"p": [1.0, -2.0, 9.0]}, {"column": "p", "min": 0, "max": 5, "action": "cap"},
     {"p": [1.0, 0.0, 5.0]}),
    ("out_of_range", {"p": [1.0, -2.0]}, {"column": "p", "min": 0, "action": "null"}, {"p": [1.0, NA]}),
    ("cast_type", {"n": ["1", "2", "x"]}, {"column": "n", "to": "float"}, {"n": [1.0, 2.0, NA]}),
    ("mask_pii", {"e": ["a@b.com", None]}, {"column": "e"}, {"e": ["h_" + hashlib.sha256(b"a@b.com").hexdigest()[:12],
                                                                 None]}),
    ("mask_pii", {"t": ["mail me: ann.k12@example.com or call +1 555-123-4567 ok"]},
     {"column": "t", "method": "redact"}, {"t": ["mail me: [email] or call [phone] ok"]}),
    ("mask_pii", {"t": ["bought on 10.10.2018, order 2018-08-15 10:00, 3 items"]}, {"column": "t", "method": "redact"},
     {"t": ["bought on 10.10.2018, order 2018-08-15 10:00, 3 items"]}),
    ("mask_pii", {"t": ["x"], "u": [1]}, {"column": "t", "method": "drop_column"}, {"u": [1]}),
    ("relabel", {"label": ["a", "b", "c"]}, {"column": "label", "changes": {"1": "z", "7": "q"}},
     {"label": ["a", "z", "c"]}),
    ("drop_columns", {"a": [1], "b": [2]}, {"columns": ["b"]}, {"a": [1]}),
    ("drop_rows", {"q": [1, -1, 2]}, {"where": "q < 0"}, {"q": [1, 2]}),
])
def test_step_changes_table_as_specified(kind, before, params, after):
    result = run(kind, pd.DataFrame(before), **params).reset_index(drop=True)
    pd.testing.assert_frame_equal(result, pd.DataFrame(after), check_dtype=False)


# Text the profiler counts as holding personal data, in the shapes its patterns know.
PERSONAL_TEXT = ["write to J.Doe+news@mail.example.co.uk today", "call (555) 123 4567 after six",
                 "ring +44 20 7946 0958", "mobile 07700 900123", "微信13800138000联系", "tel 06 12 34 56 78"]


@pytest.mark.parametrize("text", PERSONAL_TEXT)
def test_redacting_leaves_nothing_the_profiler_would_count_as_personal(text):
    from stocktake.tools.profile.pii import has_pii

    assert has_pii(text)
    [redacted] = run("mask_pii", pd.DataFrame({"t": [text]}), column="t", method="redact")["t"]
    assert not has_pii(redacted) and ("[email]" in redacted or "[phone]" in redacted)


def test_cast_to_integer_keeps_identifiers_exact():
    result = run("cast_type", pd.DataFrame({"id": [17850.0, NA]}), column="id", to="integer")
    assert str(result["id"].dtype) == "Int64" and result["id"].tolist()[0] == 17850 and pd.isna(result["id"][1])


@pytest.mark.parametrize("unparseable, rows", [("null", 3), ("drop", 2)])
def test_parse_dates_blanks_or_drops_what_does_not_parse(unparseable, rows):
    df = pd.DataFrame({"d": ["2024-01-31", "2021-02-30", None]})
    result = run("parse_dates", df, column="d", unparseable=unparseable)
    assert pd.api.types.is_datetime64_any_dtype(result["d"]) and len(result) == rows
    assert result["d"].iloc[0] == pd.Timestamp("2024-01-31") and result["d"].notna().sum() == 1


def test_drop_orphans_keeps_rows_with_known_or_missing_keys(tmp_path):
    parent = tmp_path / "parent.parquet"
    pd.DataFrame({"user_id": [1, 2]}).to_parquet(parent)
    df = pd.DataFrame({"user_id": [1.0, 3.0, NA, 2.0]})
    result = run("drop_orphans", df, column="user_id", parent_asset="users", parent_version=1,
                 parent_column="user_id", parent_path=str(parent))
    assert result.index.tolist() == [0, 2, 3]


def test_steps_keep_base_row_numbers_as_index():
    df = pd.DataFrame({"a": [1, 1, 2, 2]})
    assert run("drop_duplicates", df).index.tolist() == [0, 2]


def test_apply_never_changes_its_input():
    df = pd.DataFrame({"t": [" a "]})
    run("normalise_text", df, columns=["t"])
    assert df["t"].tolist() == [" a "]


@pytest.mark.parametrize("kind, params, message", [
    ("fill_missing", {"column": "a"}, "needs --param value"),
    ("fill_missing", {"column": "a", "strategy": "avg"}, "use one of: value, median, mean, mode"),
    ("out_of_range", {"column": "a"}, "needs --param min"),
    ("out_of_range", {"column": "a", "min": "zero"}, "must be a number"),
    ("drop_rows", {"where": " "}, "needs --param where"),
    ("drop_duplicates", {"colour": "a"}, "has no parameter colour"),
    ("unify_categories", {"column": "a"}, "needs the parameter 'mapping'"),
])
def test_bad_parameters_get_a_clear_error(kind, params, message):
    with pytest.raises(StocktakeError, match=message):
        run(kind, pd.DataFrame({"a": [1.0]}), **params)


def test_unknown_column_suggests_real_ones():
    with pytest.raises(UnknownNameError, match="Did you mean: price"):
        run("fill_missing", pd.DataFrame({"price": [1.0]}), column="prices", strategy="median")


def test_unknown_kind_suggests_real_ones():
    with pytest.raises(UnknownNameError, match="drop_duplicates"):
        get_step("drop_duplicate")


def test_code_embeds_parameters_as_literals_only():
    code = get_step("fill_missing").code({"column": "a'] = 1; import os; x = df['a", "value": "'); import os; ('"})
    compile(code, "<test>", "exec")  # still one well-formed statement
    assert code.count("\n") == 0 and code.startswith("df[")


def test_preview_shows_rows_before_and_after():
    df = pd.DataFrame({"p": [1.0, -2.0, 3.0, -4.0]})
    preview = get_step("out_of_range").preview(df, {"column": "p", "min": 0, "action": "null"}, n=1)
    assert (preview.rows_affected, preview.rows_changed, preview.rows_removed) == (2, 2, 0)
    assert preview.before == [{"_row": 1, "p": -2.0}] and preview.after == [{"_row": 1, "p": None}]


def test_preview_marks_removed_rows():
    preview = get_step("drop_duplicates").preview(pd.DataFrame({"a": [1, 1]}), {})
    assert preview.rows_removed == 1 and preview.after == [None]


@pytest.mark.parametrize("kind, table, params, kept", [
    ("drop_duplicates", {"a": [1, 2, 1, 1]}, {}, {2: 0, 3: 0}),
    ("drop_duplicates", {"a": [NA, 1.0, NA]}, {}, {2: 0}),  # missing values are equal, as drop_duplicates counts
    ("drop_duplicates", {"a": [1, 1, 2], "b": ["x", "y", "z"]}, {"subset": ["a"]}, {1: 0}),
    ("dedupe_key", {"k": [1, 1, 2, 2], "t": ["2024-03", "2024-01", "2024-01", "2024-02"]},
     {"key": ["k"], "order_by": "t"}, {1: 0, 2: 3}),  # the latest of each key stays, wherever it is
    ("dedupe_key", {"k": [1, 1, 1]}, {"key": ["k"], "keep": "first"}, {1: 0, 2: 0}),
])
def test_a_dedupe_preview_names_the_row_kept_for_each_row_removed(kind, table, params, kept):
    preview = get_step(kind).preview(pd.DataFrame(table), params, n=5)
    assert {b["_row"]: k["_row"] for b, k in zip(preview.before, preview.kept)} == kept
    assert all(a is None for a in preview.after)


def test_a_preview_of_a_step_that_keeps_nothing_in_place_names_no_kept_rows():
    preview = get_step("out_of_range").preview(pd.DataFrame({"p": [1.0, -2.0]}), {"column": "p", "min": 0})
    assert preview.rows_removed == 1 and preview.kept == [] and preview.to_dict()["kept"] == []


PRODUCTS = pd.DataFrame({"title": ["Mug", "Lamp"], "product_id": ["p1", "p2"], "price": [3.0, 9.0],
                         "category": ["Home", "home"]})


@pytest.mark.parametrize("kind, params, columns", [
    ("unify_categories", {"column": "category", "mapping": {"home": "Home"}},
     ["_row", "category", "product_id", "title", "price"]),
    ("drop_columns", {"columns": ["price"]}, ["_row", "price", "product_id", "title", "category"]),
    ("normalise_text", {"columns": ["title"], "case": "upper"}, ["_row", "title", "product_id", "price", "category"]),
    ("drop_rows", {"where": "price > 5"}, ["_row", "product_id", "title", "price", "category"]),
], ids=["changed-column", "dropped-column", "key-after-the-changed-column", "removed-row"])
def test_preview_shows_the_changed_columns_first_then_a_key_then_the_rest(kind, params, columns):
    preview = get_step(kind).preview(PRODUCTS, params)
    assert list(preview.before[0]) == columns
    if preview.after[0] is not None:
        assert list(preview.after[0]) == [c for c in columns if c not in preview.columns_removed]


def test_preview_names_the_columns_it_changes():
    preview = get_step("unify_categories").preview(PRODUCTS, {"column": "category", "mapping": {"home": "Home"}})
    assert preview.columns_changed == ("category",) and preview.to_dict()["columns_changed"] == ["category"]


@pytest.mark.parametrize("unparseable, gone", [("null", {"_row": 2, "d": None}), ("drop", None)])
def test_a_date_preview_shows_the_values_that_do_not_parse_before_the_reformatted_ones(unparseable, gone):
    df = pd.DataFrame({"d": ["2022-09-27", "2021-01-05", "2020-06-31", "2020-02-01", "15.03.2021"]})
    preview = get_step("parse_dates").preview(df, {"column": "d", "unparseable": unparseable}, n=3)
    assert preview.before == [{"_row": 2, "d": "2020-06-31"}, {"_row": 4, "d": "15.03.2021"},
                              {"_row": 0, "d": "2022-09-27"}]
    assert preview.after[0] == gone and preview.after[2] == {"_row": 0, "d": "2022-09-27T00:00:00"}


def test_a_preview_shows_only_notable_rows_when_there_are_enough():
    df = pd.DataFrame({"p": [1.0, -2.0, 3.0, -4.0, 9.0]})
    preview = get_step("out_of_range").preview(df, {"column": "p", "min": 0, "max": 5, "action": "null"}, n=2)
    assert [r["_row"] for r in preview.before] == [1, 3]


LONG = "Five stars, my whole family loves it, a fantastic shirt and well made. Reach me at ann.b31@example.com."


def test_a_long_text_preview_is_cut_around_the_change_so_the_replacement_is_in_view():
    preview = get_step("mask_pii").preview(pd.DataFrame({"t": [LONG]}), {"column": "t", "method": "redact"})
    before, after = preview.before[0]["t"], preview.after[0]["t"]
    window = LONG[len(LONG) - 60:]  # the e-mail ends the text, so the window ends there too
    assert (before, after) == ("…" + window, "…" + window.replace("ann.b31@example.com", "[email]"))


@pytest.mark.parametrize("old, new, expected", [
    ("short", "SHORT", ("short", "SHORT")),  # short texts stay whole
    (3.0, None, (3.0, None)),  # not text
    ("x" * 80, "y" + "x" * 79, ("x" * 60 + "…", "y" + "x" * 59 + "…")),  # a change at the start: cut the end
    ("a" * 100 + "b", "a" * 100 + "c", ("…" + "a" * 59 + "b", "…" + "a" * 59 + "c")),  # at the end: cut the start
    ("a" * 50 + "b" * 50, "a" * 50 + "c" * 50, ("…" + "a" * 15 + "b" * 45 + "…", "…" + "a" * 15 + "c" * 45 + "…")),
], ids=["short", "not-text", "change-at-start", "change-at-end", "change-in-the-middle"])
def test_clipping_a_changed_text_keeps_the_same_window_of_both(old, new, expected):
    from stocktake.tools.clean.preview import clip_change

    assert clip_change(old, new) == expected


OUT_OF_RANGE_ACTIONS = [
    # action, the table after it, its title, and what its why-text says it does
    ("null", {"p": [1.0, NA, NA]}, "set p below 0 to missing and p above 5 to missing",
     "action=null (proposed) makes them missing (the rows stay)"),
    ("cap", {"p": [1.0, 0.0, 5.0]}, "set p below 0 to 0 and p above 5 to 5",
     "action=cap (proposed) sets them to 0 or 5, whichever is nearer"),
    ("drop", {"p": [1.0]}, "drop rows with p below 0 or above 5", "action=drop (proposed) removes their rows"),
]


@pytest.mark.parametrize("action, after, title, effect", OUT_OF_RANGE_ACTIONS, ids=[a[0] for a in OUT_OF_RANGE_ACTIONS])
def test_out_of_range_title_why_and_code_agree(action, after, title, effect):
    step = get_step("out_of_range")
    params = step.validate({"column": "p", "min": 0, "max": 5, "action": action})
    result = run("out_of_range", pd.DataFrame({"p": [1.0, -2.0, 9.0]}), **params).reset_index(drop=True)
    pd.testing.assert_frame_equal(result, pd.DataFrame(after))
    assert step.describe(params) == title
    effects = step.effects(params)
    assert effect in effects and effects.count("(proposed)") == 1
    assert effects.count("action=") == 3  # the other two are named too, for an edit


def test_every_kind_describes_itself():
    assert {"drop_duplicates", "dedupe_key", "drop_missing", "fill_missing", "parse_dates", "normalise_text",
            "unify_categories", "out_of_range", "cast_type", "mask_pii", "relabel", "drop_orphans"} <= set(STEP_TYPES)



def test_spellings_cluster_onto_the_most_frequent():
    s = pd.Series(["Books"] * 5 + ["books", "Bokos"] + ["casa_conforto"] * 3 + ["casa_conforto_2"] * 2 + ["Toys"])
    assert cluster_spellings(s) == {"books": "Books", "Bokos": "Books"}


# ---- parameters as typed: one key=value each, for the CLI and the cleaning tab alike ---------------------------
@pytest.mark.parametrize("params", [
    {"column": "category", "mapping": {"home": "Home", "Sports &Outdoors": "Sports & Outdoors"}},
    {"column": "price", "min": 0, "max": None, "action": "cap"},
    {"column": "code", "strategy": "value", "value": "2"},  # a text that reads as a number stays a text
    {"column": "country", "value": " padded ", "flag": True, "columns": ["a", "b"]},
])
def test_parameters_written_as_lines_read_back_as_they_were(params):
    from stocktake.tools.clean.params import param_lines, parse_params

    assert parse_params(param_lines(params)) == params


@pytest.mark.parametrize("kind, params, field, valid", [
    ("out_of_range", {"column": "p", "min": 0, "action": "clip"}, "action", "drop, cap, null"),
    ("out_of_range", {"column": "p", "min": "zero"}, "min", "a number"),
    ("fill_missing", {"column": "p", "colour": "red"}, "colour", "column, strategy, value"),
    ("unify_categories", {"column": "p"}, "mapping", "{variant: canonical}"),
    ("unify_categories", {"column": "p", "mapping": "home"}, "mapping", "an object"),
])
def test_a_bad_parameter_error_names_the_field_and_what_is_valid(kind, params, field, valid):
    from stocktake.errors import ParameterError

    with pytest.raises(ParameterError) as caught:
        get_step(kind).validate(params)
    assert (caught.value.field, caught.value.valid) == (field, valid) and "\n" not in str(caught.value)


def test_an_unknown_step_kind_is_named_once_with_the_kinds_there_are():
    with pytest.raises(UnknownNameError) as refused:
        get_step("nosuchkind")
    assert str(refused.value).startswith("No cleaning step kind named 'nosuchkind'. Valid: drop_duplicates")
