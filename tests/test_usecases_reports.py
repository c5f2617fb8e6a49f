"""The inventory report use case, as every face calls it: build for some assets or all, write, preview."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.tools.profile import local as profile_local
from stocktake.tools.ingest import ingest_path
from stocktake.tools.profile import profile_all
from stocktake.tools.sample_data import write_sample_data
from stocktake.usecases import Services
from stocktake.usecases.reports import write_inventory_report


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Catalog:
    root = tmp_path_factory.mktemp("report-usecase")
    write_sample_data(root / "shop")
    catalog = Catalog(Workspace(root / "ws", create=True))
    ingest_path(catalog, root / "shop")
    profile_all(catalog)
    return catalog


def test_the_report_of_some_assets_is_written_as_html_in_the_workspace(shop):
    written = write_inventory_report(Services(shop), ["users", "orders"])
    assert written.path.parent == shop.ws.dir("reports") and re.fullmatch(r"inventory-[\d-]+\.html", written.path.name)
    assert written.path.read_text().startswith("<!doctype html>")
    assert written.to_dict() == {"path": str(written.path), "assets": ["users", "orders"]}


def test_a_markdown_file_name_writes_markdown_and_the_preview_is_the_same(shop, tmp_path):
    written = write_inventory_report(Services(shop), ["orders"], tmp_path / "inventory.md")
    assert written.path.read_text() == written.markdown()
    assert written.markdown().startswith("# Data inventory")


@pytest.mark.parametrize(("assets", "name", "error"), [
    (["orders"], "inventory.pdf", StocktakeError), (["ordrs"], "inventory.html", UnknownNameError),
])
def test_a_wrong_file_name_or_asset_fails_before_any_work_and_writes_nothing(shop, tmp_path, assets, name, error):
    steps = []
    with pytest.raises(error):
        write_inventory_report(Services(shop), assets, tmp_path / name, progress=lambda *step: steps.append(step))
    assert steps == [] and not (tmp_path / name).exists()


def test_two_reports_from_one_workspace_read_each_profile_once(shop, monkeypatch):
    reads: Counter = Counter()
    real = profile_local.read_cached_profile
    monkeypatch.setattr(profile_local, "read_cached_profile",
                        lambda path, asset: reads.update([asset.name]) or real(path, asset))
    services = Services(shop)
    write_inventory_report(services)
    write_inventory_report(services, ["orders"])
    assert reads == Counter(dict.fromkeys(shop.names(), 1))
