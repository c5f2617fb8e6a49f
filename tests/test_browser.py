"""A real browser (Debian's Chromium, driven by Playwright) uses the app as a person would.

Screenshots go to ``$STOCKTAKE_SCREENSHOTS`` when set (to look at them), else to the test's tmp folder.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no browser: install Debian's chromium "
                       "(apt-get install -y chromium); CI does, in .ci/run"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_url(catalog):
    from stocktake.cli.demo_cmds import prepare_demo
    from stocktake.serve.app import build_app, launch_app

    prepare_demo(catalog)
    blocks = build_app(catalog, offline=True)
    yield launch_app(blocks, host="127.0.0.1", port=free_port())
    blocks.close()


@pytest.fixture
def page(app_url):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(app_url, wait_until="load")  # a Gradio page keeps a connection open: never "networkidle"
        yield page
        browser.close()


@contextmanager
def page_on(blocks, release):
    """A browser page on an app the test built around a scripted assistant; ``release`` lets a waiting answer
    finish before the app closes."""
    from stocktake.serve.app import launch_app

    sync_api = pytest.importorskip("playwright.sync_api")
    try:
        url = launch_app(blocks, host="127.0.0.1", port=free_port())
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url, wait_until="load")
            yield page
            browser.close()
    finally:
        release.set()
        blocks.close()


def test_ask_a_question_see_the_step_and_answer_then_open_the_inventory(page, catalog, tmp_path):
    from playwright.sync_api import expect

    shots = Path(os.environ.get("STOCKTAKE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    rows = catalog.get("orders").rows

    page.get_by_text("offline mode").wait_for(timeout=30_000)
    box = page.locator("#st-question textarea")
    box.fill("how many rows does orders have?")
    box.press("Enter")
    page.get_by_text(f"{rows:,} rows", exact=False).last.wait_for(timeout=120_000)
    page.get_by_text("describe_asset").first.wait_for()
    page.screenshot(path=str(shots / "1-chat-answer.png"), full_page=True)

    page.get_by_text("describe_asset").first.click()  # the step opens to show its arguments and result
    page.get_by_text('"asset": "orders"').first.wait_for(timeout=10_000)
    page.wait_for_timeout(500)  # the step's opening animation
    page.screenshot(path=str(shots / "2-chat-step-open.png"), full_page=True)

    page.get_by_role("tab", name="Inventory").click()
    table = page.locator("#st-assets")
    for name in catalog.names():
        expect(table).to_contain_text(name, timeout=60_000)
    expect(page.locator("#st-asset-about")).to_contain_text("Quality score", timeout=60_000)
    page.screenshot(path=str(shots / "3-inventory.png"), full_page=True)


def test_stop_ends_a_streaming_answer_keeps_what_was_shown_and_the_chat_goes_on(catalog):
    import threading

    from stocktake.agent.events import Answer, TextDelta
    from stocktake.serve.app import build_app

    sync_api = pytest.importorskip("playwright.sync_api")
    expect, release = sync_api.expect, threading.Event()

    class SlowAssistant:
        mode, model_name = "llm", "slow-model"

        def stream(self, question: str, thread_id: str):
            yield TextDelta(f"Thinking about {question}")
            release.wait(60)  # until the test lets the answers go on
            yield Answer(f"Done with {question}.", "llm")

    with page_on(build_app(catalog, SlowAssistant()), release) as page:
        chat, box, stop = page.locator("#st-chat"), page.locator("#st-question textarea"), page.locator("#st-stop")
        send = page.get_by_role("button", name="Send")
        box.fill("orders")
        box.press("Enter")
        expect(chat).to_contain_text("Thinking about orders", timeout=30_000)
        expect(send).to_be_hidden()
        stop.click()
        expect(chat).to_contain_text("(stopped)", timeout=10_000)
        expect(stop).to_be_hidden()
        release.set()
        box.fill("users")
        send.click()
        expect(chat).to_contain_text("Done with users.", timeout=30_000)
        expect(chat).to_contain_text("Thinking about orders")
        expect(chat).not_to_contain_text("Done with orders.")


# ---- layout: nothing cut, nothing on top of anything ----------------------------------------------------
LINES = """el => { const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), tops = new Set();
  for (let n = walk.nextNode(); n; n = walk.nextNode()) { if (!n.textContent.trim()) continue;
    const r = document.createRange(); r.selectNodeContents(n);
    for (const q of r.getClientRects()) if (q.width > 0) tops.add(Math.round(q.top)); }
  return tops.size; }"""  # how many lines the text of an element takes
OVERLAPS = """(root, pad) => { const svg = root.querySelector('svg'); if (!svg) return null;
  const box = e => e.getBoundingClientRect();
  const labels = [...svg.querySelectorAll('g.edgeLabel')].map(box).filter(r => r.width > 0);
  const tables = [...svg.querySelectorAll('g.node')].map(box);
  const hit = (a, b) => a.left < b.right + pad && b.left < a.right + pad
                        && a.top < b.bottom + pad && b.top < a.bottom + pad;
  let labelsOnLabels = 0, labelsOnTables = 0;
  labels.forEach((a, i) => labels.slice(i + 1).forEach(b => { if (hit(a, b)) labelsOnLabels++; }));
  labels.forEach(a => tables.forEach(b => { if (hit(a, b)) labelsOnTables++; }));
  return {labels: labels.length, labelsOnLabels, labelsOnTables}; }"""


def shots_dir(tmp_path) -> Path:
    shots = Path(os.environ.get("STOCKTAKE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def test_the_models_table_shows_each_header_on_one_line_and_the_whole_training_time(page, catalog, tmp_path):
    from playwright.sync_api import expect

    from stocktake.registry import ModelRegistry

    registry = ModelRegistry(catalog.ws)
    for algorithm, ndcg in (("pop", 0.007621), ("itemknn", 0.0369)):
        model_id, _ = registry.new_dir("recommender", algorithm)
        registry.record(model_id, task="recommender", algorithm=algorithm, asset="events", asset_version=1,
                        metrics={"ndcg@10": ndcg, "recall@10": 0.0126, "precision@10": 0.0037, "map@10": 0.0037},
                        params={})
    page.get_by_text("offline mode").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Models").click()
    table = page.locator("#st-models")
    expect(table).to_contain_text("rec-itemknn", timeout=60_000)
    page.wait_for_timeout(500)  # the table sets its column widths after the rows arrive
    page.screenshot(path=str(shots_dir(tmp_path) / "4-models.png"), full_page=True)
    headers = table.locator("thead th")
    names = [h.strip() for h in headers.all_inner_texts()]
    assert names[:7] == ["model", "task", "algorithm", "asset", "version", "key metrics", "trained"]
    for i, name in enumerate(names[:7]):
        assert headers.nth(i).locator("span.header").evaluate(LINES) == 1, f"the header {name!r} wraps"
    trained = table.locator("tbody tr").first.locator("td").nth(6)
    assert trained.locator(".cell-wrap").evaluate(LINES) == 1, "the training time is cut into lines"
    assert trained.evaluate("td => td.scrollWidth <= td.clientWidth + 1"), "the training time is cut off"
    assert table.evaluate("""t => { const r = t.getBoundingClientRect();
        return [...t.querySelectorAll('tbody td')].every(td => td.getBoundingClientRect().right <= r.right + 1); }"""
                          ), "a column runs out of the table's box"
    expect(table).to_contain_text("ndcg@10 0.0076")  # one precision for every metric: not 0.007621 next to 0.0369
    expect(table).to_contain_text("ndcg@10 0.0369")


def test_ingest_with_no_file_says_so_and_leaves_the_table_and_the_asset_picker(page, catalog, tmp_path):
    from playwright.sync_api import expect

    page.get_by_text("offline mode").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Inventory").click()
    table = page.locator("#st-assets")
    expect(table).to_contain_text("orders", timeout=60_000)
    picked = page.locator("#st-asset input")
    expect(picked).to_have_value("events", timeout=30_000)
    page.get_by_text("Add data: upload a file to ingest").click()
    page.get_by_role("button", name="Ingest and profile").click()
    expect(page.get_by_text("Choose a file to upload first").first).to_be_visible(timeout=10_000)
    page.wait_for_timeout(1_000)  # an error would have reached every output by now
    page.screenshot(path=str(shots_dir(tmp_path) / "5-ingest-no-file.png"), full_page=True)
    assert page.get_by_text("Error", exact=True).count() == 0, "an Error badge (or toast title) is shown"
    for name in catalog.names():
        expect(table).to_contain_text(name)
    expect(picked).to_have_value("events")


def test_the_report_tab_draws_the_diagram_with_no_label_on_another_or_on_a_table(page, tmp_path):
    page.get_by_text("offline mode").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Report").click()
    page.locator("#st-report-button").click()
    preview = page.locator("#st-report-preview")
    preview.locator("svg g.edgeLabel").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1_000)  # Mermaid lays the labels out after it draws the lines
    preview.locator("svg").first.screenshot(path=str(shots_dir(tmp_path) / "6-report-mermaid.png"))
    found = preview.evaluate(OVERLAPS, 2)
    assert found["labels"] == 7, found
    assert found["labelsOnLabels"] == 0 and found["labelsOnTables"] == 0, found


def test_the_html_report_fits_its_diagram_shows_code_as_code_and_draws_no_empty_chart(catalog, tmp_path):
    from dataclasses import replace

    from playwright.sync_api import sync_playwright

    from stocktake.cli.demo_cmds import prepare_demo
    from stocktake.tools.report import build_report, render_html
    from stocktake.tools.report.build import DocPassage

    prepare_demo(catalog)
    report = build_report(catalog)
    doc = DocPassage("File: `orders.csv` (comma-separated), one row per order.", "docs/orders.md", "docs/orders.md")
    report = replace(report, assets=tuple(replace(a, doc=doc) if a.name == "orders" else a for a in report.assets))
    page_file = tmp_path / "inventory.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    empty = [a.name for a in report.assets if not any(c.null_fraction for c in a.columns)]
    assert empty, "the sample data has a table with no missing values"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 900})  # narrower than the diagram
        page.goto(page_file.as_uri(), wait_until="load")
        box = page.locator(".er")
        box.screenshot(path=str(shots_dir(tmp_path) / "7-report-er.png"))
        inside = box.evaluate("""er => { const b = er.getBoundingClientRect();
            return [...er.querySelectorAll('g.entity')].map(g => { const r = g.getBoundingClientRect();
              return [g.querySelector('text').textContent, r.left >= b.left - 1 && r.right <= b.right + 1]; }); }""")
        assert dict(inside) == {name: True for name in catalog.names()}, "a table of the diagram is cut off"
        assert box.evaluate("er => er.scrollWidth <= er.clientWidth")
        assert "`" not in page.locator("body").inner_text(), "a Markdown code span shows its backticks"
        assert page.locator("#asset-orders blockquote code").inner_text() == "orders.csv"
        for name in empty:
            section = page.locator(f"#asset-{name}")
            assert section.locator("img").count() == 0, f"{name}: a chart of missing values with none to show"
            assert "No missing values" in section.inner_text()
        page.locator(f"#asset-{empty[0]}").screenshot(path=str(shots_dir(tmp_path) / "8-report-asset.png"))
        browser.close()


# ---- chat: tables, downloads, and conversations that survive a reload --------------------------------------
def ask(page, question: str, expect_text: str):
    from playwright.sync_api import expect

    box = page.locator("#st-question textarea")
    box.fill(question)
    box.press("Enter")
    expect(page.locator("#st-chat")).to_contain_text(expect_text, timeout=120_000)
    expect(page.get_by_role("button", name="Send")).to_be_visible(timeout=60_000)  # the answer has ended


def test_ids_print_as_typed_and_the_report_is_a_download(page, catalog, tmp_path):
    import re
    import urllib.request

    page.get_by_text("offline mode").wait_for(timeout=30_000)
    top = catalog.load("orders")["user_id"].value_counts().index[0]
    ask(page, "SELECT user_id, count(*) AS n FROM orders GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3", "see the table above")
    chat = page.locator("#st-chat")
    cells = chat.locator("table td").all_inner_texts()
    assert str(top) in cells or any(str(top) == c.strip() for c in cells), cells
    assert not [c for c in cells if re.fullmatch(r"\d{1,3}(,\d{3})+", c.strip())], f"an id with separators: {cells}"
    ask(page, "give me an inventory report", "inventory report")
    link = chat.locator("a[download]").filter(has_text=re.compile(r"inventory-\d{8}-\d{6}\.html"))
    link.first.wait_for(timeout=30_000)
    page.screenshot(path=str(shots_dir(tmp_path) / "9-chat-report-download.png"), full_page=True)
    href = link.first.get_attribute("href")
    with urllib.request.urlopen(href if href.startswith("http") else page.url.rstrip("/") + href) as answer:
        assert answer.read(15).lower() == b"<!doctype html>"
    ask(page, "how many rows does users have?", f"{catalog.get('users').rows:,} rows")  # the chat goes on
    assert page.get_by_text("Error", exact=True).count() == 0, "a part of the page shows an Error badge"


def test_a_reload_keeps_the_conversation_and_past_ones_can_be_reopened(page, tmp_path):
    from playwright.sync_api import expect

    page.get_by_text("offline mode").wait_for(timeout=30_000)
    chat = page.locator("#st-chat")
    ask(page, "how many rows does orders have?", "rows")
    ask(page, "How many orders were cancelled per month?", "2023-01")  # an answer with a chart
    assert page.get_by_text("Error", exact=True).count() == 0, "keeping the chat failed"
    page.reload(wait_until="load")
    expect(chat).to_contain_text("How many orders were cancelled per month?", timeout=30_000)
    expect(chat).to_contain_text("how many rows does orders have?")
    expect(chat).to_contain_text("describe_asset")
    page.screenshot(path=str(shots_dir(tmp_path) / "10-chat-after-reload.png"), full_page=True)
    page.locator("#st-new").click()
    expect(chat).not_to_contain_text("how many rows does orders have?", timeout=10_000)
    ask(page, "what tables do we have?", "order_items")
    page.locator("#st-past input").click()
    options = page.get_by_role("option")
    expect(options).to_have_count(2, timeout=10_000)
    options.filter(has_text="how many rows does orders have?").click()
    expect(chat).to_contain_text("how many rows does orders have?", timeout=10_000)
    expect(chat).not_to_contain_text("what tables do we have?")
    page.screenshot(path=str(shots_dir(tmp_path) / "11-chat-reopened.png"), full_page=True)


# ---- the cleaning tab ------------------------------------------------------------------------------------------
def start_cleaning(page, asset: str) -> None:
    from playwright.sync_api import expect

    page.get_by_text("offline mode").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Cleaning").click()
    page.get_by_label("Asset to clean (pick one)").click()
    page.get_by_role("option", name=asset, exact=True).click()
    page.get_by_role("button", name="Start a session").click()
    expect(page.locator("#st-step-card")).to_contain_text("Step 1 of", timeout=60_000)


# Per preview table: the smallest column and header, whether a header breaks inside a word, and whether the
# table is wider than its box; if so, whether the box really scrolls to its last column.
TABLE_LAYOUT = """(id) => {
  const root = document.querySelector(id), table = root.querySelector('table');
  const heads = [...table.querySelectorAll('thead th')];
  let box = table.parentElement;
  while (box !== root && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
  const wider = table.getBoundingClientRect().width > box.clientWidth + 1;
  box.scrollLeft = box.scrollWidth;
  const last = heads[heads.length - 1].getBoundingClientRect(), edge = box.getBoundingClientRect();
  return {
    narrowest: Math.min(...heads.map(h => h.getBoundingClientRect().width)),
    broken: heads.filter(h => { const t = h.querySelector('span') || h; return t.scrollWidth > h.clientWidth
                                || t.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(t).lineHeight); })
                 .map(h => h.innerText),
    wider, scrolls: box.scrollLeft > 0, lastInView: last.right <= edge.right + 1,
    rootRight: root.getBoundingClientRect().right, page: document.documentElement.clientWidth,
  };
}"""


def test_cleaning_previews_keep_columns_readable_scroll_sideways_and_show_the_kept_duplicate(page, catalog,
                                                                                            tmp_path):
    import pandas as pd
    from playwright.sync_api import expect

    shots = Path(os.environ.get("STOCKTAKE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    wide = {f"attribute_number_{i}": [f"value {i} " + "x" * 20] * 6 for i in range(16)}
    catalog.register("wide_products", pd.DataFrame({"product_id": ["p1", "p2", "p2", "p3", "p4", "p4"],
                                                    "category": ["home", "Home", "Home", "garden", "Garden", "Garden"],
                                                    **wide}), kind="products", source="test", fmt="csv")
    start_cleaning(page, "wide_products")
    after = page.locator("#st-after")
    expect(after).to_contain_text("row removed, a duplicate of row 1")
    expect(after).to_contain_text("kept")
    page.screenshot(path=str(shots / "4-cleaning-dedupe-preview.png"), full_page=True)
    for table in ("#st-before", "#st-after"):
        layout = page.evaluate(TABLE_LAYOUT, table)
        assert layout["narrowest"] >= 48 and layout["broken"] == [], (table, layout)
        assert layout["wider"] and layout["scrolls"] and layout["lastInView"], (table, layout)
        assert layout["rootRight"] <= layout["page"], (table, layout)
    page.screenshot(path=str(shots / "5-cleaning-preview-scrolled.png"), full_page=True)


def test_cleaning_a_step_is_edited_and_added_from_the_tab_and_finishing_asks_first(page, catalog, tmp_path):
    from playwright.sync_api import expect

    shots = Path(os.environ.get("STOCKTAKE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    start_cleaning(page, "orders")
    card, after = page.locator("#st-step-card"), page.locator("#st-after")
    expect(card).to_contain_text("fill missing payment_method with 'unknown'")
    page.get_by_text("Change this step's parameters").click()
    params = page.locator("#st-edit-params textarea")
    expect(params).to_have_value("column=payment_method\nstrategy=value\nvalue=unknown")
    params.fill("strategy=avg")
    page.locator("#st-edit").click()
    expect(page.get_by_text("Parameter 'strategy' of step 'fill_missing' is 'avg'; use one of: value, median, "
                            "mean, mode.")).to_be_visible(timeout=30_000)
    params.fill("value=not given")
    page.locator("#st-edit").click()
    expect(card).to_contain_text("fill missing payment_method with 'not given'", timeout=30_000)
    expect(after).to_contain_text("not given")
    expect(after).not_to_contain_text("unknown")
    page.screenshot(path=str(shots / "6-cleaning-step-edited.png"), full_page=True)

    page.get_by_text("Add a step of your own").click()
    page.get_by_label("Kind of step").click()
    page.get_by_role("option", name="drop_rows", exact=True).click()
    page.locator("#st-add-params textarea").fill("where=total_amount > 500")
    page.locator("#st-add").click()
    expect(card).to_contain_text("drop rows where total_amount > 500", timeout=30_000)

    page.get_by_role("button", name="✔ Accept").click()
    expect(page.get_by_text("✔ Accepted s4")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Finish: save as a new version").click()
    question = page.locator("#st-clean-question")
    expect(question).to_contain_text("Save orders as version 2 with 1 cleaning step applied?", timeout=30_000)
    page.screenshot(path=str(shots / "7-cleaning-finish-asks.png"), full_page=True)
    assert catalog.get("orders").version == 1
    page.locator("#st-clean-yes").click()
    expect(page.get_by_text("Saved orders version 2.")).to_be_visible(timeout=30_000)
    expect(question).to_be_hidden()
    assert catalog.get("orders").version == 2
    expect(page.locator(".error, [data-testid='error']")).to_have_count(0)


def test_a_long_tool_shows_its_step_and_count_in_the_chat_while_it_runs(catalog, tmp_path):
    import threading

    from stocktake.agent.events import Answer, ToolFinished, ToolProgress, ToolStarted
    from stocktake.serve.app import build_app

    sync_api = pytest.importorskip("playwright.sync_api")
    expect, release = sync_api.expect, threading.Event()
    shots = Path(os.environ.get("STOCKTAKE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    class TrainingAssistant:
        mode, model_name = "llm", "slow-model"

        def stream(self, question: str, thread_id: str):
            yield ToolStarted("c1", "train_text_classifier", {"asset": "products"})
            yield ToolProgress("c1", "train_text_classifier", "epoch 2 · batches", 40, 120)
            release.wait(60)  # until the test has seen the progress
            yield ToolFinished("c1", "train_text_classifier", "Trained.", {}, 2.0)
            yield Answer("Trained a classifier.", "llm")

    with page_on(build_app(catalog, TrainingAssistant()), release) as page:
        chat, box = page.locator("#st-chat"), page.locator("#st-question textarea")
        box.fill("train a classifier on products")
        box.press("Enter")
        expect(chat).to_contain_text("epoch 2 · batches · 40/120 (33%)", timeout=30_000)
        page.screenshot(path=str(shots / "8-chat-progress.png"), full_page=True)
        release.set()
        expect(chat).to_contain_text("Trained a classifier.", timeout=30_000)
        expect(chat).not_to_contain_text("40/120")


def test_the_rows_of_an_issue_keep_every_header_readable_beside_a_long_text(page, catalog, tmp_path):
    import pandas as pd
    from playwright.sync_api import expect

    text = ("The parcel came two weeks late and the box was open, so I asked for a refund; write to me at "
            "ann.k@example.com or call me, I am waiting for an answer from the seller since last Monday. ") * 2
    catalog.register("feedback", pd.DataFrame({
        "feedback_id": [f"f{i}" for i in range(40)], "feedback_score": [1, 5, 3, 4] * 10,
        "feedback_comment_title": ["late", None, "ok", "fine"] * 10,
        "feedback_comment_message": [text if i % 4 == 0 else "Arrived on time, works as described." for i in range(40)],
    }), kind="reviews", source="test", fmt="csv")
    page.get_by_text("offline mode").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Inventory").click()
    expect(page.locator("#st-assets")).to_contain_text("feedback", timeout=60_000)
    page.locator("#st-asset input").click()
    page.get_by_role("option", name="feedback", exact=True).click()
    expect(page.locator("#st-asset-about")).to_contain_text("feedback", timeout=60_000)
    page.get_by_label("Show the rows of an issue").click()
    page.get_by_role("option", name="pii", exact=False).first.click()
    page.get_by_role("button", name="Show rows").click()
    expect(page.locator("#st-issue-rows")).to_contain_text("f0", timeout=60_000)
    page.wait_for_timeout(500)  # the table sets its column widths after the rows arrive
    page.screenshot(path=str(shots_dir(tmp_path) / "6-issue-rows.png"), full_page=True)
    layout = page.evaluate(TABLE_LAYOUT, "#st-issue-rows")
    assert layout["narrowest"] >= 48 and layout["broken"] == [], layout
