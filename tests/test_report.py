"""The inventory report: true to the catalog, self-contained as HTML, complete as Markdown, filterable."""

from __future__ import annotations

import base64
import json
import re
import struct

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.catalog import Catalog, Workspace
from stocktake.cli.main import app
from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.registry import ModelRegistry
from stocktake.tools.ingest import ingest_path
from stocktake.tools.report import build_report, render_html, render_markdown, write_report
from stocktake.tools.report.charts import ChartSettings, chart_null_rates
from stocktake.tools.report.er import Entity, ErColumn, Relationship, render_mermaid, render_svg
from stocktake.tools.sample_data import TABLES, write_sample_data

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EMBEDDED_PNG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def sample_catalog(tmp_path_factory) -> Catalog:
    """One workspace with the sample data ingested and two trained models recorded, shared by the module."""
    root = tmp_path_factory.mktemp("report")
    data = write_sample_data(root / "data", seed=0)
    cat = Catalog(Workspace(root / "workspace"))
    for table, path in data.paths.items():
        ingest_path(cat, path, name=table)
    registry = ModelRegistry(cat.ws)
    for task, algorithm, asset, metrics in (
        ("classifier", "bert", "products", {"accuracy": 0.912, "macro_f1": 0.874, "per_class": {"toys": 0.9}}),
        ("recommender", "als", "events", {"ndcg@10": 0.214, "recall@10": 0.331}),
    ):
        model_id, _ = registry.new_dir(task, algorithm)
        registry.record(model_id, task=task, algorithm=algorithm, asset=asset, asset_version=1, metrics=metrics,
                        params={})
    return cat


@pytest.fixture(scope="module")
def report(sample_catalog):
    return build_report(sample_catalog)


@pytest.fixture(scope="module")
def html(report) -> str:
    return render_html(report)


@pytest.fixture(scope="module")
def markdown(report) -> str:
    return render_markdown(report)


def section(report, name):
    return next(a for a in report.assets if a.name == name)


# ---- what the report says ---------------------------------------------------------------------------
def test_overview_counts_match_the_catalog(sample_catalog, report):
    assets = sample_catalog.list_assets()
    assert [a.name for a in report.assets] == sorted(TABLES)
    assert report.total_rows == sum(a.rows for a in assets)
    assert dict((k, n) for k, n, _ in report.by_kind) == {t: 1 for t in TABLES}
    for a in assets:
        s = section(report, a.name)
        assert (s.rows, s.n_columns, s.bytes) == (a.rows, len(a.columns), a.path.stat().st_size)


def test_time_coverage_ends_at_the_last_timestamp_in_the_data(sample_catalog, report):
    path = sample_catalog.path("orders")
    last = duckdb.sql(f"SELECT max(order_date) FROM read_parquet('{path}')").fetchall()[0][0]
    coverage = section(report, "orders").time_coverage
    assert coverage.column == "order_date"
    assert pd.Timestamp(coverage.last) == pd.Timestamp(last)


def test_pii_columns_are_those_with_personal_data_by_values_name_or_free_text(report):
    assert section(report, "users").pii_columns == ("name", "email")
    assert section(report, "reviews").pii_columns == ("review_text",)
    assert section(report, "orders").pii_columns == ()


def test_a_key_repeated_only_by_exact_copies_of_rows_is_the_key(report):
    from stocktake.tools.report.wording import keys_text

    users = section(report, "users")  # the sample data repeats 15 user rows, each copy with its user_id
    assert keys_text(users) == "user_id"
    assert keys_text(section(report, "products")).startswith("product_id")


def test_an_own_key_with_reused_values_is_the_key_and_says_it_repeats(report):
    from stocktake.tools.report.wording import keys_text

    orders = section(report, "orders")  # 10 rows reuse the order_id of another order
    assert keys_text(orders) == "order_id (repeats: 5,000 distinct in 5,010 rows)"
    assert {c.name: c.key for c in orders.columns}["order_date"] == ""


