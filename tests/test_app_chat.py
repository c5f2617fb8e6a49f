"""Assistant events → chat messages: the pure generator behind the chat tab, and its inline tables."""

from __future__ import annotations

import pytest

from stocktake.agent.events import Answer, ConfirmationNeeded, TextDelta, ToolFinished, ToolStarted
from stocktake.errors import StocktakeError
from stocktake.serve.chat import ChatSettings, artifact_tables, chat_messages, markdown_table, mark_stopped

SQL = {"sql": "SELECT status, COUNT(*) n FROM orders GROUP BY 1", "columns": ["status", "n"],
       "rows": [["paid", 10], ["refunded", 2]], "truncated": False, "seconds": 0.01}
ACTION = {"name": "describe_asset_purpose", "args": {"asset": "orders", "description": "x"}, "description": "..."}


def last(events, visuals=None):
    turns = list(chat_messages(events, visuals or (lambda name, artifact: [])))
    return turns[-1]


def shape(messages):
    """Each message as (title or None, status or None, first line of its text)."""
    return [((m.get("metadata") or {}).get("title"), (m.get("metadata") or {}).get("status"),
             str(m["content"]).splitlines()[0] if m["content"] else "") for m in messages]


@pytest.mark.parametrize("events, expected", [
    ([ToolStarted("c1", "run_sql", {"query": "SELECT 1"})],
     [("🔧 run_sql", "pending", "Arguments:")]),
    ([ToolStarted("c1", "list_assets", {}), ToolFinished("c1", "list_assets", "2 assets", {}, 0.5)],
     [("🔧 list_assets", "done", "No arguments.")]),
    ([ToolStarted("c1", "describe_asset", {"asset": "x"}),
      ToolFinished("c1", "describe_asset", "Error: No asset named 'x'.", {"error": "x"}, 0.1, ok=False)],
     [("⚠️ describe_asset failed", "done", "Arguments:")]),
    ([TextDelta("Hel"), TextDelta("lo"), Answer("Hello", "llm")],
     [(None, None, "Hello")]),
    ([Answer("Offline answer", "offline")],
     [(None, None, "Offline answer")]),
    ([TextDelta("partial"), Answer("The final word", "llm")],
     [(None, None, "The final word")]),
    ([Answer("", "llm")], []),
    ([TextDelta("Let me look."), ToolStarted("c1", "list_assets", {}),
      ToolFinished("c1", "list_assets", "none", {}, 0.2), TextDelta("None yet."), Answer("None yet.", "llm")],
     [(None, None, "Let me look."), ("🔧 list_assets", "done", "No arguments."), (None, None, "None yet.")]),
    ([ConfirmationNeeded((ACTION,)), Answer("This needs your confirmation: ...", "llm")],
     [(None, None, "✋ **This changes data and needs your confirmation.**")]),
], ids=["started", "finished", "failed", "streamed", "offline", "answer-replaces-stream", "empty-answer",
        "text-around-a-step", "confirmation"])
def test_events_become_messages(events, expected):
    assert shape(last(events).messages) == expected


def test_a_step_keeps_its_arguments_and_adds_a_short_result_and_duration():
    settings = ChatSettings(result_lines=2)
    events = [ToolStarted("c1", "run_sql", {"query": "SELECT 1"}),
              ToolFinished("c1", "run_sql", "line 1\nline 2\nline 3", SQL, 1.25)]
    [step] = list(chat_messages(events, lambda n, a: [], settings))[-1].messages
    assert '"query": "SELECT 1"' in step["content"]
    assert "line 2" in step["content"] and "line 3" not in step["content"] and "…" in step["content"]
    assert step["metadata"] == {"title": "🔧 run_sql", "id": "c1", "status": "done", "duration": 1.25}


def test_every_event_yields_the_turn_so_far():
    events = [ToolStarted("c1", "list_assets", {}), ToolFinished("c1", "list_assets", "x", {}, 0.1),
              Answer("done", "offline")]
    counts = [len(turn.messages) for turn in chat_messages(events, lambda n, a: [])]
    assert counts == [1, 1, 2]


def test_visuals_follow_a_successful_step_only():
    visuals = lambda name, artifact: [f"table of {name}"]  # noqa: E731
    ok = last([ToolStarted("a", "run_sql", {}), ToolFinished("a", "run_sql", "2 rows", SQL, 0.1)], visuals)
    failed = last([ToolStarted("a", "run_sql", {}), ToolFinished("a", "run_sql", "Error: bad", {}, 0.1, ok=False)],
                  visuals)
    assert [m["content"] for m in ok.messages[1:]] == ["table of run_sql"]
    assert len(failed.messages) == 1


def test_a_confirmation_request_is_handed_to_the_page_in_plain_words():
    asked = {"name": "finish_cleaning", "args": {"step_id": "s1"},
             "description": "Save products as version 2 with 3 cleaning steps applied?"}
    turn = last([ConfirmationNeeded((asked,)), Answer("needs confirmation", "offline")])
    assert turn.confirm == (asked,)
    shown = turn.messages[0]["content"]
    assert "- Save products as version 2 with 3 cleaning steps applied?" in shown
    assert "finish_cleaning" not in shown and "step_id" not in shown


