"""Offline mode end to end: real tools on sample data, templated answers that say they are offline."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.agent.offline import OFFLINE_NOTE
from stocktake.tools.relations import describe_coverage
from stocktake.catalog import Catalog, Workspace
from stocktake.cli.demo_cmds import index_demo_docs, prepare_demo
from stocktake.cli.main import app


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("offline") / "ws")
    prepare_demo(Catalog(ws))
    index_demo_docs(Catalog(ws))
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
    assert "reviews.review_text: free text" in answer.text and "@example.com" not in answer.text


@pytest.mark.parametrize("question, columns", [
    ("what personal data is in users?", ["users.name", "users.email"]),
    ("which columns hold personal data?", ["users.name", "users.email", "reviews.review_text"]),
    ("does the custmers table have emails?", ["users.email"]),
])
def test_pii_answer_lists_personal_columns_first(assistant, question, columns):
    answer = assistant.ask(question)
    assert answer.text.split("\n")[0].endswith("hold personal data:  ")
    assert all(f"- {c}:" in answer.text for c in columns) and "quality scores" not in answer.text


@pytest.mark.parametrize("coverage, orphans, text", [
    (0.9977, 20, "99.8% of values match (20 orphan rows)"),
    (0.99996, 1, ">99.9% of values match (1 orphan row)"),
    (0.9994, 3, "99.9% of values match (3 orphan rows)"),
    (1.0, 0, "100% of values match"),
])
def test_coverage_is_never_rounded_up_to_100_percent_with_orphans(coverage, orphans, text):
    assert describe_coverage(coverage, orphans) == text


def test_join_answer_counts_the_orphans(assistant):
    answer = assistant.ask("how does orders join users?")
    assert "orders.user_id → users.user_id (many-to-one, 99.5% of values match (25 orphan rows))" in answer.text


def test_mostly_empty_answer_says_when_no_column_is(assistant):
    answer = assistant.ask("Which product columns are mostly empty?")
    assert answer.text.startswith("**No products column is mostly empty**; the columns with missing values are "
                                  "description (30 rows, 3.0%)")


def test_null_answer_lists_missing_values_per_column(assistant):
    answer = assistant.ask("which columns have nulls in users")
    assert "country (40 rows, 2.0%)" in answer.text.split("\n")[0]


def test_duplicates_answer_starts_with_the_duplicates(assistant):
    answer = assistant.ask("are there duplicates in orders?")
    assert answer.text.startswith("1 issue of kind duplicates:") and "order_id duplicate_key: 10 rows" in answer.text


def test_a_quality_question_reads_and_opens_no_cleaning_session(assistant):
    from stocktake.tools.clean import list_sessions

    answer = assistant.ask("what is the data quality of the events table")
    assert answer.tool_calls == ({"name": "quality_issues", "args": {"asset": "events"}},)
    assert "quality scores: events:" in answer.text and list_sessions(assistant.ctx.catalog.ws) == []


def test_top_values_answer_counts_the_column(assistant):
    counts = assistant.ctx.catalog.load("products")["category"].value_counts()
    answer = assistant.ask("show me the top 5 categories in products")
    rows = [line for line in answer.text.splitlines() if line.startswith("| ") and "%" in line]
    assert len(rows) == 5 and rows[0].startswith(f"| {counts.index[0]} | {counts.iloc[0]:,} |")


def test_count_answer_puts_the_value_asked_about_first(assistant):
    cancelled = int((assistant.ctx.catalog.load("orders")["status"] == "cancelled").sum())
    answer = assistant.ask("how many orders were cancelled?")
    rows = [line for line in answer.text.splitlines() if line.startswith("| ") and "%" in line]
    assert rows[0].startswith(f"| cancelled | {cancelled:,} |")


def test_a_question_offline_cannot_compute_is_refused(assistant):
    answer = assistant.ask("which users bought the most")
    assert "couldn't map" in answer.text and answer.tool_calls == ()


@pytest.mark.parametrize("question, first", [
    ("Where are the click logs?", "asset **events**"),
    ("what does events.event_type mean", "`events.event_type`"),
    ("what is the meaning of event_type", "`events.event_type`"),
])
def test_docs_answer_names_the_asset_or_column(assistant, question, first):
    assert assistant.ask(question).text.startswith(f"From the schema docs, {first}")


def test_models_answer_lists_classifiers_and_recommenders(catalog):
    from stocktake.registry import ModelRegistry

    registry = ModelRegistry(catalog.ws)
    for task, algorithm in (("classifier", "bert"), ("recommender", "ease")):
        model_id, _ = registry.new_dir(task, algorithm)
        registry.record(model_id, task=task, algorithm=algorithm, asset="products", asset_version=1,
                        metrics={"score": 0.5}, params={})
    answer = Assistant(ToolContext(catalog)).ask("what models are trained?")
    assert "2 models" in answer.text and "classifier bert on products" in answer.text
    assert "recommender ease on products" in answer.text


def test_an_empty_question_is_a_one_line_error(sample_ws):
    result = CliRunner().invoke(app, ["--workspace", str(sample_ws.root), "ask", "", "--offline"])
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "empty" in result.output.lower()
    assert result.output.count("\n") == 1


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