def test_quality_and_top_issues_come_from_the_profiler(sample_catalog, report):
    from stocktake.tools.profile import profile_asset

    for name in TABLES:
        profile = profile_asset(sample_catalog, name)
        s = section(report, name)
        assert s.quality_score == pytest.approx(profile.quality_score)
        assert s.issue_count == len(profile.issues)
        assert len(s.issues) == min(len(profile.issues), 5)
    assert any(s.issues for s in report.assets), "the sample data has injected problems"


def test_relationships_link_orders_to_users(report):
    found = {(r.from_asset, r.from_column, r.to_asset, r.to_column) for r in report.relations}
    assert ("orders", "user_id", "users", "user_id") in found
    assert "FK" in next(c.key for c in section(report, "orders").columns if c.name == "user_id")


def test_models_are_listed_with_their_scalar_metrics(report):
    (model,) = section(report, "products").models
    assert model.task == "classifier"
    assert dict(model.metrics) == {"accuracy": 0.912, "macro_f1": 0.874}
    assert [m.algorithm for m in section(report, "events").models] == ["als"]
    assert section(report, "orders").models == ()


def test_purpose_falls_back_to_the_catalog_description_without_a_docs_index(sample_catalog, report):
    assert all(s.doc is None and s.description for s in report.assets)
    assert not (sample_catalog.ws.dir("chroma") / "chroma.sqlite3").exists(), "no index is created for a report"


class _VectorlessEncoder:
    """Stands in for MiniLM when indexing: the report looks docs up by keyword, so vectors never matter."""

    dimension = 384

    def encode(self, texts):
        return [[1.0] + [0.0] * 383 for _ in texts]


@pytest.mark.slow  # indexes a doc into Chroma
def test_purpose_quotes_the_table_passage_of_indexed_docs(catalog, tmp_path, monkeypatch):
    from stocktake.tools.docs import DocStore, index_docs
    from stocktake.vectorstore.embeddings import LocalEncoder

    data = write_sample_data(tmp_path / "data", seed=0)
    ingest_path(catalog, data.paths["orders"], name="orders")
    index_docs(DocStore(catalog.ws, _VectorlessEncoder()), [data.docs["orders"]], catalog)
    monkeypatch.setattr(LocalEncoder, "encode", lambda self, texts: pytest.fail("the report loaded the encoder"))
    (orders,) = build_report(catalog).assets
    assert orders.doc.source == str(data.docs["orders"].resolve())
    assert "one row per order placed in the shop" in orders.doc.text
    assert "Unique identifier of the order" not in orders.doc.text, "the table passage, not a column's"
    assert "one row per order placed in the shop" in render_html(build_report(catalog))


# ---- HTML -------------------------------------------------------------------------------------------
def test_html_names_every_asset_and_charts_its_missing_values_only_when_it_has_some(report, html):
    gaps = {a.name: any(c.null_fraction for c in a.columns) for a in report.assets}
    assert 0 < sum(gaps.values()) < len(TABLES), "the sample data has tables with and without missing values"
    for name in TABLES:
        assert f'id="asset-{name}"' in html
        assert (f'alt="Missing values per column of {name}"' in html) == gaps[name], name
    assert len(EMBEDDED_PNG.findall(html)) == sum(gaps.values()) + 1  # one per asset with gaps, plus rows per asset
    assert html.count("No missing values: every column is filled") == len(TABLES) - sum(gaps.values())


def test_html_charts_are_real_pngs(html):
    for payload in EMBEDDED_PNG.findall(html):
        assert base64.b64decode(payload).startswith(PNG_MAGIC)


def test_html_refers_to_nothing_outside_itself(html):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", html, re.IGNORECASE)
    assert not re.search(r"https?://", html), "not even a namespace URL"
    assert "<link" not in html and "<script" not in html


def test_html_shows_the_er_diagram_and_model_metrics(html):
    assert html.count('<g class="entity">') == len(TABLES)
    assert "macro_f1 0.874" in html and "ndcg@10 0.214" in html


def test_catalog_text_is_shown_not_interpreted_as_markup(catalog):
    catalog.register("notes", pd.DataFrame({"id": [1, 2]}), kind="other", source="x", fmt="csv",
                     description="<script>alert(1)</script> & more")
    report = build_report(catalog)
    page, markdown = render_html(report), render_markdown(report)
    assert "<script>" not in page and "<script>" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; & more" in markdown


