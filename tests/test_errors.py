"""Structured errors: every remedy and option is worded for every face, and real errors raised by real engine calls
read in each face's own words (the CLI's options, the app's controls, the tool's arguments)."""

from __future__ import annotations

import re
import sqlite3
from string import Formatter

import pandas as pd
import pytest

from stocktake.errors import Option, ParameterError, Remedy, StocktakeError, UnknownNameError
from stocktake.remedies import FACES, OPTIONS, REMEDIES
from stocktake.tools.clean.params import parse_params
from stocktake.tools.ingest import ReadOptions, ingest_path
from stocktake.tools.recommend.spec import RecommendSpec

CLI_OPTION = re.compile(r"--[a-z]")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@pytest.mark.parametrize("name", sorted(REMEDIES))
def test_every_remedy_has_every_faces_words_with_the_clis_placeholders(name):
    words = REMEDIES[name]
    assert words._fields == FACES and words.cli and words.model
    assert placeholders(words.web) <= placeholders(words.cli) and placeholders(words.model) <= placeholders(words.cli)


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_every_option_is_named_by_every_face(name):
    words = OPTIONS[name]
    assert all(words) and CLI_OPTION.match(words.cli) and not CLI_OPTION.search(words.web + words.model)


def test_only_the_cli_names_cli_options():
    assert all(not CLI_OPTION.search(w.web + w.model) for w in REMEDIES.values())


def test_a_misspelt_remedy_fails_where_it_is_written():
    with pytest.raises(ValueError, match="no remedy named 'replace-or-renam'"):
        Remedy("replace-or-renam")


def test_str_is_the_cli_wording_and_an_unknown_face_is_refused():
    exc = StocktakeError("An asset named 'a' already exists.", Remedy("replace-or-rename"), asset="a")
    assert str(exc) == exc.for_face("cli") == exc.args[0]
    with pytest.raises(ValueError, match="cli, web, model"):
        exc.for_face("browser")


def test_an_error_carries_what_is_wrong_which_input_and_what_to_do():
    exc = StocktakeError((Option("n"), " must be at least 1 (got 0)."), "Ask for one or more.")
    assert (exc.option, exc.remedies, exc.file, exc.row) == ("n", (), None, None)
    assert exc.for_face("model") == "n must be at least 1 (got 0). Ask for one or more."


def test_a_wrapped_error_keeps_each_faces_words():
    inner = StocktakeError("Step 's1' failed:", Remedy("give-delimiter"))
    outer = StocktakeError(("Replaying failed: ", inner))
    assert outer.for_face("cli").endswith("give the right delimiter with --sep.")
    assert outer.for_face("web") == "Replaying failed: Step 's1' failed: check the delimiter."


def test_the_subclasses_keep_their_fields():
    unknown = UnknownNameError(("column (given to ", Option("user"), ")"), "usr", ["user_id", "item_id"])
    assert (unknown.what[0], unknown.name, unknown.known, unknown.suggestions) == (
        "column (given to ", "usr", ["user_id", "item_id"], ["user_id"])
    assert unknown.for_face("model") == "No column (given to user_column) named 'usr'. Did you mean: user_id?"
    assert isinstance(unknown, KeyError) and str(unknown).startswith("No column (given to --user) named 'usr'.")
    param = ParameterError("Step 'x' needs", Remedy("param", pair="min=1"), field="min", valid="a number")
    assert (param.field, param.valid, param.for_face("web")) == ("min", "a number", "Step 'x' needs min=1.")


def _shop(tmp_path, catalog):
    catalog.register("orders", pd.DataFrame({"order_id": [1]}), kind="orders", source="o.csv", fmt="csv")
    (tmp_path / "orders.csv").write_text("order_id\n1\n")
    (tmp_path / "ragged.csv").write_text("a,b\n1,2\n3,4,5\n")
    with sqlite3.connect(tmp_path / "shop.db") as db:
        db.executescript("CREATE TABLE a (x INT); CREATE TABLE b (y INT);")


CASES = [
    ("exists", lambda tmp, cat: ingest_path(cat, tmp / "orders.csv"), "replace-or-rename", {
        "cli": "An asset named 'orders' already exists. Use --replace to add a new version, or --name to choose "
               "another name.",
        "web": "An asset named 'orders' already exists. Tick Replace to add a new version, or choose another asset "
               "name.",
        "model": "An asset named 'orders' already exists. Ingest it again as a new version of the asset, or under "
                 "another name."}),
    ("ragged", lambda tmp, cat: ingest_path(cat, tmp / "ragged.csv"), "give-delimiter", {
        "cli": "Fix or quote that row, or give the right delimiter with --sep.",
        "web": "Fix or quote that row, or check the delimiter.",
        "model": "Fix or quote that row, or check the delimiter."}),
    ("many-tables", lambda tmp, cat: ingest_path(cat, f"sqlite:///{tmp / 'shop.db'}", name="one"),
     "ingest-each-table", {
        "cli": "holds 2 tables; --name only works for one (use --table).",
        "web": "holds 2 tables: leave the asset name empty to ingest each as its own asset.",
        "model": "holds 2 tables: give no name to ingest each as its own asset, or pick one table."}),
    ("bad-name", lambda tmp, cat: ingest_path(cat, tmp / "orders.csv", name="bad name"), "name-example", {
        "cli": "(for example --name orders_2024).", "web": "(for example orders_2024).",
        "model": "(for example orders_2024)."}),
    ("not-key-value", lambda tmp, cat: parse_params(["min"]), "param", {
        "cli": "--param 'min' is not key=value, for example --param value=unknown.",
        "web": "'min' is not key=value, for example value=unknown.",
        "model": "'min' in params is not key=value, for example value=unknown in params."}),
    ("rating-needed", lambda tmp, cat: RecommendSpec(user="u", item="i", min_rating=4), "rating-column", {
        "cli": "--min-rating needs --rating COLUMN to know which column holds the rating.",
        "web": "Minimum rating needs a rating column to know which column holds the rating.",
        "model": "min_rating needs rating_column to know which column holds the rating."}),
]


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize(("make", "remedy", "says"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_real_error_in_each_faces_words(catalog, tmp_path, make, remedy, says, face):
    _shop(tmp_path, catalog)
    with pytest.raises(StocktakeError) as caught:
        make(tmp_path, catalog)
    assert caught.value.remedies[0] == remedy
    assert caught.value.for_face(face).endswith(says[face])


def test_an_unknown_encoding_names_the_option_as_each_face_does(catalog, tmp_path):
    (tmp_path / "t.csv").write_text("a\n1\n")
    with pytest.raises(StocktakeError) as caught:
        ingest_path(catalog, tmp_path / "t.csv", options=ReadOptions(encoding="klingon"))
    assert caught.value.option == "encoding"
    assert caught.value.for_face("web").startswith("Unknown encoding 'klingon': use a codec name")
    assert caught.value.for_face("web").endswith("(or leave the encoding out to detect it).")


def test_an_upload_form_that_cannot_pick_tables_says_nothing_of_it(catalog, tmp_path):
    with sqlite3.connect(tmp_path / "view.db") as db:
        db.executescript("CREATE VIEW v AS SELECT * FROM missing;")
    with pytest.raises(StocktakeError) as caught:
        ingest_path(catalog, tmp_path / "view.db")
    assert caught.value.for_face("cli").endswith("Ingest the other tables one by one with --table.")
    assert caught.value.for_face("web").endswith("cannot be read (no such table: main.missing).")
