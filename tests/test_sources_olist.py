"""A real marketplace schema as a live source: the Olist sample (../shared/data) in PostgreSQL with its keys
declared (tests/pg_olist.py) arrives table by table with the server's row counts, and its foreign keys become
relationships marked declared."""

from __future__ import annotations

import itertools

import pytest

from stocktake.usecases import Services, profiling
from stocktake.usecases.sources import add_source
from tests.pg_olist import OLIST_FILES, OLIST_KEYS, load_olist
from tests.pg_server import PASSWORD, running_server

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]
_databases = itertools.count()


@pytest.fixture(scope="module")
def server():
    with running_server() as pg:
        yield pg


@pytest.fixture
def olist(server, shared_data, monkeypatch) -> str:
    """The URL of an Olist database of this test's own, its password in OLIST_PG_PASSWORD."""
    name = f"olist_{next(_databases)}"
    load_olist(server, shared_data, name)
    monkeypatch.setenv("OLIST_PG_PASSWORD", PASSWORD)
    return server.url(name, password="env:OLIST_PG_PASSWORD")


@pytest.fixture
def services(catalog) -> Services:
    return Services(catalog)


def test_each_olist_table_arrives_with_the_servers_row_count(server, services, olist):
    result = add_source(services, "olist", olist)
    assert sorted(t.table for t in result.tables) == sorted(OLIST_FILES)
    database = olist.rsplit("/", 1)[1]
    for t in result.tables:
        (count,), = server.query(f"SELECT count(*) FROM {t.table}", database=database)
        assert (t.table, services.catalog.get(f"olist.{t.table}").rows) == (t.table, count)


def test_the_declared_olist_keys_are_relationships_marked_declared_from_child_to_parent(services, olist):
    add_source(services, "olist", olist)
    declared = {(r.from_asset, r.from_column, r.to_asset, r.to_column): r
                for r in profiling.relationships(services) if r.origin == "declared"}
    assert set(declared) == {(f"olist.{child}", column, f"olist.{parent}", parent_column)
                             for child, keys in OLIST_KEYS.items() for column, parent, parent_column in keys}
    assert all(r.coverage == 1.0 and r.orphan_rows == 0 for r in declared.values())


def test_the_composite_primary_keys_are_kept_with_the_sources_schema(services, olist):
    result = add_source(services, "olist", olist, tables=("order_items", "reviews"))
    assert {t.name: t.primary_key for t in result.source.tables} == {
        "order_items": ("order_id", "order_item_id"), "reviews": ("review_id", "order_id")}
