"""The web app's endpoints, called through gradio_client against an app launched on loopback."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from stocktake.agent.events import Answer, ConfirmationNeeded, TextDelta, ToolFinished, ToolStarted
from stocktake.catalog import Catalog, Workspace
from stocktake.errors import StocktakeError
from stocktake.serve.app import build_app, launch_app, parse_auth
from stocktake.tools.profile import profile_asset

gradio_client = pytest.importorskip("gradio_client")
AppError = gradio_client.exceptions.AppError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(catalog: Catalog, assistant=None):
    blocks = build_app(catalog, assistant, offline=True)
    return blocks, launch_app(blocks, host="127.0.0.1", port=free_port())


def client(url: str, folder: Path):
    return gradio_client.Client(url, verbose=False, analytics_enabled=False, download_files=str(folder))


def texts(history: list[dict]) -> list[str]:
    return [" ".join(c.get("text", "") for c in m["content"]) for m in history]


def titles(history: list[dict]) -> list[str | None]:
    return [(m.get("metadata") or {}).get("title") for m in history]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The sample data, ingested and profiled, served with the real assistant in offline mode."""
    from stocktake.cli.demo_cmds import prepare_demo

    catalog = Catalog(Workspace(tmp_path_factory.mktemp("app") / "workspace"))
    prepare_demo(catalog)
    blocks, url = serve(catalog)
    yield catalog, url
    blocks.close()


@pytest.mark.slow
def test_a_question_streams_a_tool_step_and_the_offline_answer(demo, tmp_path):
    catalog, url = demo
    history, cleared = client(url, tmp_path).predict("how many rows does orders have?", [], api_name="/respond")
    rows = catalog.get("orders").rows
    assert cleared == ""
    assert titles(history) == [None, "🔧 describe_asset", None]
    assert history[1]["metadata"]["status"] == "done" and history[1]["metadata"]["duration"] >= 0
    assert '"asset": "orders"' in texts(history)[1]
    assert f"**orders** has **{rows:,} rows**" in texts(history)[2] and "offline mode" in texts(history)[2]


@pytest.mark.slow
def test_quality_issues_come_with_an_inline_table_and_chart(demo, tmp_path):
    catalog, url = demo
    history, _ = client(url, tmp_path).predict("What quality issues does users have?", [], api_name="/respond")
    kinds = [m["content"][0].get("component") or m["content"][0]["type"] for m in history]
    assert titles(history)[1] == "🔧 quality_issues"
    assert kinds[2:4] == ["text", "plot"]
    assert texts(history)[2].startswith("| severity | asset | column | issue | rows | detail |")


@pytest.mark.slow
def test_the_inventory_lists_every_asset_with_its_quality(demo, tmp_path):
    catalog, url = demo
    table, dropdown = client(url, tmp_path).predict(None, api_name="/inventory")
    assert table["headers"] == ["asset", "kind", "rows", "columns", "quality", "issues", "last profiled"]
    assert {r[0]: r[2] for r in table["data"]} == {a.name: a.rows for a in catalog.list_assets()}
    assert all(0 <= r[4] <= 100 and r[6] for r in table["data"])
    assert dropdown["value"] == table["data"][0][0]


@pytest.mark.slow
def test_an_asset_shows_its_profile_charts_issues_and_relationships(demo, tmp_path):
    catalog, url = demo
    about, grid, nulls, _, column, chart, stats, issues, _, relations = client(url, tmp_path).predict(
        "orders", api_name="/asset_profile")
    assert f"**Rows**: {catalog.get('orders').rows:,}" in about
    assert [r[0] for r in grid["data"]] == [c.name for c in catalog.get("orders").columns]
    assert nulls["type"] == "matplotlib" and chart["type"] == "matplotlib"
    assert column["value"] in [c[0] for c in column["choices"]]
    assert issues["headers"][:3] == ["severity", "column", "issue"] and issues["data"]
    assert any(r[0] == "orders.user_id" and r[1].startswith("users.") for r in relations["data"])


