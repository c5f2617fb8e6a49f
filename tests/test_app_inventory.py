"""The inventory tab's upload and tables, through its handler functions: uploads are kept in the workspace, messages
speak the web's language and name the file the user chose, relationships read like the report."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from stocktake.errors import StocktakeError
from stocktake.remedies import OPTIONS, REMEDIES
from stocktake.serve.common import web_message
from stocktake.serve.panels.inventory import ingest_upload, ingested_text, issue_rows, relation_rows
from stocktake.tools.ingest import ingest_path

CLI_OPTION = re.compile(r"--[a-z]")


def gradio_upload(tmp_path: Path, name: str, content: bytes | str, folder: str = "7fba81") -> Path:
    """A file where Gradio leaves uploads: a temporary folder per upload, under the user's file name."""
    path = tmp_path / "gradio" / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def uploads(catalog) -> list[Path]:
    folder = catalog.ws.dir("uploads")
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_an_upload_is_recorded_at_its_copy_in_the_workspace_not_at_the_temporary_file(catalog, tmp_path, shared_data):
    upload = gradio_upload(tmp_path, "links.csv", (shared_data / "movielens-latest-small" / "links.csv").read_bytes())
    [result] = ingest_upload(catalog, upload)
    kept = Path(result.asset.source)
    assert kept.parent.parent == catalog.ws.dir("uploads") and kept.name == "links.csv"
    assert kept.read_bytes() == upload.read_bytes()
    assert result.asset.description == f"Ingested from {kept}" and "gradio" not in result.asset.description
    shutil.rmtree(tmp_path / "gradio")  # Gradio cleans its temporary files up; the source stays readable
    assert ingest_path(catalog, kept, name="links_again")[0].asset.rows == result.asset.rows


def test_a_new_version_of_a_same_named_file_never_overwrites_the_first_ones_source(catalog, tmp_path):
    first = ingest_upload(catalog, gradio_upload(tmp_path, "coupons.csv", "code,discount\nA10,10\n", "a"))[0]
    second = ingest_upload(catalog, gradio_upload(tmp_path, "coupons.csv", "code,discount\nB20,20\n", "b"),
                           replace=True)[0]
    assert (first.asset.version, second.asset.version) == (1, 2)
    assert first.asset.source != second.asset.source
    assert Path(first.asset.source).read_text() == "code,discount\nA10,10\n"


def test_the_same_file_uploaded_again_is_stored_once_and_reported_unchanged(catalog, tmp_path):
    ingest_upload(catalog, gradio_upload(tmp_path, "coupons.csv", "code,discount\nA10,10\n", "a"))
    upload = gradio_upload(tmp_path, "coupons.csv", "code,discount\nA10,10\n", "b")
    results = ingest_upload(catalog, upload, replace=True)
    assert len(uploads(catalog)) == 1
    assert ingested_text(results, upload) == "✅ Ingested **coupons** unchanged (same content as version 1) from coupons.csv."


def test_the_message_names_the_uploaded_file_and_a_new_version(catalog, tmp_path):
    ingest_upload(catalog, gradio_upload(tmp_path, "coupons.csv", "code,discount\nA10,10\n", "a"))
    upload = gradio_upload(tmp_path, "coupons.csv", "code,discount\nB20,20\nC5,5\n", "b")
    text = ingested_text(ingest_upload(catalog, upload, replace=True), upload)
    assert text == "✅ Ingested **coupons** version 2 (2 rows × 2 columns) from coupons.csv."


@pytest.mark.parametrize(("name", "content", "asset", "message"), [
    ("garbage.csv", b"\x00\x01\x02\xff" * 64, "", "garbage.csv: looks like a binary file, not delimited text."),
    ("ragged.csv", "a,b\n1,2\n3,4,5\n", "", "ragged.csv, line 3: expected 2 fields, saw 3 (ragged row). "
                                            "Fix or quote that row, or check the delimiter."),
    ("quote.csv", 'a,b\n1,"open\n2,3\n', "", "a quoted field is never closed"),
    ("empty.csv", "", "", "empty.csv: the file is empty. Nothing to ingest."),
    ("fine.csv", "a,b\n1,2\n", "bad name!", "Invalid asset name 'bad name!': use letters, digits, '_', '-' or '.' "
                                           "(for example orders_2024)."),
], ids=["binary", "ragged", "unclosed-quote", "empty", "bad-name"])
def test_a_failed_upload_names_the_file_leaves_nothing_behind_and_mentions_no_cli_option(
        catalog, tmp_path, name, content, asset, message):
    upload = gradio_upload(tmp_path, name, content)
    with pytest.raises(StocktakeError) as caught:
        ingest_upload(catalog, upload, asset)
    text = str(caught.value)
    assert message in text
    assert str(tmp_path) not in text and str(catalog.ws.root) not in text and not CLI_OPTION.search(text)
    assert uploads(catalog) == [] and catalog.names() == []


