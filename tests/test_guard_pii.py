"""Personal data stays masked on every way out: by value (one set of patterns), by column, and through SQL
that hides which columns it reads."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.agent.context import ToolContext
from stocktake.agent.tools import build_tools
from stocktake.catalog import Catalog, Workspace
from stocktake.cli.main import app
from stocktake.tools.profile import profile_asset, whole_columns
from stocktake.tools.profile.pii import (CERTAIN_RE2, CHECKED_RE2, MaskSettings, PersonalDataSettings, has_pii,
                                        mask_text, personal_name, secret_name)

PERSONAL_IN_TEXT = [
    ("write to anna.k12@example.com today", "anna.k12@example.com"),
    ("card 4111 1111 1111 1111 thanks", "4111 1111 1111"),
    ("card 4111111111111111", "411111111111"),
    ("amex 3782-822463-10005", "822463"),
    ("IBAN DE89 3704 0044 0532 0130 00", "3704 0044"),
    ("iban GB82WEST12345698765432", "WEST123456"),
    ("身份证 11010519491231002X", "110105194912"),
    ("call +86 138 0013 8000", "138 0013"),
    ("call +86 13800138000", "13800138"),
    ("mobile 13800138000", "13800138"),
    ("ring 07700 900123", "07700 9001"),
    ("ring +1 (555) 010-9999", "(555) 010"),
    ("ring +44 20 7946 0958", "7946"),
    ("ring (555) 123 4567", "123 45"),
    ("ring 555.123.4567", "555.123"),
]

ORDINARY_TEXT = [
    "order 1000033 shipped", "price 1234.56 EUR", "total 1,234.56", "on 2018-08-15", "on 10.10.2018",
    "at 2018-08-15 10:00:00", "zip 01234", "zip 12345-6789", "epoch 1534327200", "millis 1534327200000",
    "micros 1534327200000000", "pop 12.345.678", "ids 123 456 789", "host 192.168.1.10", "years 2019 2020 2021",
    "not a card 4111111111111112", "ORD-2018-000123", "isbn 978-3-16-148410-0", "id 12345678901234567890",
    "iban with a bad check DE89 3704 0044 0532 0130 01", "id with a bad check 110105194912310021",
]


@pytest.mark.parametrize("text, secret", PERSONAL_IN_TEXT)
def test_personal_data_in_free_text_is_masked(text, secret):
    masked = mask_text(text)
    assert secret not in masked and masked != text


@pytest.mark.parametrize("text", ORDINARY_TEXT)
def test_ordinary_numbers_are_left_alone(text):
    assert mask_text(text) == text and not has_pii(text)


@pytest.mark.parametrize("text", [t for t, _ in PERSONAL_IN_TEXT] + ORDINARY_TEXT)
def test_duckdb_finds_what_python_masks(text):
    """The profiler counts with the RE2 form of the same patterns: a masked value is always a candidate, and an
    e-mail or phone (no checksum) is a certain hit exactly when Python masks one."""
    with duckdb.connect() as con:
        certain, checked = con.execute(f"SELECT regexp_matches($1, '{CERTAIN_RE2}'), "
                                       f"regexp_matches($1, '{CHECKED_RE2}')", [text]).fetchone()
    assert (certain or checked) >= has_pii(text)
    assert certain <= has_pii(text)


@pytest.mark.timeout(5)
@pytest.mark.parametrize("unit", ["a", "a.", "a@", "1 ", "1-", "+1 ", "4", "A1", "a@b.", "1.1."])
def test_masking_a_megabyte_of_adversarial_text_finishes(unit):
    text = unit * (1_000_000 // len(unit))
    assert len(mask_text(text, MaskSettings(max_chars=len(text)))) >= len(text)


def test_text_is_cut_before_it_is_masked():
    assert mask_text("x" * 50 + " a@b.com", MaskSettings(max_chars=20)) == "x" * 20 + "…"


@pytest.mark.parametrize("column, personal", [
    ("customer_name", True), ("CustomerName", True), ("first_name", True), ("email", True), ("e_mail", True),
    ("billing_address", True), ("mobile", True), ("date_of_birth", True), ("iban", True), ("name", True),
    ("product_name", False), ("category_name", False), ("brand_name", False), ("file_name", False),
    ("order_id", False), ("city", False),
])
def test_personal_columns_are_recognised_by_name(column, personal):
    assert personal_name(column, PersonalDataSettings()) is personal


@pytest.mark.parametrize("column, secret", [
    ("password", True), ("user_passwd", True), ("apiToken", True), ("client_secret", True), ("customer_name", False),
    ("order_id", False),
])
def test_credentials_are_recognised_by_name(column, secret):
    assert secret_name(column) is secret


def test_columns_the_profiler_types_as_emails_or_phones_are_those_the_masker_masks(catalog):
    phones = ["+44 20 7946 0958", "+1 (555) 010-9999", "07700 900123", "13800138000", "(555) 123 4567"] * 4
    emails = [f"{who}.k12@example.com" for who in ("anna", "ben", "chen", "dora", "emil")] * 4
    catalog.register("contacts", pd.DataFrame({"reach": phones, "inbox": emails}), kind="users", source="t", fmt="csv")
    profile = profile_asset(catalog, "contacts")
    assert {c.name: c.semantic_type for c in profile.columns} == {"reach": "phone", "inbox": "email"}
    assert whole_columns(profile) == {"reach", "inbox"} and all(has_pii(v) for v in phones + emails)


@pytest.fixture
def users(catalog):
    catalog.register("users", pd.DataFrame({
        "user_id": [1, 2], "customer_name": ["Wout Moreau", "Ana Silva"],
        "contact": ["wout.moreau@example.com", "ana.silva@example.org"],
        "street": ["Korenmarkt 12", "Rua Augusta 9"], "city": ["Ghent", "Porto"],
        "phone": [5550109999, 5550108888]}), kind="users", source="t", fmt="csv")
    return catalog


def tool(catalog, name):
    found = next(t for t in build_tools(ToolContext(catalog)) if t.name == name)

    def call(**args):
        message = found.invoke({"name": name, "args": args, "id": "1", "type": "tool_call"})
        return message.content, message.artifact
    return call


SECRETS = ("Moreau", "moreau", "Silva", "wout", "Korenmarkt", "Augusta", "5550109999", "555010")


def leaks(*things) -> list[str]:
    text = json.dumps(things, default=str)
    return [s for s in SECRETS if s in text]


@pytest.mark.parametrize("query", [
    "SELECT struct_extract(c, 'customer_'||'name') AS x FROM users c",
    "SELECT struct_extract(c, 'con'||'tact') AS x FROM users c",
    "SELECT COLUMNS('^cust') FROM users",
    "SELECT c FROM users c",
    "SELECT users FROM users",
    "SELECT to_json(c) FROM users AS c",
    "SELECT concat_ws('|', COLUMNS(*)) AS x FROM users",
    "SELECT * FROM users",
    "SELECT #2, #4 FROM users",
    "SUMMARIZE users",
    "SELECT lower(customer_name) AS city FROM users",
    "SELECT phone + 0 AS n FROM users",
    "WITH x AS (SELECT street AS s FROM users) SELECT s FROM x",
])
def test_sql_never_lets_personal_values_out(users, query):
    content, artifact = tool(users, "run_sql")(query=query)
    assert artifact["rows"] and not leaks(content, artifact)


def test_sql_that_reads_no_personal_column_is_shown_as_it_is(users):
    _, artifact = tool(users, "run_sql")(query="SELECT city, count(*) AS n FROM users GROUP BY city ORDER BY n, city")
    assert artifact["rows"] == [["Ghent", 1], ["Porto", 1]]


def test_sql_masks_personal_data_by_value_in_any_column(catalog):
    note = "call me on +44 20 7946 0958 or card 4111111111111111"
    catalog.register("notes", pd.DataFrame({"id": [1], "note": [note]}), kind="other", source="t", fmt="csv")
    _, artifact = tool(catalog, "run_sql")(query="SELECT note FROM notes")
    note = artifact["rows"][0][0]
    assert "7946" not in note and "41111111" not in note and note.startswith("call me on")


def test_profiles_store_no_personal_values(users):
    stored = json.dumps(profile_asset(users, "users").to_dict())
    assert not leaks(stored) and "w***@e***.com" in stored


def test_profile_json_masks_min_and_max(users):
    result = CliRunner().invoke(app, ["--workspace", str(users.ws.root), "profile", "users", "--json"])
    columns = {c["name"]: c for c in json.loads(result.stdout)["columns"]}
    assert result.exit_code == 0 and not leaks(result.stdout)
    assert columns["customer_name"]["min"] == "A*** S***" and columns["contact"]["max"].endswith("***.com")


def test_describe_asset_shows_no_personal_values(users):
    assert not leaks(*tool(users, "describe_asset")(asset="users"))


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    catalog = Catalog(Workspace(tmp_path_factory.mktemp("docs") / "workspace"))
    catalog.register("users", pd.DataFrame({
        "user_id": [1, 2], "customer_name": ["Wout Moreau", "Ana Silva"],
        "contact": ["wout.moreau@example.com", "ana.silva@example.org"],
        "street": ["Korenmarkt 12", "Rua Augusta 9"], "phone": ["+44 20 7946 0958", "+1 555-010-8888"]}),
        kind="users", source="t", fmt="csv")
    from stocktake.tools.docs import DocStore
    from stocktake.tools.docs.index import index_profile_doc

    store = DocStore(catalog.ws)
    index_profile_doc(store, catalog, "users", profile_asset(catalog, "users"))
    return catalog, store


def test_the_docs_index_stores_no_personal_values(indexed):
    _, store = indexed
    stored = [r.text for r in store.records({"kind": "profile"})]
    assert stored and not leaks(stored) and "7946" not in json.dumps(stored)


def test_search_schema_docs_passes_no_personal_values(indexed):
    catalog, _ = indexed
    content, artifact = tool(catalog, "search_schema_docs")(question="customer name and street address", k=8)
    assert artifact["hits"] and not leaks(content, artifact)
