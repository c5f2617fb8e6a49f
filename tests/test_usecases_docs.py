"""The docs use cases, as every face calls them: search with the generated docs kept current, add, list and
remove docs, and generate one doc per asset."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.errors import UnknownNameError
from stocktake.tools.profile import local as profile_local
from stocktake.tools.ingest import ingest_path
from stocktake.tools.profile import profile_all
from stocktake.tools.sample_data import write_sample_data
from stocktake.usecases import Services
from stocktake.usecases.docs import add_docs, document_assets, list_docs, remove_doc, search_docs
from stocktake.vectorstore.embeddings import shared_encoder

pytestmark = pytest.mark.slow  # the sentence encoder loads once per session (about 8 s)

DOC = """\
# Shop

## orders
One row per order placed in the shop.

- `order_id`: unique identifier of the order.
- `order_approved_at`: when the payment was approved.
"""


@pytest.fixture(scope="module", autouse=True)
def encoder():
    shared_encoder().encode(["warm up"])


@pytest.fixture
def services(catalog) -> Services:
    catalog.register("users", pd.DataFrame({"user_id": [1, 2], "home_town": ["Lyon", "Nantes"]}),
                     kind="users", source="users.csv", fmt="csv")
    return Services(catalog)


def test_a_search_first_rewrites_the_doc_of_an_asset_with_a_new_version(services):
    document_assets(services, quick=True)
    services.catalog.add_version("users", pd.DataFrame({"user_id": [1], "birth_country": ["FR"]}), note="new")
    assert search_docs(services, "birth country", k=1)[0].column == "birth_country"


def test_a_search_in_an_asset_the_catalog_lacks_suggests_the_ones_it_has(services):
    document_assets(services, quick=True)
    with pytest.raises(UnknownNameError, match="No asset named 'user'.*users"):
        search_docs(services, "home town", asset="user")


def test_docs_are_added_linked_listed_and_removed(services, tmp_path):
    doc = tmp_path / "shop.md"
    doc.write_text(DOC)
    assert add_docs(services, [doc]).chunks == 3
    assert [d.source for d in list_docs(services)] == [str(doc.resolve())]
    assert remove_doc(services, "shop.md").chunks == 3
    assert list_docs(services) == []


def test_documenting_an_unknown_asset_writes_no_doc(services):
    with pytest.raises(UnknownNameError, match="No asset named 'nobody'"):
        document_assets(services, ["users", "nobody"])
    assert list_docs(services) == []


def test_documented_assets_come_in_the_order_asked_one_doc_each(services):
    services.catalog.register("orders", pd.DataFrame({"order_id": [1], "user_id": [2]}), kind="orders",
                              source="orders.csv", fmt="csv")
    documented = document_assets(services, ["users", "orders"])
    assert documented.assets == ("users", "orders")
    assert [f["source"] for f in documented.to_dict()["files"]] == ["profile:users", "profile:orders"]


def test_documenting_every_asset_reads_each_profile_once(tmp_path, monkeypatch):
    write_sample_data(tmp_path / "shop")
    catalog = Catalog(Workspace(tmp_path / "ws", create=True))
    ingest_path(catalog, tmp_path / "shop")
    profile_all(catalog)
    reads: Counter = Counter()
    real = profile_local.read_cached_profile
    monkeypatch.setattr(profile_local, "read_cached_profile",
                        lambda path, asset: reads.update([asset.name]) or real(path, asset))
    documented = document_assets(Services(catalog))
    assert documented.assets == tuple(catalog.names())
    assert reads == Counter(dict.fromkeys(catalog.names(), 1))


class _SlowStore:
    """A docs store that notes how many callers are inside it at once."""

    def __init__(self):
        self.inside, self.most = 0, 0

    def records(self):
        import time

        self.inside += 1
        self.most = max(self.most, self.inside)
        time.sleep(0.05)
        self.inside -= 1
        return []


def test_callers_on_two_threads_use_the_docs_index_one_at_a_time(catalog):
    from concurrent.futures import ThreadPoolExecutor

    services = Services(catalog)
    services.__dict__["docs_store"] = store = _SlowStore()  # Chroma's client is not safe from two threads
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _: list_docs(services), range(8))) == [[]] * 8
    assert store.most == 1


def test_the_apps_assistant_works_on_the_apps_services(catalog):
    from stocktake.serve.common import AppContext

    app = AppContext(catalog, offline=True)
    assert app.assistant.ctx is app.services  # one docs store, its lock and one memo of the profiles read
