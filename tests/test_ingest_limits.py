"""Ingest treats every source as hostile: nothing is created beside it, every read is bounded, and what it cannot
read gets one line that names the file (issue 13, items 4, 7, 9 and 11)."""

from __future__ import annotations

import gzip
import json
import os
import socket

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stocktake.errors import StocktakeError
from stocktake.settings import IngestSettings
from stocktake.tools.ingest import ReadOptions, ingest_path
from tests.ingest_fixtures import folder_state, sqlite_database, wal_database, xlsx_with_cells

TINY = IngestSettings(max_bytes=1 << 20, max_rows=1_000, max_columns=50, max_field_chars=1_000, sqlite_timeout_s=1.0)


def refused(catalog, path, match, **kwargs):
    """Ingest fails with one line that names the file and says ``match``; nothing is registered."""
    with pytest.raises(StocktakeError) as info:
        ingest_path(catalog, path, **kwargs)
    message = str(info.value)
    assert "\n" not in message and match in message, message
    assert catalog.names() == []
    return message


# ---- item 7: nothing is created or changed beside a SQLite source ---------------------------------------------

@pytest.mark.parametrize("keep_wal", [True, False], ids=["wal_file_left", "checkpointed"])
def test_a_wal_database_is_read_whole_and_nothing_appears_beside_it(catalog, tmp_path, keep_wal):
    source = tmp_path / "src"
    source.mkdir()
    wal_database(source / "shop.db", rows=3, keep_wal=keep_wal)
    before = folder_state(source)
    [result] = ingest_path(catalog, source / "shop.db")
    assert result.asset.rows == 3  # the rows that sit only in the -wal file are read too
    assert folder_state(source) == before


def test_a_wal_database_read_from_its_copy_leaves_no_copy_behind(catalog, ws, tmp_path):
    wal_database(tmp_path / "shop.db")
    ingest_path(catalog, tmp_path / "shop.db")
    assert list(ws.dir("cache").glob("ingest-sqlite-*")) == []


@pytest.mark.parametrize("name", ["x?mode=rwc&y=.db", "a#b%20c.db", "q&immutable=0.db"])
def test_uri_characters_in_a_database_name_stay_part_of_the_name(catalog, tmp_path, name):
    source = tmp_path / "src"
    source.mkdir()
    sqlite_database(source / name, "CREATE TABLE t (a INTEGER)", "INSERT INTO t VALUES (7)")
    before = folder_state(source)
    [result] = ingest_path(catalog, source / name)
    assert catalog.load(result.asset.name)["a"].tolist() == [7]
    assert folder_state(source) == before  # no file 'x' (or any other) was created


