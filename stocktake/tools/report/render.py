"""Render an :class:`InventoryReport` as Markdown, or as one self-contained HTML file.

The HTML file carries everything inline (CSS, the ER diagram as SVG, charts as base64 PNG) and refers to
nothing outside itself, so it can be mailed, downloaded from the app, or opened offline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.files import write_atomic
from stocktake.numbers import metric_text
from stocktake.tools.progress import Progress, no_progress
from stocktake.tools.report.build import AssetSection, InventoryReport, ReportSettings, build_report
from stocktake.tools.profile import share_text
from stocktake.tools.report.er import render_mermaid, render_svg
from stocktake.words import plural

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def write_report(catalog: Catalog, out_path: str | Path | None = None, assets: Sequence[str] | None = None,
                 report: InventoryReport | None = None, progress: Progress = no_progress) -> Path:
    """Build the report (unless given one) and write it as Markdown or HTML by the file's suffix; returns the path.

    Without ``out_path`` it goes to ``<workspace>/reports/inventory-<timestamp>.html``.
    """
    path = Path(out_path) if out_path else default_report_path(catalog)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise StocktakeError(f"Cannot write a report as '{path.name}': use a .md or .html file name.")
    if path.is_dir():
        raise StocktakeError(f"'{path}' is a folder: give a file name such as {path / 'inventory.html'}.")
    report = report or build_report(catalog, assets, progress=progress)
    progress(f"writing {path.name}", 0, None)
    text = render_markdown(report) if fmt == "markdown" else render_html(report)
    write_atomic(path, text, mode=0o666)  # a half-written report never replaces a good one; it is for sharing
    return path


def default_report_path(catalog: Catalog) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return catalog.ws.dir("reports") / f"inventory-{stamp}.html"


# ---- shared wording ---------------------------------------------------------------------------------
def empty_message(report: InventoryReport) -> str:
    return (f"The workspace {report.workspace} has no assets yet, so there is nothing to report. "
            "Ingest data with `stocktake ingest PATH` (or generate some first with `stocktake sample-data DIR`).")


def scope_line(report: InventoryReport) -> str:
    shown = len(report.assets)
    scope = f"{shown} of {report.catalog_assets} assets" if shown != report.catalog_assets else f"{shown} assets"
    return f"Workspace `{report.workspace}` · {scope} · generated {when_text(report.generated_at)}"


def size_text(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def when_text(iso: str) -> str:
    """``2026-11-28T16:21:36+00:00`` as ``2026-11-28 16:21:36 UTC``."""
    return iso.replace("T", " ", 1).replace("+00:00", " UTC")


def _share(fraction: float | None) -> str:
    return "–" if fraction is None else f"{fraction:.1%}"


def metrics_text(metrics: tuple[tuple[str, float], ...]) -> str:
    return " · ".join(f"{k} {metric_text(v)}" for k, v in metrics) or "no metrics recorded"


def relation_text(r) -> str:
    return (f"{r.from_asset}.{r.from_column} → {r.to_asset}.{r.to_column} "
            f"({r.cardinality}, {share_text(r.coverage)} of values match)")


def keys_text(a: AssetSection) -> str:
    """The keys the profiler found (an asset's own key may repeat: said so), and any column other tables
    reference that is not unique (marked PK all the same)."""
    by_name = {c.name: c for c in a.columns}
    distinct_rows = a.rows - (a.duplicate_rows or 0)

    def shown(key: tuple[str, ...]) -> str:
        c = by_name.get(key[0]) if len(key) == 1 else None
        if c is None or c.distinct is None or c.distinct >= distinct_rows:
            return " + ".join(key)
        return f"{c.name} (repeats: {c.distinct:,} distinct in {plural(a.rows, 'row')})"

    keys = " · ".join(shown(k) for k in a.candidate_keys) or "none unique"
    repeated = [c for c in a.columns if "PK" in c.key and (c.name,) not in a.candidate_keys]
    if repeated:
        keys += "; referenced but repeating: " + ", ".join(
            f"{c.name} ({c.distinct:,} distinct in {plural(a.rows, 'row')})" if c.distinct is not None else c.name
            for c in repeated)
    return keys


def pii_text(a: AssetSection) -> str:
    """Direct personal data, then the quasi-identifiers with why they are personal only together."""
    text = ", ".join(a.pii_columns) or "none found"
    quasi = [c for c in a.columns if c.quasi_identifier]
    if quasi:
        why = quasi[0].quasi_identifier.split(": ", 1)[-1]
        text += f"; quasi-identifiers: {', '.join(c.name for c in quasi)} ({why})"
    return text


def facts(a: AssetSection) -> list[tuple[str, str]]:
    """The one-line facts of an asset, in reading order: size, freshness, quality, PII, keys."""
    cov = a.time_coverage
    quality = "not profiled" if a.quality_score is None else (
        f"{a.quality_score:.0f}/100 · {plural(a.issue_count, 'issue')}"
        + (f" · {plural(a.duplicate_rows, 'duplicate row')}" if a.duplicate_rows else ""))
    return [
        ("Size", f"{plural(a.rows, 'row')} × {plural(a.n_columns, 'column')} · {size_text(a.bytes)} Parquet "
                 f"(version {a.version})"),
        ("Last updated", when_text(a.updated_at)),
        ("Lineage", a.origin),
        ("Time coverage", f"{cov.column} from {when_text(cov.first)} to {when_text(cov.last)}" if cov
         else "no date or timestamp column"),
        ("Quality", quality),
        ("PII columns", pii_text(a)),
        ("Candidate keys", keys_text(a)),
        ("Source", a.source),
    ]


# ---- Markdown ---------------------------------------------------------------------------------------
def render_markdown(report: InventoryReport) -> str:
    if report.is_empty:
        return f"# Data inventory\n\n{empty_message(report)}\n"
    out = ["# Data inventory", "", scope_line(report), ""]
    out += [f"> {_md_text(note)}\n" for note in report.notes]
    out += _md_overview(report)
    out += ["## Keys and relationships", ""]
    if report.relations:
        out += ["```mermaid", render_mermaid(report.entities, report.relations), "```", ""]
    out += [f"- {relation_text(r)}" for r in report.relations] or ["No foreign-key relationships found."]
    out += ["", "## Assets", ""]
    for a in report.assets:
        out += _md_asset(a)
    return "\n".join(out).rstrip() + "\n"


def _md_overview(report: InventoryReport) -> list[str]:
    out = ["## Overview", "",
           f"**{len(report.assets)} assets**, **{report.total_rows:,} rows** in total, "
           f"{size_text(report.total_bytes)} of Parquet snapshots, "
           f"{sum(len(a.models) for a in report.assets)} trained models.", "",
           "### By kind", ""]
    out += _md_table(["kind", "assets", "rows"], [[k, str(n), f"{r:,}"] for k, n, r in report.by_kind])
    out += ["### Assets", ""]
    out += _md_table(
        ["asset", "kind", "rows", "columns", "size", "quality", "issues", "PII columns", "models"],
        [[a.name, a.kind, f"{a.rows:,}", str(a.n_columns), size_text(a.bytes),
          "–" if a.quality_score is None else f"{a.quality_score:.0f}", str(a.issue_count),
          ", ".join(a.pii_columns) or "–", str(len(a.models))] for a in report.assets])
    return out


def _md_asset(a: AssetSection) -> list[str]:
    out = [f"### {a.name}", "", f"*{a.kind}* — {_md_text(a.description or 'no description in the catalog')}", ""]
    if a.doc:
        out += [f"> {_md_text(line)}" if line.strip() else ">" for line in a.doc.text.splitlines()]
        out += [f"> — *{_md_text(a.doc.location)}*", ""]
    if a.profile_error:
        out += [f"**Profile unavailable:** {_md_text(a.profile_error)}", ""]
    out += [f"- **{label}:** {_md_text(value)}" for label, value in facts(a)] + [""]
    if a.issues:
        out += ["**Top issues**", ""]
        out += _md_table(["severity", "kind", "column", "rows", "message"],
                         [[i.severity, i.kind, i.column or "*", f"{i.rows:,}", i.message] for i in a.issues])
    if a.relations:
        out += ["**Relationships**", ""] + [f"- {relation_text(r)}" for r in a.relations] + [""]
    out += ["**Columns**", ""]
    out += _md_table(["column", "type", "semantic type", "missing", "distinct", "key", "PII"],
                     [[c.name, c.type, c.semantic_type or "–", _share(c.null_fraction),
                       "–" if c.distinct is None else f"{c.distinct:,}", c.key or "", _pii_cell(c)]
                      for c in a.columns])
    out += ["**Models trained on it**", ""]
    out += _md_table(["model", "task", "algorithm", "asset version", "metrics"],
                     [[m.id, m.task, m.algorithm, str(m.asset_version or "–"), metrics_text(m.metrics)]
                      for m in a.models]) if a.models else ["None yet.", ""]
    return out


def _md_text(text: str) -> str:
    # Catalog and doc text is data, not markup: a viewer must not render an HTML tag that sits in it.
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def cell(text: str) -> str:
        return _md_text(str(text)).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


# ---- HTML -------------------------------------------------------------------------------------------
def render_html(report: InventoryReport, settings: ReportSettings = ReportSettings()) -> str:
    title = f"Data inventory — {Path(report.workspace).name}"
    if report.is_empty:
        body = f'<p class="empty">{_inline_code(empty_message(report))}</p>'
    else:
        body = "\n".join([_html_overview(report, settings), _html_relations(report)]
                         + [_html_asset(a, settings) for a in report.assets])
    return (
        f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f'<header><h1>Data inventory</h1><p class="meta">{_inline_code(scope_line(report))}</p>'
        + "".join(f'<p class="note">{_inline_code(n)}</p>' for n in report.notes)
        + f"</header>\n{_html_nav(report)}\n{body}\n</main>\n</body>\n</html>\n"
    )


CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _inline_code(text: str) -> str:
    """Escaped text with its Markdown code spans (`orders.csv`) as <code>: docs and messages are written in
    Markdown, and a bare backtick in a page reads as noise. A backtick without a partner stays as it is."""
    return CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", escape(text))


def _html_nav(report: InventoryReport) -> str:
    if report.is_empty:
        return ""
    links = [('overview', 'Overview'), ('relationships', 'Relationships')]
    links += [(f"asset-{a.name}", a.name) for a in report.assets]
    return '<nav>' + "".join(f'<a href="#{escape(i)}">{escape(t)}</a>' for i, t in links) + "</nav>"


def _html_overview(report: InventoryReport, settings: ReportSettings) -> str:
    from stocktake.tools.report.charts import chart_rows_per_asset, png_data_uri

    cards = [("assets", f"{len(report.assets)}"), ("rows", f"{report.total_rows:,}"),
             ("Parquet", size_text(report.total_bytes)),
             ("models", str(sum(len(a.models) for a in report.assets))),
             ("issues", str(sum(a.issue_count for a in report.assets)))]
    chart = png_data_uri(chart_rows_per_asset([(a.name, a.rows) for a in report.assets]))
    rows = "".join(
        f'<tr><td><a href="#asset-{escape(a.name)}">{escape(a.name)}</a></td><td>{escape(a.kind)}</td>'
        f'<td class="num">{a.rows:,}</td><td class="num">{a.n_columns}</td><td class="num">{size_text(a.bytes)}</td>'
        f"<td>{_score_badge(a.quality_score, settings)}</td><td class=\"num\">{a.issue_count}</td>"
        f"<td>{_pii_list(a)}</td><td class=\"num\">{len(a.models)}</td></tr>"
        for a in report.assets)
    kinds = "".join(f'<tr><td>{escape(k)}</td><td class="num">{n}</td><td class="num">{r:,}</td></tr>'
                    for k, n, r in report.by_kind)
    return (
        '<section id="overview"><h2>Overview</h2><div class="cards">'
        + "".join(f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for k, v in cards)
        + '</div><div class="split"><div><h3>By kind</h3><table><thead><tr><th>kind</th><th>assets</th>'
        f'<th>rows</th></tr></thead><tbody>{kinds}</tbody></table></div>'
        f'<figure><img src="{chart}" alt="Rows per asset"></figure></div>'
        '<h3>Assets</h3><table><thead><tr><th>asset</th><th>kind</th><th>rows</th><th>columns</th><th>size</th>'
        '<th>quality</th><th>issues</th><th>PII columns</th><th>models</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def _html_relations(report: InventoryReport) -> str:
    if not report.relations:
        return ('<section id="relationships"><h2>Keys and relationships</h2>'
                '<p class="muted">No foreign-key relationships found between the assets.</p></section>')
    items = "".join(f"<li>{escape(relation_text(r))}</li>" for r in report.relations)
    return (
        '<section id="relationships"><h2>Keys and relationships</h2>'
        '<p class="muted">Each line runs from a referencing column (N side) to the key it references (1 side); '
        'hover a line for its coverage. PK: a unique or referenced key, FK: a foreign key.</p>'
        f'<div class="er">{render_svg(report.entities, report.relations)}</div><ul class="rels">{items}</ul></section>'
    )


def _html_asset(a: AssetSection, settings: ReportSettings) -> str:
    doc = (f'<blockquote class="doc">{_inline_code(a.doc.text)}<cite>{escape(a.doc.location)}</cite></blockquote>'
           if a.doc else "")
    error = f'<p class="note">Profile unavailable: {escape(a.profile_error)}</p>' if a.profile_error else ""
    fact_rows = "".join(f"<dt>{escape(k)}</dt><dd>{_inline_code(v)}</dd>" for k, v in facts(a))
    return (
        f'<section class="asset" id="asset-{escape(a.name)}"><h2>{escape(a.name)} '
        f'<span class="kind">{escape(a.kind)}</span> {_score_badge(a.quality_score, settings)}</h2>'
        f'<p class="purpose">{_inline_code(a.description or "No description in the catalog.")}</p>{doc}{error}'
        f'<div class="split"><dl>{fact_rows}</dl>{_html_null_rates(a)}</div>'
        f"{_html_issues(a)}{_html_asset_relations(a)}{_html_columns(a)}{_html_models(a)}</section>"
    )


def _html_null_rates(a: AssetSection) -> str:
    """The chart of missing values; a line when no column misses any, since such a chart shows nothing."""
    from stocktake.tools.report.charts import chart_null_rates, png_data_uri

    if a.profile_error:  # without a profile there are no null rates to draw
        return ""
    if not any(c.null_fraction for c in a.columns):
        return '<p class="muted nulls">No missing values: every column is filled in every row.</p>'
    png = chart_null_rates([(c.name, c.null_fraction) for c in a.columns])
    return f'<figure><img src="{png_data_uri(png)}" alt="Missing values per column of {escape(a.name)}"></figure>'


def _html_issues(a: AssetSection) -> str:
    if not a.issues:
        return "" if a.quality_score is None else '<h3>Top issues</h3><p class="muted">No issues found.</p>'
    rows = "".join(
        f'<tr><td><span class="sev {escape(i.severity)}">{escape(i.severity)}</span></td><td>{escape(i.kind)}</td>'
        f'<td>{escape(i.column or "*")}</td><td class="num">{i.rows:,}</td><td>{_inline_code(i.message)}</td></tr>'
        for i in a.issues)
    more = f" ({len(a.issues)} of {a.issue_count})" if a.issue_count > len(a.issues) else ""
    return (f"<h3>Top issues{more}</h3><table><thead><tr><th>severity</th><th>kind</th><th>column</th>"
            f"<th>rows</th><th>message</th></tr></thead><tbody>{rows}</tbody></table>")


def _html_asset_relations(a: AssetSection) -> str:
    if not a.relations:
        return ""
    return "<h3>Relationships</h3><ul class=\"rels\">" + "".join(
        f"<li>{escape(relation_text(r))}</li>" for r in a.relations) + "</ul>"


def _html_columns(a: AssetSection) -> str:
    rows = "".join(
        f'<tr><td><code>{escape(c.name)}</code></td><td>{escape(c.type)}</td>'
        f'<td>{escape(c.semantic_type or "–")}</td>'
        f'<td class="num">{_share(c.null_fraction)}</td>'
        f'<td class="num">{"–" if c.distinct is None else f"{c.distinct:,}"}</td>'
        f'<td>{escape(c.key)}</td><td>{_pii_badge(c)}</td></tr>'
        for c in a.columns)
    return (f"<details open><summary>Columns ({len(a.columns)})</summary><table><thead><tr><th>column</th><th>type</th>"
            "<th>semantic type</th><th>missing</th><th>distinct</th><th>key</th><th>PII</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></details>")


def _html_models(a: AssetSection) -> str:
    if not a.models:
        return '<h3>Models trained on it</h3><p class="muted">None yet.</p>'
    rows = "".join(
        f"<tr><td><code>{escape(m.id)}</code></td><td>{escape(m.task)}</td><td>{escape(m.algorithm)}</td>"
        f'<td class="num">{m.asset_version or "–"}</td><td>{escape(metrics_text(m.metrics))}</td></tr>'
        for m in a.models)
    return ("<h3>Models trained on it</h3><table><thead><tr><th>model</th><th>task</th><th>algorithm</th>"
            f"<th>asset version</th><th>metrics</th></tr></thead><tbody>{rows}</tbody></table>")


def _score_badge(score: float | None, settings: ReportSettings) -> str:
    if score is None:
        return '<span class="score">–</span>'
    level = "good" if score >= settings.good_quality else "fair" if score >= settings.fair_quality else "poor"
    return f'<span class="score {level}" title="quality score">{score:.0f}</span>'


def _pii_list(a: AssetSection) -> str:
    direct = ", ".join(f"<code>{escape(c)}</code>" for c in a.pii_columns) or "–"
    quasi = ", ".join(f"<code>{escape(c)}</code>" for c in a.quasi_identifiers)
    return direct + (f"; quasi-identifiers: {quasi}" if quasi else "")


def _pii_cell(c) -> str:
    return "yes" if c.pii else "quasi-identifier" if c.quasi_identifier else ""


def _pii_badge(c) -> str:
    if c.pii:
        return "<span class=pii>PII</span>"
    if c.quasi_identifier:
        return f'<span class=pii title="{escape(c.quasi_identifier)}">quasi-identifier</span>'
    return ""


CSS = """
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f8fafc; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { margin: 0 0 4px; font-size: 28px; } h2 { margin: 0 0 12px; font-size: 21px; }
h3 { margin: 18px 0 8px; font-size: 15px; }
.meta, .muted { color: var(--muted); }
.note { background: #fef3c7; border-left: 4px solid #f59e0b; padding: 6px 10px; }
nav { position: sticky; top: 0; z-index: 1; background: var(--bg); padding: 8px 0; margin-bottom: 8px;
      border-bottom: 1px solid var(--line); }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; white-space: nowrap; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin: 18px 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 8px; }
.card { flex: 1 1 140px; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--bg); }
.card b { display: block; font-size: 22px; } .card span { color: var(--muted); }
.split { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.25fr); gap: 24px; align-items: start; }
@media (max-width: 900px) { .split { grid-template-columns: 1fr; } }
figure { margin: 0; } figure img { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 14px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f5f9; padding: 1px 4px;
       border-radius: 4px; }
