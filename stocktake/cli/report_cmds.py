"""``stocktake report``: the inventory report as one self-contained HTML file or as Markdown."""

from __future__ import annotations

from pathlib import Path

import typer

from stocktake.cli.common import engine_progress, print_json, services, warn


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
    from stocktake.usecases.reports import write_inventory_report

    used = services(ctx)
    if not used.catalog.names():
        warn("the workspace has no assets yet; the report will say so. Try: stocktake ingest PATH")
    with engine_progress("Writing the inventory report") as show:
        written = write_inventory_report(used, assets, out_path, progress=show)
    if as_json:
        print_json(written.to_dict())
        return
    # The path alone on stdout, so scripts can pick it up: open "$(stocktake report)".
    typer.echo(str(written.path))