@pytest.mark.slow
def test_an_issue_picked_in_the_inventory_shows_its_rows(demo, tmp_path):
    catalog, url = demo
    issues = profile_asset(catalog, "orders").issues
    index = next(n for n, i in enumerate(issues) if i.kind == "missing_values")
    words, rows = client(url, tmp_path).predict("orders", index, api_name="/issue_rows")
    assert words.startswith(f"Rows where {issues[index].column} is missing")
    assert rows["headers"][0] == "row" and rows["data"]


@pytest.mark.slow
def test_an_unknown_asset_is_a_readable_error(demo, tmp_path):
    _, url = demo
    with pytest.raises(AppError, match="No asset named 'ordrs'.*orders"):
        client(url, tmp_path).predict("ordrs", api_name="/asset_profile")


@pytest.mark.slow
def test_an_uploaded_file_is_ingested_and_profiled(demo, tmp_path):
    catalog, url = demo
    path = tmp_path / "coupons.csv"
    path.write_text("code,discount\nA10,10\nB20,20\nC5,5\n")
    status, table, dropdown = client(url, tmp_path).predict(
        gradio_client.handle_file(str(path)), "", None, api_name="/ingest")
    assert status.startswith("✅ Ingested **coupons** (3 rows × 2 columns)")
    assert "coupons" in [r[0] for r in table["data"]] and dropdown["value"] == "coupons"
    assert catalog.get("coupons").rows == 3


@pytest.mark.slow
def test_a_file_that_cannot_be_ingested_is_a_readable_message_and_changes_nothing(demo, tmp_path):
    catalog, url = demo
    path = tmp_path / "orders.csv"
    path.write_text("order_id\n1\n")
    status, *_ = client(url, tmp_path).predict(gradio_client.handle_file(str(path)), "", None, api_name="/ingest")
    assert status.startswith("⚠️") and "already exists" in status and "Tick Replace" in status
    assert catalog.get("orders").version == 1


@pytest.mark.slow
def test_the_report_is_previewed_and_downloadable(demo, tmp_path):
    _, url = demo
    preview, download = client(url, tmp_path).predict(["orders", "users"], api_name="/report")
    assert preview.startswith("# Data inventory") and "2 of" in preview
    html = Path(download).read_text()
    assert html.lstrip().lower().startswith("<!doctype html") and "orders" in html


@pytest.mark.slow
def test_a_cleaning_session_accepts_undoes_and_exports(demo, tmp_path):
    catalog, url = demo
    c = client(url, tmp_path)
    status, step, card, before, _, history, *_ = c.predict("users", api_name="/clean_start")
    first = step["value"]
    assert "Step 1 of" in card and first in [s[0] for s in step["choices"]]
    assert all(r[1] == "proposed" for r in history["data"])
    status, *_ = c.predict(first, api_name="/clean_accept")
    assert f"Accepted {first}" in status and "1 step applied" in status
    status, *_ = c.predict(None, api_name="/clean_undo")
    assert f"Undid {first}" in status and "0 steps applied" in status
    script = Path(c.predict(api_name="/clean_script"))
    assert script.suffix == ".py" and "def clean(df)" in script.read_text()


@pytest.mark.slow
def test_docs_are_indexed_and_searched_with_their_source(demo, tmp_path):
    catalog, url = demo
    c = client(url, tmp_path)
    doc = catalog.ws.root / "sample-data" / "docs" / "orders.md"
    status, docs = c.predict([gradio_client.handle_file(str(doc))], api_name="/index_docs")
    assert status.startswith("✅ Indexed 1 file(s)") and docs["data"][0][0].endswith("orders.md")
    hits = c.predict("when was the order placed?", 3, api_name="/search_docs")
    assert hits.startswith("**1. orders.md**") and "order_date" in hits


@pytest.mark.slow
def test_recommenders_are_compared_on_one_metric(demo, tmp_path):
    from stocktake.registry import ModelRegistry

    catalog, url = demo
    registry = ModelRegistry(catalog.ws)
    for algorithm, ndcg in (("als", 0.21), ("popularity", 0.12)):
        model_id, _ = registry.new_dir("recommender", algorithm)
        registry.record(model_id, task="recommender", algorithm=algorithm, asset="events", asset_version=1,
                        metrics={"ndcg@10": ndcg, "recall@10": ndcg * 2, "train_seconds": 0.1}, params={})
    models, compared, metric, chart = client(url, tmp_path).predict(None, api_name="/models")
    assert {"als", "popularity"} <= {r[2] for r in models["data"]}
    assert compared["headers"][:2] == ["model", "asset"]
    assert {"ndcg@10", "recall@10", "train_seconds"} <= set(compared["headers"])
    assert metric["value"] == "ndcg@10" and chart["type"] == "matplotlib"