# ---- Markdown ---------------------------------------------------------------------------------------
def test_markdown_has_the_sections(markdown):
    headings = ["# Data inventory", "## Overview", "### By kind", "### Assets", "## Keys and relationships",
                "## Assets"] + [f"### {name}" for name in TABLES]
    lines = markdown.splitlines()
    for heading in headings:
        assert heading in lines, heading
    for label in ("Size", "Last updated", "Time coverage", "Quality", "PII columns", "Candidate keys"):
        assert markdown.count(f"- **{label}:**") == len(TABLES)
    assert "```mermaid\nerDiagram" in markdown
    assert "orders }o--|| users" in markdown


# ---- scope and errors -------------------------------------------------------------------------------
def test_asset_filter_reports_only_those_assets(sample_catalog):
    report = build_report(sample_catalog, ["users", "orders"])
    assert [a.name for a in report.assets] == ["users", "orders"]
    page = render_html(report)
    assert 'id="asset-orders"' in page and 'id="asset-events"' not in page
    assert "2 of 6 assets" in page
    assert len(EMBEDDED_PNG.findall(page)) == 3


@pytest.mark.parametrize("wrong, suggested", [("order", "orders"), ("user", "users"), ("Events", "events")])
def test_unknown_asset_suggests_real_ones(sample_catalog, wrong, suggested):
    with pytest.raises(UnknownNameError, match=rf"No asset named '{wrong}'\. Did you mean: .*\b{suggested}\b"):
        build_report(sample_catalog, [wrong])


def test_empty_workspace_says_so(catalog):
    report = build_report(catalog)
    assert report.is_empty
    for text in (render_markdown(report), render_html(report)):
        assert "has no assets yet" in text and "stocktake ingest PATH" in text
    assert "data:image/png" not in render_html(report)


def test_a_table_the_profiler_cannot_read_is_reported_not_fatal(catalog, monkeypatch):
    import stocktake.tools.profile as profile

    catalog.register("good", pd.DataFrame({"id": [1, 2, 3], "note": ["a", None, "c"]}), kind="other", source="x",
                     fmt="csv")
    catalog.register("bad", pd.DataFrame({"id": [1, 2]}), kind="other", source="x", fmt="csv")
    real = profile.profile_asset

    def flaky(cat, name, version=None):
        if name == "bad":
            raise StocktakeError("cannot read column 'id'")
        return real(cat, name, version)

    monkeypatch.setattr(profile, "profile_asset", flaky)
    report = build_report(catalog)
    bad, good = report.assets
    assert bad.profile_error == "StocktakeError: cannot read column 'id'" and bad.quality_score is None
    assert good.profile_error is None and good.quality_score is not None
    page = render_html(report)
    assert "Profile unavailable: StocktakeError: cannot read column" in page
    assert len(EMBEDDED_PNG.findall(page)) == 2, "no made-up null-rate chart for the table that was not read"


def test_report_data_is_json_ready(report):
    data = json.loads(json.dumps(report.to_dict()))
    assert [a["name"] for a in data["assets"]] == sorted(TABLES)
    assert "email" in next(a for a in data["assets"] if a["name"] == "users")["pii_columns"]


