"""``stocktake diff``: what changed between two versions of an asset."""

from __future__ import annotations

import typer
from rich.table import Table

from stocktake.cli.common import engine_progress, out, print_json, services


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)


def diff(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="ASSET", help="The asset (see `stocktake assets`)."),
    before: int = typer.Option(None, "--from", help="The earlier version (default: the one before --to)."),
    after: int = typer.Option(None, "--to", help="The later version (default: the latest)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Profile both versions again."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Compare two versions: schema, rows, per-column statistics and drift, quality issues, key coverage."""
    from stocktake.usecases.changes import diff as compare

    with engine_progress(f"Comparing versions of {name}") as show:
        found = compare(services(ctx), name, before, after, use_cache=not no_cache, progress=show)
    if as_json:
        print_json(found.to_dict())
        return
    _print(found)


def _print(d) -> None:
    (v1, v2), (r1, r2) = d.versions, d.rows
    verdict = "the dataset drifted" if d.dataset_drifted else "no dataset drift"
    out.print(f"{d.asset} v{v1} -> v{v2}: {r1:,} -> {r2:,} rows ({r2 - r1:+,}); {d.drifted_columns} of "
              f"{d.tested_columns} tested columns drifted: {verdict} (at {d.drift_share:.0%}); quality score "
              f"{_moved(*d.quality_score, '{}')}", highlight=False)
    if d.schema:
        out.print("Schema: " + "; ".join(_change(c) for c in d.schema), highlight=False)
    table = Table(title="Columns")
    for col in ("column", "test", "score", "threshold", "drifted", "nulls", "distinct", "mean"):
        table.add_column(col, overflow="fold")
    for c in d.columns:
        table.add_row(c.name + (f" (was {c.renamed_from})" if c.renamed_from else ""), c.test or c.note,
                      _number(c.score), _number(c.threshold), "yes" if c.drifted else "",
                      _moved(*c.null_rate, "{:.1%}") + (" !" if c.null_rate_changed else ""),
                      _moved(*c.distinct, "{:,}"), _moved(*c.mean, "{:,.4g}"))
    out.print(table)
    for title, issues in (("New issues", d.new_issues), ("Resolved issues", d.resolved_issues)):
        if issues:
            out.print(f"{title}: " + "; ".join(f"{i.kind} in {i.column or '(table)'} ({i.rows:,} rows)"
                                               for i in issues), highlight=False)
    for r in d.relations:
        out.print(f"Key coverage {r.from_asset}.{r.from_column} -> {r.to_asset}.{r.to_column}: "
                  f"{_moved(*r.coverage, '{:.2%}')}, orphan rows {_moved(*r.orphan_rows, '{:,}')}", highlight=False)


def _change(c) -> str:
    if c.kind == "renamed":
        return f"{c.before} renamed to {c.column}"
    if c.kind == "retyped":
        return f"{c.column} retyped {c.before} -> {c.after}"
    return f"{c.column} {c.kind} ({c.after or c.before})"


def _moved(a, b, fmt: str) -> str:
    shown = [("-" if v is None else fmt.format(v) if isinstance(v, (int, float)) else str(v)) for v in (a, b)]
    return shown[0] if a == b else f"{shown[0]} -> {shown[1]}"


def _number(value) -> str:
    return "" if value is None else f"{value:.4g}"

