"""Offline mode end to end: real tools on sample data, templated answers that say they are offline."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.agent.offline import OFFLINE_NOTE
from stocktake.catalog import Catalog, Workspace
from stocktake.cli.demo_cmds import prepare_demo
from stocktake.cli.main import app


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("offline") / "ws")
    prepare_demo(Catalog(ws))
    return ws


@pytest.fixture(scope="module")
def assistant(sample_ws):
    return Assistant(ToolContext(Catalog(sample_ws)))


def test_size_answer_has_the_real_row_count(assistant):
    rows = assistant.ctx.catalog.get("orders").rows
    answer = assistant.ask("how many rows does orders have?")
    assert f"{rows:,} rows" in answer.text and OFFLINE_NOTE in answer.text
    assert answer.tool_calls == ({"name": "describe_asset", "args": {"asset": "orders"}},)


def test_pii_answer_points_at_the_review_text(assistant):
    answer = assistant.ask("where is PII?")
    assert "reviews.review_text pii" in answer.text and "@example.com" not in answer.text


def test_join_answer_names_the_key(assistant):
    answer = assistant.ask("how does order_items join products?")
    assert "order_items.product_id → products.product_id" in answer.text


def test_time_range_answer_names_the_column(assistant):
    answer = assistant.ask("what period do the events cover?")
    assert "covers **2023-" in answer.text and "event_time" in answer.text


def test_unmapped_question_gets_an_honest_list_of_what_works(assistant):
    answer = assistant.ask("write me a poem about cats")
    assert "couldn't map" in answer.text and "how does order_items join products?" in answer.text
    assert answer.tool_calls == ()


def test_ask_json_offline_through_the_cli(sample_ws):
    result = CliRunner().invoke(app, ["--workspace", str(sample_ws.root), "ask", "which assets exist?", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["mode"] == "offline" and payload["tool_calls"] == [{"name": "list_assets", "args": {}}]
    assert "6 assets" in payload["answer"]


def test_offline_training_waits_for_confirmation(catalog):
    import pandas as pd

    from stocktake.agent.events import ConfirmationNeeded
    from stocktake.registry import ModelRegistry

    rows = [(u, i, "view") for u in range(30) for i in range(u % 7, u % 7 + 6)]
    catalog.register("events", pd.DataFrame(rows, columns=["user_id", "product_id", "event_type"]),
                     kind="events", source="test", fmt="csv")
    assistant = Assistant(ToolContext(catalog))
    events = list(assistant.stream("train a recommender on events", "t"))
    assert isinstance(events[0], ConfirmationNeeded) and ModelRegistry(catalog.ws).list() == []
    declined = list(assistant.resume("t", approve=False))
    assert "nothing was changed" in declined[-1].text and ModelRegistry(catalog.ws).list() == []
    list(assistant.stream("train a recommender on events", "t"))
    approved = list(assistant.resume("t", approve=True))
    assert "Best:" in approved[-1].text
    assert {m.algorithm for m in ModelRegistry(catalog.ws).list()} == {"pop", "itemknn", "ease", "als"}


def test_chat_repl_answers_until_exit(sample_ws):
    result = CliRunner().invoke(app, ["--workspace", str(sample_ws.root), "chat", "--offline"],
                                input="which assets exist?\nexit\n")
    assert result.exit_code == 0, result.output
    assert "6 assets" in result.output and "offline mode" in result.output


def test_inventory_report_is_written_and_summarised(assistant):
    answer = assistant.ask("give me an inventory report")
    [path] = [w.strip(".") for w in answer.text.split() if w.endswith(".html") or w.endswith(".html.")]
    html = open(path, encoding="utf-8").read()
    assert all(name in html for name in assistant.ctx.catalog.names())
    assert "reviews (reviews): 3,000 rows" in answer.text and "PII: review_text" in answer.text
