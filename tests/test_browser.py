"""A real browser (Debian's Chromium, driven by Playwright) uses the app as a person would.

Screenshots go to ``$STOCKTAKE_SCREENSHOTS`` when set (to look at them), else to the test's tmp folder.
"""

from __future__ import annotations

import os
import socket
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
    from stocktake.serve.app import build_app, launch_app

    sync_api = pytest.importorskip("playwright.sync_api")
    expect, release = sync_api.expect, threading.Event()

    class SlowAssistant:
        mode, model_name = "llm", "slow-model"

        def stream(self, question: str, thread_id: str):
            yield TextDelta(f"Thinking about {question}")
            release.wait(60)  # until the test lets the answers go on
            yield Answer(f"Done with {question}.", "llm")

    blocks = build_app(catalog, SlowAssistant())
    try:
        url = launch_app(blocks, host="127.0.0.1", port=free_port())
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url, wait_until="load")
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
            browser.close()
    finally:
        release.set()
        blocks.close()
