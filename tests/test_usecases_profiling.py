"""The catalog, profiling and questions use cases, which the CLI, the app and the agent's tools all call: one asset
that cannot be profiled fails only its own answer, "duplicates" means copies first and reused keys second, and
relationships come filtered to the assets asked about."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.catalog import Catalog
from stocktake.cli.main import app
from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.usecases import Services, profiling, questions
from stocktake.usecases import catalog as assets

USERS = pd.DataFrame({"user_id": range(1, 41), "email": [f"user{i}@example.com" for i in range(1, 41)]})
ORDERS = pd.DataFrame({"order_id": range(1, 201), "user_id": [i % 40 + 1 for i in range(200)]})
REVIEWS = pd.DataFrame({"review_id": range(1, 101), "user_id": [i % 40 + 1 for i in range(100)],
                        "score": [i % 5 + 1 for i in range(100)]})


def shop(cat: Catalog) -> Services:
    for name, frame in (("users", USERS), ("orders", ORDERS), ("reviews", REVIEWS)):
        cat.register(name, frame, kind=name, source=f"{name}.csv", fmt="csv")
    return Services(cat)


def break_snapshot(cat: Catalog, name: str) -> None:
    """The asset's snapshot gone before it was ever profiled: its profile cannot be computed."""
    cat.path(name).unlink()


def test_profiling_every_asset_reports_the_one_that_cannot_be_profiled_and_answers_for_the_others(catalog):
    services = shop(catalog)
    break_snapshot(catalog, "reviews")
    got = profiling.profiles(services)
    assert set(got.found) == {"orders", "users"} and set(got.failed) == {"reviews"}
    assert "Cannot profile reviews" in got.failed["reviews"].for_face("model")


def test_profiling_the_broken_asset_alone_raises_its_error(catalog):
    services = shop(catalog)
    break_snapshot(catalog, "reviews")
    with pytest.raises(StocktakeError, match="Cannot profile reviews"):
        profiling.profiles(services, "reviews")


def test_quality_issues_of_every_asset_keep_the_scores_of_those_profiled(catalog):
    services = shop(catalog)
    break_snapshot(catalog, "reviews")
    got = profiling.quality_issues(services)
    assert set(got.scores) == {"orders", "users"} and set(got.failed) == {"reviews"}


def test_the_inventory_lists_an_asset_that_cannot_be_profiled_without_a_profile(catalog):
    services = shop(catalog)
    break_snapshot(catalog, "reviews")
    entries = {e.asset.name: e for e in profiling.inventory(services)}
    assert entries["reviews"].profile is None and "Cannot profile" in str(entries["reviews"].error)
    assert entries["orders"].profile.rows == 200 and entries["orders"].profiled_at is not None


