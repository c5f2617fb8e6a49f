"""Data contracts: a contract written from a clean version passes on it, and each injected problem fails exactly
its own check with the breaking rows counted independently by pandas; each check kind on tiny edge cases; new
versions checked as they are made; hostile or mistyped contract files refused in one line; the CLI's exit codes."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.catalog import Catalog, Workspace
from stocktake.cli.main import app
from stocktake.errors import StocktakeError
from stocktake.tools import sample_data
from stocktake.tools.clean import start_session
from stocktake.tools.contracts import contract_path, evaluate_contract, parse_contract, read_contract, stored_results
from stocktake.usecases import Services, cleaning, contracts
from stocktake.usecases import catalog as assets

NOW = dt.datetime(2024, 7, 1)


# ---- a clean shop, its contracts, and one problem injected at a time ------------------------------------------
@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """A clean shop (the sample generator's tables before any problem is injected), ingested, with a contract
    written for each asset."""
    folder = tmp_path_factory.mktemp("shop")
    rng = np.random.default_rng(7)
    users = sample_data.make_users(rng, 300)
    products, _ = sample_data.make_products(rng, 100)
    orders, items = sample_data.make_orders(rng, 800, users, products)
    tables = {"users": users, "products": products, "orders": orders, "order_items": items}
    for name, df in tables.items():
        df.to_parquet(folder / f"{name}.parquet")
    services = Services(Catalog(Workspace(folder / "workspace")))
    assets.ingest(services, folder)
    for name in tables:
        contracts.init_contract(services, name)
    return services, tables, folder


def replace_orders(shop, df: pd.DataFrame, tag: str):
    """Ingest ``df`` as the new version of orders (the contract is checked as it is made); its kept result."""
    services, _, folder = shop
    df.to_parquet(folder / f"orders_{tag}.parquet")
    assets.ingest(services, folder / f"orders_{tag}.parquet", name="orders", replace=True)
    version = services.asset("orders").version
    [result] = [r for r in contracts.show_contract(services, "orders").results if r.version == version]
    return result


def orders_contract(shop):
    return contracts.show_contract(shop[0], "orders").contract


def test_the_contracts_written_from_the_clean_shop_pass_on_it(shop):
    results = contracts.check(shop[0])
    assert [r.asset for r in results] == ["order_items", "orders", "products", "users"]
    assert [c.name for r in results for c in r.checks if c.failed] == []
    assert all(r.passed for r in results)


def test_the_written_contract_holds_what_the_clean_orders_are(shop):
    contract = orders_contract(shop)
    orders = shop[1]["orders"]
    order_id, user_id, status, total = (contract.column(n) for n in ("order_id", "user_id", "status", "total_amount"))
    assert order_id.unique and order_id.not_null and order_id.min is None  # ids get no range
    assert (user_id.references.asset, user_id.references.column, user_id.references.min_coverage) == \
        ("users", "user_id", 1.0)
    assert status.allowed_values == sorted(orders["status"].unique())
    assert (total.min, total.max) == (orders["total_amount"].min(), orders["total_amount"].max())
    assert contract.rows.min == 400 and contract.rows.max == 1600
    assert contract.freshness.column == "order_date" and not contract.allow_extra_columns


def test_no_personal_value_is_written_into_a_contract(shop):
    services, tables, _ = shop
    text = contracts.show_contract(services, "users").text
    email = contracts.show_contract(services, "users").contract.column("email")
    assert email.allowed_values is None and email.min is None
    assert not any(e in text for e in tables["users"]["email"])


def _nulls(df):
    df.loc[[3, 50, 400], "payment_method"] = None
    return "payment_method: not_null", lambda c: int(df["payment_method"].isna().sum())


def _duplicate_keys(df):
    df.loc[[10, 11, 12], "order_id"] = df.loc[0, "order_id"]
    return "order_id: unique", lambda c: int(df["order_id"].duplicated(keep=False).sum())


def _out_of_range(df):
    df.loc[[5, 6], "total_amount"] = -1.0
    df.loc[[7], "total_amount"] = 1e6

    def expected(contract):
        bounds = contract.column("total_amount")
        return int(((df["total_amount"] < bounds.min) | (df["total_amount"] > bounds.max)).sum())
    return "total_amount: range", expected


def _new_category(df):
    df.loc[[1, 2, 90, 91], "status"] = "teleported"
    return "status: allowed_values", \
        lambda c: int((~df["status"].isin(c.column("status").allowed_values) & df["status"].notna()).sum())


def _orphans(df, users):
    df.loc[[20, 21, 22, 23, 24], "user_id"] = [1, 2, 3, 4, 5]
    return "user_id: references", lambda c: int((~df["user_id"].isin(users["user_id"])).sum())


INJECTED = {
    "nulls in a not-null column": lambda df, users: _nulls(df),
    "duplicate keys": lambda df, users: _duplicate_keys(df),
    "out-of-range values": lambda df, users: _out_of_range(df),
    "a new category": lambda df, users: _new_category(df),
    "orphan foreign keys": _orphans,
}


@pytest.mark.parametrize("problem", INJECTED)
def test_an_injected_problem_fails_its_own_check_with_the_exact_breaking_rows(shop, problem):
    orders = shop[1]["orders"].copy()
    name, expected = INJECTED[problem](orders, shop[1]["users"])
    result = replace_orders(shop, orders, problem.replace(" ", "_"))
    [failed] = result.failures
    assert failed.name == name and failed.status == "fail"
    assert failed.breaking_rows == expected(orders_contract(shop)) > 0


def test_too_few_rows_fail_the_row_count(shop):
    fewer = shop[1]["orders"].iloc[::3]
    result = replace_orders(shop, fewer, "fewer")
    [failed] = result.failures
    assert failed.name == "rows" and failed.observed == len(fewer) < orders_contract(shop).rows.min


def test_stale_data_fails_freshness_with_the_newest_date(shop):
    orders = shop[1]["orders"]
    stale = orders[orders["order_date"] < orders["order_date"].max() - pd.Timedelta(days=60)]
    result = replace_orders(shop, stale, "stale")
    [failed] = result.failures
    assert failed.name == "freshness"
    assert failed.observed == str(stale["order_date"].max())


def test_breaking_rows_come_with_examples_and_their_row_numbers(shop):
    orders = shop[1]["orders"].copy()
    orders.loc[[3, 50], "status"] = "lost"
    [failed] = replace_orders(shop, orders, "examples").failures
    assert failed.examples == ((4, "lost"), (51, "lost"))


def test_a_version_that_passes_is_kept_as_passed(shop):
    result = replace_orders(shop, shop[1]["orders"].iloc[::-1], "reversed")
    assert result.passed and result.version == shop[0].asset("orders").version


# ---- each check kind on tiny tables ----------------------------------------------------------------------
def _check(catalog, frame: dict, columns: str, top: str = "", parent: dict | None = None, now=NOW):
    """Register ``frame`` as ``t`` (``parent`` as ``p``) and check the contract of ``columns`` and ``top`` on it."""
    if parent is not None:
        catalog.register("p", pd.DataFrame(parent), kind="other", source="test", fmt="parquet")
    catalog.register("t", pd.DataFrame(frame), kind="other", source="test", fmt="parquet")
    contract = parse_contract(f"asset: t\n{top}columns:\n{columns}", "t.yaml", "t")
    return evaluate_contract(catalog, contract, now=now)


def _only(result, kind):
    [found] = [c for c in result.checks if c.kind == kind]
    return found.status, found.breaking_rows


COLUMN_CASES = [
    # (values of column x, its contract entry, the check's kind, status, breaking rows)
    (pd.array([1, None, 3], dtype="Int64"), "type: integer, not_null: true", "not_null", "fail", 1),
    ([1.5, float("nan"), None], "type: float, not_null: true", "not_null", "fail", 2),
    (["a", "b"], "type: string, not_null: true", "not_null", "pass", 0),
    ([1, 1, 2, 2, 3], "type: integer, unique: true", "unique", "fail", 4),
    ([None, None, 1], "type: float, unique: true", "unique", "pass", 0),
    (["a", "A"], "type: string, unique: true", "unique", "pass", 0),
    ([0, 5, 10], "type: integer, min: 0, max: 10", "range", "pass", 0),
    (pd.array([-1, 5, 11, None], dtype="Int64"), "type: integer, min: 0, max: 10", "range", "fail", 2),
    ([-1.0, 99.0], "type: float, min: 0", "range", "fail", 1),
    ([dt.date(2019, 12, 31), dt.date(2020, 1, 1)], "type: date, min: 2020-01-01", "range", "fail", 1),
    ([dt.datetime(2020, 1, 1, 0, 0, 1)], "type: timestamp, max: 2020-01-01 00:00:00", "range", "fail", 1),
    (["a", "b", None], "type: string, allowed_values: [a]", "allowed_values", "fail", 1),
    ([1, 2, 3], "type: integer, allowed_values: [1, 2]", "allowed_values", "fail", 1),
    ([True, False], "type: boolean, allowed_values: [true]", "allowed_values", "fail", 1),
    (["yes", "no"], "type: string, allowed_values: ['yes', 'no']", "allowed_values", "pass", 0),
]


@pytest.mark.parametrize("values, entry, kind, status, breaking", COLUMN_CASES)
def test_each_column_check_on_tiny_tables(catalog, values, entry, kind, status, breaking):
    result = _check(catalog, {"x": values}, f"- {{name: x, {entry}}}\n")
    assert _only(result, kind) == (status, breaking)


@pytest.mark.parametrize("child, coverage, status, breaking", [
    ([1, 2, 3, None], 1.0, "fail", 1),
    ([1, 2, 3, None], 0.6, "pass", 1),  # 2 of 3 non-null values found
    ([1, 2, None], 1.0, "pass", 0),
])
def test_references_on_tiny_tables(catalog, child, coverage, status, breaking):
    entry = f"- {{name: x, type: float, references: {{asset: p, column: id, min_coverage: {coverage}}}}}\n"
    result = _check(catalog, {"x": child}, entry, parent={"id": [1.0, 2.0]})
    assert _only(result, "references") == (status, breaking)


def test_a_reference_to_a_missing_asset_fails(catalog):
    result = _check(catalog, {"x": [1]}, "- {name: x, type: integer, references: {asset: nowhere, column: id}}\n")
    [failed] = result.failures
    assert failed.kind == "references" and "nowhere" in failed.message


@pytest.mark.parametrize("rows, bounds, status", [
    (3, "{min: 4}", "fail"), (3, "{max: 2}", "fail"), (3, "{min: 3, max: 3}", "pass"), (0, "{min: 0}", "pass"),
])
def test_row_count_bounds(catalog, rows, bounds, status):
    result = _check(catalog, {"x": list(range(rows))}, "- {name: x, type: integer}\n", f"rows: {bounds}\n")
    [found] = [c for c in result.checks if c.kind == "rows"]
    assert (found.status, found.observed) == (status, rows)


@pytest.mark.parametrize("max_age, status", [(5, "fail"), (10.5, "pass")])
def test_freshness_against_the_newest_date(catalog, max_age, status):
    stamps = [NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=10), None]
    result = _check(catalog, {"at": stamps}, "- {name: at, type: timestamp}\n",
                    f"freshness: {{column: at, max_age_days: {max_age}}}\n")
    [found] = [c for c in result.checks if c.kind == "freshness"]
    assert found.status == status and found.observed == str(NOW - dt.timedelta(days=10))


def test_a_retyped_column_fails_its_type_and_skips_its_other_checks(catalog):
    result = _check(catalog, {"x": ["1", None]}, "- {name: x, type: integer, not_null: true, min: 0}\n")
    assert [(c.kind, c.status) for c in result.checks] == [("type", "fail"), ("not_null", "skipped"),
                                                          ("range", "skipped")]


def test_a_missing_column_and_an_extra_one(catalog):
    result = _check(catalog, {"y": [1]}, "- {name: x, type: integer}\n", "allow_extra_columns: false\n")
    assert {(c.kind, c.message) for c in result.failures} == {
        ("type", "missing"), ("extra_columns", "columns the contract does not name: y")}


def test_examples_of_a_personal_column_are_masked(catalog):
    emails = ["ann.lee@example.org", "ann.lee@example.org", "bo@example.com"]
    result = _check(catalog, {"email": emails}, "- {name: email, type: string, unique: true}\n")
    [failed] = result.failures
    assert failed.breaking_rows == 2 and [r for r, _ in failed.examples] == [1, 2]
    assert not any("ann.lee" in str(v) for _, v in failed.examples)


# ---- contract files: strict, bounded, never constructing objects ------------------------------------------
GOOD = "asset: t\ncolumns:\n- name: x\n  type: integer\n"


@pytest.mark.parametrize("text, says", [
    ("asset: t\ncolumns:\n- name: x\n  type: integer\n  uniqe: true\n", "t.yaml line 5: unknown key 'uniqe' in "
                                                                        "columns[0] (x)"),
    ("asset: t\nrow: {min: 1}\n", "t.yaml line 2: unknown key 'row'"),
    ("asset: t\ncolumns:\n- name: x\n  type: integr\n", "t.yaml line 4: columns[0] (x).type: Input should be"),
    ("asset: t\ncolumns:\n- name: x\n  type: integer\n  min: '0'\n", "t.yaml line 3: columns[0] (x): min of x must "
                                                                     "be a number"),
    ("asset: t\ncolumns:\n- name: s\n  type: string\n  allowed_values: [yes]\n", "holds True, which is not string "
                                                                                 "(quote it"),
    ("asset: t\nrows: {min: 1\ncolumns: []\n", "t.yaml line 3:"),
    ("asset: other\n", "t.yaml line 1: the contract is about other, not t"),
    ("- asset\n", "a contract is a mapping"),
    ("asset: t\nbase: &b {name: x, type: integer}\ncolumns: [*b]\n", "aliases (*name) are not allowed"),
    ("asset: t\ncolumns: " + "[" * 5000 + "]" * 5000 + "\n", "t.yaml: nested too deeply"),
])
def test_a_bad_contract_is_one_line_saying_where(text, says):
    with pytest.raises(StocktakeError) as caught:
        parse_contract(text, "t.yaml", "t")
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_a_python_tag_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    text = f"asset: t\ncolumns: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(StocktakeError, match="line 2: a tag such as !!python/object is refused"):
        parse_contract(text, "t.yaml", "t")
    assert not marker.exists()


def test_a_contract_file_beyond_the_size_bound_is_not_read(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(GOOD + "#" * (1 << 20))
    with pytest.raises(StocktakeError, match="a contract is read up to 1,048,576"):
        read_contract(path, "t")


def test_init_keeps_an_edited_contract_unless_forced(catalog):
    catalog.register("t", pd.DataFrame({"x": [1, 2]}), kind="other", source="test", fmt="parquet")
    services = Services(catalog)
    path = contracts.init_contract(services, "t").path
    assert contracts.init_contract(services, "t").path == path  # untouched: written again
    path.write_text(GOOD)
    with pytest.raises(StocktakeError, match="was edited since it was written, so it is kept: pass --force"):
        contracts.init_contract(services, "t")
    assert path.read_text() == GOOD
    assert contracts.init_contract(services, "t", force=True).contract.column("x").unique


# ---- new versions are checked as they are made -----------------------------------------------------------
def test_ingest_replace_keeps_a_result_for_the_new_version_only_where_there_is_a_contract(catalog, tmp_path):
    services = Services(catalog)
    for name in ("kept", "free"):
        (tmp_path / f"{name}.csv").write_text("id,price\n1,2.5\n2,3.5\n")
        assets.ingest(services, tmp_path / f"{name}.csv")
    contracts.init_contract(services, "kept")
    for name in ("kept", "free"):
        (tmp_path / f"{name}.csv").write_text("id,price\n1,2.5\n1,9.5\n")
        assets.ingest(services, tmp_path / f"{name}.csv", replace=True)
    [result] = contracts.show_contract(services, "kept").results
    assert result.version == 2 and {c.name for c in result.failures} == {"id: unique", "price: range"}
    assert not contract_path(catalog.ws, "free").exists() and contracts.check_new_version(services, "free") == ()


def test_a_finished_cleaning_is_checked(catalog):
    catalog.register("t", pd.DataFrame({"id": [1, 2, 2], "v": [1.0, 2.0, 2.0]}), kind="other", source="test",
                     fmt="parquet")
    services = Services(catalog)
    contract_path(catalog.ws, "t").parent.mkdir(parents=True)
    contract_path(catalog.ws, "t").write_text("asset: t\nrows: {min: 3}\n")
    session = start_session(catalog, "t")
    session.accept("s1")  # drop the exact copy
    done = cleaning.finish(services, session.id)
    [result] = contracts.show_contract(services, "t").results
    assert result.version == done.version == 2 and [c.observed for c in result.failures] == [2]


def test_an_unreadable_contract_is_kept_as_the_new_versions_failure(catalog, tmp_path):
    services = Services(catalog)
    (tmp_path / "t.csv").write_text("id\n1\n")
    assets.ingest(services, tmp_path / "t.csv")
    contract_path(catalog.ws, "t").parent.mkdir(parents=True)
    contract_path(catalog.ws, "t").write_text("asset: t\nrowz: 1\n")
    (tmp_path / "t.csv").write_text("id\n2\n")
    assets.ingest(services, tmp_path / "t.csv", replace=True)
    [result] = stored_results(catalog, "t")  # show_contract refuses the file itself
    assert result.version == 2 and "unknown key 'rowz'" in result.failures[0].message


@pytest.mark.slow
def test_a_sync_that_brings_a_new_version_is_checked(catalog, monkeypatch):
    from stocktake.usecases.sources import add_source, sync
    from tests.pg_server import PASSWORD, PostgresServer, binaries, load_shop

    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (initdb and pg_ctl not found)")
    monkeypatch.setenv("SHOP_PG_PASSWORD", PASSWORD)
    server = PostgresServer(binaries()).start()
    try:
        load_shop(server)
        services = Services(catalog)
        add_source(services, "shop", server.url("shop", password="env:SHOP_PG_PASSWORD"), tables=("users",))
        rows = services.asset("shop.users").rows
        contract_path(catalog.ws, "shop.users").parent.mkdir(parents=True)
        contract_path(catalog.ws, "shop.users").write_text(f"asset: shop.users\nrows: {{max: {rows}}}\n")
        server.execute("INSERT INTO users (user_id) VALUES (9000000)")
        sync(services, "shop")
    finally:
        server.stop()
    [result] = stored_results(catalog, "shop.users")
    assert result.version == 2 and [c.name for c in result.failures] == ["rows"]


def test_a_snapshot_that_cannot_be_read_fails_every_check_that_reads_it(catalog):
    catalog.register("t", pd.DataFrame({"x": [1, 2]}), kind="other", source="test", fmt="parquet")
    catalog.path("t").write_bytes(b"not parquet")
    result = evaluate_contract(catalog, parse_contract("asset: t\nrows: {min: 1}\ncolumns:\n- {name: x, type: integer, "
                                                       "not_null: true}\n", "t.yaml", "t"))
    assert [(c.name, c.status) for c in result.checks] == [("rows", "error"), ("x: type", "pass"),
                                                           ("x: not_null", "error")]
    assert not result.passed and "cannot be read" in result.failures[0].message


# ---- the command line ------------------------------------------------------------------------------------
runner = CliRunner()


def _cli_orders(tmp_path, rows="order_id,status\n1,paid\n2,paid\n3,shipped\n"):
    (tmp_path / "orders.csv").write_text(rows)
    return runner.invoke(app, ["ingest", str(tmp_path / "orders.csv")] + (["--replace"] if "4" in rows else []))


def test_check_exits_0_when_every_check_passes_and_1_when_one_fails(tmp_path):
    _cli_orders(tmp_path)
    assert runner.invoke(app, ["contract", "init", "orders"]).exit_code == 0
    passed = runner.invoke(app, ["check", "orders"])
    assert passed.exit_code == 0 and "orders version 1: passed" in passed.stdout
    _cli_orders(tmp_path, "order_id,status\n1,paid\n1,lost\n4,paid\n")
    failed = runner.invoke(app, ["check", "--json"])
    assert failed.exit_code == 1
    shown = json.loads(failed.stdout)
    assert shown["passed"] is False
    assert {(c["kind"], c["breaking_rows"]) for c in shown["results"][0]["checks"] if c["status"] == "fail"} == {
        ("unique", 2), ("allowed_values", 1)}


def test_check_without_a_contract_says_how_to_write_one(tmp_path):
    _cli_orders(tmp_path)
    for args in (["check", "orders"], ["check"], ["contract", "show", "orders"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "stocktake contract init" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_check_of_an_unknown_asset_is_one_line(tmp_path):
    _cli_orders(tmp_path)
    result = runner.invoke(app, ["check", "order"])
    assert result.exit_code == 1 and "No asset named 'order'. Did you mean: orders?" in result.stderr


def test_contract_show_prints_the_file_and_the_checked_versions(tmp_path):
    _cli_orders(tmp_path)
    runner.invoke(app, ["contract", "init", "orders"])
    runner.invoke(app, ["check", "orders"])
    result = runner.invoke(app, ["contract", "show", "orders"])
    assert result.exit_code == 0 and "asset: orders" in result.stdout and "passed" in result.stdout
