"""Doc store and hybrid search: idempotent indexing, replacement, keyword hits, linking, generated docs, CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.catalog import Catalog
from stocktake.cli.main import app
from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.tools.docs import (
    DocStore,
    index_docs,
    index_profile_doc,
    list_docs,
    refresh_profile_docs,
    remove_docs,
    search_docs,
)
from stocktake.usecases import Services
from stocktake.vectorstore.embeddings import shared_encoder

pytestmark = pytest.mark.slow  # the first test loads the sentence encoder (about 8 s)

ORDERS_DOC = """\
# Shop data dictionary

## orders
One row per order placed in the shop.

- `order_id`: unique identifier of the order.
- `order_status`: delivered, shipped, canceled.
- `order_purchase_timestamp`: Shows the purchase timestamp.
- `order_approved_at`: Shows the payment approval timestamp.
- `order_delivered_customer_date`: actual delivery date to the customer.
- `order_estimated_delivery_date`: delivery date promised at purchase.

## customers
Who buys.

- `customer_id`: key of the customer.
- `customer_city`: customer city name.
- `customer_state`: customer state.

## reviews
- `review_score`: note from 1 to 5 given by the customer.
- `review_answer_timestamp`: when the customer answered the satisfaction survey.
"""


@pytest.fixture(scope="session")
def encoder():
    enc = shared_encoder()
    enc.encode(["warm up"])  # load once per session: importing sentence-transformers alone takes seconds
    return enc


@pytest.fixture
def store(ws, encoder) -> DocStore:
    return DocStore(ws, encoder)


@pytest.fixture(scope="module")
def searched(tmp_path_factory, encoder) -> DocStore:
    """One indexed copy of ORDERS_DOC shared by the tests that only search it."""
    from stocktake.catalog import Workspace

    folder = tmp_path_factory.mktemp("searched")
    (folder / "shop.md").write_text(ORDERS_DOC)
    store = DocStore(Workspace(folder / "workspace"), encoder)
    index_docs(store, [folder / "shop.md"])
    return store


@pytest.fixture
def orders_doc(tmp_path):
    path = tmp_path / "docs" / "shop.md"
    path.parent.mkdir()
    path.write_text(ORDERS_DOC)
    return path


def test_re_adding_a_doc_changes_nothing(store, orders_doc):
    first = index_docs(store, [orders_doc])
    count = store.count()
    again = index_docs(store, [orders_doc])
    assert first.files[0].added == count == first.chunks
    assert (again.files[0].added, again.files[0].removed, store.count()) == (0, 0, count)


def test_a_changed_doc_replaces_its_old_chunks(store, orders_doc):
    index_docs(store, [orders_doc])
    before = store.count()
    orders_doc.write_text(ORDERS_DOC.replace("- `order_status`: delivered, shipped, canceled.\n", "")
                          .replace("customer city name", "town where the customer lives"))
    report = index_docs(store, [orders_doc]).files[0]
    texts = [r.text for r in store.records()]
    assert not any("order_status" in t for t in texts)
    assert not any("customer city name" in t for t in texts)
    assert any("town where the customer lives" in t for t in texts)
    assert store.count() == before - 1 == report.chunks
    assert report.removed == 3  # the status column, the city column and the orders table chunk listing both


def test_re_syncing_drops_metadata_a_chunk_no_longer_has(store):
    from stocktake.vectorstore.store import Record

    store.sync_source("notes.md", [Record("c1", "order status", {"source": "notes.md", "asset": "orders"})],
                      ["order status"])
    store.sync_source("notes.md", [Record("c1", "order status", {"source": "notes.md"})], ["order status"])
    assert store.records()[0].metadata == {"source": "notes.md"}


def test_the_index_persists_across_store_instances(ws, encoder, store, orders_doc):
    index_docs(store, [orders_doc])
    reopened = DocStore(ws, encoder)
    assert reopened.count() == store.count()
    assert search_docs(reopened, "customer city", k=1)[0].column == "customer_city"


@pytest.mark.parametrize(
    "question", ["order_purchase_timestamp", "what does review_answer_timestamp mean?", "order_approved_at"],
)
def test_exact_column_names_are_found_first(searched, question):
    column = next(w for w in question.replace("?", "").split() if "_" in w)
    assert search_docs(searched, question, k=1)[0].column == column


def test_keyword_ranking_alone_finds_the_exact_column(searched):
    assert search_docs(searched, "order_purchase_timestamp", k=1, mode="keyword")[0].column == "order_purchase_timestamp"


@pytest.mark.parametrize(
    ("question", "column"),
    [("when was the payment approved?", "order_approved_at"), ("which town does the buyer live in?", "customer_city"),
     ("how satisfied was the customer, as a number?", "review_score")],
)
def test_paraphrased_questions_find_the_column(searched, question, column):
    assert column in [h.column for h in search_docs(searched, question, k=3)]


def test_docs_link_to_catalog_assets_with_other_names(store, catalog, orders_doc):
    catalog.register("olist_orders_dataset", pd.DataFrame({"order_id": ["a"], "order_status": ["delivered"],
                                                           "order_approved_at": ["2018-01-01"]}),
                     kind="orders", source="orders.csv", fmt="csv")
    report = index_docs(store, [orders_doc], catalog)
    hits = search_docs(store, "when was the order approved?", k=3, asset="olist_orders_dataset")
    assert hits and all(h.asset == "olist_orders_dataset" for h in hits)
    assert hits[0].column == "order_approved_at"
    assert report.files[0].linked == 4  # the orders table chunk and the three columns it has, nothing from customers
    assert list_docs(store)[0].assets == ("olist_orders_dataset",)


def test_a_documented_column_the_asset_lacks_stays_searchable_but_unlinked(store, catalog, orders_doc):
    catalog.register("orders", pd.DataFrame({"order_id": ["a"], "order_status": ["delivered"]}),
                     kind="orders", source="orders.csv", fmt="csv")
    index_docs(store, [orders_doc], catalog)
    hit = search_docs(store, "when was the payment approved?", k=1)[0]
    assert (hit.column, hit.asset) == ("order_approved_at", None)
    assert search_docs(store, "status", k=1, asset="orders")[0].column == "order_status"


def test_re_adding_after_ingest_links_without_re_embedding(store, catalog, orders_doc):
    index_docs(store, [orders_doc])
    catalog.register("customers", pd.DataFrame({"customer_id": [1], "customer_city": ["Lyon"]}),
                     kind="users", source="c.csv", fmt="csv")
    report = index_docs(store, [orders_doc], catalog).files[0]
    assert (report.added, report.linked) == (0, 3)  # the table and the two columns customers has
    assert search_docs(store, "city", k=1, asset="customers")[0].column == "customer_city"


def test_unknown_asset_filter_suggests_linked_ones(store, catalog, orders_doc):
    catalog.register("customers", pd.DataFrame({"customer_id": [1]}), kind="users", source="c.csv", fmt="csv")
    index_docs(store, [orders_doc], catalog)
    with pytest.raises(UnknownNameError, match="Did you mean: customers"):
        search_docs(store, "city", asset="customer")


def test_generated_doc_describes_columns_with_example_values(store, catalog):
    catalog.register("users", pd.DataFrame({"user_id": [1, 2], "home_town": ["Lyon", "Nantes"],
                                            "email": ["a@x.org", "b@y.org"]}),
                     kind="users", source="users.csv", fmt="csv", description="Registered shoppers.")
    index_profile_doc(store, catalog, "users")
    hit = search_docs(store, "which city does the user live in?", k=1, asset="users")[0]
    assert (hit.column, hit.kind, hit.location) == ("home_town", "profile", "profile › users › home_town")
    assert hit.text == "users › home_town (string): examples: Lyon, Nantes"
    texts = " ".join(r.text for r in store.records())
    assert "Registered shoppers." in texts and "@" not in texts  # no example values for e-mail-like columns


def test_generated_doc_adds_profile_issues_and_relationships(store, catalog):
    from stocktake.tools.profile import find_relations, profile_asset

    catalog.register("users", pd.DataFrame({"user_id": range(1, 31)}), kind="users", source="u.csv", fmt="csv")
    catalog.register("orders", pd.DataFrame({"order_id": range(100, 140),
                                             "user_id": [i % 30 + 1 for i in range(39)] + [99],
                                             "total": [10.0 + i for i in range(38)] + [None, None]}),
                     kind="orders", source="o.csv", fmt="csv")
    index_profile_doc(store, catalog, "orders", profile=profile_asset(catalog, "orders"),
                      relations=find_relations(catalog))
    texts = {r.metadata.get("column"): r.text for r in store.records()}
    assert "2 missing (5.0%)" in texts["total"] and "issues: 2 of 40 values of total are missing" in texts["total"]
    assert "relationships: orders.user_id references users.user_id (many-to-one, 97.5% of values match (1 orphan row))" in texts["user_id"]
    assert "Candidate keys: order_id." in texts[None]
    hit = search_docs(store, "which orders point to a user that does not exist?", k=1, asset="orders")[0]
    assert hit.column == "user_id"


def test_generated_docs_follow_new_asset_versions(store, catalog):
    catalog.register("users", pd.DataFrame({"user_id": [1]}), kind="users", source="u.csv", fmt="csv")
    index_profile_doc(store, catalog, "users")
    catalog.add_version("users", pd.DataFrame({"user_id": [1], "country": ["FR"]}), note="added country")
    assert refresh_profile_docs(store, catalog) == ["users"]
    versions = {r.metadata["asset_version"] for r in store.records()}
    assert versions == {2}
    assert search_docs(store, "country", k=1)[0].column == "country"
    assert refresh_profile_docs(store, catalog) == []


def test_remove_by_file_name_forgets_only_that_source(store, orders_doc, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("Notes\n=====\n\nPrices are in euros.\n")
    index_docs(store, [orders_doc, other])
    removed = remove_docs(store, "shop.md")
    assert removed.source == str(orders_doc.resolve())
    assert [d.source for d in list_docs(store)] == [str(other.resolve())]
    with pytest.raises(UnknownNameError, match=r"Valid: .*notes\.txt"):
        remove_docs(store, "shop.md")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.md", "No such file or folder"),
        (lambda d: (d / "photo.png").write_bytes(b"x") and d / "photo.png", "Cannot index"),
        (lambda d: (d / "data.csv").write_text("a,b\n1,2\n") and d / "data.csv", "not look like a data dictionary"),
    ],
    ids=["missing", "unsupported", "data-csv"],
)
def test_bad_paths_get_a_clear_error(store, tmp_path, make, message):
    with pytest.raises(StocktakeError, match=message):
        index_docs(store, [make(tmp_path)])
    assert store.count() == 0


def test_a_folder_skips_data_files_and_indexes_docs(store, orders_doc):
    (orders_doc.parent / "orders.csv").write_text("order_id,status\n1,shipped\n")
    report = index_docs(store, [orders_doc.parent])
    assert [f.source for f in report.files] == [str(orders_doc.resolve())]
    assert [p for p, _ in report.skipped] == [str(orders_doc.parent / "orders.csv")]


def test_cli_search_prints_one_json_object(orders_doc, encoder):
    runner = CliRunner()
    added = runner.invoke(app, ["docs", "add", str(orders_doc), "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["chunks"] == 14
    result = runner.invoke(app, ["docs", "search", "when was the order approved?", "--k", "2", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert len(hits) == 2
    assert {"text", "source", "location", "asset", "column", "score"} <= set(hits[0])
    assert hits[0]["location"] == "shop.md › orders › order_approved_at"
    assert hits[0]["score"] >= hits[1]["score"]


def test_cli_remove_unknown_source_is_a_one_line_error(orders_doc, encoder):
    runner = CliRunner()
    runner.invoke(app, ["docs", "add", str(orders_doc)])
    result = runner.invoke(app, ["docs", "remove", "nothing.md"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No indexed doc named 'nothing.md'.")
    assert "Traceback" not in result.output


@pytest.mark.shared_data
def test_olist_dictionary_chunks_per_table_and_column_and_answers_questions(store, shared_data):
    report = index_docs(store, [shared_data / "olist-ecommerce-sample" / "DATA_DICTIONARY.md"])
    records = store.records()
    tables = {r.metadata["table"] for r in records if "table" in r.metadata and "column" not in r.metadata}
    assert len([r for r in records if "column" in r.metadata]) == 52
    assert {"olist_orders_dataset", "olist_customers_dataset", "product_category_name_translation"} <= tables
    assert report.chunks == len(records)
    best = search_docs(store, "when was the order approved?", k=1)[0]
    assert (best.table, best.column) == ("olist_orders_dataset", "order_approved_at")
    assert best.location == "DATA_DICTIONARY.md › olist_orders_dataset › order_approved_at"


def test_cli_profile_list_and_search_by_asset(catalog, encoder):
    catalog.register("users", pd.DataFrame({"user_id": [1, 2], "home_town": ["Lyon", "Nantes"]}),
                     kind="users", source="users.csv", fmt="csv")
    runner = CliRunner()
    made = runner.invoke(app, ["docs", "profile", "--quick", "--json"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["files"][0]["source"] == "profile:users"
    listed = json.loads(runner.invoke(app, ["docs", "list", "--json"]).stdout)["docs"]
    assert [(d["source"], d["kind"], d["chunks"], d["assets"]) for d in listed] == [
        ("profile:users", "profile", 3, ["users"])]
    found = runner.invoke(app, ["docs", "search", "home town", "--asset", "users", "--k", "1", "--json"])
    assert json.loads(found.stdout)["hits"][0]["column"] == "home_town"
    unknown = runner.invoke(app, ["docs", "profile", "nobody"])
    assert unknown.exit_code == 1 and "No asset named 'nobody'" in unknown.stderr


SAMPLE_SHOP = {  # the columns of the sample data's tables that share a word with Olist's
    "orders": ["order_id", "user_id", "order_date", "status", "payment_method", "total_amount"],
    "order_items": ["order_item_id", "order_id", "product_id", "quantity", "unit_price"],
    "products": ["product_id", "title", "description", "category", "brand", "price"],
    "reviews": ["review_id", "product_id", "user_id", "rating", "review_text", "review_date"],
}


@pytest.mark.shared_data
def test_a_foreign_data_dictionary_links_nothing_to_tables_that_only_share_a_word(store, catalog, shared_data):
    for name, columns in SAMPLE_SHOP.items():
        catalog.register(name, pd.DataFrame({c: ["x"] for c in columns}), kind="other", source=f"{name}.csv", fmt="csv")
    report = index_docs(store, [shared_data / "olist-ecommerce-sample" / "DATA_DICTIONARY.md"], catalog)
    assert report.files[0].linked == 0 and list_docs(store)[0].assets == ()
    best = search_docs(store, "when was the order approved?", k=1)[0]
    assert (best.table, best.column, best.asset) == ("olist_orders_dataset", "order_approved_at", None)
    with pytest.raises(StocktakeError, match="No indexed doc is linked"):
        search_docs(store, "what does orders.status mean?", asset="orders")


@pytest.mark.shared_data
def test_the_olist_dictionary_links_every_table_to_its_ingested_olist_asset(store, catalog, shared_data):
    from stocktake.tools.ingest_formats import asset_name_for

    folder = shared_data / "olist-ecommerce-sample"
    for path in sorted(folder.glob("*.csv")):
        catalog.register(asset_name_for(path), pd.read_csv(path, nrows=20), kind="other", source=str(path), fmt="csv")
    index_docs(store, [folder / "DATA_DICTIONARY.md"], catalog)
    records = [r.metadata for r in store.records() if r.metadata.get("table")]
    assert {m["table"]: m.get("asset") for m in records} == {n: n for n in catalog.names()}
    unlinked = {m["column"] for m in records if m.get("column") and m.get("asset_column") != m["column"]}
    # The CSV spells these product_name_lenght and product_description_lenght: no such column, no link.
    assert unlinked == {"product_name_length", "product_description_length"}
    hit = search_docs(store, "when was the order approved?", k=1, asset="olist_orders_dataset")[0]
    assert hit.column == "order_approved_at"


@pytest.mark.parametrize("question", ["xqzv qqq blorf", "lorem ipsum dolor", "banana smoothie recipe"])
def test_nonsense_finds_no_passage(searched, question):
    assert search_docs(searched, question, k=5) == []


@pytest.mark.parametrize("question", ["city", "approved", "which town does the buyer live in?"])
def test_short_or_paraphrased_questions_still_find_passages(searched, question):
    assert search_docs(searched, question, k=5)


def test_a_doc_indexed_from_two_folders_gives_each_passage_once(store, orders_doc, tmp_path):
    copy = tmp_path / "elsewhere" / "shop.md"
    copy.parent.mkdir()
    copy.write_text(ORDERS_DOC)
    index_docs(store, [orders_doc, copy])
    assert len(list_docs(store)) == 2
    hits = search_docs(store, "when was the order placed?", k=4)
    assert len({h.text for h in hits}) == len(hits) == 4
    assert hits[0].score == max(h.score for h in hits)


def test_the_relevance_cut_off_is_a_setting(searched):
    from stocktake.tools.docs import DocsSettings

    assert len(search_docs(searched, "xqzv qqq blorf", k=3, settings=DocsSettings(min_similarity=-1.0))) == 3


# ---- the docs tab's handlers -----------------------------------------------------------------------------
def test_the_upload_picker_offers_only_formats_that_index():
    from pathlib import Path

    from stocktake.serve.panels.docs import DOC_TYPES
    from stocktake.tools.docs.chunkers import chunker_for

    assert ".json" not in DOC_TYPES and all(chunker_for(Path(f"x{t}")) for t in DOC_TYPES)


@pytest.mark.parametrize(("name", "content", "why"), [
    ("broken.json", '{"a": ', "Cannot index"), ("empty.csv", "", "does not look like a data dictionary"),
])
def test_a_rejected_upload_is_reported_by_name_and_not_kept(store, catalog, tmp_path, orders_doc, name, content, why):
    from stocktake.serve.panels.docs import index_uploads

    bad = tmp_path / "gradio" / "e2b1" / name
    bad.parent.mkdir(parents=True)
    bad.write_text(content)
    text = index_uploads(Services(catalog), [str(orders_doc), str(bad)])
    assert text.startswith("✅ Indexed 1 file(s)") and f"\n- ❌ {name}: " in text and why in text
    assert str(tmp_path) not in text
    assert sorted(p.name for p in catalog.ws.dir("docs").iterdir()) == ["shop.md"]


def test_a_failed_new_version_of_a_doc_puts_the_indexed_one_back(store, catalog, tmp_path):
    from stocktake.serve.panels.docs import index_uploads

    good = tmp_path / "a" / "shop.csv"
    good.parent.mkdir()
    good.write_text("column,description\norder_id,unique id of the order\n")
    index_uploads(Services(catalog), [str(good)])
    bad = tmp_path / "b" / "shop.csv"
    bad.parent.mkdir()
    bad.write_text("a,b\n1,2\n")
    assert "❌ shop.csv" in index_uploads(Services(catalog), [str(bad)])
    assert (catalog.ws.dir("docs") / "shop.csv").read_text() == good.read_text()


def test_an_empty_question_replaces_old_hits_with_a_hint(searched):
    from stocktake.serve.panels.docs import NO_QUESTION, search_hits

    assert search_hits(Services(Catalog(searched.ws)), "  ", 5) == NO_QUESTION


def test_a_hit_names_its_file_once(searched):
    from stocktake.serve.panels.docs import search_hits

    text = search_hits(Services(Catalog(searched.ws)), "order_approved_at", 1)
    assert text.startswith("**1. shop.md** · orders › order_approved_at <small>") and text.count("shop.md") == 1


def test_nonsense_says_no_passage_matches(searched):
    from stocktake.serve.panels.docs import NO_HITS, search_hits

    assert search_hits(Services(Catalog(searched.ws)), "xqzv qqq blorf", 5) == NO_HITS
