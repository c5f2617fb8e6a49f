"""The profiler on the sample dataset: every injected problem found with its exact row count, nothing else."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stocktake.catalog import Catalog, Workspace
from stocktake.cli.main import app
from stocktake.tools.ingest import ingest_path
from stocktake.tools.profile import profile_all, profile_asset
from stocktake.tools.profile.model import ISSUE_KINDS, SEMANTIC_TYPES
from stocktake.tools.sample_data import TABLES, write_sample_data
from stocktake.tools.sample_vocab import CATEGORIES


def sample_catalog(root, seed: int) -> tuple[Catalog, list[dict]]:
    result = write_sample_data(root / "data", seed=seed)
    cat = Catalog(Workspace(root / "workspace"))
    for table in TABLES:
        ingest_path(cat, result.paths[table])
    return cat, json.loads(result.problems_path.read_text())["problems"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_catalog(tmp_path_factory.mktemp("profile"), seed=0)


def expected_issues(problems: list[dict]) -> dict:
    return {(p["table"], None if p["column"] == "*" else p["column"], p["kind"]): p["rows"]
            for p in problems if p["kind"] != "suspected_mislabel"}


def found_issues(profiles) -> dict:
    return {(i.asset, i.column, i.kind): i.rows for p in profiles for i in p.issues}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 11])
def test_every_injected_problem_is_found_exactly_and_nothing_else(tmp_path, seed):
    cat, problems = sample_catalog(tmp_path, seed)
    expected, found = expected_issues(problems), found_issues(profile_all(cat))
    missed = {k: v for k, v in expected.items() if found.get(k) != v}
    false_positives = {k: v for k, v in found.items() if k not in expected}
    assert not missed, f"missed or miscounted: {missed}"
    assert not false_positives, f"false positives: {false_positives}"
    assert len(expected) >= 14


def test_profile_json_has_the_documented_keys(sample):
    cat, _ = sample
    d = profile_asset(cat, "orders").to_dict()
    assert {"rows", "duplicate_rows", "candidate_keys", "quality_score", "issues", "columns"} <= set(d)
    for col in d["columns"]:
        assert {"name", "type", "semantic_type", "nulls", "distinct", "min", "max", "mean"} <= set(col)
        assert col["semantic_type"] in SEMANTIC_TYPES
    for issue in d["issues"]:
        assert issue["kind"] in ISSUE_KINDS and issue["severity"] in ("high", "medium", "low")
        assert {"asset", "column", "rows", "message", "examples", "details"} <= set(issue)
    json.dumps(d)


@pytest.mark.parametrize("table, column, semantic", [
    ("users", "user_id", "identifier"), ("users", "email", "email"), ("users", "signup_date", "date"),
    ("users", "country", "geo"), ("products", "title", "free_text"), ("products", "category", "category"),
    ("products", "price", "price"), ("orders", "user_id", "foreign_key"), ("orders", "order_date", "timestamp"),
    ("order_items", "quantity", "quantity"), ("reviews", "rating", "rating"), ("reviews", "review_text", "free_text"),
    ("reviews", "review_date", "date"),
])
def test_semantic_types_of_the_sample_columns(sample, table, column, semantic):
    cat, _ = sample
    assert profile_asset(cat, table).column(column).semantic_type == semantic


def test_issue_details_carry_what_cleaning_needs(sample):
    cat, _ = sample
    products = {i.kind: i for i in profile_asset(cat, "products").issues}
    clusters = products["inconsistent_categories"].details["clusters"]
    categories = cat.load("products")["category"]
    assert set(clusters) <= set(CATEGORIES)
    assert {v for vs in clusters.values() for v in vs} == set(categories[~categories.isin(list(CATEGORIES))])
    orders = {i.kind: i for i in profile_asset(cat, "orders").issues}
    assert orders["duplicate_key"].details["key"] == ["order_id"]
    assert orders["orphan_foreign_keys"].details["parent_asset"] == "users"


def test_pii_examples_are_masked(sample):
    cat, _ = sample
    pii = next(i for i in profile_asset(cat, "reviews").issues if i.kind == "pii")
    assert pii.examples
    text = " ".join(pii.examples)
    assert "@example.com" not in text and "***" in text


def test_table_facts_candidate_keys_duplicates_and_time_coverage(sample):
    cat, _ = sample
    events = profile_asset(cat, "events")
    assert events.duplicate_rows > 0 and events.candidate_keys == (("event_id",),)  # copies repeat their key
    reviews = profile_asset(cat, "reviews")
    assert ("review_id",) in reviews.candidate_keys
    cover = profile_asset(cat, "orders").time_coverage
    assert cover["column"] == "order_date" and cover["first"] < cover["last"]
    assert 0 <= events.quality_score < 100 and events.quality_rule


def test_profiles_are_cached_per_content_hash(sample):
    cat, _ = sample
    profile_asset(cat, "users")
    cached = list((cat.ws.dir("cache") / "profiles").glob("users-*.json"))
    assert len(cached) == 1
    asset = cat.get("users")
    assert asset.current.content_hash[:16] in cached[0].name
    assert profile_asset(cat, "users") == profile_asset(cat, "users", use_cache=False)


def test_cli_profile_json_prints_one_object(sample):
    cat, _ = sample
    result = CliRunner().invoke(app, ["--workspace", str(cat.ws.root), "profile", "orders", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == cat.get("orders").rows


def test_cli_profile_all_and_human_output(sample):
    cat, _ = sample
    runner = CliRunner()
    table = runner.invoke(app, ["--workspace", str(cat.ws.root), "profile", "products"])
    assert table.exit_code == 0 and "inconsistent_categories" in table.stdout
    every = runner.invoke(app, ["--workspace", str(cat.ws.root), "profile", "--all", "--json"])
    assert {p["asset"] for p in json.loads(every.stdout)["profiles"]} == set(TABLES)


def test_cli_unknown_asset_is_a_one_line_error(sample):
    cat, _ = sample
    result = CliRunner().invoke(app, ["--workspace", str(cat.ws.root), "profile", "oders"])
    assert result.exit_code == 1
    assert "No asset named 'oders'" in result.output and "orders" in result.output


@pytest.mark.parametrize("low, high, n, message", [
    (0, 500, 3, "3 values of x lie above 9"),  # the lower fence (-5) is below every value
    (-100, 8, 1, "1 value of x lies below -5"),
    (-100, 500, 2, "2 values of x lie outside -5 .. 9"),
    (0, 12_000, 4, "4 values of x lie above 9"),
])
def test_outlier_messages_name_only_the_fences_values_cross(low, high, n, message):
    from stocktake.tools.profile.issues import outlier_text
    from stocktake.tools.profile.scan import ColumnScan

    scan = ColumnScan("x", "float")
    scan.min, scan.max = low, high
    assert outlier_text(scan, n, [-5.0, 9.0]) == message


@pytest.mark.parametrize("value, shown", [
    (12_346.0, "12,346"), (0.000123456, "0.0001235"), (1.5e20, "1.5e+20"), (3, "3"), ("a" * 30, "a" * 23 + "…"),
])
def test_profile_table_shows_whole_numbers_in_full(value, shown):
    from stocktake.cli.profile_cmds import _short

    assert _short(value) == shown