@pytest.mark.slow
def test_recommenders_train_from_the_form_and_recommend_for_a_user(demo, tmp_path):
    catalog, url = demo
    c = client(url, tmp_path)
    user, item, event = c.predict("events", api_name="/recommend_columns")
    assert (user["value"], item["value"], event["value"]) == ("user_id", "product_id", "event_type")
    summary, models, *_, model = c.predict("events", "user_id", "product_id", "event_type", ["pop", "itemknn"],
                                           None, api_name="/train_recommenders")
    assert summary.startswith("✅ Trained 2 model(s) on **events**")
    assert model["value"] in [r[0] for r in models["data"]]
    some_user = str(catalog.load("events", columns=["user_id"])["user_id"].iloc[0])
    recs = c.predict(model["value"], some_user, 5, api_name="/recommend")
    assert recs["headers"] == ["rank", "item", "title", "score", "because the user had"]
    assert [r[0] for r in recs["data"]] == [1, 2, 3, 4, 5] and all(r[2] for r in recs["data"])  # products' titles


@pytest.mark.slow
def test_a_text_classifier_trains_from_the_form_and_shows_its_metrics_against_the_baseline(demo, tmp_path):
    from stocktake.registry import ModelRegistry

    catalog, url = demo
    c = client(url, tmp_path)
    text, label = c.predict("products", api_name="/classify_columns")
    assert (text["value"], label["value"]) == (["title"], "category")
    summary, per_class, confusion, models, *_ = c.predict(
        "products", ["title"], "category", 1, 300, 16, None, api_name="/train_classifier")
    (record,) = ModelRegistry(catalog.ws).list(task="classifier")
    m = record.metrics
    assert summary.startswith(f"✅ Trained `{record.id}` on **products** (title → category, {len(m['labels'])} classes")
    for name, ours, baseline in (("accuracy", m["accuracy"], m["baseline_accuracy"]),
                                 ("macro-F1", m["macro_f1"], m["baseline_macro_f1"])):
        row = next(line for line in summary.splitlines() if line.startswith(f"| {name} |"))
        assert row.replace("*", "") == f"| {name} | {ours:.3f} | {baseline:.3f} |"
        assert f"**{max(ours, baseline):.3f}**" in row  # the better of the two stands out
    assert (record.params["epochs"], record.params["max_rows"], record.params["max_length"]) == (1, 300, 16)
    assert per_class["headers"] == ["class", "precision", "recall", "f1", "support", "baseline f1"]
    assert sum(r[4] for r in per_class["data"]) == m["rows"]["test"]
    assert {r[0] for r in per_class["data"]} <= set(m["labels"])
    assert confusion["type"] == "matplotlib" and record.id in [r[0] for r in models["data"]]


@pytest.mark.slow
def test_a_label_audit_lists_the_suspect_rows_and_saves_them(demo, tmp_path):
    from stocktake.tools.classify import load_audit

    catalog, url = demo
    summary, suspects = client(url, tmp_path).predict("products", ["title"], "category", api_name="/audit_labels")
    saved = load_audit(catalog.ws, "products")
    given = catalog.load("products")["category"]
    assert summary.startswith(f"🔎 {len(saved.suspects):,} of {saved.rows:,} labels of **products**.category")
    assert suspects["headers"] == ["row", "text", "given", "suggested", "confidence"]
    assert suspects["data"] and [r[0] for r in suspects["data"]] == [s.row for s in saved.suspects]
    for row, _, label, suggested, confidence in suspects["data"]:
        assert label == given.iloc[row].strip() and suggested != label and 0 < confidence <= 1


