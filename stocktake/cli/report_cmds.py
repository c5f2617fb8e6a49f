"""``stocktake report``: the inventory report as one self-contained HTML file or as Markdown."""

from __future__ import annotations

from pathlib import Path

import typer

from stocktake.cli.common import catalog, engine_progress, print_json, warn


def register(app: typer.Typer) -> None:
    app.command()(report)


def report(
    ctx: typer.Context,
    out_path: Path = typer.Option(
        None, "--out", "-o", metavar="FILE",
        help="FILE.html or FILE.md (default: <workspace>/reports/inventory-<timestamp>.html)."),
    assets: list[str] = typer.Option(
        None, "--asset", "-a", metavar="NAME", help="Only this asset (repeat for more; default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the path written."),
) -> None:
    """Write the inventory report: per asset its purpose, size, freshness, quality, PII, keys and models."""
    from stocktake.tools.report import write_report

    cat = catalog(ctx)
    if not cat.names():
        warn("the workspace has no assets yet; the report will say so. Try: stocktake ingest PATH")
    with engine_progress("Writing the inventory report") as show:
        path = write_report(cat, out_path, assets=assets or None, progress=show)
    if as_json:
        print_json({"path": str(path), "assets": list(assets or cat.names())})
        return
    # The path alone on stdout, so scripts can pick it up: open "$(stocktake report)".
    typer.echo(str(path))
