"""End to end through langchain-openai against a real local OpenAI-compatible server (as vLLM would be)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from stocktake.agent.assistant import connect_assistant
from stocktake.agent.context import ToolContext
from stocktake.agent.events import TextDelta, ToolFinished
from stocktake.agent.llm import check_tool_calling, probe_endpoint
from stocktake.settings import LLMSettings, Settings
from tests.openai_stub import OpenAIStub


@pytest.fixture
def ctx(catalog):
    catalog.register("orders", pd.DataFrame({"order_id": [1, 2, 3], "status": ["paid", "sent", "paid"]}),
                     kind="orders", source="test", fmt="csv")
    return catalog


def settings_for(stub) -> Settings:
    return Settings(llm=LLMSettings(base_url=stub.base_url, model="stub-model"))


def test_streamed_tool_call_runs_the_tool_and_streams_the_answer(ctx):
    sql = "SELECT status, COUNT(*) AS n FROM orders GROUP BY 1 ORDER BY 1"
    with OpenAIStub([("run_sql", {"query": sql}), "Two orders are paid and one was sent."]) as stub:
        assistant = connect_assistant(ToolContext(ctx, settings_for(stub)))
        events = list(assistant.stream("how many orders per status?", "t"))
    assert assistant.mode == "llm" and assistant.model_name == "stub-model"
    [finished] = [e for e in events if isinstance(e, ToolFinished)]
    assert finished.artifact["rows"] == [["paid", 2], ["sent", 1]]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Two orders are paid and one was sent."
    assert events[-1].tool_calls == ({"name": "run_sql", "args": {"query": sql}},)
    first, second = stub.requests
    tools = {t["function"]["name"]: t["function"] for t in first["tools"]}
    assert "query" in tools["run_sql"]["parameters"]["properties"]
    assert "orders [orders, 3 rows]: order_id (integer), status (string)" in first["messages"][0]["content"]
    tool_message = second["messages"][-1]
    assert tool_message["role"] == "tool" and '"paid" | 2' in tool_message["content"]


def test_no_endpoint_means_offline_mode(ctx):
    assistant = connect_assistant(ToolContext(ctx, Settings(llm=LLMSettings(base_url="http://127.0.0.1:9/v1"))))
    assert (assistant.mode, assistant.model_name) == ("offline", "offline mode")


def test_llm_check_reports_a_working_tool_call():
    with OpenAIStub([("count_rows", {"asset": "orders"})]) as stub:
        settings = LLMSettings(base_url=stub.base_url, model="stub-model")
        assert probe_endpoint(settings).models == ("stub-model",)
        ok, detail = check_tool_calling(settings)
    assert ok and "count_rows" in detail


def test_llm_check_says_when_the_model_does_not_call_tools():
    with OpenAIStub(["I don't use tools."]) as stub:
        ok, detail = check_tool_calling(LLMSettings(base_url=stub.base_url, model="stub-model"))
    assert not ok and "without calling the tool" in detail


def test_ask_json_through_the_cli(ctx, monkeypatch):
    from typer.testing import CliRunner

    from stocktake.cli.main import app

    with OpenAIStub([("list_assets", {}), "One asset: orders."]) as stub:
        monkeypatch.setenv("STOCKTAKE_LLM_BASE_URL", stub.base_url)
        monkeypatch.setenv("STOCKTAKE_LLM_MODEL", "stub-model")
        result = CliRunner().invoke(app, ["--workspace", str(ctx.ws.root), "ask", "what is there?", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert {k: answer[k] for k in ("answer", "mode", "tool_calls", "status")} == {
        "answer": "One asset: orders.", "mode": "llm", "tool_calls": [{"name": "list_assets", "args": {}}],
        "status": "answered"}