# ---- the chat's wiring, with a stand-in assistant -------------------------------------------------------
class EchoAssistant:
    """Records what the app sends; asks for confirmation when the question says "change"."""

    mode, model_name = "llm", "echo-model"

    def __init__(self):
        self.calls: list[tuple[str, str]] = []

    def stream(self, question: str, thread_id: str):
        self.calls.append((question, thread_id))
        yield ToolStarted("c1", "list_assets", {})
        yield ToolFinished("c1", "list_assets", "1 asset", {"assets": []}, 0.01)
        if "change" in question:
            yield ConfirmationNeeded(({"name": "describe_asset_purpose", "args": {"asset": "orders"}},))
            yield Answer("needs confirmation", "llm")
            return
        yield TextDelta(f"echo: {question}")
        yield Answer(f"echo: {question}", "llm")

    def resume(self, thread_id: str, approve: bool):
        self.calls.append((f"resume approve={approve}", thread_id))
        yield Answer("Saved." if approve else "Left as it was.", "llm")


@pytest.fixture
def echo(catalog):
    assistant = EchoAssistant()
    blocks, url = serve(catalog, assistant)
    yield assistant, url
    blocks.close()


def test_each_browser_session_keeps_its_own_conversation(echo, tmp_path):
    assistant, url = echo
    alice, bob = client(url, tmp_path), client(url, tmp_path)
    history, _ = alice.predict("first", [], api_name="/respond")
    alice.predict("second", history, api_name="/respond")
    bob.predict("hello", [], api_name="/respond")
    (q1, a1), (q2, a2), (q3, b1) = assistant.calls
    assert (q1, q2, q3) == ("first", "second", "hello")  # only the new text is sent, never the history
    assert a1 == a2 and b1 != a1


def test_a_change_waits_for_confirm(echo, tmp_path):
    assistant, url = echo
    c = client(url, tmp_path)
    history, _ = c.predict("change the description", [], api_name="/respond")
    assert "needs your confirmation" in texts(history)[-1]
    history, _ = c.predict(history, api_name="/confirm")
    assert texts(history)[-2:] == ["✔ Confirmed.", "Saved."]
    assert assistant.calls[-1] == ("resume approve=True", assistant.calls[0][1])


def test_a_change_can_be_cancelled(echo, tmp_path):
    assistant, url = echo
    c = client(url, tmp_path)
    history, _ = c.predict("change it", [], api_name="/respond")
    history, _ = c.predict(history, api_name="/cancel")
    assert texts(history)[-1] == "Left as it was." and assistant.calls[-1][0] == "resume approve=False"


class SlowAssistant(EchoAssistant):
    """Streams a first part, then waits until the test lets it go on."""

    def __init__(self):
        super().__init__()
        self.release, self.closed, self.finished = threading.Event(), threading.Event(), False

    def stream(self, question: str, thread_id: str):
        if question != "slow":
            yield from super().stream(question, thread_id)
            return
        try:
            yield TextDelta("The first part")
            self.release.wait(30)
            yield TextDelta(" and the rest")
            self.finished = True
            yield Answer("The first part and the rest", "llm")
        finally:
            self.closed.set()


def test_a_stopped_answer_closes_the_assistant_stream_and_the_chat_goes_on(catalog, tmp_path):
    assistant = SlowAssistant()
    blocks, url = serve(catalog, assistant)
    try:
        c = client(url, tmp_path)
        job = c.submit("slow", [], api_name="/respond")
        deadline = time.monotonic() + 30
        while not any(texts(out[0])[-1:] == ["The first part"] for out in job.outputs()):
            assert time.monotonic() < deadline, "the first part never streamed"
            time.sleep(0.05)
        # Cancelling (what Stop's ``cancels`` does) waits for the step in flight, so let that one end meanwhile.
        threading.Timer(1.0, assistant.release.set).start()
        job.cancel()
        assert assistant.closed.wait(30) and not assistant.finished
        history, _ = c.predict("next", [], api_name="/respond")
        assert texts(history)[-1] == "echo: next"
    finally:
        blocks.close()


def test_with_no_recommender_the_models_tab_shows_a_message_instead_of_an_empty_chart(echo, tmp_path):
    _, url = echo
    models, compared, metric, chart = client(url, tmp_path).predict(None, api_name="/models")
    assert models["data"] == [] and metric["value"] is None and chart["type"] == "matplotlib"


@pytest.mark.parametrize("auth, expected", [
    (None, None), ("", None), ("admin:s3cret", ("admin", "s3cret")), ("admin:a:b", ("admin", "a:b")),
])
def test_auth_is_user_colon_password(auth, expected):
    assert parse_auth(auth) == expected