def test_an_existing_asset_name_says_to_tick_replace_and_replace_adds_a_version(catalog, tmp_path):
    catalog.register("orders", pd.DataFrame({"order_id": [1]}), kind="orders", source="o.csv", fmt="csv")
    upload = gradio_upload(tmp_path, "orders.csv", "order_id\n1\n2\n")
    with pytest.raises(StocktakeError, match=r"^An asset named 'orders' already exists\. Tick Replace to add a new "
                                             r"version, or choose another asset name\.$"):
        ingest_upload(catalog, upload)
    assert catalog.get("orders").version == 1 and uploads(catalog) == []
    assert ingest_upload(catalog, upload, replace=True)[0].asset.version == 2


def test_an_earlier_upload_of_the_same_file_survives_a_failed_one(catalog, tmp_path):
    upload = gradio_upload(tmp_path, "orders.csv", "order_id\n1\n2\n")
    ingest_upload(catalog, upload)
    with pytest.raises(StocktakeError, match="already exists"):
        ingest_upload(catalog, upload)
    assert uploads(catalog) == [Path(catalog.get("orders").source)]


@pytest.mark.parametrize(("make", "cli"), [
    (lambda tmp, cat: ingest_path(cat, tmp / "orders.csv"), "Use --replace to add a new version, or --name"),
    (lambda tmp, cat: ingest_path(cat, tmp / "ragged.csv"), "or give the right delimiter with --sep."),
    (lambda tmp, cat: ingest_path(cat, tmp / "quote.csv"), "or give the right delimiter with --sep."),
    (lambda tmp, cat: ingest_path(cat, tmp / "orders.csv", name="bad name"), "(for example --name orders_2024)"),
    (lambda tmp, cat: ingest_path(cat, f"sqlite:///{tmp / 'shop.db'}", name="one"), "--name only works for one"),
    (lambda tmp, cat: ingest_path(cat, tmp / "utf16.csv"), "give --encoding utf-16"),
    (lambda tmp, cat: ingest_path(cat, tmp / "bom.csv"), "force one with --encoding latin-1"),
    (lambda tmp, cat: ingest_path(cat, tmp / "view.db"), "one by one with --table"),
], ids=["exists", "ragged", "unclosed-quote", "bad-name", "one-name-many-tables", "utf16-without-mark",
        "mark-then-latin1", "broken-view"])
def test_the_cli_keeps_its_options_and_the_web_rephrases_them(catalog, tmp_path, make, cli):
    import sqlite3

    (tmp_path / "orders.csv").write_text("order_id\n1\n")
    (tmp_path / "ragged.csv").write_text("a,b\n1,2\n3,4,5\n")
    (tmp_path / "quote.csv").write_text('a,b\n1,"open\n2,3\n')
    with sqlite3.connect(tmp_path / "shop.db") as db:
        db.executescript("CREATE TABLE a (x INT); CREATE TABLE b (y INT);")
    with sqlite3.connect(tmp_path / "view.db") as db:
        db.executescript("CREATE VIEW v AS SELECT * FROM missing;")
    (tmp_path / "utf16.csv").write_bytes("a,b\n1,2\n".encode("utf-16-le"))
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfa,b\n1,K\xf6ln\n")
    catalog.register("orders", pd.DataFrame({"order_id": [1]}), kind="orders", source="o.csv", fmt="csv")
    with pytest.raises(StocktakeError) as caught:
        make(tmp_path, catalog)
    assert cli in str(caught.value)
    assert not CLI_OPTION.search(web_message(caught.value))


def test_every_web_rephrasing_is_a_real_sentence_change():
    words = [*REMEDIES.values(), *OPTIONS.values()]
    assert all(w.web != w.cli and not CLI_OPTION.search(w.web) for w in words)


def test_issue_kinds_read_as_words_so_the_table_wraps_between_them():
    profile = {"issues": [{"severity": "warning", "column": "category", "kind": "inconsistent_categories", "rows": 3,
                           "message": "3 spellings", "examples": ["Shoes", "shoes"]}]}
    assert issue_rows(profile)["issue"].tolist() == ["inconsistent categories"]


