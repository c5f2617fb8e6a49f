"""The faces of live sources over a real PostgreSQL server (tests/pg_server.py): forgetting a source from the
command line, the inventory tab's sources table and sync button, and the agent's list and sync tools."""

from __future__ import annotations

import itertools

import pytest
from typer.testing import CliRunner

from stocktake.agent.context import ToolContext
from stocktake.agent.tools import build_tools, confirm_required, confirmation_question
from stocktake.cli.main import app
from stocktake.errors import StocktakeError
from stocktake.usecases import Services
from stocktake.usecases.sources import add_source, list_sources, remove_source
from tests.pg_server import PASSWORD, load_shop, running_server

pytestmark = pytest.mark.slow
_databases = itertools.count()
CLI_OPTION = r"--[a-z]"


@pytest.fixture(scope="module")
def server():
    with running_server() as pg:
        load_shop(pg)
        yield pg


@pytest.fixture
def url(server, monkeypatch) -> str:
    monkeypatch.setenv("SHOP_PG_PASSWORD", PASSWORD)
    return server.url("shop", password="env:SHOP_PG_PASSWORD")


@pytest.fixture
def fresh(server, url) -> tuple[str, str]:
    """A shop database of this test's own, for tests that change the source: its name and URL."""
    name = f"shop_{next(_databases)}"
    load_shop(server, name)
    return name, url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def services(catalog) -> ToolContext:
    return ToolContext(catalog)


def schema_doc(services: Services) -> list[str]:
    with services.docs() as store:
        return [r.text for r in store.records({"source": "source:shop"})]


def cli(catalog, *args: str, answer: str | None = None):
    return CliRunner().invoke(app, ["--workspace", str(catalog.ws.root), "source", *args], input=answer)


# ---- source remove ---------------------------------------------------------------------------------------------
def test_forgetting_a_source_drops_its_record_and_schema_doc_and_keeps_its_assets(services, url):
    add_source(services, "shop", url, tables=("orders", "users"))
    removed = remove_source(services, "shop")
    assert removed.kept == ("shop.orders", "shop.users") and removed.removed == ()
    assert not list_sources(services) and not schema_doc(services)
    assert [len(services.catalog.versions(n)) for n in removed.kept] == [1, 1]


def test_with_assets_removes_the_sources_assets_too(services, url):
    add_source(services, "shop", url, tables=("orders", "users"))
    assert remove_source(services, "shop", with_assets=True).removed == ("shop.orders", "shop.users")
    assert services.catalog.names() == [] and not list_sources(services)


def test_an_unknown_source_is_an_error_that_suggests_the_real_ones(services, url):
    add_source(services, "shop", url, tables=("users",))
    with pytest.raises(StocktakeError, match="No source named 'shpo'. Did you mean: shop"):
        remove_source(services, "shpo")


def test_the_command_line_asks_first_and_a_no_forgets_nothing(catalog, url):
    add_source(Services(catalog), "shop", url, tables=("users",))
    result = cli(catalog, "remove", "shop", answer="n\n")
    assert result.exit_code == 1 and "Cancelled; nothing was written." in result.stderr
    assert "Forget the source shop? Its assets stay in the catalog, every version kept. [y/N]" in result.stderr
    assert [s.name for s in list_sources(Services(catalog))] == ["shop"]


def test_the_command_line_with_yes_forgets_without_asking_and_names_the_assets_kept(catalog, url):
    add_source(Services(catalog), "shop", url, tables=("users",))
    result = cli(catalog, "remove", "shop", "--yes")
    assert result.exit_code == 0 and "Forgot the source shop; its assets stay: shop.users." in result.stderr
    assert catalog.names() == ["shop.users"] and not list_sources(Services(catalog))


def test_the_command_line_question_says_the_assets_go_with_with_assets(catalog, url):
    add_source(Services(catalog), "shop", url, tables=("users",))
    result = cli(catalog, "remove", "shop", "--with-assets", answer="y\n")
    assert "Its assets and every version of them are removed too. [y/N]" in result.stderr
    assert result.exit_code == 0 and catalog.names() == []


def test_a_forgotten_source_can_be_registered_again_over_its_kept_assets(services, url):
    add_source(services, "shop", url, tables=("users",))
    remove_source(services, "shop")
    again = add_source(services, "shop", url, tables=("users",), replace=True)
    assert [(t.changed, t.asset.version) for t in again.tables] == [(False, 1)]


# ---- the inventory tab ---------------------------------------------------------------------------------------
def test_the_sources_table_shows_kind_location_tables_and_last_sync_never_the_password(services, url, server):
    from stocktake.serve.panels.sources import source_rows

    add_source(services, "shop", url, tables=("orders", "users"))
    (row,) = source_rows(services).to_dict("records")
    synced = list_sources(services)[0].synced_at
    assert row == {"source": "shop", "kind": "database",
                   "location": f"postgresql://postgres:env:SHOP_PG_PASSWORD@127.0.0.1:{server.port}/shop",
                   "tables": "orders, users", "last sync": synced[:10] + " " + synced[11:16]}


def test_a_sync_from_the_tab_says_which_tables_got_a_new_version_and_the_rows_read(services, server, fresh):
    from stocktake.serve.panels.sources import sync_one

    database, fresh_url = fresh
    add_source(services, "shop", fresh_url, tables=("orders", "users"))
    server.execute("UPDATE orders SET status = 'returned' WHERE order_id = (SELECT min(order_id) FROM orders)",
                   database=database)
    rows = {t: server.query(f"SELECT count(*) FROM {t}", database=database)[0][0] for t in ("orders", "users")}
    assert sync_one(services, "shop").splitlines() == [
        "✅ Synced **shop**: 1 of 2 tables got a new version.",
        f"- shop.orders: version 2, {rows['orders']:,} rows read, {rows['orders']:,} rows in all",
        f"- shop.users: unchanged (version 1), {rows['users']:,} rows read, {rows['users']:,} rows in all"]


