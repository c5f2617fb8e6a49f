"""Catalog round trips: immutable versions with parents and hashes, names, removal."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.errors import StocktakeError, UnknownNameError

FRAME = pd.DataFrame({"id": [1, 2, 3], "title": ["a", "b", None]})


def test_register_and_reopen_round_trip(ws):
    Catalog(ws).register("products", FRAME, kind="products", source="x.csv", fmt="delimited", tags=("shop",))
    asset = Catalog(Workspace(ws.root)).get("products")
    assert (asset.rows, asset.version, asset.kind, asset.tags) == (3, 1, "products", ("shop",))
    assert [(c.name, c.type) for c in asset.columns] == [("id", "integer"), ("title", "string")]
    pd.testing.assert_frame_equal(Catalog(ws).load("products"), FRAME, check_dtype=False)


def test_versions_are_immutable_and_chained(catalog):
    catalog.register("p", FRAME, kind="products", source="x", fmt="csv")
    v1_path, v1_hash = catalog.path("p"), catalog.get("p").current.content_hash
    catalog.add_version("p", FRAME.head(2), note="dropped a row", lineage={"step": "drop"})
    versions = catalog.versions("p")
    assert [(v.version, v.parent, v.rows) for v in versions] == [(1, None, 3), (2, 1, 2)]
    assert versions[1].lineage == {"step": "drop"} and versions[0].content_hash == v1_hash
    assert catalog.path("p", version=1) == v1_path and v1_path.exists()
    assert len(catalog.load("p", version=1)) == 3


def test_same_content_gives_the_same_hash(catalog):
    a = catalog.register("a", FRAME, kind="other", source="x", fmt="csv")
    b = catalog.register("b", FRAME.copy(), kind="other", source="y", fmt="csv")
    assert a.current.content_hash == b.current.content_hash


@pytest.mark.parametrize("name", ["", "has space", "../escape", ".hidden", "semi;colon"])
def test_bad_names_are_refused(catalog, name):
    with pytest.raises(StocktakeError, match="Invalid asset name"):
        catalog.register(name, FRAME, kind="other", source="x", fmt="csv")


def test_unknown_kind_is_refused(catalog):
    with pytest.raises(StocktakeError, match="Unknown kind 'sales'"):
        catalog.register("a", FRAME, kind="sales", source="x", fmt="csv")


def test_unknown_asset_suggests_real_names(catalog):
    catalog.register("olist_orders_dataset", FRAME, kind="orders", source="x", fmt="csv")
    with pytest.raises(UnknownNameError, match="Did you mean: olist_orders_dataset"):
        catalog.get("orders")


def test_remove_forgets_the_asset_and_its_snapshots(catalog, ws):
    catalog.register("p", FRAME, kind="other", source="x", fmt="csv")
    catalog.remove("p")
    assert catalog.names() == [] and not (ws.dir("snapshots") / "p").exists()


def test_a_failed_write_leaves_no_snapshot(catalog, ws, monkeypatch):
    import stocktake.catalog as module

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(module.pq, "write_table", broken)
    with pytest.raises(OSError):
        catalog.register("p", FRAME, kind="other", source="x", fmt="csv")
    assert catalog.names() == [] and list(ws.dir("snapshots").rglob("*")) == []


def test_unknown_name_without_a_close_match_lists_the_valid_ones():
    error = UnknownNameError("column", "nope", ["product_id", "title", "category"])
    assert str(error) == "No column named 'nope'. Valid: product_id, title, category."