def test_relationships_read_many_to_one_and_never_round_up_to_all_values(catalog):
    catalog.register("users", pd.DataFrame({"user_id": range(1, 51)}), kind="users", source="u.csv", fmt="csv")
    catalog.register("orders", pd.DataFrame({"order_id": range(1, 2501),
                                             "user_id": [i % 50 + 1 for i in range(2499)] + [999]}),
                     kind="orders", source="o.csv", fmt="csv")
    rows = relation_rows(catalog, "orders").to_dict("records")
    assert rows == [{"from": "orders.user_id", "to": "users.user_id", "relation": "many-to-one",
                     "values matched": ">99.9%", "orphan rows": 1}]


def test_the_upload_form_has_a_replace_box_that_the_ingest_endpoint_reads(catalog):
    from types import SimpleNamespace

    import gradio as gr

    from stocktake.serve.app import build_app

    blocks = build_app(catalog, assistant=SimpleNamespace(mode="offline"), offline=True)
    box = next(b for b in blocks.blocks.values() if isinstance(b, gr.Checkbox)
               and b.label == "Replace (add a new version)")
    ingest = next(f for f in blocks.fns.values() if f.api_name == "ingest")
    assert box in ingest.inputs and box.value is False


def test_an_asset_without_missing_values_says_so_in_a_line_instead_of_an_empty_chart():
    from stocktake.serve.panels.inventory import NO_MISSING, null_chart

    assert null_chart([{"name": "id", "nulls": 0, "null_fraction": 0.0}]) == (None, NO_MISSING)


def test_the_column_grid_lists_every_column_with_its_missing_count_and_share(catalog, tmp_path):
    from stocktake.serve.panels.inventory import column_grid, profile

    cities = [""] * 3 + ["Paris"] * 5 + ["Lyon"] * 2
    (tmp_path / "shops.csv").write_text("shop_id,city\n" + "".join(f"{i},{c}\n" for i, c in enumerate(cities, 1)))
    ingest_path(catalog, tmp_path / "shops.csv")
    city = column_grid(profile(catalog, "shops")).iloc[1].to_dict()
    assert city == {"column": "city", "type": "string", "semantic type": "geo", "missing": "3 (30.0%)",
                    "distinct": "2", "distribution": "Paris 71% · Lyon 29%", "samples": "Paris, Lyon"}


def test_personal_values_are_masked_in_the_column_grid(catalog, tmp_path):
    from stocktake.serve.panels.inventory import column_grid, profile

    (tmp_path / "people.csv").write_text("person_id,email\n" + "".join(f"{i},ann{i}@example.com\n"
                                                                     for i in range(1, 11)))
    ingest_path(catalog, tmp_path / "people.csv")
    assert "ann1@example.com" not in column_grid(profile(catalog, "people")).to_string()


def test_correlations_read_as_words_beside_their_r(catalog, tmp_path):
    from stocktake.serve.panels.inventory import correlation_rows, profile

    (tmp_path / "parcels.csv").write_text("parcel_id,weight,price\n" + "".join(f"{i},{i},{100 - 2 * i}\n"
                                                                           for i in range(1, 31)))
    ingest_path(catalog, tmp_path / "parcels.csv")
    assert correlation_rows(catalog, profile(catalog, "parcels")).to_dict("records") == [
        {"columns": "weight ~ price", "r": -1.0, "reading": "strong negative"}]


def test_a_numeric_histogram_is_drawn_as_bars_in_one_cell():
    from stocktake.serve.panels.inventory import sparkline

    assert sparkline({"histogram": {"kind": "numeric", "counts": [0, 5, 10]}, "top_values": []}) == "▁▅█"


def test_the_rows_of_an_issue_are_shown_under_the_condition_that_picks_them(catalog, tmp_path):
    from stocktake.serve.panels.inventory import issue_examples, issue_labels, profile

    (tmp_path / "stock.csv").write_text("sku,quantity\n" + "".join(f"S{i},{-1 if i in (3, 7) else i}\n"
                                                                   for i in range(1, 41)))
    ingest_path(catalog, tmp_path / "stock.csv")
    [(label, index)] = [c for c in issue_labels(profile(catalog, "stock").to_dict()) if "negative" in c[0]]
    words, rows = issue_examples(catalog, "stock", index)
    assert label == "negative values: quantity (2 rows)" and words == "Rows where quantity is below zero:"
    assert rows.to_dict("list") == {"row": [3, 7], "sku": ["S3", "S7"], "quantity": [-1, -1]}
