"""Offline mode end to end: real tools on sample data, templated answers that say they are offline."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.agent.offline import OFFLINE_NOTE
from stocktake.agent.tools.clean import conversation
from stocktake.tools.profile import describe_coverage
from stocktake.usecases.cleaning import conversation_session
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


def test_a_place_asked_for_that_nothing_is_named_for_is_said_so_with_where_such_data_is(catalog):
    catalog.register("customers", pd.DataFrame({"customer_id": ["c1", "c2"], "city": ["Porto", "Ghent"]}),
                     kind="users", source="t", fmt="csv")
    messages = ["Great product, it arrived early. Mail me at ann@example.com about the next one!",
                "The box was damaged but the lamp itself works fine and looks good on my desk.",
                "Wrong colour was sent. Call me back on +44 20 7946 0958 to sort out the return.",
                "Very happy with the quality for this price, would order again from this seller."] * 5
    catalog.register("reviews", pd.DataFrame({"review_id": range(20), "message": messages}),
                     kind="reviews", source="t", fmt="csv")
    text = Assistant(ToolContext(catalog)).ask("where are the customer emails?").text
    assert "No asset or column is named for “emails”; the closest match is" in text
    assert "Personal data found in `reviews.message` (10 rows)" in text and "ann@example.com" not in text


def test_a_place_every_word_names_is_given_plainly(assistant):
    text = assistant.ask("where are the user emails?").text
    assert text.startswith("That is in `users.email`.")


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
    assert answer.text.startswith("1 relationship:")


def orphan_rows(catalog, child: str, column: str, parent: str) -> int:
    import duckdb

    return duckdb.sql(f"SELECT COUNT(*) FROM read_parquet('{catalog.path(child)}') WHERE {column} IS NOT NULL AND "
                      f"{column} NOT IN (SELECT {column} FROM read_parquet('{catalog.path(parent)}'))").fetchall()[0][0]


@pytest.mark.parametrize("question", ["How many orders have no matching user?",
                                      "which orders reference users that don't exist?"])
def test_orphan_answer_leads_with_the_rows_whose_user_does_not_exist(assistant, question):
    orphans = orphan_rows(assistant.ctx.catalog, "orders", "user_id", "users")
    answer = assistant.ask(question)
    assert answer.tool_calls == ({"name": "find_relationships", "args": {"asset": "orders", "other": "users"}},)
    assert answer.text.startswith(f"**{orphans:,} rows of orders** have a user_id with no match in users")


@pytest.mark.parametrize("question", ["What are the value counts of event_type in events?",
                                      "how often does each event_type occur in events?"])
def test_value_counts_answer_counts_every_value(assistant, question):
    counts = assistant.ctx.catalog.load("events")["event_type"].value_counts()
    rows = [line for line in assistant.ask(question).text.splitlines() if line.startswith("| ") and "%" in line]
    assert sorted(r.split(" | ")[:2] for r in rows) == sorted([f"| {v}", f"{n:,}"] for v, n in counts.items())


def test_distinct_count_answer_counts_the_users_who_placed_orders(assistant):
    orders = assistant.ctx.catalog.load("orders")
    answer = assistant.ask("How many distinct users placed orders?")
    assert answer.text.startswith(f"**{orders['user_id'].nunique():,}** distinct user_id")
    assert answer.table["rows"] == [[orders["user_id"].nunique()]] and '"orders"' in answer.sql


def test_biggest_tables_answer_sorts_by_rows(assistant):
    by_size = sorted(assistant.ctx.catalog.list_assets(), key=lambda a: -a.rows)
    answer = assistant.ask("Which tables are the biggest?")
    listed = [line.split(" | ")[0].removeprefix("| ") for line in answer.text.splitlines()
              if line.startswith("| ") and not line.startswith("| asset")]
    assert listed == [a.name for a in by_size]
    assert answer.text.startswith(f"**{by_size[0].name}** is the biggest asset, with **{by_size[0].rows:,} rows**")


def test_recommending_for_a_user_uses_the_trained_recommender_and_trains_nothing(catalog):
    import pandas as pd

    from stocktake.registry import ModelRegistry
    from stocktake.tools.recommend import RecommendSpec, train_recommenders

    rows = [(u, i, "view") for u in range(30) for i in range(u % 7, u % 7 + 6)]
    events = pd.DataFrame(rows, columns=["user_id", "product_id", "event_type"])
    catalog.register("events", events, kind="events", source="test", fmt="csv")
    catalog.register("products", pd.DataFrame({"product_id": range(13)}), kind="products", source="test", fmt="csv")
    registry = ModelRegistry(catalog.ws)
    train_recommenders(events, RecommendSpec(user="user_id", item="product_id", models=("pop",)), registry,
                       asset="events", asset_version=1)
    [model] = registry.list()
    answer = Assistant(ToolContext(catalog)).ask("recommend products for user 3")
    assert answer.tool_calls == ({"name": "recommend_for_user", "args": {"user": "3"}},)
    assert answer.text.startswith("Top ") and f" for user 3 (model {model.id}):" in answer.text.split("\n")[0]
    assert [m.id for m in registry.list()] == [model.id]


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

    before = list_sessions(assistant.ctx.catalog.ws)
    answer = assistant.ask("what is the data quality of the events table")
    assert answer.tool_calls == ({"name": "quality_issues", "args": {"asset": "events"}},)
    assert "quality scores: events:" in answer.text and list_sessions(assistant.ctx.catalog.ws) == before


def test_top_values_answer_counts_the_column(assistant):
    counts = assistant.ctx.catalog.load("products")["category"].value_counts()
    answer = assistant.ask("show me the top 5 categories in products")
    rows = [line for line in answer.text.splitlines() if line.startswith("| ") and "%" in line]
    assert rows[0].startswith(f"| {counts.index[0]} | {counts.iloc[0]:,} |")
    assert len(rows) == (counts >= counts.iloc[4]).sum()  # the fifth place and every category tied with it


def test_count_answer_counts_the_rows_with_the_value_asked_about(assistant):
    cancelled = int((assistant.ctx.catalog.load("orders")["status"] == "cancelled").sum())
    answer = assistant.ask("how many orders were cancelled?")
    assert answer.text.startswith(f"**{cancelled:,}** count") and answer.table["rows"] == [[cancelled]]
    assert "status is 'cancelled'" in answer.reading


def test_a_count_names_its_table_once(assistant):
    assert assistant.ask("how many orders are there").reading == "I read this as the number of orders rows."


def test_what_a_word_was_read_as_is_a_sentence_of_its_own_before_the_reading(assistant):
    text = assistant.ask("total revenue by category").text
    said = next(line for line in text.splitlines() if "I read this as" in line)
    assert re.search(r"I read [\w ]+ as [^.]+\. I read this as", said), said


def test_a_question_that_needs_a_join_and_a_ranking_is_computed(assistant):
    items, orders = assistant.ctx.catalog.load("order_items"), assistant.ctx.catalog.load("orders")
    bought = items.merge(orders.drop_duplicates(), on="order_id").groupby("user_id")["quantity"].sum()
    answer = assistant.ask("which users bought the most")
    assert answer.status == "answered" and answer.table["rows"][0] == [bought.idxmax(), bought.max()]


@pytest.mark.parametrize("question, first", [
    ("Where are the click logs?", "asset **events**"),
    ("what does events.event_type mean", "`events.event_type`"),
    ("what is the meaning of event_type", "`events.event_type`"),
])
def test_docs_answer_names_the_asset_or_column(assistant, question, first):
    answer = assistant.ask(question)
    assert answer.text.startswith(f"That is in {first}") and "\n> " in answer.text  # and what the docs say


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


# ---- cleaning in the chat: one session per conversation, every step reachable, changes confirmed ----------------
@pytest.fixture(scope="module")
def cleaner(tmp_path_factory):
    """An assistant over a workspace of its own: these tests start sessions and save versions."""
    ws = Workspace(tmp_path_factory.mktemp("cleaning") / "ws")
    prepare_demo(Catalog(ws))
    return Assistant(ToolContext(Catalog(ws)))


def events_of(assistant, question, thread):
    from stocktake.agent.events import Answer, ConfirmationNeeded

    events = list(assistant.stream(question, thread))
    return [e for e in events if isinstance(e, ConfirmationNeeded)], next(e for e in events if isinstance(e, Answer))


def test_a_conversation_never_sees_another_conversations_session(cleaner):
    started = cleaner.ask("clean orders", "tab-a")
    session_id = started.text.split()[1]
    answer = cleaner.ask("next step", "tab-b")
    assert answer.text.startswith("No cleaning session is open in this conversation")
    assert "fill missing payment_method" not in answer.text and session_id not in answer.text
    assert cleaner.ask("next step", "tab-a").text.startswith("s1 (proposed) fill_missing")


def test_a_conversation_cannot_use_another_conversations_session_by_its_id(cleaner):
    session_id = cleaner.ask("clean products", "tab-c").text.split()[1]
    refused = cleaner.ask(f"continue {session_id}", "tab-d")
    assert refused.tool_calls == ({"name": "next_cleaning_step", "args": {"session_id": session_id}},)
    assert refused.text.startswith(f"Session {session_id} belongs to another conversation")
    assert cleaner.ask("next step", "tab-d").text.startswith("No cleaning session is open in this conversation")


@pytest.mark.parametrize("question", ["accept s1", "accept the first step", "next step", "finish cleaning and save",
                                      "undo the last step", "discard the cleaning session"])
def test_without_a_session_the_answer_says_how_to_start_one_in_words(question, catalog):
    prepare_demo(catalog)
    confirm, answer = events_of(Assistant(ToolContext(catalog)), question, "fresh")
    assert confirm == [] and answer.text.startswith(
        "No cleaning session is open in this conversation: say 'start cleaning ")
    assert "start_cleaning(" not in answer.text and "Error" not in answer.text


def test_start_accept_and_finish_in_the_chat_with_confirmations(cleaner):
    from stocktake.tools.clean import list_sessions

    catalog = cleaner.ctx.catalog
    version, rows = catalog.get("users").version, catalog.get("users").rows
    started = cleaner.ask("start cleaning users", "tab-e")
    assert started.tool_calls[0]["name"] == "start_cleaning"
    session_id = started.text.split()[1]
    assert any(s["id"] == session_id and s["asset"] == "users" for s in list_sessions(catalog.ws))
    confirm, applied = events_of(cleaner, "accept the first step", "tab-e")  # undo takes it back: no question
    assert confirm == [] and applied.tool_calls == ({"name": "apply_cleaning_step", "args": {"step_id": "s1"}},)
    assert applied.text.startswith("Applied s1 (accepted) drop_duplicates") and catalog.get("users").version == version
    confirm, answer = events_of(cleaner, "finish cleaning and save", "tab-e")
    question = f"Save users as version {version + 1} with 1 cleaning step applied?"
    assert confirm[0].actions[0]["name"] == "finish_cleaning" and confirm[0].actions[0]["description"] == question
    assert answer.text.startswith(question) and catalog.get("users").version == version
    saved = list(cleaner.resume("tab-e", approve=True))[-1]
    assert saved.text.startswith(f"Saved users as version {version + 1}.") and "'mode'" not in saved.text
    assert catalog.get("users").version == version + 1
    assert catalog.get("users").rows == rows - 15  # the exact duplicates are gone


def test_undo_and_redo_take_a_step_out_of_the_table_and_put_it_back(catalog):
    prepare_demo(catalog)
    cleaner = Assistant(ToolContext(catalog))
    cleaner.ask("start cleaning users", "tab-redo")
    base = cleaner.ctx.catalog.get("users").rows
    cleaner.ask("accept s1", "tab-redo", approve=True)
    undone = cleaner.ask("undo", "tab-redo")
    assert undone.text.startswith("Undid s1 (proposed) drop_duplicates") and f"now has {base:,} rows" in undone.text
    redone = cleaner.ask("redo the last step", "tab-redo")
    assert redone.tool_calls == ({"name": "redo_cleaning_step", "args": {}},)
    assert redone.text.startswith("Redid s1 (accepted) drop_duplicates")
    assert f"now has {base - 15:,} rows" in redone.text  # the 15 exact duplicates are out again
    assert cleaner.ask("redo", "tab-redo").text.startswith("Nothing to redo in session")


def test_step_messages_read_as_plain_sentences(cleaner):
    texts = [cleaner.ask(q, "tab-prose", approve=True).text for q in
             ("clean products", "accept s1", "reject s2", "undo", "next step")]
    prose = "\n".join(t.split("Code:")[0] for t in texts)
    assert "(1 row)" in texts[0] and "1 rows" not in prose and "n/a" not in prose
    assert ".." not in prose.replace("...", "") and "  " not in prose.replace("  \n", "\n")
    assert "[proposed]" not in prose and "[accepted]" not in prose


def test_discarding_is_confirmed_in_words_that_say_the_asset_stays(cleaner):
    session_id = cleaner.ask("clean orders", "tab-discard").text.split()[1]
    cleaner.ask("accept s1", "tab-discard")
    confirm, answer = events_of(cleaner, "discard the cleaning session", "tab-discard")
    assert confirm[0].actions[0]["description"] == (f"Discard cleaning session {session_id} on orders? Its 1 accepted "
                                                    "step will be dropped; orders stays as it is.")
    # still open until confirmed
    assert conversation_session(cleaner.ctx, conversation(cleaner.ctx, "tab-discard")).id == session_id


def test_finishing_with_nothing_accepted_says_so_and_writes_nothing(cleaner):
    cleaner.ask("clean reviews", "tab-f")
    version = cleaner.ctx.catalog.get("reviews").version
    confirm, answer = events_of(cleaner, "finish cleaning and save", "tab-f")  # said before any question
    assert confirm == [] and answer.status == "error"
    assert "has no accepted steps" in answer.text and "stocktake clean" not in answer.text
    assert cleaner.ctx.catalog.get("reviews").version == version


# ---- SQL typed into the chat -----------------------------------------------------------------------------------
def test_a_typed_select_runs_as_typed(assistant):
    query = "select count(*) from orders where status='cancelled'"
    cancelled = int((assistant.ctx.catalog.load("orders")["status"] == "cancelled").sum())
    answer = assistant.ask(query)
    assert answer.tool_calls == ({"name": "run_sql", "args": {"query": query}},)
    assert f"| {cancelled} |" in answer.text


@pytest.mark.parametrize("question, rows", [("SELECT * FROM users LIMIT 5", 5),
                                            ("show me the first 5 rows of orders", 5),
                                            ("show 3 rows of products", 3)])
def test_asking_for_rows_shows_that_many_rows(assistant, question, rows):
    lines = [line for line in assistant.ask(question).text.splitlines() if line.startswith("| ")]
    assert len(lines) == rows + 1  # the header and the rows


@pytest.mark.parametrize("statement", ["delete from orders", "DROP TABLE users", "update orders set status = 'x'"])
def test_a_statement_that_changes_data_is_refused_in_words(assistant, statement):
    before = assistant.ctx.catalog.get("orders")
    answer = assistant.ask(statement)
    assert answer.text.startswith("Refused:") and "only read-only SELECT" in answer.text
    assert assistant.ctx.catalog.get("orders") == before


# ---- personal data is masked by column, wherever the tools show values ------------------------------------------
def full_names(catalog) -> set[str]:
    return set(catalog.load("users")["name"].dropna())


@pytest.mark.parametrize("question", ["what quality issues does users have?", "SELECT name, email FROM users",
                                      "show me the first 5 rows of users", "are there duplicates in users?"])
def test_names_of_people_never_reach_an_answer(assistant, question):
    from stocktake.agent.events import ToolFinished

    names = full_names(assistant.ctx.catalog)
    events = list(assistant.stream(question, "pii"))
    [finished] = [e for e in events if isinstance(e, ToolFinished)]
    shown = events[-1].text + finished.content + json.dumps(finished.artifact, default=str)
    assert finished.ok and not [n for n in names if n in shown]
    assert "@example" not in shown


def test_the_cleaning_preview_masks_names(cleaner):
    from stocktake.agent.events import ToolFinished

    names = full_names(cleaner.ctx.catalog)
    cleaner.ask("start cleaning users", "tab-pii")
    for step in ("s1", "s2", "s3"):
        cleaner.ask(f"reject {step}", "tab-pii")
    [shown] = [e for e in cleaner.stream("next step", "tab-pii") if isinstance(e, ToolFinished)]
    preview = shown.artifact["step"]["preview"]["before"]
    assert shown.content.startswith("s4 (proposed) mask_pii") and all("***" in row["name"] for row in preview)
    assert not [n for n in names if n in shown.content + json.dumps(shown.artifact, default=str)]


def test_masking_can_be_turned_off(sample_ws, monkeypatch):
    from stocktake.settings import Settings

    monkeypatch.setenv("STOCKTAKE_MASK_PII", "0")
    assistant = Assistant(ToolContext(Catalog(sample_ws), Settings()))
    answer = assistant.ask("SELECT name FROM users ORDER BY user_id LIMIT 1")
    first = assistant.ctx.catalog.load("users").sort_values("user_id")["name"].iloc[0]
    assert first in answer.text


# ---- the chat shows one consistent reading of a result, once ----------------------------------------------------
def test_the_chat_table_and_the_answer_agree_and_do_not_repeat_each_other(assistant):
    from stocktake.serve.chat import chat_messages

    [turn] = list(chat_messages(assistant.stream("how do orders join users?", "rel")))[-1:]
    table, answer = [m["content"] for m in turn.messages if not m.get("metadata")]
    assert "| orders.user_id | users.user_id | many-to-one | 99.5% of values match (25 orphan rows) |" in table
    assert answer.startswith("1 relationship (see the table above).") and "orders.user_id" not in answer


def test_the_orphan_summary_agrees_with_the_relationships_under_it(assistant):
    items, products = assistant.ctx.catalog.load("order_items"), assistant.ctx.catalog.load("products")
    orphans = int((~items["product_id"].isin(products["product_id"])).sum())
    answer = assistant.ask("are there orphan order_items?")
    assert f"**{orphans:,} rows of order_items** have a product_id with no match in products" in answer.text
    assert "Every" not in answer.text.split("\n\n")[0]


def test_a_lookup_shows_every_column_the_word_fits_alike(tmp_path):
    catalog = Catalog(Workspace(tmp_path / "ws", create=True))
    frame = pd.DataFrame({"pid": ["P1", "P2", "P3"], "retail_price": [1899, 500, 20], "discounted_price": [899, 450, 20]})
    catalog.register("offers", frame, kind="products", source="test", fmt="csv")
    answer = Assistant(ToolContext(catalog)).ask("price of pid P1")
    assert answer.table["columns"] == ["pid", "retail_price", "discounted_price"]
    assert answer.table["rows"] == [["P1", 1899, 899]]


def test_a_ranking_where_every_group_ties_says_none_comes_first():
    from stocktake.agent.templates import render_answer

    art = {"columns": ["seller_id", "states"], "rows": [[f"s{i}", 1] for i in range(6)], "labels": ["seller_id"],
           "measures": ["states"], "plan": {"limit": 1}}
    assert render_answer("data", {}, "", art).startswith("**All 6 groups tie** with states **1**: none comes first")
    art["rows"][0][1] = 2
    assert render_answer("data", {}, "", art).startswith("6 groups; first: **s0** with states **2**")
