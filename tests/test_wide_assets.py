"""One wide or broken asset never breaks the rest of the workspace: profiling, relations, cleaning and SQL about
the other assets work, and the asset's own trouble is reported as its own."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.agent.context import ToolContext
from stocktake.agent.tools import build_tools
from stocktake.catalog import Catalog, Workspace
from stocktake.cli.main import app
from stocktake.errors import StocktakeError
from stocktake.tools.ingest import ingest_path
from stocktake.tools.profile import find_relations, profile_asset
from stocktake.tools.sample_data import TABLES, write_sample_data

WIDE_COLUMNS, WIDE_ROWS = 5_000, 20


def shop(root) -> Catalog:
    result = write_sample_data(root / "data", seed=0)
    catalog = Catalog(Workspace(root / "workspace"))
    for table in TABLES:
        ingest_path(catalog, result.paths[table])
    return catalog


def call(catalog: Catalog, name: str, **args):
    found = next(t for t in build_tools(ToolContext(catalog)) if t.name == name)
    message = found.invoke({"name": name, "args": args, "id": "1", "type": "tool_call"})
    return message.content, message.artifact


@pytest.fixture(scope="module")
def wide_shop(tmp_path_factory):
    """The sample shop with a 5,000-column, 20-row CSV ingested next to it (today every question fails)."""
    root = tmp_path_factory.mktemp("wide")
    catalog = shop(root)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"c{i}": rng.integers(0, 100, WIDE_ROWS) if i % 2 else
                          [f"v{j}" for j in rng.integers(0, 5, WIDE_ROWS)] for i in range(WIDE_COLUMNS)})
    frame.to_csv(root / "wide.csv", index=False)
    ingest_path(catalog, root / "wide.csv")
    return catalog


@pytest.mark.slow
def test_sql_about_another_asset_works_beside_a_wide_one(wide_shop):
    _, artifact = call(wide_shop, "run_sql", query="SELECT count(*) AS n FROM products")
    assert artifact["rows"] == [[wide_shop.get("products").rows]]


@pytest.mark.slow
def test_another_asset_profiles_beside_a_wide_one(wide_shop):
    profile = profile_asset(wide_shop, "products")
    assert profile.rows == wide_shop.get("products").rows and profile.issues


@pytest.mark.slow
def test_the_wide_asset_profiles_in_batches(wide_shop):
    profile = profile_asset(wide_shop, "wide")
    assert len(profile.columns) == WIDE_COLUMNS and profile.columns[-1].name == f"c{WIDE_COLUMNS - 1}"
    assert profile.columns[1].min >= 0 and profile.columns[0].distinct <= 5


@pytest.mark.slow
def test_relations_work_beside_a_wide_asset(wide_shop):
    found = {(r.from_asset, r.from_column, r.to_asset) for r in find_relations(wide_shop)}
    assert ("orders", "user_id", "users") in found


@pytest.mark.slow
def test_clean_start_works_beside_a_wide_asset(wide_shop):
    result = CliRunner().invoke(app, ["--workspace", str(wide_shop.ws.root), "clean", "start", "products", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["proposals"]


@pytest.fixture(scope="module")
def damaged_shop(tmp_path_factory):
    """The sample shop with the reviews snapshot overwritten by garbage."""
    catalog = shop(tmp_path_factory.mktemp("damaged"))
    catalog.get("reviews").path.write_bytes(b"PAR1 this is not a parquet file")
    return catalog


@pytest.mark.slow
def test_a_damaged_asset_reports_its_own_error(damaged_shop):
    with pytest.raises(StocktakeError, match="Cannot profile reviews.*ingest it again"):
        profile_asset(damaged_shop, "reviews")


@pytest.mark.slow
def test_others_profile_and_relate_beside_a_damaged_asset(damaged_shop):
    assert profile_asset(damaged_shop, "orders").rows == damaged_shop.get("orders").rows
    assert {r.from_asset for r in find_relations(damaged_shop)} >= {"orders"}


@pytest.mark.slow
def test_questions_about_all_assets_name_the_damaged_one_and_answer_for_the_rest(damaged_shop):
    content, artifact = call(damaged_shop, "quality_issues")
    assert set(artifact["errors"]) == {"reviews"} and "Not profiled: reviews" in content
    assert {i["asset"] for i in artifact["issues"]} >= {"orders", "products", "users"}


@pytest.mark.slow
def test_sql_about_others_works_beside_a_damaged_asset(damaged_shop):
    _, artifact = call(damaged_shop, "run_sql", query="SELECT count(*) FROM users")
    assert artifact["rows"] == [[damaged_shop.get("users").rows]]