def test_a_database_with_a_hot_rollback_journal_is_read_from_a_copy(catalog, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    sqlite_database(source / "j.db", "CREATE TABLE t (a INTEGER)", "INSERT INTO t VALUES (1)")
    (source / "j.db-journal").write_bytes(b"\x00" * 512)  # not a valid journal: SQLite ignores it in the copy
    before = folder_state(source)
    [result] = ingest_path(catalog, source / "j.db")
    assert result.asset.rows == 1 and folder_state(source) == before


# ---- item 9: resource bombs ----------------------------------------------------------------------------------

def test_a_gzip_bomb_is_refused_before_it_expands(catalog, tmp_path):
    (tmp_path / "bomb.csv.gz").write_bytes(gzip.compress(b"a\n" + b"0\n" * (4 << 20)))
    refused(catalog, tmp_path / "bomb.csv.gz", "expands to more than 1 MB when decompressed", settings=TINY)


def test_a_file_larger_than_the_byte_limit_is_refused_unread(catalog, tmp_path):
    (tmp_path / "big.csv").write_text("a\n" + "1\n" * 600_000)
    refused(catalog, tmp_path / "big.csv", "the file is 1.14 MB, more than one ingest reads", settings=TINY)


def test_rows_past_the_limit_are_refused_and_the_limit_itself_is_read(catalog, tmp_path):
    (tmp_path / "ok.csv").write_text("a\n" + "1\n" * 1_000)
    (tmp_path / "over.csv").write_text("a\n" + "1\n" * 1_001)
    assert ingest_path(catalog, tmp_path / "ok.csv", settings=TINY)[0].asset.rows == 1_000
    with pytest.raises(StocktakeError, match=r"over\.csv: more than 1,000 rows \(set STOCKTAKE_INGEST_MAX_ROWS"):
        ingest_path(catalog, tmp_path / "over.csv", settings=TINY)


def test_a_header_wider_than_the_column_limit_is_refused_before_parsing(catalog, tmp_path):
    (tmp_path / "wide.csv").write_text(",".join(f"c{i}" for i in range(100_000)) + "\n")
    refused(catalog, tmp_path / "wide.csv", "columns or more, more than one ingest reads (the limit is 10,000")


def test_a_recursive_view_is_stopped_by_the_row_limit(catalog, tmp_path):
    sqlite_database(tmp_path / "r.db", "CREATE VIEW r AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                       "FROM c) SELECT x FROM c")
    refused(catalog, tmp_path / "r.db", "table 'r': more than 1,000 rows", settings=TINY)


def test_a_view_that_never_returns_a_row_is_stopped_by_the_time_limit(catalog, tmp_path):
    sqlite_database(tmp_path / "r.db", "CREATE VIEW r AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                       "FROM c) SELECT x FROM c WHERE x < 0")
    refused(catalog, tmp_path / "r.db", "did not finish within 1 s (a view that never ends?)", settings=TINY)


def test_a_view_whose_values_double_forever_is_stopped_by_the_length_limit(catalog, tmp_path):
    sqlite_database(tmp_path / "s.db", "CREATE VIEW s AS WITH RECURSIVE c(x) AS (SELECT 'ab' UNION ALL "
                                       "SELECT x || x FROM c) SELECT x FROM c")
    refused(catalog, tmp_path / "s.db", "table 's': a value or row longer than 64 MB")


def test_a_parquet_file_that_declares_too_many_rows_is_refused_unread(catalog, tmp_path):
    pq.write_table(pa.table({"a": list(range(1_001))}), tmp_path / "rows.parquet")
    refused(catalog, tmp_path / "rows.parquet", "1,001 rows, more than one ingest reads", settings=TINY)


def test_parquet_pages_that_decode_beyond_the_byte_limit_are_stopped(catalog, tmp_path):
    # One long value repeated: dictionary encoding stores it once, decoding writes it on every row.
    pq.write_table(pa.table({"a": ["x" * 2_000] * 900}), tmp_path / "dict.parquet")
    assert (tmp_path / "dict.parquet").stat().st_size < 10_000
    refused(catalog, tmp_path / "dict.parquet", "expands to more than 1 MB", settings=TINY)


def test_an_xlsx_whose_parts_expand_beyond_the_limit_is_refused(catalog, tmp_path):
    pd.DataFrame({"a": ["same text"] * 60_000}).to_excel(tmp_path / "big.xlsx", index=False)
    assert (tmp_path / "big.xlsx").stat().st_size < TINY.max_bytes
    refused(catalog, tmp_path / "big.xlsx", "expands to more than 1 MB", settings=TINY)


def test_an_xlsx_cell_far_from_the_others_is_refused_not_padded_out(catalog, tmp_path):
    xlsx_with_cells(tmp_path / "far.xlsx", {"A1": "id", "A2": 1, "XFD1048576": 2})
    refused(catalog, tmp_path / "far.xlsx", "far.xlsx, sheet 'data': more than 10,000 columns")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("make, kind", [
    (lambda p: os.mkfifo(p), "a named pipe (FIFO)"),
    (lambda p: p.symlink_to("/dev/zero"), "a character device"),
    (lambda p: socket.socket(socket.AF_UNIX).bind(str(p)), "a socket"),
], ids=["fifo", "link_to_dev_zero", "socket"])
def test_a_file_that_is_not_a_regular_file_is_refused_unopened(catalog, tmp_path, make, kind):
    make(tmp_path / "data.csv")
    refused(catalog, tmp_path / "data.csv", f"is {kind}, not a regular file, so it was not read")


@pytest.mark.timeout(30)
def test_a_fifo_named_like_a_database_is_refused_unopened(catalog, tmp_path):
    os.mkfifo(tmp_path / "shop.db")
    refused(catalog, f"sqlite:///{tmp_path / 'shop.db'}", "is a named pipe (FIFO)")


def test_a_folder_refuses_links_that_leave_it_and_keeps_links_inside(catalog, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "good.csv").write_text("a\n1\n")
    (tmp_path / "data" / "alias.csv").symlink_to("good.csv")
    (tmp_path / "data" / "zz_passwd.txt").symlink_to("/etc/passwd")
    message = str(pytest.raises(StocktakeError, ingest_path, catalog, tmp_path / "data").value)
    assert "zz_passwd.txt: a link to /etc/passwd, outside the folder, so it was not followed" in message
    skipped = []
    results = ingest_path(catalog, tmp_path / "data", on_skip=skipped.append)
    assert sorted(r.asset.name for r in results) == ["alias", "good"] and len(skipped) == 1


def test_a_link_out_of_a_folder_without_a_data_suffix_is_not_opened_to_sniff_it(catalog, tmp_path):
    (tmp_path / "good.csv").write_text("a\n1\n")
    (tmp_path / "notes").symlink_to("/etc/passwd")  # colon-separated: it would sniff as a table
    assert [r.asset.name for r in ingest_path(catalog, tmp_path)] == ["good"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_an_unreadable_file_is_named_with_what_to_do(catalog, tmp_path):
    (tmp_path / "secret.csv").write_text("a\n1\n")
    (tmp_path / "secret.csv").chmod(0)
    refused(catalog, tmp_path / "secret.csv", "cannot read the file (Permission denied). Check its permissions.")


# ---- item 4: zero columns ------------------------------------------------------------------------------------

ZERO_COLUMNS = [
    ("empty_list.json", lambda p: p.write_text("[]")),
    ("empty_object.json", lambda p: p.write_text("{}")),
    ("empty_records.json", lambda p: p.write_text("[{}, {}]")),
    ("null.json", lambda p: p.write_text("null")),
    ("empty_lines.jsonl", lambda p: p.write_text("{}\n{}\n")),
    ("no_columns.parquet", lambda p: pq.write_table(pa.table({}), p)),
    ("empty_sheet.xlsx", lambda p: xlsx_with_cells(p, {})),
]


@pytest.mark.parametrize("name, make", ZERO_COLUMNS, ids=[z[0] for z in ZERO_COLUMNS])
def test_zero_column_input_is_refused(catalog, tmp_path, name, make):
    make(tmp_path / name)
    refused(catalog, tmp_path / name, "no columns (an empty list or object, or an empty sheet)")


def test_an_empty_sheet_beside_sheets_with_data_is_left_out_with_a_warning(catalog, tmp_path):
    with pd.ExcelWriter(tmp_path / "book.xlsx") as book:
        pd.DataFrame({"a": [1]}).to_excel(book, sheet_name="data", index=False)
        pd.DataFrame().to_excel(book, sheet_name="notes", index=False)
    [result] = ingest_path(catalog, tmp_path / "book.xlsx")
    assert result.asset.name == "book" and "sheet 'notes' is empty; left out" in result.warnings


# ---- item 11: one line instead of an internal error ----------------------------------------------------------

def test_a_ten_megabyte_field_is_named_by_column_and_row(catalog, tmp_path):
    (tmp_path / "big.csv").write_text("id,text\n1,short\n2," + "x" * 10_000_000 + "\n")
    refused(catalog, tmp_path / "big.csv", "column 'text', row 2 holds a value of 10,000,000 characters")


def test_json_with_mixed_types_per_key_keeps_the_key_as_text(catalog, tmp_path):
    (tmp_path / "m.json").write_text(json.dumps([{"a": 1, "b": 1}, {"a": "x", "b": 2}, {"a": [1, 2], "b": 3},
                                                 {"a": {"k": 1}, "b": 4}]))
    [result] = ingest_path(catalog, tmp_path / "m.json")
    assert catalog.load("m")["a"].tolist() == ["1", "x", "[1, 2]", '{"k": 1}']
    assert result.warnings == ("column 'a' mixes lists, numbers, objects and text; stored as text",)
    assert {c.name: c.type for c in result.asset.columns}["b"] == "integer"


def test_a_merged_label_in_an_integer_column_of_a_workbook_keeps_the_column_as_text(catalog, tmp_path):
    cells = {"A1": "qty", "B1": "item", "A2": 5, "B2": "cup", "A3": "Total", "B3": "all"}
    xlsx_with_cells(tmp_path / "book.xlsx", cells, '<mergeCells count="1"><mergeCell ref="A3:A4"/></mergeCells>')
    [result] = ingest_path(catalog, tmp_path / "book.xlsx")
    assert catalog.load("book")["qty"].tolist() == ["5", "Total"]
    assert "column 'qty' mixes numbers and text; stored as text" in result.warnings


def test_sqlite_table_names_with_quotes_are_read(catalog, tmp_path):
    sqlite_database(tmp_path / "q.db", 'CREATE TABLE "we""ird" (a INTEGER)', 'INSERT INTO "we""ird" VALUES (1)')
    [result] = ingest_path(catalog, tmp_path / "q.db")
    assert (result.asset.name, result.details["table"], result.asset.rows) == ("we_ird", 'we"ird', 1)


def test_a_view_on_a_missing_table_is_named(catalog, tmp_path):
    sqlite_database(tmp_path / "v.db", "CREATE TABLE t (a INTEGER)", "CREATE VIEW v AS SELECT * FROM missing")
    refused(catalog, tmp_path / "v.db", "v.db, table 'v' cannot be read (no such table: main.missing)")
    assert [r.asset.name for r in ingest_path(catalog, tmp_path / "v.db", options=ReadOptions(table="t"))] == ["t"]


def test_parquet_with_duplicate_column_names_is_read_and_renamed(catalog, tmp_path):
    pq.write_table(pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"]), tmp_path / "d.parquet")
    [result] = ingest_path(catalog, tmp_path / "d.parquet")
    assert [c.name for c in result.asset.columns] == ["a", "a_2"] and len(result.warnings) == 1


def test_a_utf8_mark_followed_by_latin1_bytes_is_named_and_latin1_reads_it(catalog, tmp_path):
    (tmp_path / "bl.csv").write_bytes(b"\xef\xbb\xbfname,city\na,K\xf6ln\n")
    refused(catalog, tmp_path / "bl.csv", "bl.csv: byte 16 is not valid utf-8 text. The file starts with a "
                                          "byte-order mark but mixes encodings")
    [result] = ingest_path(catalog, tmp_path / "bl.csv", options=ReadOptions(encoding="latin-1"))
    assert [c.name for c in result.asset.columns] == ["name", "city"] and catalog.load("bl")["city"][0] == "Köln"


@pytest.mark.parametrize("encoding", [None, "utf-16"], ids=["detected", "forced"])
def test_utf16_with_a_byte_order_mark_is_read(catalog, tmp_path, encoding):
    (tmp_path / "u.csv").write_bytes("name,city\na,Köln\n".encode("utf-16"))
    [result] = ingest_path(catalog, tmp_path / "u.csv", options=ReadOptions(encoding=encoding))
    assert [c.name for c in result.asset.columns] == ["name", "city"] and catalog.load("u")["city"][0] == "Köln"
    assert result.details["encoding"] == "utf-16"


def test_utf16_without_a_mark_points_to_the_encoding_option(catalog, tmp_path):
    (tmp_path / "u.csv").write_bytes("name,city\na,b\n".encode("utf-16-le"))
    refused(catalog, tmp_path / "u.csv", "give --encoding utf-16")
    assert ingest_path(catalog, tmp_path / "u.csv", options=ReadOptions(encoding="utf-16-le"))[0].asset.rows == 1


def test_sheet_names_that_make_the_same_asset_name_become_distinct_assets(catalog, tmp_path):
    with pd.ExcelWriter(tmp_path / "sh.xlsx") as book:
        pd.DataFrame({"a": [1]}).to_excel(book, sheet_name="Sheet A", index=False)
        pd.DataFrame({"a": [2]}).to_excel(book, sheet_name="Sheet-A", index=False)
    results = ingest_path(catalog, tmp_path / "sh.xlsx")
    assert [r.asset.name for r in results] == ["sh_Sheet_A", "sh_Sheet_A_2"]
    assert "sheet 'Sheet-A' would also be asset 'sh_Sheet_A'; registered as 'sh_Sheet_A_2'" in results[1].warnings


@pytest.mark.parametrize("file_name, asset", [("订单.csv", "订单"), ("Köln Bestellungen.csv", "Köln_Bestellungen"),
                                              ("заказы-2024.tsv", "заказы_2024"), ("📦.csv", "asset")])
def test_asset_names_keep_letters_of_any_script(catalog, tmp_path, file_name, asset):
    (tmp_path / file_name).write_text("a,b\n1,2\n")
    assert ingest_path(catalog, tmp_path / file_name)[0].asset.name == asset


def test_a_number_too_large_for_a_float_stays_text_in_csv(catalog, tmp_path):
    (tmp_path / "n.csv").write_text("id,x\n1,1e400\n2,3\n")
    [result] = ingest_path(catalog, tmp_path / "n.csv")
    assert catalog.load("n")["x"].tolist() == ["1e400", "3"]


def test_a_number_too_large_for_a_float_in_json_is_warned_about(catalog, tmp_path):
    (tmp_path / "n.json").write_text('[{"x": 1e400}, {"x": 3}]')
    [result] = ingest_path(catalog, tmp_path / "n.json")
    assert "column 'x' holds infinite values (a number such as 1e400 is too large for a float)" in result.warnings


# ---- settings ------------------------------------------------------------------------------------------------

def test_limits_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("STOCKTAKE_INGEST_MAX_ROWS", "5_000")
    monkeypatch.setenv("STOCKTAKE_INGEST_TIMEOUT_S", "2.5")
    settings = IngestSettings()
    assert (settings.max_rows, settings.sqlite_timeout_s, settings.max_bytes) == (5_000, 2.5, 1 << 30)


@pytest.mark.parametrize("value, message", [("lots", "is not a number"), ("-1", "must be positive")])
def test_a_bad_limit_in_the_environment_is_one_line(monkeypatch, value, message):
    monkeypatch.setenv("STOCKTAKE_INGEST_MAX_BYTES", value)
    with pytest.raises(StocktakeError, match=f"STOCKTAKE_INGEST_MAX_BYTES='{value}' {message}"):
        IngestSettings()
