"""Progress of profiling and of the inventory report: asset by asset, phase by phase, then relations."""

from __future__ import annotations

import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.tools.ingest import ingest_path
from stocktake.tools.profile import profile_all, profile_asset
from stocktake.tools.report import write_report
from stocktake.tools.sample_data import write_sample_data


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Catalog:
    root = tmp_path_factory.mktemp("shop")
    data = write_sample_data(root / "data", seed=0)
    cat = Catalog(Workspace(root / "workspace"))
    for table, path in data.paths.items():
        ingest_path(cat, path, name=table)
    return cat


def run(fn, *args, **kwargs) -> list[tuple]:
    calls = []
    fn(*args, **kwargs, progress=lambda step, done, total: calls.append((step, done, total)))
    return calls


def asset_steps(calls: list[tuple]) -> list[tuple]:
    return [c for c in calls if c[0].startswith("profiling ") and " · " not in c[0]]


def test_profiling_one_asset_reports_it_first_then_the_others_then_relations(shop):
    calls = run(profile_asset, shop, "orders", use_cache=False)
    names, rows = shop.names(), shop.get("orders").rows
    assert asset_steps(calls)[0] == (f"profiling orders ({rows:,} rows)", 0, len(names))
    others = [n for n in names if n != "orders"]
    assert [c[0].split(" (")[0] for c in asset_steps(calls)[1:]] == [f"profiling {n}" for n in others]
    assert [c[1] for c in asset_steps(calls)[1:]] == [names.index(n) for n in others]
    assert calls[-1] == ("finding relations", 0, None)


def test_a_computed_profile_reports_its_phases_on_the_asset_line(shop):
    calls = run(profile_asset, shop, "users", use_cache=False)
    step = asset_steps(calls)[0][0]
    mine = [c for c in calls if c[0].startswith(f"{step} · ")]
    columns = len(shop.get("users").columns)
    assert [c[0].removeprefix(f"{step} · ") for c in mine] == [
        f"column statistics (columns) 0/{columns}", f"issues (columns) 0/{columns}", "duplicate rows and keys"]
    assert {c[1:] for c in mine} == {(0, len(shop.names()))}


def test_a_cached_profile_reports_the_asset_alone(shop):
    profile_asset(shop, "users")
    calls = run(profile_asset, shop, "users")
    assert not [c for c in calls if " · " in c[0]]


def test_profile_all_counts_the_assets_then_their_relations(shop):
    calls = run(profile_all, shop)
    n = len(shop.names())
    assert [c[1:] for c in asset_steps(calls)] == [(i, n) for i in range(n)]
    assert [c for c in calls if c[0].startswith("finding")] == [("finding relations (assets)", i, n)
                                                                for i in range(n)]


def test_the_report_profiles_every_asset_up_front_then_summarises_each(shop, tmp_path):
    calls = run(write_report, shop, tmp_path / "inventory.md", assets=["orders"])
    names = shop.names()
    assert [(c[0].split(" (")[0], c[1]) for c in asset_steps(calls)] == [(f"profiling {n}", i)
                                                                         for i, n in enumerate(names)]
    steps = [c[0] for c in calls if " · " not in c[0]]
    assert steps[len(names):] == ["finding relationships", "reading the schema docs", "summarising orders",
                                  "writing inventory.md"]
