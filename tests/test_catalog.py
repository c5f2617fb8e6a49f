"""Catalog round trips: immutable versions with parents and hashes, names, removal."""

from __future__ import annotations

import re

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


def test_replace_with_the_same_table_keeps_the_version_and_add_version_always_adds_one(catalog):
    catalog.register("p", FRAME, kind="other", source="x", fmt="csv")
    again = catalog.register("p", FRAME.copy(), kind="products", source="y", fmt="csv", replace=True)
    assert (again.version, again.kind, again.source) == (1, "products", "y")
    assert catalog.add_version("p", FRAME, note="explicit change").version == 2  # callers that ask get one


def _file(root):
    root.write_text("not a folder")


def _foreign(root):
    root.mkdir()
    (root / "orders.csv").write_text("a\n1\n")


def _under_a_file(root):
    root.parent.write_text("x")


BAD_ROOTS = [
    ("a file", "ws", _file, "is a file, not a folder"),
    ("a data folder", "ws", _foreign, "holds other files (orders.csv) but no Stocktake catalog"),
    ("under a file", "plain/ws", _under_a_file, "Cannot use"),
]


@pytest.mark.parametrize("relative, make, message", [b[1:] for b in BAD_ROOTS], ids=[b[0] for b in BAD_ROOTS])
def test_a_workspace_is_not_started_where_it_cannot_or_should_not_be(tmp_path, relative, make, message):
    root = tmp_path / relative
    make(root)
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(StocktakeError, match=re.escape(message)) as info:
        Workspace(root)
    assert "\n" not in str(info.value) and sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("existing", [[], [".DS_Store"], ["models"]], ids=["empty", "hidden file", "own folder"])
def test_a_workspace_starts_in_a_new_or_empty_folder(tmp_path, existing):
    root = tmp_path / "ws"
    root.mkdir()
    for name in existing:
        (root / name).mkdir() if name == "models" else (root / name).write_text("")
    assert (Workspace(root).root / "catalog.sqlite").is_file()


def test_opening_without_create_needs_an_existing_workspace(tmp_path, ws):
    missing = tmp_path / "typo"
    with pytest.raises(StocktakeError, match=f"No workspace at {re.escape(str(missing))} yet: ingest data first"):
        Workspace(missing, create=False)
    assert not missing.exists()
    assert Workspace(ws.root, create=False).root == ws.root
