"""Hostile inputs to ``stocktake ingest``, run as a user runs them (issue 13's fuzz-style table).

Each case builds its input in a folder of its own and ingests it through the CLI into a workspace that already
holds one asset. Whatever the input, the exit status is the one decided for it (0 for input that is really a
table, 1 for input that is refused), a refusal is one line that names the file (a folder lists one line per bad
file), no traceback or internal error appears, the source folder is byte for byte and entry for entry as it was,
and after a refusal the catalog holds exactly what it held before.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import socket
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from stocktake.catalog import Catalog
from stocktake.cli.main import app
from stocktake.tools.ingest_files import shown
from tests.ingest_fixtures import folder_state, sqlite_database, wal_database, xlsx_with_cells

# Small limits, so that bombs go off quickly; cases that need more say so.
LIMITS = {"STOCKTAKE_INGEST_MAX_BYTES": str(8 << 20), "STOCKTAKE_INGEST_MAX_ROWS": "100000",
          "STOCKTAKE_INGEST_TIMEOUT_S": "2"}
Build = Callable[[Path], tuple[list[str], str]]  # the input folder → (ingest's arguments, the file's name)


@dataclass(frozen=True)
class Case:
    id: str
    build: Build
    code: int  # 0: a table, ingested; 1: refused
    says: str = ""  # part of the refusal (or of a warning, for an ingested case)
    env: dict = field(default_factory=dict)
    folder: bool = False  # a folder ingest: its refusal lists each bad file on a line of its own
    named: str = ""  # what the refusal names, where that is not the input's own name (an option)


def file(name: str, data: bytes | str | Callable[[], bytes]) -> Build:
    """A file of ``data``; a name with ``/`` is made in a sub-folder."""
    def build(folder: Path) -> tuple[list[str], str]:
        content = data() if callable(data) else data
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(content.encode() if isinstance(content, str) else content)
        return [str(folder / name)], name
    return build


def made(name: str, make: Callable[[Path], object], *options: str) -> Build:
    def build(folder: Path) -> tuple[list[str], str]:
        make(folder / name)
        return [str(folder / name), *options], name
    return build


def in_folder(*entries: tuple[str, Callable[[Path], object]], options: tuple[str, ...] = (),
              named: str = "") -> Build:
    def build(folder: Path) -> tuple[list[str], str]:
        for name, make in entries:
            make(folder / name)
        return [str(folder), *options], named or folder.name
    return build


def text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda p: p.write_bytes(content.encode(encoding))


def noise(n: int, seed: int = 13) -> bytes:
    return random.Random(seed).randbytes(n)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def parquet(table: pa.Table) -> Callable[[], bytes]:
    def data() -> bytes:
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        return buffer.getvalue()
    return data


def workbook(fill: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        book = openpyxl.Workbook()
        fill(book)
        book.save(p)
    return make


def formulas(book: openpyxl.Workbook) -> None:
    sheet = book.active
    sheet.append(["qty", "double", "link"])
    for i in range(1, 4):
        sheet.append([i, f"=A{i + 1}*2", '=WEBSERVICE("http://127.0.0.1:9/x")'])


def merged(book: openpyxl.Workbook) -> None:
    sheet = book.active
    for row in (["id", "qty"], [1, 5], [2, 6], ["Total", 11]):
        sheet.append(row)
    sheet.merge_cells("A4:A5")


def fifo(p: Path) -> None:
    os.mkfifo(p)


def unix_socket(p: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(p))
    sock.close()


def link(target: str) -> Callable[[Path], None]:
    return lambda p: p.symlink_to(target)


def db(*statements: str) -> Callable[[Path], None]:
    return lambda p: sqlite_database(p, *statements)


def db_with_fifo_wal(p: Path) -> None:
    sqlite_database(p, "CREATE TABLE t (a INTEGER)")
    os.mkfifo(f"{p}-wal")


def latin1_in_sqlite(p: Path) -> None:
    with sqlite3.connect(p) as con:
        con.execute("CREATE TABLE t (a TEXT)")
        con.execute("INSERT INTO t VALUES (CAST(X'4BF66C6E' AS TEXT))")  # "Köln" in Latin-1
    con.close()


def truncated(make: Callable[[Path], object], keep: float = 0.5) -> Callable[[Path], None]:
    def cut(p: Path) -> None:
        make(p)
        data = p.read_bytes()
        p.write_bytes(data[: int(len(data) * keep)])
    return cut


def billion_laughs(p: Path) -> None:
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    xlsx_with_cells(p, {"A1": "x", "A2": 1})
    with zipfile.ZipFile(p) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        '<?xml version="1.0"?>', f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>').replace(
        "<t>x</t>", "<t>&a9;</t>").encode()
    p.write_bytes(zip_of(parts))


CSV = "id,name\n1,a\n2,b\n"
BLOB_ROW = "INSERT INTO t VALUES (randomblob(500))"
VARIED = "".join(f"{i},{random.Random(i).random()}\n" for i in range(2_000)).encode()
CASES = [
    # compression
    Case("truncated_gzip", file("t.csv.gz", lambda: gz(VARIED)[: len(gz(VARIED)) // 2]), 1, "not a valid gzip file"),
    Case("gzip_bomb", file("bomb.csv.gz", lambda: gz(b"a\n" + b"0\n" * (16 << 20))), 1,
         "expands to more than 8 MB when decompressed"),
    Case("not_gzip", file("n.csv.gz", "id,name\n1,a\n"), 1, "not a valid gzip file"),
    Case("gzip_with_trailing_garbage", file("g.csv.gz", lambda: gz(CSV.encode()) + b"garbage!"), 1,
         "not a valid gzip file"),
    Case("gzip_of_nothing", file("e.csv.gz", lambda: gz(b"")), 1, "the file is empty"),
    Case("gzip_of_binary", file("b.csv.gz", lambda: gz(noise(4096))), 1, "looks like a binary file"),
    Case("gzip_twice", file("twice.csv.gz", lambda: gz(gz(CSV.encode()))), 1, "looks like a binary file"),
    Case("gzip_json", file("g.json.gz", lambda: gz(b'[{"a": 1}, {"a": 2}]')), 0),
    # zip and Excel
    Case("zip_slip_zip", file("slip.zip", lambda: zip_of({"../../evil.csv": CSV.encode(), "/etc/evil": b"x"})), 1,
         "unknown format '.zip'"),
    Case("zip_slip_as_xlsx", file("slip.xlsx", lambda: zip_of({"../../evil.csv": CSV.encode()})), 1,
         "not a readable Excel workbook"),
    Case("xlsx_parts_bomb", file("bomb.xlsx", lambda: zip_of({"xl/worksheets/sheet1.xml": b" " * (9 << 20)})), 1,
         "expands to more than 8 MB when decompressed"),
    Case("truncated_xlsx", made("cut.xlsx", truncated(workbook(merged))), 1, "not a readable Excel workbook"),
    Case("garbage_xlsx", file("junk.xlsx", lambda: noise(2048)), 1, "not a readable Excel workbook"),
    Case("xlsx_formulas", made("f.xlsx", workbook(formulas)), 0),
    Case("xlsx_merged_label_in_int_column", made("m.xlsx", workbook(merged)), 0,
         "column 'id' mixes numbers and text; stored as text"),
    Case("xlsx_billion_laughs", made("laughs.xlsx", billion_laughs), 1, "not a readable Excel workbook"),
    Case("xlsx_far_cell", made("far.xlsx", lambda p: xlsx_with_cells(p, {"A1": "id", "A2": 1, "XFD1048576": 2})),
         1, "more than 10,000 columns"),
    Case("xlsx_no_cells", made("none.xlsx", lambda p: xlsx_with_cells(p, {})), 1, "no columns"),
    # binary and garbage
    Case("random_bytes_csv", file("r.csv", lambda: noise(4096)), 1, "looks like a binary file"),
    Case("nul_bytes_in_text", file("nul.csv", "id,name\n1,a\x00b\n"), 1, "looks like a binary file"),
    Case("png_named_csv", file("img.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise(200)), 1,
         "looks like a binary file"),
    Case("random_bytes_no_suffix", file("blob", lambda: noise(4096)), 1, "unknown format 'blob'"),
    # delimited text
    Case("only_a_header", file("h.csv", "id,name\n"), 0, "only a header row"),
    Case("only_newlines", file("n.csv", "\n\n\n\r\n"), 1, "the file is empty"),
    Case("only_whitespace", file("w.csv", " \t \n  \n"), 1, "the file is empty"),
    Case("header_of_100k_columns", file("wide.csv", ",".join(f"c{i}" for i in range(100_000)) + "\n1\n"), 1,
         "columns or more, more than one ingest reads"),
    Case("unclosed_quote", file("q.csv", 'a,b\n1,"open\n2,3\n'), 1, "a quoted field is never closed"),
    Case("ragged_rows", file("rag.csv", "a,b\n1,2\n3,4,5\n"), 1, "line 3: expected 2 fields, saw 3"),
    Case("crlf", file("crlf.csv", "id,name\r\n1,a\r\n"), 0),
    Case("cr_only", file("cr.csv", "id,name\r1,a\r2,b\r"), 0),
    Case("mixed_line_endings", file("mix.csv", "id,name\n1,a\r\n2,b\r3,c\n"), 0),
    Case("utf8_bom", file("bom.csv", b"\xef\xbb\xbfid,city\n1,K\xc3\xb6ln\n"), 0),
    Case("utf8_bom_then_latin1", file("bl.csv", b"\xef\xbb\xbfname,city\na,K\xf6ln\n"), 1,
         "byte 16 is not valid utf-8 text"),
    Case("utf16_bom", file("u16.csv", "id,city\n1,Köln\n".encode("utf-16")), 0),
    Case("utf16_without_bom", file("u16le.csv", "id,city\n1,Köln\n".encode("utf-16-le")), 1, "--encoding utf-16"),
    Case("utf16_forced", made("f16.csv", text("id,city\n1,Köln\n", "utf-16"), "--encoding", "utf-16"), 0),
    Case("utf32_bom", file("u32.csv", "id,city\n1,Köln\n".encode("utf-32")), 0),
    Case("latin1", file("l1.csv", "id,city\n1,Köln\n".encode("latin-1")), 0),
    Case("utf8_and_latin1_mixed", file("mixed.csv", "id,city\n1,Köln\n".encode() + "2,Düren\n".encode("latin-1")), 0),
    Case("forced_wrong_encoding", made("a.csv", text("id,city\n1,Köln\n"), "--encoding", "ascii"), 1,
         "is not valid ascii text"),
    Case("unknown_encoding", made("k.csv", text(CSV), "--encoding", "klingon"), 1, "Unknown --encoding 'klingon'",
         named="--encoding"),
    Case("ten_megabyte_field", file("big.csv", "id,text\n1," + "x" * 10_000_000 + "\n"), 1,
         "column 'text', row 1 holds a value of 10,000,000 characters", env={"STOCKTAKE_INGEST_MAX_BYTES": "32000000"}),
    Case("file_over_the_byte_limit", file("huge.csv", "id\n" + "1\n" * (5 << 20)), 1, "more than one ingest reads"),
    Case("rows_over_the_limit", file("rows.csv", "id\n" + "1\n" * 100_001), 1, "more than 100,000 rows"),
    Case("duplicate_header_names", file("dup.csv", "a,a,a\n1,2,3\n"), 0, "repeats the name 'a'"),
    Case("empty_header_names", file("emp.csv", ",,b\n1,2,3\n"), 0, "has no name"),
    Case("header_of_numbers", file("num.csv", "1,2,3\n4,5,6\n"), 0),
    Case("markup_in_header_names", file("mk.csv", "[/],[/],[red]x\n1,2,3\n"), 0, "repeats the name '[/]'"),
    Case("number_too_large_for_a_float", file("inf.csv", "id,x\n1,1e400\n2,2\n"), 0),
    Case("control_characters_in_values", file("esc.csv", "id,v\n1,\x1b[2Jhi\n2,\x07\n"), 0),
    Case("one_long_line", file("line.csv", "a," * 300_000), 1, "columns or more"),
    # JSON
    Case("json_nested_100k_deep", file("deep.json", '[{"a": ' + "[" * 100_000 + "]" * 100_000 + "}]"), 1,
         "decoding depth limit"),
    Case("json_nested_1000_deep", file("deep1k.json", '[{"a": ' + "[" * 1_000 + "]" * 1_000 + "}]"), 1,
         "nested too deeply to store"),
    Case("json_top_level_number", file("n.json", "42"), 1, "not valid JSON for a table"),
    Case("json_top_level_string", file("s.json", '"hello"'), 1, "not valid JSON for a table"),
    Case("json_nan_and_infinity", file("nan.json", '[{"a": NaN, "b": 1}, {"a": Infinity, "b": 2}]'), 0,
         "column 'a' holds infinite values"),
    Case("json_mixed_types", file("mix.json", '[{"a": 1}, {"a": "x"}, {"a": [1]}, {"a": {"b": 2}}]'), 0,
         "column 'a' mixes lists, numbers, objects and text; stored as text"),
    Case("json_empty_list", file("e.json", "[]"), 1, "no columns"),
    Case("json_empty_object", file("o.json", "{}"), 1, "no columns"),
    Case("json_empty_records", file("r.json", "[{}, {}]"), 1, "no columns"),
    Case("json_null", file("null.json", "null"), 1, "no columns"),
    Case("truncated_json", file("cut.json", '[{"a": 1}, {"a": '), 1, "not valid JSON for a table"),
    Case("jsonl_broken_line", file("b.jsonl", '{"a": 1}\n{"a": \n{"a": 3}\n'), 1, "not valid JSON for a table"),
    Case("json_integer_past_int64", file("big.json", '[{"a": 123456789012345678901234567890}]'), 1,
         "Value is too big"),
    Case("json_duplicate_keys", file("dk.json", '[{"a": 1, "a": 2}]'), 0),
    Case("json_utf16_bom", file("u.json", '[{"city": "Köln"}]'.encode("utf-16")), 0),
    # Parquet
    Case("parquet_no_columns", file("z.parquet", parquet(pa.table({}))), 1, "no columns"),
    Case("parquet_duplicate_names", file("d.parquet", parquet(pa.Table.from_arrays(
        [pa.array([1]), pa.array([2])], names=["a", "a"]))), 0, "repeats the name 'a'"),
    Case("truncated_parquet", file("t.parquet", lambda: parquet(pa.table({"a": list(range(1000))}))()[:300]), 1,
         "not a readable Parquet file"),
    Case("parquet_magic_only", file("m.parquet", b"PAR1PAR1"), 1, "not a readable Parquet file"),
    Case("parquet_dictionary_bomb", file("bomb.parquet", parquet(pa.table({"a": ["x" * 10_000] * 1_000}))), 1,
         "expands to more than 8 MB"),
    Case("parquet_rows_over_the_limit", file("rows.parquet", parquet(pa.table({"a": [0] * 100_001}))), 1,
         "100,001 rows, more than one ingest reads"),
    # SQLite
    Case("sqlite_wal_file_left", made("wal.db", lambda p: wal_database(p)), 0),
    Case("sqlite_wal_checkpointed", made("ckpt.db", lambda p: wal_database(p, keep_wal=False)), 0),
    Case("sqlite_uri_in_the_name", made("x?mode=rwc&y=.db", db("CREATE TABLE t (a)", "INSERT INTO t VALUES (1)")), 0),
    Case("sqlite_recursive_view", made("rec.db", db("CREATE VIEW r AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                                                    "SELECT x + 1 FROM c) SELECT x FROM c")), 1,
         "table 'r': more than 100,000 rows"),
    Case("sqlite_view_that_never_returns", made("never.db", db("CREATE VIEW r AS WITH RECURSIVE c(x) AS (SELECT 1 "
                                                               "UNION ALL SELECT x + 1 FROM c) SELECT x FROM c "
                                                               "WHERE x < 0")), 1, "did not finish within 2 s"),
    Case("sqlite_quotes_in_table_name", made("q.db", db('CREATE TABLE "a""b" (x)', 'INSERT INTO "a""b" VALUES (1)')),
         0),
    Case("sqlite_view_on_missing_table", made("v.db", db("CREATE VIEW v AS SELECT * FROM missing")), 1,
         "table 'v' cannot be read (no such table: main.missing)"),
    Case("sqlite_garbage", file("g.db", lambda: noise(8192)), 1, "not a readable SQLite database"),
    Case("sqlite_truncated", made("cut.db", truncated(db("CREATE TABLE t (a)", *[BLOB_ROW] * 200), 0.3)), 1,
         "not a readable SQLite database"),
    Case("sqlite_no_tables", made("none.db", db("PRAGMA user_version = 1")), 1, "the database has no tables"),
    Case("sqlite_wal_is_a_fifo", made("fw.db", db_with_fifo_wal), 1, "fw.db-wal is a named pipe (FIFO)"),
    Case("sqlite_url_to_nothing", lambda f: ([f"sqlite:///{f / 'missing.db'}"], "missing.db"), 1,
         "no such SQLite database file"),
    Case("sqlite_text_not_utf8", made("l1.db", latin1_in_sqlite), 1, "table 't' cannot be read"),
    # files that are not what they seem
    Case("zero_byte_csv", file("z.csv", b""), 1, "the file is empty"),
    Case("zero_byte_parquet", file("z.parquet", b""), 1, "the file is empty"),
    Case("zero_byte_xlsx", file("z.xlsx", b""), 1, "the file is empty"),
    Case("zero_byte_db", file("z.db", b""), 1, "the database has no tables"),
    Case("fifo_csv", made("pipe.csv", fifo), 1, "is a named pipe (FIFO), not a regular file"),
    Case("link_to_dev_zero", made("zero.csv", link("/dev/zero")), 1, "is a character device, not a regular file"),
    Case("socket_csv", made("sock.csv", unix_socket), 1, "is a socket, not a regular file"),
    Case("dangling_link", made("gone.csv", link("nowhere.csv")), 1, "no such file or folder"),
    Case("folder_link_out", in_folder(("good.csv", text(CSV)), ("zz_passwd.txt", link("/etc/passwd")),
                                      named="zz_passwd.txt"), 1, "outside the folder, so it was not followed",
         folder=True),
    Case("folder_link_out_skip_bad", in_folder(("good.csv", text(CSV)), ("zz_passwd.txt", link("/etc/passwd")),
                                               options=("--skip-bad",)), 0, "skipped"),
    Case("folder_with_a_fifo", in_folder(("good.csv", text(CSV)), ("pipe.csv", fifo), named="pipe.csv"), 1,
         "is a named pipe (FIFO)", folder=True),
    Case("folder_with_binary_file", in_folder(("good.csv", text(CSV)), ("bad.csv", lambda p: p.write_bytes(noise(99))),
                                              named="bad.csv"), 1, "looks like a binary file", folder=True),
    Case("folder_named_like_a_file", made("orders.csv", Path.mkdir), 1, "no supported data files found"),
    Case("folder_holding_a_folder_named_like_a_file", in_folder(("orders.csv", Path.mkdir), ("good.csv", text(CSV))),
         0),
    Case("empty_folder", in_folder(), 1, "no supported data files found"),
    Case("folder_of_docs_only", in_folder(("README.md", text("# hi")), ("LICENSE", text("MIT, 2024\n"))), 1,
         "no supported data files found"),
    Case("folder_of_hidden_files_only", in_folder((".secret.csv", text(CSV))), 1, "no supported data files found"),
    # names
    Case("name_with_spaces", file("my orders 2024.csv", CSV), 0),
    Case("name_with_quotes", file("o'rders \"x\".csv", CSV), 0),
    Case("name_with_a_newline", file("two\nlines.csv", CSV), 0),
    Case("name_with_unicode", file("订单.csv", CSV), 0),
    Case("name_with_question_mark", file("what?.csv", CSV), 0),
    Case("name_with_markup", file("[red]odd[bold].csv", CSV), 0),
    Case("markup_across_the_path", file("[x/y].csv", CSV), 0),
    Case("markup_across_the_path_refused", file("[x/y].csv", "a,b\n1,2\n2,3,4\n"), 1, "expected 2 fields"),
    Case("name_not_utf8", file(os.fsdecode(b"caf\xe9.csv"), CSV), 0),
    Case("name_of_250_characters", file("n" * 246 + ".csv", CSV), 0),
    Case("name_of_punctuation_only", file("!!!.csv", CSV), 0),
    Case("broken_file_with_a_newline_in_its_name", file("bad\nname.csv", b"\x00\x01"), 1, "looks like a binary file"),
]
if os.geteuid() != 0:  # root reads files whatever their permissions: the case cannot happen there
    CASES.append(Case("permission_denied", made("secret.csv", lambda p: (p.write_text(CSV), p.chmod(0))), 1,
                      "cannot read the file (Permission denied)"))

runner = CliRunner()


def catalog_state(workspace: Path) -> tuple:
    catalog = Catalog(workspace)
    versions = [(v.asset, v.version, v.content_hash) for n in catalog.names() for v in catalog.versions(n)]
    files = sorted(str(p.relative_to(workspace)) for p in workspace.rglob("*") if p.is_file() and p.suffix != ".sqlite")
    return versions, files


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_is_ingested_or_refused_cleanly(tmp_path, monkeypatch, case):
    for name, value in {**LIMITS, **case.env}.items():
        monkeypatch.setenv(name, value)
    workspace = tmp_path / "workspace"
    (tmp_path / "seed.csv").write_text("sku,title\nA1,mug\n")
    assert runner.invoke(app, ["ingest", str(tmp_path / "seed.csv")]).exit_code == 0
    source = tmp_path / "in"
    source.mkdir()
    args, named = case.build(source)
    before, catalog_before = folder_state(source), catalog_state(workspace)

    result = runner.invoke(app, ["ingest", *args])

    assert result.exit_code == case.code, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert folder_state(source) == before  # nothing written, created or removed beside the source
    assert not any((tmp_path.parent / p).exists() for p in ("evil.csv", "../evil.csv"))
    assert list((workspace / "cache").glob("ingest-*")) == []
    if case.code == 0:
        assert case.says in result.stderr
        assert len(Catalog(workspace).names()) > 1
        return
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Error: ") and case.says in result.stderr
    assert shown(case.named or named) in result.stderr
    if case.folder:
        assert all(line.startswith("  ") and shown(source) in line for line in lines[1:])
    else:
        assert len(lines) == 1
    assert catalog_state(workspace) == catalog_before


def test_the_table_has_at_least_sixty_hostile_inputs():
    assert len(CASES) >= 60
