"""Log files as live sources: generated access logs (the sample shop's events as combined-format lines, with known
bad lines among them), JSON lines and a user's pattern become events assets; bad lines are counted and shown,
rotated and gzipped files are read together, the files are never touched, and syncs follow the files."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from stocktake.errors import StocktakeError
from stocktake.tools.sources import add_source, sync_source
from tests.ingest_fixtures import folder_state
from tests.log_fixtures import clf, combined_line, events, expected, write_lines

COLUMNS = ["timestamp", "session", "user", "client", "action", "item", "method", "path", "status", "bytes",
           "referrer", "user_agent"]


def rows(asset):
    return pq.read_table(asset.path).to_pandas()


@pytest.fixture
def shop():
    return events(120)


@pytest.fixture
def access_log(tmp_path, shop):
    folder = tmp_path / "logs"
    folder.mkdir()
    return write_lines(folder / "access.log", [combined_line(e) for e in shop.itertuples()])


def test_combined_lines_become_events_with_action_item_and_session(catalog, access_log, shop):
    result = add_source(catalog, "web", str(access_log))
    got = rows(result.tables[0].asset)
    assert (result.tables[0].table, list(got.columns)) == ("events", COLUMNS)
    want = expected(shop)
    assert got[["timestamp", "session", "action", "item"]].astype(object).equals(want.astype(object))
    assert result.tables[0].asset.kind == "events"


def test_the_format_detected_is_said(catalog, access_log):
    result = add_source(catalog, "web", str(access_log))
    assert result.source.tables[0].notes == (
        "read as combined (detected from the first lines): 120 lines from access.log",)


def test_times_with_an_offset_are_read_as_utc(catalog, tmp_path):
    line = '1.2.3.4 - - [05/Jan/2024:10:00:00 +0200] "GET / HTTP/1.1" 200 5'
    got = rows(add_source(catalog, "web", str(write_lines(tmp_path / "a.log", [line]))).tables[0].asset)
    assert str(got["timestamp"][0]) == "2024-01-05 08:00:00+00:00"


def test_bad_lines_are_counted_and_the_first_shown_with_file_and_line_number(catalog, tmp_path, shop):
    lines = [combined_line(e) for e in shop.head(50).itertuples()]
    bad_time = lines[28].replace(clf(shop["event_time"][28]), "32/Foo/2023:10:00:00 +0000")
    truncated = lines[8][:60]
    for at, line in ((3, "garbage that is no log line"), (10, truncated), (20, "x" * ((1 << 20) + 10)),
                     (30, bad_time)):
        lines.insert(at - 1, line)
    result = add_source(catalog, "web", str(write_lines(tmp_path / "access.log", lines)))
    assert result.tables[0].asset.rows == 50
    assert result.source.tables[0].notes[1:] == (
        "4 of 54 lines could not be parsed:",
        "  access.log line 3: not in the combined or common format: 'garbage that is no log line'",
        f"  access.log line 10: not in the combined or common format: '{truncated}'",
        f"  access.log line 20: longer than 1 MB: '{'x' * 120}'",
        f"  access.log line 30: bad timestamp '32/Foo/2023:10:00:00 +0000': '{bad_time[:120]}'")


def test_only_the_first_five_bad_lines_are_shown_and_all_are_counted(catalog, tmp_path, shop):
    lines = [combined_line(e) for e in shop.itertuples()] + [f"junk {i}" for i in range(7)]
    notes = add_source(catalog, "web", str(write_lines(tmp_path / "a.log", lines))).source.tables[0].notes
    assert notes[1] == "7 of 127 lines could not be parsed; the first 5:" and len(notes) == 7


def test_source_add_and_sync_print_the_bad_lines(tmp_path, access_log):
    from typer.testing import CliRunner

    from stocktake.cli.main import app

    with access_log.open("a") as f:
        f.write("[not a log line]\n")
    runner, home = CliRunner(), ["--workspace", str(tmp_path / "cli")]
    for command in (["source", "add", "web", str(access_log.parent)], ["sync", "web"]):
        shown = runner.invoke(app, [*home, *command])
        assert shown.exit_code == 0, shown.output
        assert ("1 of 121 lines could not be parsed:\n"
                "    access.log line 121: not in the combined or common format: '[not a log line]'") in shown.output


def test_rotated_and_gzipped_files_are_read_together_oldest_first(catalog, tmp_path, shop):
    folder = tmp_path / "nginx"
    folder.mkdir()
    lines = [combined_line(e) for e in shop.itertuples()]
    write_lines(folder / "access.log.2.gz", lines[:40], gz=True)
    write_lines(folder / "access.log.1", lines[40:80])
    write_lines(folder / "access.log", lines[80:])
    result = add_source(catalog, "web", str(folder))
    got = rows(result.tables[0].asset)
    assert got["timestamp"].astype(object).equals(expected(shop)["timestamp"].astype(object))
    assert result.source.tables[0].notes[0].endswith("120 lines from 3 files, oldest first: "
                                                     "access.log.2.gz, access.log.1, access.log")


def test_dated_copies_come_before_the_live_file_and_an_empty_live_file_is_passed_over(catalog, tmp_path, shop):
    folder = tmp_path / "app"
    folder.mkdir()
    lines = [combined_line(e) for e in shop.itertuples()]
    write_lines(folder / "access.log-20240102", lines[60:])
    write_lines(folder / "access.log-20240101.gz", lines[:60], gz=True)
    write_lines(folder / "access.log", [])
    notes = add_source(catalog, "web", str(folder)).source.tables[0].notes
    assert notes == ("read as combined (detected from the first lines): 120 lines from 2 files, oldest first: "
                     "access.log-20240101.gz, access.log-20240102",)


def test_files_compressed_in_another_way_are_skipped_and_said(catalog, access_log):
    (access_log.parent / "access.log.3.bz2").write_bytes(b"BZh91AY&SY")
    notes = add_source(catalog, "web", str(access_log.parent)).source.tables[0].notes
    assert notes[-1] == "access.log.3.bz2: skipped, a compression Stocktake does not read"


def test_a_limit_reads_the_oldest_rows(catalog, access_log, shop):
    got = rows(add_source(catalog, "web", str(access_log), limit=10).tables[0].asset)
    assert got["timestamp"].tolist() == expected(shop)["timestamp"].head(10).tolist()


def test_a_gzip_file_that_expands_past_the_limit_is_refused(catalog, tmp_path, monkeypatch):
    monkeypatch.setenv("STOCKTAKE_SOURCE_MAX_BYTES", "100000")
    bomb = tmp_path / "access.log.1.gz"
    bomb.write_bytes(gzip.compress(b"1.2.3.4 - - [05/Jan/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5\n" * 5000))
    with pytest.raises(StocktakeError, match=r"^Source 'web': .*access.log.1.gz: the log text read passes 97.7 KB"):
        add_source(catalog, "web", str(bomb))
    assert catalog.names() == []


def test_json_lines_keep_every_key_flattened_with_the_shared_columns_first(catalog, tmp_path):
    lines = [json.dumps({"ts": f"2024-01-05T10:0{i}:00+01:00", "user_id": 7 + i, "event": "view", "item_id": f"p{i}",
                         "http": {"status": 200, "headers": {"ua": "curl"}}, "tags": ["a", "b"]}) for i in range(3)]
    got = rows(add_source(catalog, "app", str(write_lines(tmp_path / "app.jsonl", lines))).tables[0].asset)
    assert list(got.columns) == ["timestamp", "user", "action", "item", "http.status", "http.headers.ua", "tags"]
    assert (str(got["timestamp"][0]), got["user"].tolist(), got["tags"][0]) == (
        "2024-01-05 09:00:00+00:00", [7, 8, 9], '["a", "b"]')


def test_a_key_whose_values_mix_kinds_becomes_text(catalog, tmp_path):
    lines = [json.dumps({"ts": 1704448800 + i, "code": code}) for i, code in enumerate([1, "E7", True])]
    got = rows(add_source(catalog, "app", str(write_lines(tmp_path / "app.jsonl", lines))).tables[0].asset)
    assert got["code"].tolist() == ["1", "E7", "true"]


def test_a_pattern_with_named_groups_makes_its_columns(catalog, tmp_path):
    lines = ["2024-01-05T10:00:00Z alice login", "2024-01-05T10:01:00Z bob view item=42", "bad line"]
    result = add_source(catalog, "app", str(write_lines(tmp_path / "app.log", lines)), options={
        "log_format": "regex", "pattern": r"(?P<ts>\S+) (?P<user>\w+) (?P<action>\w+)(?: item=(?P<item>\w+))?"})
    got = pq.read_table(result.tables[0].asset.path)
    assert got.column_names == ["timestamp", "user", "action", "item"]
    assert got.drop_columns("timestamp").to_pylist() == [{"user": "alice", "action": "login", "item": None},
                                                         {"user": "bob", "action": "view", "item": "42"}]
    assert result.source.tables[0].notes[1] == "1 of 3 lines could not be parsed:"


@pytest.mark.parametrize("pattern, says", [
    ("(?P<ts>\\S+", r"--pattern is not a valid regular expression \(missing \), unterminated subpattern at "
                    r"position 0\)"),
    (r"\S+ \w+", r"--pattern has no named group"),
    (r"(?P<a>(x+)+)y", r"--pattern repeats a repetition"),
])
def test_a_pattern_that_cannot_be_used_is_one_line(catalog, access_log, pattern, says):
    with pytest.raises(StocktakeError, match=f"^Source 'web': {says}") as err:
        add_source(catalog, "web", str(access_log), options={"log_format": "regex", "pattern": pattern})
    assert "\n" not in str(err.value) and catalog.names() == []


def test_when_nothing_parses_the_error_names_the_file_and_the_format(catalog, tmp_path):
    path = write_lines(tmp_path / "app.jsonl", ['{"ts": 1}', '{"ts": 2}'])
    with pytest.raises(StocktakeError, match=r"^Source 'x': no line of .*app.jsonl could be parsed as combined \("):
        add_source(catalog, "x", str(path), options={"log_format": "combined"})


def test_a_file_in_no_known_format_is_refused(catalog, tmp_path):
    path = write_lines(tmp_path / "notes.txt", ["Dear diary,", "today I read some logs."])
    with pytest.raises(StocktakeError, match=r"notes.txt: the first lines are in no log format .*--format"):
        add_source(catalog, "x", str(path))


def test_a_folder_that_mixes_formats_has_a_table_for_each(catalog, tmp_path, access_log):
    write_lines(access_log.parent / "app.jsonl", ['{"ts": 1704448800, "event": "login"}'])
    write_lines(access_log.parent / "README", ["These are the shop's logs."])
    result = add_source(catalog, "web", str(access_log.parent))
    assert sorted((t.table, t.asset.rows) for t in result.tables) == [("events_combined", 120), ("events_jsonl", 1)]
    assert "README: skipped, its first lines are in no log format Stocktake recognises" in \
        [n for t in result.source.tables for n in t.notes]


def test_the_source_files_are_left_as_they_were(catalog, tmp_path, access_log):
    write_lines(access_log.parent / "access.log.1.gz", [combined_line(e) for e in events(10, 1).itertuples()], gz=True)
    before = folder_state(access_log.parent)
    add_source(catalog, "web", str(access_log.parent))
    sync_source(catalog, "web")
    assert folder_state(access_log.parent) == before


def test_a_file_url_is_read_as_its_path(catalog, access_log):
    result = add_source(catalog, "web", access_log.as_uri())
    assert (result.source.url, result.tables[0].asset.rows) == (str(access_log), 120)


def test_a_file_url_of_another_machine_is_refused(catalog):
    with pytest.raises(StocktakeError, match=r"file://logs.internal/… is on another machine"):
        add_source(catalog, "web", "file://logs.internal/var/log/nginx")


@pytest.mark.parametrize("options, says", [({"log_format": "csv"}, "'csv' is not a log format"),
                                           ({"log_format": "jsonl", "pattern": "(?P<a>x)"}, "--pattern goes with")])
def test_format_options_that_do_not_fit_are_refused(catalog, access_log, options, says):
    with pytest.raises(StocktakeError, match=says):
        add_source(catalog, "web", str(access_log), options=options)


def test_sync_of_unchanged_files_adds_no_version(catalog, access_log):
    add_source(catalog, "web", str(access_log))
    again = sync_source(catalog, "web").tables[0]
    assert (again.changed, again.asset.version) == (False, 1)


def test_sync_after_lines_were_appended_adds_a_version_with_them(catalog, access_log):
    add_source(catalog, "web", str(access_log))
    with access_log.open("a") as f:
        f.writelines(combined_line(e) + "\n" for e in events(5, 2).itertuples())
    again = sync_source(catalog, "web").tables[0]
    assert (again.changed, again.asset.version, again.asset.rows) == (True, 2, 125)


def test_incremental_sync_by_timestamp_appends_only_the_newer_lines(catalog, access_log, shop):
    add_source(catalog, "web", str(access_log))
    sync_source(catalog, "web", incremental="timestamp")
    later = events(5, 3).assign(event_time=shop["event_time"].max() + pd.to_timedelta(range(1, 6), unit="s"))
    with access_log.open("a") as f:
        f.writelines(combined_line(e) + "\n" for e in later.itertuples())
    again = sync_source(catalog, "web", incremental="timestamp").tables[0]
    assert (again.incremental, again.rows_read, again.asset.rows) == (True, 5, 125)


def test_a_sync_from_the_app_shows_the_bad_lines_as_they_are(catalog, access_log):
    from stocktake.serve.panels.sources import sync_one
    from stocktake.usecases import Services
    from stocktake.usecases.sources import add_source as add

    with access_log.open("a") as f:
        f.write("[not a *log* line]\n")
    services = Services(catalog)
    add(services, "web", str(access_log))
    shown = sync_one(services, "web").splitlines()
    assert "  - `  access.log line 121: not in the combined or common format: '[not a *log* line]'`" in shown
