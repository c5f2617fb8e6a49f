"""Readers, sniffing, type inference and the errors users meet, on tiny files made in each test."""

from __future__ import annotations

import gzip
import json
import sqlite3

import pandas as pd
import pytest

from stocktake.catalog import file_hash
from stocktake.errors import StocktakeError
from stocktake.tools.ingest import ReadOptions, infer_kind, ingest_path


def write(tmp_path, name, content, mode="w", encoding="utf-8"):
    path = tmp_path / name
    if mode == "wb":
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding, newline="")
    return path


def types_of(asset):
    return {c.name: c.type for c in asset.columns}


TEXT_CASES = [
    ("comma.csv", "id,name,price\n1,Mug,3.5\n2,Cup,4\n", (2, 3), ","),
    ("tabs.tsv", "id\tname\n1\ta\n2\tb\n", (2, 2), "\t"),
    ("semi.csv", "id;city\n1;Paris\n2;Köln\n", (2, 2), ";"),
    ("pipe.txt", "1|a|x\n2|b|y\n", (2, 3), "|"),
    ("spaces.txt", " id  when  qty\n 001 19970101  1\n 002 19970102  3\n", (2, 3), "whitespace"),
    ("crlf.csv", "id,name\r\n1,a\r\n2,b\r\n", (2, 2), ","),
    ("quoted.csv", 'id,text\n1,"hello, world"\n2,"multi\nline"\n', (2, 2), ","),
]


@pytest.mark.parametrize("name, content, shape, delimiter", TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_delimited_text_is_sniffed(catalog, tmp_path, name, content, shape, delimiter):
    [result] = ingest_path(catalog, write(tmp_path, name, content))
    assert (result.asset.rows, len(result.asset.columns)) == shape
    assert result.details["delimiter"] == delimiter


INFER_CASES = [
    ("ints", ["1", "2", "-3"], "integer"),
    ("zip", ["01012", "20231", "35182"], "string"),
    ("huge", ["123456789012345678901", "1", "2"], "string"),
    ("floats", ["1.5", "2", "1e3"], "float"),
    ("padded_floats", ["00001", "2.5", "3"], "string"),
    ("flags", ["true", "False", "yes"], "boolean"),
    ("iso_date", ["2024-01-31", "2023-12-01", "1969-07-20"], "date"),
    ("iso_ts", ["2024-01-31 10:00:00", "2024-02-01T11:30:00", "2024-02-02 00:00:00"], "timestamp"),
    ("short_date", ["31-Jul-18", "01-Aug-18", "15-Jun-18"], "date"),
    ("long_date", ["01-Jan-1995", "15-Mar-1996", "03-Oct-1994"], "date"),
    ("created_at", ["1511544070", "1511561733", "1511572885"], "timestamp"),
    ("count", ["1511544070", "1511561733", "1511572885"], "integer"),
    ("mostly_dates", ["2024-01-31", "31/02/2024x", "2024-02-01"], "string"),
    ("mixed", ["1", "two", "3"], "string"),
    ("nulls", ["", "", ""], "string"),
]


@pytest.mark.parametrize("column, values, expected", INFER_CASES, ids=[c[0] for c in INFER_CASES])
def test_type_inference_keeps_information(catalog, tmp_path, column, values, expected):
    content = "row_id," + column + "\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values))
    [result] = ingest_path(catalog, write(tmp_path, "t.csv", content))
    assert types_of(result.asset)[column] == expected


def test_raw_text_is_kept_where_a_column_stays_text(catalog, tmp_path):
    path = write(tmp_path, "t.csv", "id,zip\n1,01012\n2, 0042 \n")
    [result] = ingest_path(catalog, path)
    assert catalog.load(result.asset.name)["zip"].tolist() == ["01012", " 0042 "]


HEADER_CASES = [
    ("numbers_below_names.csv", "user,item\n1,2\n3,4\n", True),
    ("all_numbers.csv", "1,2\n3,4\n", False),
    ("word_rows.csv", "product_category_name,english\nbeleza,beauty\ncasa,home\n", True),
    ("single_column_values.txt", "administrator\nartist\ndoctor\n", False),
]


@pytest.mark.parametrize("name, content, header", HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_header_row_is_detected(catalog, tmp_path, name, content, header):
    [result] = ingest_path(catalog, write(tmp_path, name, content))
    assert result.details["header"] is header


def test_no_header_and_column_names_from_the_command_line(catalog, tmp_path):
    path = write(tmp_path, "log.csv", "u,i\n1,2\n")
    [result] = ingest_path(catalog, path, options=ReadOptions(header=False, columns=("user_id", "item_id")))
    assert [c.name for c in result.asset.columns] == ["user_id", "item_id"]
    assert result.asset.rows == 2


def test_encodings_utf8_bom_and_latin1(catalog, tmp_path):
    bom = write(tmp_path, "bom.csv", b"\xef\xbb\xbfname,city\na,K\xc3\xb6ln\n", mode="wb")
    latin = write(tmp_path, "latin.csv", "name,city\na,Köln\n".encode("latin-1"), mode="wb")
    [r1] = ingest_path(catalog, bom)
    [r2] = ingest_path(catalog, latin)
    assert [c.name for c in r1.asset.columns] == ["name", "city"]
    assert catalog.load("bom")["city"][0] == catalog.load("latin")["city"][0] == "Köln"
    assert (r1.details["encoding"], r2.details["encoding"]) == ("utf-8-sig", "latin-1")


def test_duplicate_and_empty_column_names_are_renamed_with_a_warning(catalog, tmp_path):
    [result] = ingest_path(catalog, write(tmp_path, "t.csv", ",a,a\n1,2,3\n"))
    assert [c.name for c in result.asset.columns] == ["unnamed_1", "a", "a_2"]
    assert len(result.warnings) == 2


def test_gzip_parquet_json_jsonl_excel_and_sqlite(catalog, tmp_path):
    frame = pd.DataFrame({"order_id": [1, 2], "status": ["paid", "sent"]})
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(b"order_id,status\n1,paid\n2,sent\n"))
    frame.to_parquet(tmp_path / "b.parquet")
    (tmp_path / "c.json").write_text(json.dumps(frame.to_dict(orient="records")))
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in frame.to_dict(orient="records")))
    frame.to_excel(tmp_path / "e.xlsx", index=False)
    with sqlite3.connect(tmp_path / "f.db") as db:
        frame.to_sql("orders", db, index=False)
        frame.to_sql("payments", db, index=False)
    results = ingest_path(catalog, tmp_path)
    assert sorted(r.asset.name for r in results) == ["a", "b", "c", "d", "e", "orders", "payments"]
    for r in results:
        assert (r.asset.rows, types_of(r.asset)) == (2, {"order_id": "integer", "status": "string"})