@pytest.mark.parametrize("error, shown", [
    (StocktakeError("No asset named 'ordrs'. Did you mean: orders?"), "No asset named 'ordrs'. Did you mean: orders?"),
    (ValueError("boom"), "internal error: ValueError: boom"),
])
def test_a_failure_mid_turn_ends_it_with_a_readable_message(error, shown):
    def events():
        yield ToolStarted("c1", "list_assets", {})
        raise error

    turn = last(events())
    assert turn.messages[-1]["content"].endswith(shown)
    assert "Traceback" not in turn.messages[-1]["content"] and turn.confirm == ()


def test_sql_results_become_a_markdown_table():
    [table] = artifact_tables("run_sql", SQL)
    assert table.splitlines() == ["| status | n |", "|---|---|", "| paid | 10 |", "| refunded | 2 |"]


@pytest.mark.parametrize("name, artifact", [
    ("run_sql", {"error": "only SELECT"}), ("describe_asset", {"asset": {}}), ("run_sql", "text"),
    ("run_sql", {**SQL, "rows": []}),
])
def test_no_table_where_there_is_nothing_tabular(name, artifact):
    assert artifact_tables(name, artifact) == []


@pytest.mark.parametrize("value, cell", [
    (None, "∅"), ("a|b", "a\\|b"), ("two\nlines", "two lines"), (1234567, "1,234,567"), (0.123456, "0.1235"),
    ("x" * 80, "x" * 59 + "…"), (True, "True"),
])
def test_table_cells_are_escaped_and_shortened(value, cell):
    assert markdown_table(["v"], [[value]]).splitlines()[2] == f"| {cell} |"


def test_long_tables_say_how_much_is_shown():
    table = markdown_table(["n"], [[i] for i in range(30)], ChatSettings(table_rows=5))
    assert table.count("\n| ") == 5 and table.endswith("_5 of 30 rows shown._")


def test_quality_issues_and_relationships_render_as_tables():
    issue = {"severity": "high", "asset": "orders", "column": None, "kind": "duplicate_rows", "rows": 3,
             "message": "3 rows are copies", "examples": []}
    relation = {"from_asset": "orders", "from_column": "user_id", "to_asset": "users", "to_column": "user_id",
                "cardinality": "1:n", "coverage": 0.98, "orphan_rows": 20}
    [issues] = artifact_tables("quality_issues", {"issues": [issue], "quality_scores": {}})
    [relations] = artifact_tables("find_relationships", {"relations": [relation]})
    assert issues.splitlines()[2] == "| high | orders | * | duplicate_rows | 3 | 3 rows are copies |"
    assert relations.splitlines()[2] == ("| orders.user_id | users.user_id | many-to-one | "
                                         "98.0% of values match (20 orphan rows) |")


def test_trained_recommenders_are_tabled_with_their_metrics():
    art = {"models": [{"name": "als", "metrics": {"ndcg@10": 0.046, "recall@10": 0.076}, "model_id": "rec-als-1"},
                      {"name": "pop", "metrics": {"ndcg@10": 0.008, "recall@10": 0.013}, "model_id": "rec-pop-2"}],
           "primary_metric": "ndcg@10"}
    [table] = artifact_tables("train_recommenders", art)
    assert table.splitlines() == ["| model | ndcg@10 | recall@10 | id |", "|---|---|---|---|",
                                  "| als | 0.0460 | 0.0760 | rec-als-1 |", "| pop | 0.0080 | 0.0130 | rec-pop-2 |"]


# ---- Stop -----------------------------------------------------------------------------------------------
STOPPED = (None, None, "⏹ _(stopped)_")


def test_closing_a_turn_closes_the_assistant_stream_at_once():
    closed = []

    def stream():
        try:
            yield TextDelta("The orders")
            yield TextDelta(" table has")
        finally:
            closed.append(True)

    events = stream()  # still referenced here, as the page's handler holds it
    turns = chat_messages(events, lambda n, a: [])
    next(turns)
    turns.close()
    assert closed == [True]


@pytest.mark.parametrize("history, expected", [
    ([{"role": "user", "content": "q"}, {"role": "assistant", "content": "The orders table has 1,2"}],
     [(None, None, "q"), (None, None, "The orders table has 1,2"), STOPPED]),
    ([{"role": "assistant", "content": "Arguments:", "metadata": {"title": "🔧 run_sql", "id": "c1",
                                                                   "status": "pending"}}],
     [("🔧 run_sql", "done", "Arguments:"), STOPPED]),
    ([], [STOPPED]),
], ids=["partial-text", "running-step", "nothing-yet"])
def test_stop_keeps_what_was_shown_and_ends_the_turn_with_a_marker(history, expected):
    assert shape(mark_stopped(history)) == expected