@pytest.mark.parametrize("auth", ["admin", "admin:", ":pw"])
def test_malformed_auth_is_refused(auth):
    with pytest.raises(StocktakeError, match="USER:PASS"):
        parse_auth(auth)


def test_a_change_asked_by_the_language_model_runs_only_after_confirm(catalog, tmp_path):
    import pandas as pd

    from stocktake.agent.assistant import Assistant
    from stocktake.agent.context import ToolContext
    from tests.agent_fakes import scripted

    catalog.register("orders", pd.DataFrame({"order_id": [1, 2]}), kind="orders", source="test", fmt="csv")
    llm = scripted(("describe_asset_purpose", {"asset": "orders", "description": "One row per order."}), "Saved.")
    blocks, url = serve(catalog, Assistant(ToolContext(catalog), llm, model_name="scripted-model"))
    try:
        c = client(url, tmp_path)
        history, _ = c.predict("describe orders as one row per order", [], api_name="/respond")
        asked = texts(history)[-1]
        assert "- Save this description of orders: “One row per order.”?" in asked and "describe_asset" not in asked
        assert catalog.get("orders").description == ""
        history, _ = c.predict(history, api_name="/confirm")
        assert titles(history)[-2] == "🔧 describe_asset_purpose" and texts(history)[-1] == "Saved."
        assert catalog.get("orders").description == "One row per order."
    finally:
        blocks.close()


# ---- the classifier form's mistakes, on a tiny asset ----------------------------------------------------
@pytest.fixture
def shelves(catalog):
    import pandas as pd

    titles = [f"{w} {i}" for i in range(6) for w in ("red apple", "blue pen")]
    catalog.register("items", pd.DataFrame({"title": titles, "category": ["fruit", "office"] * 6,
                                            "shelf": ["top"] * 12}), kind="products", source="test", fmt="csv")
    blocks, url = serve(catalog, EchoAssistant())
    yield url
    blocks.close()


TRAIN = (1, 300, 16, None)  # epochs, max rows, max length, the comparison's metric


@pytest.mark.parametrize("api, args, message", [
    ("/train_classifier", ("items", ["titel"], "category", *TRAIN), "No column named 'titel'. Did you mean: title"),
    ("/train_classifier", ("items", ["title"], "shelf", *TRAIN), "single class \\('top'\\)"),
    ("/train_classifier", ("items", ["title"], "title", *TRAIN), "'title' is the label: it can't also be a text"),
    ("/train_classifier", ("itms", ["title"], "category", *TRAIN), "No asset named 'itms'. Did you mean: items"),
    ("/train_classifier", ("items", ["title"], "category", 0, 300, 16, None), "Value 0 is less than minimum value 1"),
    ("/train_classifier", ("items", ["title"], "category", None, 300, 16, None), "Fill in the epochs"),
    ("/train_classifier", ("items", [], "category", *TRAIN), "at least one text column"),
    ("/audit_labels", ("items", ["title"], "shelf"), "single class"),
])
def test_a_classifier_form_mistake_is_one_readable_line(shelves, tmp_path, api, args, message):
    with pytest.raises(AppError, match=message) as caught:
        client(shelves, tmp_path).predict(*args, api_name=api)
    assert "Traceback" not in str(caught.value) and "\n" not in str(caught.value)


def test_a_port_in_use_is_one_line_that_names_the_option(catalog):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StocktakeError) as caught:
            launch_app(build_app(catalog, EchoAssistant()), port=port)
    assert str(caught.value) == f"Cannot serve on 127.0.0.1:{port}: the port is in use. Choose another port with --port."


@pytest.mark.parametrize("host, says", [("999.1.1.1", "no such address"), ("192.0.2.1", "it is not an address of this")])
def test_a_host_this_machine_cannot_listen_on_is_said_so_not_called_a_busy_port(catalog, host, says):
    with pytest.raises(StocktakeError) as caught:
        launch_app(build_app(catalog, EchoAssistant()), host=host, port=free_port())
    assert str(caught.value).startswith(f"Cannot serve on {host}: {says}") and "--host" in str(caught.value)
