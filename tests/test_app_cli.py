"""``stocktake demo``: prepare the sample data, then serve the app (or, with --no-serve, print the inventory)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stocktake.cli import demo_cmds
from stocktake.cli.main import app


@pytest.fixture
def served(monkeypatch):
    calls = []
    monkeypatch.setattr(demo_cmds, "index_demo_docs", lambda cat: calls.append(("index", cat.names())))
    monkeypatch.setattr(demo_cmds, "serve_catalog", lambda cat, **kw: calls.append(("serve", kw)))
    return calls


@pytest.mark.slow
def test_demo_prepares_the_data_then_serves_it(ws, served):
    result = CliRunner().invoke(app, ["--workspace", str(ws.root), "demo", "--port", "7999", "--auth", "a:b"])
    assert result.exit_code == 0, result.output
    tables = ["events", "order_items", "orders", "products", "reviews", "users"]
    assert served == [("index", tables),
                      ("serve", {"host": "127.0.0.1", "port": 7999, "auth": "a:b", "offline": False})]


@pytest.mark.slow
def test_demo_without_serving_prints_the_inventory_in_a_new_workspace(tmp_path, served):
    result = CliRunner().invoke(app, ["--workspace", str(tmp_path / "new"), "demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert served == [] and "Inventory of" in result.stdout and "order_items" in result.stdout


@pytest.mark.parametrize("command", ["serve", "demo"])
@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_the_port_must_be_a_real_port(served, command, port):
    result = CliRunner().invoke(app, [command, "--port", port])
    assert result.exit_code == 2 and "Invalid value for '--port'" in result.stderr
    assert served == [] and "internal error" not in result.output