.kind, .score, .sev, .pii { display: inline-block; font-size: 12px; border-radius: 10px; padding: 1px 8px;
                            vertical-align: middle; }
.kind { font-weight: 500; color: var(--muted); border: 1px solid var(--line); }
.score { min-width: 34px; text-align: center; font-weight: 700; background: #e2e8f0; }
.score.good { background: #dcfce7; color: #166534; } .score.fair { background: #fef3c7; color: #92400e; }
.score.poor { background: #fee2e2; color: #991b1b; }
.sev { font-weight: 600; } .sev.high { background: #fee2e2; color: #991b1b; }
.sev.medium { background: #fef3c7; color: #92400e; } .sev.low { background: #e0f2fe; color: #075985; }
.pii { font-size: 11px; font-weight: 700; color: #9d174d; background: #fce7f3; }
.purpose { font-size: 15px; margin: 0 0 8px; }
blockquote.doc { margin: 8px 0 14px; padding: 8px 14px; border-left: 4px solid var(--accent); background: #eff6ff;
                 white-space: pre-wrap; }
blockquote.doc cite { display: block; margin-top: 6px; color: var(--muted); font-size: 12px; white-space: normal; }
.er { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; padding: 8px; background: #fcfdfe; }
.er svg { display: block; max-width: 100%; height: auto; }  /* a wide diagram scales down to its box */
ul.rels { margin: 8px 0; padding-left: 20px; }
details summary { cursor: pointer; font-weight: 600; margin: 14px 0 6px; }
.empty { font-size: 16px; }
"""