def test_one_sqlite_table_by_url(catalog, tmp_path):
    with sqlite3.connect(tmp_path / "shop.db") as db:
        pd.DataFrame({"x": [1]}).to_sql("orders", db, index=False)
        pd.DataFrame({"y": [1]}).to_sql("users", db, index=False)
    [result] = ingest_path(catalog, f"sqlite:///{tmp_path / 'shop.db'}", options=ReadOptions(table="users"))
    assert result.asset.name == "users"


ERRORS = [
    ("missing", None, "no such file"),
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"\n\n  \n", "empty"),
    ("binary.csv", b"\x00\x01\x02PK\x03\x04" * 100, "binary"),
    ("ragged.csv", b"a,b\n1,2\n3,4,5\n", "line 3: expected 2 fields, saw 3"),
    ("open_quote.csv", b'a,b\n1,2\n3,"4\n5,6\n', "line 3: a quoted field is never closed"),
    ("notes.pdf", b"%PDF-1.4 \x00\x00", "unknown format"),
    ("broken.json", b"{not json", "not valid JSON"),
    ("broken.parquet", b"PAR1 nothing", "not a readable Parquet"),
    ("broken.csv.gz", b"not gzip", "not a valid gzip"),
    ("broken.db", b"this is not sqlite at all" * 10, "not a readable SQLite"),
]


