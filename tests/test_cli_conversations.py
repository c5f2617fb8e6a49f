"""Which conversation a terminal question belongs to: `chat` starts a new one each run, `ask` continues one."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.agent.events import Answer
from stocktake.cli import agent_cmds
from stocktake.cli.main import app


class Recorder:
    model_name = "recorder"

    def __init__(self):
        self.threads = []

    def stream(self, question: str, thread_id: str):
        self.threads.append(thread_id)
        yield Answer(f"heard {question}", "offline")


@pytest.fixture
def recorder(monkeypatch, catalog):
    fake = Recorder()
    monkeypatch.setattr(agent_cmds, "_assistant", lambda ctx, offline: fake)
    return fake


def test_each_chat_run_is_a_new_conversation_unless_one_is_named(recorder):
    for args in (["chat"], ["chat"], ["chat", "--thread", "work"]):
        result = CliRunner().invoke(app, args, input="hello\nagain\nexit\n")
        assert result.exit_code == 0, result.output
    first, again, second, _, named, _ = recorder.threads
    assert first == again != second and named == "work"


def test_asks_share_one_conversation_by_default_and_can_name_another(recorder):
    for args in (["ask", "one"], ["ask", "two"], ["ask", "three", "--thread", "work"]):
        assert CliRunner().invoke(app, args).exit_code == 0
    assert recorder.threads == ["cli", "cli", "work"]


class Reporter:
    model_name = "reporter"

    def __init__(self, path):
        self.path = path

    def stream(self, question: str, thread_id: str):
        from stocktake.agent.events import ToolFinished, ToolStarted

        yield ToolStarted("c1", "inventory_report", {})
        yield ToolFinished("c1", "inventory_report", f"Full report: {self.path}", {"path": str(self.path)}, 0.1)
        yield Answer(f"Full report: {self.path}", "offline")


def test_a_written_report_ends_the_answer_as_a_link_to_its_full_path(monkeypatch, catalog, tmp_path):
    report = tmp_path / "reports" / "inventory-1.html"
    report.parent.mkdir()
    report.write_text("<!doctype html>")
    monkeypatch.setattr(agent_cmds, "_assistant", lambda ctx, offline: Reporter(report))
    result = CliRunner().invoke(app, ["ask", "give me an inventory report"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert f"📄 {report}" in result.stdout.splitlines()
    shown = CliRunner().invoke(app, ["ask", "give me an inventory report", "--json"])
    assert json.loads(shown.stdout)["files"] == [str(report.resolve())]


def test_an_answer_that_reports_a_failed_tool_exits_non_zero(catalog):
    catalog.register("users", pd.DataFrame({"user_id": [1, 2], "country": ["FR", "DE"]}), kind="users",
                     source="users.csv", fmt="csv")
    result = CliRunner().invoke(app, ["ask", "--offline", "SELECT nope FROM users"])
    assert result.exit_code == 1 and "No column named 'nope'" in result.stdout
    assert CliRunner().invoke(app, ["ask", "--offline", "how many users are there?"]).exit_code == 0