def test_stop_works_on_the_history_as_the_chat_box_hands_it_back():
    """Gradio hands back normalised messages: content as a list of parts, metadata None or a dict."""
    normalised = [{"role": "user", "metadata": None, "content": [{"text": "q", "type": "text"}], "options": None},
                  {"role": "assistant", "metadata": {"title": "🔧 x", "id": "c1", "status": "pending"},
                   "content": [{"text": "Arguments:", "type": "text"}], "options": None}]
    stopped = mark_stopped(normalised)
    assert stopped[0] == normalised[0] and stopped[1]["content"] == normalised[1]["content"]
    assert stopped[1]["metadata"] == {"title": "🔧 x", "id": "c1", "status": "done", "log": "stopped"}
    assert stopped[2] == {"role": "assistant", "content": "⏹ _(stopped)_"}


@pytest.fixture
def agent(catalog):
    """The real assistant over the LangGraph agent, driven by a scripted chat model."""
    import pandas as pd

    from stocktake.agent.assistant import Assistant
    from stocktake.agent.context import ToolContext
    from tests.agent_fakes import scripted

    catalog.register("orders", pd.DataFrame({"order_id": [1, 2, 3]}), kind="orders", source="test", fmt="csv")

    def build(*steps):
        return Assistant(ToolContext(catalog), scripted(*steps))
    return build


def test_after_a_stop_mid_answer_the_next_question_is_answered_normally(agent):
    assistant = agent(("list_assets", {}), "There is one asset: orders.")
    turns = chat_messages(assistant.stream("what tables do we have?", "t1"), lambda n, a: [])
    shown = next(turns).messages  # the tool step, still running
    turns.close()
    assert shape(mark_stopped(shown)) == [("🔧 list_assets", "done", "No arguments."), STOPPED]
    answer = last(assistant.stream("what tables do we have, then?", "t1"))
    assert answer.messages == [{"role": "assistant", "content": "There is one asset: orders."}]


def test_a_question_instead_of_a_confirmation_changes_nothing_and_is_answered(agent, catalog):
    """Stop (or a new question) while a change waits for confirmation: the change is dropped, the chat goes on."""
    assistant = agent(("describe_asset_purpose", {"asset": "orders", "description": "x"}), "Orders has 3 rows.")
    assert last(assistant.stream("describe orders as x", "t1")).confirm
    answer = last(assistant.stream("how many rows does orders have?", "t1"))
    assert answer.messages == [{"role": "assistant", "content": "Orders has 3 rows."}] and not answer.confirm
    assert catalog.get("orders").description == ""


@pytest.mark.parametrize("tables, shown", [
    ([], "1 relationship:\n- orders.user_id → users.user_id"),  # no table: the full answer
    (["| from | to |"], "1 relationship (see the table above)."),  # a table: the brief, not the rows again
], ids=["no-table", "table"])
def test_an_answer_under_a_table_does_not_repeat_it(tables, shown):
    events = [ToolStarted("c1", "find_relationships", {}),
              ToolFinished("c1", "find_relationships", "1 relationship:", {"relations": []}, 0.1),
              Answer("1 relationship:\n- orders.user_id → users.user_id", "offline",
                     brief="1 relationship (see the table above).")]
    assert last(events, lambda name, artifact: tables).messages[-1]["content"] == shown


# ---- how numbers and cleaning steps read ----------------------------------------------------------------
def test_sql_results_write_ids_and_years_as_typed_and_counts_with_separators():
    art = {"columns": ["user_id", "year", "orders", "revenue"], "rows": [[100725, 2023, 12000, 1234.5]],
           "truncated": False}
    [table] = artifact_tables("run_sql", art)
    assert table.splitlines()[2] == "| 100725 | 2023 | 12,000 | 1,234.50 |"


def test_the_group_labels_of_a_data_answer_are_never_separated():
    art = {"columns": ["customer", "count", "percent"], "rows": [[100198, 9, 0.1796], [100725, 9, 0.1796]],
           "labels": ["customer"], "measures": ["count", "percent"]}
    [table] = artifact_tables("query_data", art)
    assert table.splitlines()[2:] == ["| 100198 | 9 | 0.2% |", "| 100725 | 9 | 0.2% |"]


def test_a_cleaning_step_shows_its_rows_as_a_table_and_its_code_in_a_code_block():
    step = {"id": "s1", "status": "proposed", "kind": "fill_missing", "what": "fill missing payment_method",
            "why": "30 rows have none.", "rows_affected": 30, "code": "df['payment_method'] = df['pm'].fillna('x')",
            "preview": {"before": [{"_row": 224, "payment_method": None, "order_id": 1000223},
                                   {"_row": 9, "payment_method": None, "order_id": 1000009}],
                        "after": [{"_row": 224, "payment_method": "unknown", "order_id": 1000223}]}}
    [text] = artifact_tables("next_cleaning_step", {"session": "cs-1", "step": step})
    assert text.startswith("s1 (proposed) fill_missing: fill missing payment_method (30 rows). Why: 30 rows")
    assert "| state | row | payment_method | order_id |" in text
    assert "| before | 224 | ∅ | 1000223 |" in text and "| after | 224 | unknown | 1000223 |" in text
    assert "| after | 9 | _(removed)_ |  |" in text
    assert "\n\nCode:\n```python\ndf['payment_method'] = df['pm'].fillna('x')\n```\n\nRows before" in text
    assert "{'_row'" not in text
