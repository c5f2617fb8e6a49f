"""The catalog commands as a user runs them: JSON on stdout only, one-line errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from stocktake.cli.main import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args))


def test_ingest_json_prints_one_object(tmp_path):
    (tmp_path / "orders.csv").write_text("order_id,status\n1,paid\n")
    result = invoke("ingest", str(tmp_path / "orders.csv"), "--json")
    assert result.exit_code == 0
    [asset] = json.loads(result.stdout)["assets"]
    assert {k: asset[k] for k in ("name", "kind", "rows", "version")} == {
        "name": "orders", "kind": "orders", "rows": 1, "version": 1}
    assert asset["columns"] == [{"name": "order_id", "type": "integer"}, {"name": "status", "type": "string"}]
    assert asset["source"].endswith("orders.csv")


def test_assets_show_and_remove(tmp_path):
    (tmp_path / "t.csv").write_text("a\n1\n")
    invoke("ingest", str(tmp_path / "t.csv"), "--name", "things", "--kind", "products")
    listing = json.loads(invoke("assets", "--json").stdout)
    assert [a["name"] for a in listing["assets"]] == ["things"]
    shown = json.loads(invoke("show", "things", "--json").stdout)
    assert shown["kind"] == "products" and [v["version"] for v in shown["versions"]] == [1]
    assert invoke("remove", "things", "--yes").exit_code == 0
    assert json.loads(invoke("assets", "--json").stdout) == {"assets": []}


def test_workspace_option_chooses_the_folder(tmp_path):
    (tmp_path / "t.csv").write_text("a\n1\n")
    result = invoke("--workspace", str(tmp_path / "elsewhere"), "ingest", str(tmp_path / "t.csv"))
    assert result.exit_code == 0 and (tmp_path / "elsewhere" / "catalog.sqlite").exists()


def test_errors_are_one_line_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "stocktake", "ingest", str(tmp_path / "nope.csv")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "no such file" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""


def test_unknown_asset_suggests_names(tmp_path):
    (tmp_path / "orders.csv").write_text("a\n1\n")
    invoke("ingest", str(tmp_path / "orders.csv"))
    result = invoke("show", "order")
    assert result.exit_code == 1 and "Did you mean: orders" in result.output


def one_line_error(result, message):
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "internal error" not in result.stderr and "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ") and result.stderr.count("Error") == 1
    assert result.stdout.strip() == ""  # a prompt leaves the space that input() writes


def _csv(tmp_path):
    (tmp_path / "users.csv").write_text("id,name\n1,a\n")
    return str(tmp_path / "users.csv")


USER_ERRORS = [
    ("unknown encoding", lambda t: ["ingest", _csv(t), "--encoding", "klingon"], "Unknown --encoding 'klingon'"),
    ("workspace is a file", lambda t: ["--workspace", _csv(t), "assets"], "is a file, not a folder"),
    ("workspace under a file", lambda t: ["--workspace", _csv(t) + "/ws", "ingest", _csv(t)], "Cannot use"),
    ("workspace in a data folder", lambda t: ["--workspace", str(t), "ingest", _csv(t)], "no Stocktake catalog"),
    ("remove without a terminal", lambda t: ["remove", "users"], "nothing was removed. Pass --yes"),
    ("empty question", lambda t: ["ask", " "], "Empty question"),
]


@pytest.mark.parametrize("make_args, message", [e[1:] for e in USER_ERRORS], ids=[e[0] for e in USER_ERRORS])
def test_user_errors_are_one_line_never_internal_errors(tmp_path, make_args, message):
    args = make_args(tmp_path)
    if args[0] == "remove":
        invoke("ingest", _csv(tmp_path))
    one_line_error(runner.invoke(app, args, input=""), message)


READ_ONLY = [["assets"], ["show", "users"], ["models"], ["relations"], ["profile", "users"], ["ask", "hi"],
             ["clean", "sessions"], ["report"]]


@pytest.mark.parametrize("args", READ_ONLY, ids=[" ".join(a) for a in READ_ONLY])
def test_commands_that_only_read_do_not_create_a_mistyped_workspace(tmp_path, args):
    typo = tmp_path / "wrokspace"
    result = invoke("--workspace", str(typo), *args)
    one_line_error(result, f"No workspace at {typo} yet: ingest data first (stocktake --workspace {typo} ingest PATH)")
    assert not typo.exists()


def test_a_multi_character_separator_is_read(tmp_path):
    (tmp_path / "p.txt").write_text("id||name\n1||a\n2||b\n")
    result = invoke("ingest", str(tmp_path / "p.txt"), "--sep", "||", "--json")
    assert result.exit_code == 0, result.output
    assert [c["name"] for c in json.loads(result.stdout)["assets"][0]["columns"]] == ["id", "name"]


def test_reingesting_the_same_file_says_unchanged(tmp_path):
    path = _csv(tmp_path)
    first = invoke("ingest", path)
    assert "✓ users (other): 1 row × 2 columns, version 1" in first.stderr
    again = invoke("ingest", path, "--replace")
    assert again.exit_code == 0 and "users: unchanged (version 1)" in again.stderr
    assert [v["version"] for v in json.loads(invoke("show", "users", "--json").stdout)["versions"]] == [1]


def test_a_separator_that_gives_one_column_is_warned_about_on_stderr(tmp_path):
    result = invoke("ingest", _csv(tmp_path), "--sep", ";", "--json")
    assert result.exit_code == 0 and "warning:" in result.stderr and "Leave --sep out" in result.stderr
    assert json.loads(result.stdout)["assets"][0]["n_columns"] == 1


def test_a_folder_with_bad_files_lists_each_and_skip_bad_leaves_them_out(tmp_path):
    _csv(tmp_path)
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01")
    refused = invoke("ingest", str(tmp_path))
    assert refused.exit_code == 1 and "nothing was ingested" in refused.stderr
    assert [line.split(":")[0].strip() for line in refused.stderr.splitlines()[1:]] == [
        str(tmp_path / "bin.csv"), str(tmp_path / "empty.csv")]
    skipped = invoke("ingest", str(tmp_path), "--skip-bad", "--json")
    assert skipped.exit_code == 0, skipped.output
    payload = json.loads(skipped.stdout)
    assert [a["name"] for a in payload["assets"]] == ["users"] and len(payload["skipped"]) == 2
    assert skipped.stderr.count("warning: skipped") == 2
