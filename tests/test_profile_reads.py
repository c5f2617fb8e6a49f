"""Profiles read once: a question, a panel refresh or a report reads each asset's cached profile at most once,
and "which columns are personal?" costs one read per asset (it cost one per pair of assets)."""

from __future__ import annotations

from collections import Counter

import pytest

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.catalog import Catalog, Workspace
from stocktake.settings import ProfileSettings
from stocktake.tools.profile import local as profile_local
from stocktake.tools.ingest import ingest_path
from stocktake.tools.profile import local_profile, profile_all, profiles_read_once
from stocktake.tools.sample_data import write_sample_data


@pytest.fixture(scope="module")
def profiled_shop(tmp_path_factory) -> Catalog:
    root = tmp_path_factory.mktemp("profile-reads")
    write_sample_data(root / "shop")
    catalog = Catalog(Workspace(root / "ws", create=True))
    ingest_path(catalog, root / "shop")
    profile_all(catalog)  # every profile cached: what follows only reads them
    return catalog


@pytest.fixture
def reads(monkeypatch) -> Counter:
    """Cached-profile reads from disk, by asset."""
    counted: Counter = Counter()
    real = profile_local.read_cached_profile

    def counting(path, asset):
        counted[asset.name] += 1
        return real(path, asset)

    monkeypatch.setattr(profile_local, "read_cached_profile", counting)
    return counted


def once_each(reads: Counter, catalog: Catalog) -> bool:
    return reads == Counter(dict.fromkeys(catalog.names(), 1))


def test_which_columns_are_personal_reads_each_profile_once(profiled_shop, reads):
    assistant = Assistant(ToolContext(profiled_shop))
    result = assistant.by_name["find_personal_data"].run({})
    assert result.status == "success" and "users.email" in result.content
    assert len(profiled_shop.names()) > 2 and once_each(reads, profiled_shop)
    reads.clear()
    assistant.by_name["find_personal_data"].run({})
    assert not reads  # no asset changed since: the tools share what they read


def test_an_offline_question_reads_each_profile_at_most_once(profiled_shop, reads):
    answer = Assistant(ToolContext(profiled_shop)).ask("how many orders per status?")
    assert answer.status == "answered" and "delivered" in answer.text
    assert once_each(reads, profiled_shop)  # the planner's schema needs them all; the masking reads none again


def test_sql_and_personal_columns_through_the_tool_context_read_each_asset_once(profiled_shop, reads):
    ctx = ToolContext(profiled_shop)
    run_sql = Assistant(ctx).by_name["run_sql"]
    sql = "SELECT o.status, u.email FROM orders o JOIN users u USING (user_id) LIMIT 3"
    assert run_sql.run({"query": sql}).status == "success"
    assert "email" in ctx.personal_columns("users") and not ctx.personal_columns("orders") & {"status"}
    assert run_sql.run({"query": sql}).status == "success"
    assert reads == Counter(orders=1, users=1)


def test_an_inventory_refresh_and_an_asset_pick_each_read_every_profile_once(profiled_shop, reads):
    from stocktake.serve.panels.inventory import asset_details, asset_rows

    assert list(asset_rows(profiled_shop)["asset"]) == profiled_shop.names()
    assert once_each(reads, profiled_shop)
    reads.clear()
    about = asset_details(profiled_shop, "orders")[0]
    assert "orders" in about
    assert once_each(reads, profiled_shop)  # its own profile, and every asset's for the relationships


def test_a_report_reads_each_profile_once(profiled_shop, reads):
    from stocktake.tools.report import build_report

    assert [a.name for a in build_report(profiled_shop).assets] == profiled_shop.names()
    assert once_each(reads, profiled_shop)


def test_outside_a_scope_every_call_reads_the_file(profiled_shop, reads):
    orders = profiled_shop.get("orders")
    local_profile(profiled_shop, orders, ProfileSettings())
    local_profile(profiled_shop, orders, ProfileSettings())
    assert reads == Counter(orders=2)


def test_a_new_version_in_a_scope_is_profiled_as_itself(tmp_path, reads):
    import pandas as pd

    catalog = Catalog(Workspace(tmp_path / "ws", create=True))
    catalog.register("t", pd.DataFrame({"id": [1, 2, 3]}), kind="other", source="test", fmt="csv")
    settings = ProfileSettings()
    with profiles_read_once():
        first = local_profile(catalog, catalog.get("t"), settings)
        catalog.add_version("t", pd.DataFrame({"id": [1, 2, 3, 4]}), note="one more row")
        second = local_profile(catalog, catalog.get("t"), settings)
        assert local_profile(catalog, catalog.get("t", 1), settings) is first
    assert (first.version, first.rows) == (1, 3) and (second.version, second.rows) == (2, 4)


def test_the_tools_see_a_new_version_at_once(tmp_path):
    import pandas as pd

    catalog = Catalog(Workspace(tmp_path / "ws", create=True))
    catalog.register("t", pd.DataFrame({"email": ["a@b.com", "c@d.org"]}), kind="other", source="test",
                     fmt="csv")
    tool = Assistant(ToolContext(catalog)).by_name["describe_asset"]
    assert tool.run({"asset": "t"}).artifact["profile"]["rows"] == 2
    catalog.add_version("t", pd.DataFrame({"email": ["a@b.com", "c@d.org", "e@f.net"]}), note="one more")
    assert tool.run({"asset": "t"}).artifact["profile"]["rows"] == 3