@pytest.mark.parametrize("name", ["report.pdf", "report", "report.txt"])
def test_write_report_needs_a_markdown_or_html_name(catalog, tmp_path, name):
    with pytest.raises(StocktakeError, match=r"use a \.md or \.html file name"):
        write_report(catalog, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_write_report_defaults_to_the_workspace_reports_folder(catalog):
    path = write_report(catalog)
    assert path.parent == catalog.ws.dir("reports")
    assert re.fullmatch(r"inventory-\d{8}-\d{6}\.html", path.name)
    assert path.read_text().startswith("<!doctype html>")


# ---- pieces -----------------------------------------------------------------------------------------
def png_height(png: bytes) -> int:
    return struct.unpack(">I", png[20:24])[0]  # IHDR: width, then height


def test_null_rate_chart_is_a_deterministic_png():
    rates = [(f"col_{i}", i / 10) for i in range(10)]
    first, second = chart_null_rates(rates), chart_null_rates(rates)
    assert first.startswith(PNG_MAGIC) and first == second


def test_null_rate_chart_of_a_wide_table_draws_only_the_worst_columns():
    settings = ChartSettings(max_bars=8)
    capped = chart_null_rates([(f"col_{i}", i / 20) for i in range(20)], settings)
    assert png_height(capped) == png_height(chart_null_rates([(f"col_{i}", 0.5) for i in range(8)], settings))
    assert png_height(capped) > png_height(chart_null_rates([("a", 0.5)], settings))


@pytest.mark.parametrize("asset, expected", [
    ("orders", "orders"), ("orders.2024", "orders_2024"), ("2024-orders", "_2024-orders"), ("a b", "a_b"),
])
def test_mermaid_names_are_valid_identifiers(asset, expected):
    text = render_mermaid([Entity(asset, (ErColumn("id", "integer", "PK"),))], [])
    assert f"    {expected} {{" in text.splitlines()


@pytest.mark.parametrize("cardinality, arrow", [("many-to-one", "}o--||"), ("one-to-one", "|o--||")])
def test_mermaid_draws_the_cardinality(cardinality, arrow):
    rel = Relationship("orders", "user_id", "users", "user_id", 0.5, cardinality)
    assert f'orders {arrow} users : "user_id (50.0% match)"' in render_mermaid([], [rel])


def test_svg_puts_referenced_tables_left_of_those_that_reference_them():
    entities = [Entity(n, (ErColumn("id", "integer", "PK"), ErColumn("ref", "integer", "FK")))
                for n in ("items", "orders", "users")]
    rels = [Relationship("items", "ref", "orders", "id", 1.0, "many-to-one"),
            Relationship("orders", "ref", "users", "id", 1.0, "many-to-one")]
    svg = render_svg(entities, rels)
    x = {n: float(re.search(rf'<rect x="([\d.]+)"[^>]*/>\s*<path[^>]*/>\s*<text[^>]*>{n}<', svg).group(1))
         for n in ("items", "orders", "users")}
    assert x["users"] < x["orders"] < x["items"]
    assert svg.count('<g class="relation">') == 2


# ---- CLI --------------------------------------------------------------------------------------------
def test_cli_writes_the_file_and_prints_its_path(sample_catalog, tmp_path):
    out = tmp_path / "inventory.md"
    result = CliRunner().invoke(app, ["--workspace", str(sample_catalog.ws.root), "report", "--out", str(out),
                                      "--asset", "orders"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    text = out.read_text()
    assert "### orders" in text.splitlines() and "### users" not in text.splitlines()


def test_cli_unknown_asset_is_a_one_line_error(sample_catalog, tmp_path):
    result = CliRunner().invoke(app, ["--workspace", str(sample_catalog.ws.root), "report", "--asset", "ordrs",
                                      "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert "No asset named 'ordrs'. Did you mean: orders" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "r.html").exists()


# ---- what the page shows ------------------------------------------------------------------------------
def test_markdown_code_spans_in_docs_and_messages_are_shown_as_code(report):
    from dataclasses import replace

    from stocktake.tools.report.build import DocPassage

    orders = section(report, "orders")
    doc = DocPassage(text="File: `orders.csv`, one row per order; a lone ` stays.", location="docs/orders.md",
                     source="docs/orders.md")
    page = render_html(replace(report, assets=(replace(orders, doc=doc),)))
    assert "File: <code>orders.csv</code>, one row per order; a lone ` stays." in page
    assert "`orders.csv`" not in page


def test_the_er_diagram_scales_down_to_its_box_rather_than_being_cut():
    from stocktake.tools.report.page import CSS

    assert ".er svg { display: block; max-width: 100%; height: auto; }" in CSS
    svg = render_svg([Entity("orders", (ErColumn("id", "integer", "PK"),))], [])
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg), "a viewBox, so that the drawing scales with the element"


def test_mermaid_spaces_the_tables_so_edge_labels_have_room():
    text = render_mermaid([], [Relationship("orders", "user_id", "users", "user_id", 0.5, "many-to-one")])
    assert text.splitlines()[:2] == ["erDiagram", '    %%{init: {"er": {"nodeSpacing": 160, "rankSpacing": 140}}}%%']
