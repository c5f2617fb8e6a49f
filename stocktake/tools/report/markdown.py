"""The inventory report as Markdown: the app's preview, and a file for a wiki or a pull request."""

from __future__ import annotations

from stocktake.tools.report.build import AssetSection, InventoryReport
from stocktake.tools.report.er import render_mermaid
from stocktake.tools.report.wording import (empty_message, facts, metrics_text, percent_text, relation_text,
                                            scope_line, size_text)


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
                     [[c.name, c.type, c.semantic_type or "–", percent_text(c.null_fraction),
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


def _pii_cell(c) -> str:
    return "yes" if c.pii else "quasi-identifier" if c.quasi_identifier else ""