def test_the_cli_profiles_every_asset_it_can_and_names_the_one_it_cannot(catalog):
    shop(catalog)
    break_snapshot(catalog, "reviews")
    result = CliRunner().invoke(app, ["--workspace", str(catalog.ws.root), "profile", "--all", "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert {p["asset"] for p in payload["profiles"]} == {"orders", "users"} and list(payload["errors"]) == ["reviews"]


def products(copies: int, reused: int) -> pd.DataFrame:
    """200 products; ``copies`` rows repeated exactly, ``reused`` ids given to a second, different product."""
    frame = pd.DataFrame({"product_id": range(1, 201), "price": [float(i) for i in range(1, 201)]})
    again = pd.DataFrame({"product_id": range(1, reused + 1), "price": [-1.0] * reused})
    return pd.concat([frame, frame.head(copies), again], ignore_index=True)


def test_duplicates_name_exact_copies_and_reused_keys_together(catalog):
    catalog.register("products", products(copies=1, reused=1), kind="products", source="p.csv", fmt="csv")
    kinds = [i.kind for i in profiling.quality_issues(Services(catalog), "products", "duplicates").issues]
    assert sorted(kinds) == ["duplicate_key", "duplicate_rows"]


def test_the_duplicates_of_an_asset_are_its_copies_first_then_its_reused_keys(catalog):
    catalog.register("products", products(copies=1, reused=1), kind="products", source="p.csv", fmt="csv")
    services = Services(catalog)
    assert profiling.find_issue(services, "products", "duplicates").kind == "duplicate_rows"
    catalog.add_version("products", products(copies=0, reused=1), note="copies dropped")
    assert profiling.find_issue(services, "products", "duplicates").kind == "duplicate_key"
    assert profiling.find_issue(services, "products", "negative_values", column="PRICE").column == "price"
    catalog.add_version("products", products(copies=0, reused=0), note="keys fixed")
    assert profiling.find_issue(services, "products", "duplicates") is None


def test_an_unknown_issue_kind_lists_the_kinds_there_are(catalog):
    services = shop(catalog)
    with pytest.raises(UnknownNameError, match="Did you mean: duplicates"):
        profiling.quality_issues(services, kind="duplicatez")


def pairs(relations) -> set[tuple[str, str]]:
    return {(r.from_asset, r.to_asset) for r in relations}


def test_relationships_come_filtered_to_the_assets_asked_about(catalog):
    services = shop(catalog)
    assert pairs(profiling.relationships(services)) == {("orders", "users"), ("reviews", "users")}
    assert pairs(profiling.relationships(services, "users")) == {("orders", "users"), ("reviews", "users")}
    assert pairs(profiling.relationships(services, "orders", "users")) == {("orders", "users")}
    assert pairs(profiling.relationships(services, "orders", "reviews")) == set()
    assert pairs(profiling.relationships(services, "users", outgoing=True)) == set()


def test_relationships_of_an_unknown_asset_name_the_real_ones(catalog):
    services = shop(catalog)
    with pytest.raises(UnknownNameError, match="Did you mean: orders"):
        profiling.relationships(services, "order", "users")


def test_personal_data_names_each_column_with_its_asset(catalog):
    services = shop(catalog)
    found = [c.to_dict() for c in profiling.personal_data(services).columns]
    assert [(c["asset"], c["column"]) for c in found] == [("users", "email")]


def test_the_rows_behind_an_issue_are_one_to_fifty(catalog):
    catalog.register("products", products(copies=0, reused=60), kind="products", source="p.csv", fmt="csv")
    services = Services(catalog)
    issue = profiling.find_issue(services, "products", "negative_values")
    assert issue.rows == 60
    assert len(profiling.issue_examples(services, issue, limit=0).rows) == 1
    assert len(profiling.issue_examples(services, issue, limit=500).rows) == profiling.MAX_ISSUE_ROWS == 50


def test_describing_an_asset_gives_its_masked_profile(catalog):
    described = assets.describe_asset(shop(catalog), "users")
    assert described.asset.name == "users" and described.profile.rows == 40
    assert "user1@example.com" not in json.dumps(described.profile.to_dict())


def test_an_asset_history_lists_its_versions_oldest_first(catalog):
    services = shop(catalog)
    catalog.add_version("orders", ORDERS.head(10), note="kept ten")
    history = assets.asset_history(services, "orders")
    assert [v.version for v in history.versions] == [1, 2]
    assert [v["note"] for v in history.to_dict()["versions"]] == ["ingested", "kept ten"]


def test_a_recorded_description_is_the_assets_description(catalog):
    services = shop(catalog)
    assets.record_description(services, "orders", "One row per order.")
    assert [a.description for a in assets.list_assets(services) if a.name == "orders"] == ["One row per order."]


def test_where_a_thing_is_kept_leaves_out_the_values_of_a_personal_column(catalog):
    services = shop(catalog)
    found = {(f.place.asset, f.place.column): f for f in questions.find_data(services, "where are the emails?")}
    email = found[("users", "email")].column
    assert email.top_values == () and email.minimum is None and email.maximum is None