def test_a_failed_sync_from_the_tab_is_one_line_in_the_apps_words(services, server, fresh):
    import re

    from stocktake.serve.common import web_message
    from stocktake.serve.panels.sources import sync_one

    database, fresh_url = fresh
    add_source(services, "shop", fresh_url, tables=("orders",))
    server.execute("ALTER TABLE orders ADD COLUMN coupon text", database=database)
    with pytest.raises(StocktakeError) as caught:
        sync_one(services, "shop")
    message = web_message(caught.value)
    assert message.endswith("(adds coupon), so nothing was synced. Register the source again (earlier versions "
                            "are kept).")
    assert "\n" not in message and not re.search(CLI_OPTION, message)


def test_the_sync_endpoint_syncs_the_picked_source_and_refreshes_both_tables(services, url, tmp_path):
    import socket
    from types import SimpleNamespace

    gradio_client = pytest.importorskip("gradio_client")
    from stocktake.serve.app import build_app, launch_app

    add_source(services, "shop", url, tables=("users",))
    blocks = build_app(services.catalog, assistant=SimpleNamespace(mode="offline"), offline=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        client = gradio_client.Client(launch_app(blocks, port=port), verbose=False, analytics_enabled=False,
                                      download_files=str(tmp_path))
        outcome, sources, assets, picked = client.predict("shop", None, api_name="/sync_source")
        refused, *unchanged = client.predict("shpo", None, api_name="/sync_source")
    finally:
        blocks.close()
    assert outcome.startswith("✅ Synced **shop**: nothing changed.\n- shop.users: unchanged (version 1)")
    assert [r[0] for r in sources["data"]] == ["shop"] and [r[0] for r in assets["data"]] == ["shop.users"]
    assert refused == "⚠️ No source named 'shpo'. Did you mean: shop?"


# ---- the agent's tools -----------------------------------------------------------------------------------------
def tool(services: ToolContext, name: str):
    return next(t for t in build_tools(services) if t.name == name)


def test_list_sources_names_each_source_its_kind_location_and_tables(services, url, server):
    add_source(services, "shop", url, tables=("orders", "users"))
    result = tool(services, "list_sources").run({})
    assert result.content.startswith("1 source:\n- shop (database, postgresql://postgres:env:SHOP_PG_PASSWORD@")
    assert "2 tables (orders, users)" in result.content and PASSWORD not in result.content
    assert result.artifact["sources"][0]["assets"] == ["shop.orders", "shop.users"]


def test_sync_source_asks_first_in_plain_words(services):
    assert "sync_source" in confirm_required(build_tools(services))
    assert confirmation_question(services, "t1", "sync_source", {"source": "shop"}) == (
        "Read the source shop again and save a new version of each table whose content changed?")


def test_sync_source_gives_a_line_per_table_and_the_whole_result_as_artifact(services, url):
    add_source(services, "shop", url, tables=("users",))
    result = tool(services, "sync_source").run({"source": "shop"})
    assert result.content.splitlines()[0] == "Synced shop: 0 of 1 table changed."
    assert result.content.splitlines()[1].startswith("- shop.users: unchanged (version 1), ")
    assert result.artifact["synced"][0]["changed"] is False and result.artifact["name"] == "shop"


def test_the_language_model_agent_syncs_only_after_the_user_confirms(services, server, fresh):
    from stocktake.agent.assistant import Assistant
    from stocktake.agent.events import ConfirmationNeeded
    from tests.agent_fakes import scripted

    database, fresh_url = fresh
    add_source(services, "shop", fresh_url, tables=("users",))
    server.execute("UPDATE users SET city = 'Lyon'", database=database)
    assistant = Assistant(services, scripted(("sync_source", {"source": "shop"}), "Synced."))
    events = list(assistant.stream("sync the shop", "t1"))
    [waiting] = [e for e in events if isinstance(e, ConfirmationNeeded)]
    assert waiting.actions[0]["description"].startswith("Read the source shop again")
    assert services.catalog.get("shop.users").version == 1
    list(assistant.resume("t1", approve=True))
    assert services.catalog.get("shop.users").version == 2


def test_in_a_browser_the_inventory_lists_the_source_and_syncs_it_on_a_click(services, url, tmp_path):
    import threading

    from tests.test_browser import CHROMIUM, page_on, shots_dir

    if not CHROMIUM.exists():
        pytest.skip("no browser: install Debian's chromium (apt-get install -y chromium); CI does, in .ci/run")
    from playwright.sync_api import expect

    from stocktake.serve.app import build_app

    add_source(services, "shop", url, tables=("users",))
    with page_on(build_app(services.catalog, offline=True), threading.Event()) as page:
        page.get_by_role("tab", name="Inventory").click()
        expect(page.locator("#st-sources")).to_contain_text("env:SHOP_PG_PASSWORD", timeout=60_000)
        page.get_by_role("button", name="⟳ Sync").click()
        expect(page.locator("#st-sync-outcome")).to_contain_text("Synced shop: nothing changed.", timeout=60_000)
        expect(page.locator("#st-assets")).to_contain_text("shop.users")
        page.screenshot(path=str(shots_dir(tmp_path) / "sources-synced.png"), full_page=True)
        assert PASSWORD not in page.content()


def test_offline_what_sources_are_connected_lists_them(services, url):
    from stocktake.agent.assistant import Assistant

    add_source(services, "shop", url, tables=("users",))
    answer = Assistant(services).ask("what sources are connected?", "t1")
    assert answer.status == "answered"
    assert "- shop (database, postgresql://postgres:env:SHOP_PG_PASSWORD@" in answer.text