@pytest.mark.parametrize("name, content, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input_is_a_one_line_error_that_names_the_file(catalog, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(StocktakeError) as info:
        ingest_path(catalog, path)
    text = str(info.value)
    assert message in text and name in text and "\n" not in text
    assert catalog.names() == []


def test_a_taken_name_is_refused_and_replace_adds_a_version(catalog, tmp_path):
    path = write(tmp_path, "t.csv", "a\n1\n")
    ingest_path(catalog, path)
    with pytest.raises(StocktakeError, match="already exists.*--replace"):
        ingest_path(catalog, path)
    write(tmp_path, "t.csv", "a\n1\n2\n")
    [result] = ingest_path(catalog, path, replace=True)
    assert (result.asset.version, result.asset.rows, result.asset.current.parent) == (2, 2, 1)
    assert catalog.load("t", version=1)["a"].tolist() == [1]


def test_a_failed_folder_ingest_leaves_the_workspace_as_it_was(catalog, ws, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "good.csv", "a\n1\n")
    write(folder, "zbad.csv", "a,b\n1,2\n1,2,3\n")
    before = sorted(p.relative_to(ws.root) for p in ws.root.rglob("*") if p.is_file() and p.suffix != ".sqlite")
    with pytest.raises(StocktakeError, match="zbad.csv"):
        ingest_path(catalog, folder)
    after = sorted(p.relative_to(ws.root) for p in ws.root.rglob("*") if p.is_file() and p.suffix != ".sqlite")
    assert catalog.names() == [] and before == after


def test_a_failure_while_registering_rolls_back_earlier_tables(catalog, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a.csv", "x\n1\n")
    write(folder, "b.csv", "x\n1\n")
    real = catalog.register

    def fail_on_b(name, *args, **kwargs):
        if name == "b":
            raise OSError("disk full")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(catalog, "register", fail_on_b)
    with pytest.raises(OSError):
        ingest_path(catalog, folder)
    assert catalog.names() == []


def test_sources_are_never_modified(catalog, tmp_path):
    path = write(tmp_path, "t.csv", "id,zip\r\n1,01012\r\n")
    before = file_hash(path)
    ingest_path(catalog, path)
    ingest_path(catalog, path, replace=True)
    assert file_hash(path) == before


KIND_CASES = [
    (["user_id", "email", "signup_date"], "users"),
    (["product_id", "title", "category", "price"], "products"),
    (["order_id", "user_id", "status", "created_at"], "orders"),
    (["order_id", "product_id", "quantity", "price"], "order_items"),
    (["user_id", "product_id", "event_type", "timestamp", "session_id"], "events"),
    (["review_id", "product_id", "rating", "text"], "reviews"),
    (["userId", "movieId", "rating", "timestamp"], "events"),
    (["col_1", "col_2"], "other"),
]


@pytest.mark.parametrize("columns, kind", KIND_CASES, ids=[k for _, k in KIND_CASES])
def test_kind_is_inferred_from_column_names(columns, kind):
    assert infer_kind(columns) == kind


def test_a_json_object_wrapping_one_list_of_records_is_that_table(catalog, tmp_path):
    path = write(tmp_path, "problems.json", json.dumps({"problems": [{"table": "a", "rows": 3}, {"table": "b", "rows": 1}]}))
    [result] = ingest_path(catalog, path)
    assert (result.asset.rows, [c.name for c in result.asset.columns]) == (2, ["table", "rows"])


def test_a_folder_skips_readme_and_licence_files(catalog, tmp_path):
    write(tmp_path, "README.txt", "Summary\n=======\nThis folder, has, commas\nand more\n")
    write(tmp_path, "LICENSE", "MIT\n")
    write(tmp_path, "data.csv", "a,b\n1,2\n")
    assert [r.asset.name for r in ingest_path(catalog, tmp_path)] == ["data"]


SEPARATORS = [
    ("double_pipe.txt", "id||name\n1||a\n2||b\n", "||"),
    ("double_colon.txt", "id::name::price\n1::a::2.5\n2::b::3\n", "::"),
    ("named_tab.tsv", "id\tname\n1\ta\n2\tb\n", "tab"),
    ("semicolon.csv", "id;name\n1;a\n2;b\n", ";"),
]


@pytest.mark.parametrize("name, content, sep", SEPARATORS, ids=[s[0] for s in SEPARATORS])
def test_any_separator_splits_the_columns(catalog, tmp_path, name, content, sep):
    [result] = ingest_path(catalog, write(tmp_path, name, content), options=ReadOptions(sep=sep))
    frame = catalog.load(result.asset.name)
    assert list(frame.columns)[:2] == ["id", "name"] and frame["name"].tolist() == ["a", "b"]
    assert result.warnings == ()


def test_an_unknown_encoding_names_the_option_and_real_codecs(catalog, tmp_path):
    with pytest.raises(StocktakeError, match=r"Unknown --encoding 'klingon'.*utf-8.*latin-1") as info:
        ingest_path(catalog, write(tmp_path, "t.csv", "a\n1\n"), options=ReadOptions(encoding="klingon"))
    assert "\n" not in str(info.value) and catalog.names() == []


def test_text_that_is_not_in_the_forced_encoding_names_the_file_and_byte(catalog, tmp_path):
    path = write(tmp_path, "t.csv", "city\nKöln\n")
    with pytest.raises(StocktakeError, match=r"t\.csv: byte 6 is not valid ascii text.*--encoding"):
        ingest_path(catalog, path, options=ReadOptions(encoding="ascii"))


@pytest.mark.parametrize("as_url", [True, False], ids=["sqlite_url", "db_file"])
def test_name_renames_the_one_sqlite_table(catalog, tmp_path, as_url):
    with sqlite3.connect(tmp_path / "shop.db") as db:
        pd.DataFrame({"x": [1]}).to_sql("users", db, index=False)
    source = f"sqlite:///{tmp_path / 'shop.db'}" if as_url else tmp_path / "shop.db"
    [result] = ingest_path(catalog, source, name="sq_users", options=ReadOptions(table="users"))
    assert result.asset.name == "sq_users" and catalog.names() == ["sq_users"]


def test_name_renames_the_one_table_of_a_folder(catalog, tmp_path):
    write(tmp_path, "t.csv", "a\n1\n")
    assert [r.asset.name for r in ingest_path(catalog, tmp_path, name="things")] == ["things"]


LONE_LINES = [
    ("names_only.csv", "a,b\n", 0, ["a", "b"]),
    ("header_words.csv", "user_id\n", 0, ["user_id"]),
    ("numbers.csv", "1,2\n", 1, ["col_1", "col_2"]),
    ("dates.csv", "2024-01-01,shipped\n", 1, ["col_1", "col_2"]),
    ("repeated_values.csv", "Paris,Paris\n", 1, ["col_1", "col_2"]),
]


@pytest.mark.parametrize("name, content, rows, columns", LONE_LINES, ids=[c[0] for c in LONE_LINES])
def test_a_file_of_one_line_is_a_header_when_it_names_columns(catalog, tmp_path, name, content, rows, columns):
    [result] = ingest_path(catalog, write(tmp_path, name, content))
    assert (result.asset.rows, [c.name for c in result.asset.columns]) == (rows, columns)
    assert any("no data rows" in w for w in result.warnings) is (rows == 0)


SINGLE_COLUMN = [
    ("comma file, --sep ';'", "id,name\n1,a\n2,b\n", ";", "it looks ','-separated"),
    ("tab file, --sep ','", "id\tname\n1\ta\n2\tb\n", ",", "it looks '\\t'-separated"),
    ("one column, --sep ','", "city\nParis\nLyon\n", ",", "Leave --sep out"),
]


@pytest.mark.parametrize("content, sep, hint", [c[1:] for c in SINGLE_COLUMN], ids=[c[0] for c in SINGLE_COLUMN])
def test_a_forced_separator_that_splits_nothing_is_warned_about(catalog, tmp_path, content, sep, hint):
    [result] = ingest_path(catalog, write(tmp_path, "t.csv", content), options=ReadOptions(sep=sep))
    [warning] = result.warnings
    assert len(result.asset.columns) == 1 and f"--sep {sep!r} splits no row" in warning and hint in warning


def test_replace_with_unchanged_content_adds_no_version(catalog, tmp_path):
    path = write(tmp_path, "t.csv", "a\n1\n")
    ingest_path(catalog, path)
    [same] = ingest_path(catalog, path, replace=True)
    assert (same.unchanged, same.asset.version) == (True, 1) and len(catalog.versions("t")) == 1
    write(tmp_path, "t.csv", "a\n1\n2\n")
    [changed] = ingest_path(catalog, path, replace=True)
    assert (changed.unchanged, changed.asset.version) == (False, 2)


def test_a_failed_replace_keeps_the_unchanged_tables_as_they_were(catalog, tmp_path, monkeypatch):
    write(tmp_path, "a.csv", "x\n1\n")
    write(tmp_path, "b.csv", "x\n1\n")
    ingest_path(catalog, tmp_path)
    write(tmp_path, "b.csv", "x\n2\n")
    real = catalog.add_version

    def fail_on_b(name, *args, **kwargs):
        if name == "b":
            raise OSError("disk full")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(catalog, "add_version", fail_on_b)
    with pytest.raises(OSError):
        ingest_path(catalog, tmp_path, replace=True)
    assert [(v.asset, v.version) for n in ("a", "b") for v in catalog.versions(n)] == [("a", 1), ("b", 1)]
    assert catalog.load("a")["x"].tolist() == [1]


def test_a_folder_with_bad_files_names_every_one_and_writes_nothing(catalog, tmp_path):
    write(tmp_path, "users.csv", "id,name\n1,a\n")
    write(tmp_path, "empty.csv", "")
    write(tmp_path, "ragged.csv", "a,b\n1,2\n1,2,3\n")
    with pytest.raises(StocktakeError) as info:
        ingest_path(catalog, tmp_path)
    first, *files = str(info.value).splitlines()
    assert "2 files could not be read, so nothing was ingested" in first
    assert [f.strip().split(":")[0] for f in files] == [f"{tmp_path / 'empty.csv'}", f"{tmp_path / 'ragged.csv'}, line 3"]
    assert catalog.names() == []


def test_a_folder_ingest_can_skip_bad_files_and_report_each(catalog, tmp_path):
    write(tmp_path, "users.csv", "id,name\n1,a\n")
    write(tmp_path, "empty.csv", "")
    skipped = []
    results = ingest_path(catalog, tmp_path, on_skip=skipped.append)
    assert [r.asset.name for r in results] == ["users"]
    assert len(skipped) == 1 and skipped[0].startswith(f"{tmp_path / 'empty.csv'}: the file is empty")


@pytest.mark.parametrize("content, columns, message", [
    ("a,b\n1,2\n", ("x",), "--columns gives 1 name but the file has 2 columns"),
    ("a\n1\n", ("x", "y"), "--columns gives 2 names but the file has 1 column"),
])
def test_columns_must_name_every_column(catalog, tmp_path, content, columns, message):
    options = ReadOptions(header=False, columns=columns)
    with pytest.raises(StocktakeError, match=message):
        ingest_path(catalog, write(tmp_path, "t.csv", content), options=options)


def test_skipping_bad_files_still_fails_when_no_file_is_left(catalog, tmp_path):
    write(tmp_path, "empty.csv", "")
    skipped = []
    with pytest.raises(StocktakeError, match="1 file could not be read, so nothing was ingested"):
        ingest_path(catalog, tmp_path, on_skip=skipped.append)
    assert skipped == [] and catalog.names() == []


@pytest.mark.parametrize("new, warned", [
    ("a,b\n1,x\n2,y\n3,z\n4,w\n", None),  # same columns, more rows
    ("a,b\n1,x\n", "has 1 row where version 1 had 3"),
    ("a,c\n1,x\n2,y\n3,z\n", "drops b; adds c"),
])
def test_a_replacing_version_that_changes_shape_is_warned_about(catalog, tmp_path, new, warned):
    ingest_path(catalog, write(tmp_path, "t.csv", "a,b\n1,x\n2,y\n3,z\n"))
    [result] = ingest_path(catalog, write(tmp_path, "t.csv", new), replace=True)
    shape = [w for w in result.warnings if "version 1 is kept" in w]
    assert result.asset.version == 2
    assert (warned in shape[0]) if warned else shape == []


@pytest.mark.parametrize("content, columns", [
    ("a||b||c\n1||x||2.5\n3||y||4\n", ["a", "b", "c"]),
    ("a;;b\n1;;2\n3;;4\n", ["a", "b"]),
    ("a|b|c\n1||2\n3|x|4\n", ["a", "b", "c"]),  # a single | somewhere: || is an empty field, not the delimiter
])
def test_a_doubled_delimiter_is_detected(catalog, tmp_path, content, columns):
    [result] = ingest_path(catalog, write(tmp_path, "m.csv", content))
    assert [c.name for c in result.asset.columns][:len(columns)] == columns
