"""The catalog commands as a user runs them: JSON on stdout only, one-line errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

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
