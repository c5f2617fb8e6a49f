"""Catalog commands: ingest, assets, show, remove."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from stocktake.cli.common import engine_progress, err, out, print_json, services, warn
from stocktake.errors import StocktakeError
from stocktake.usecases import catalog
from stocktake.words import plural


def ingest(
    ctx: typer.Context,
    path: str = typer.Argument(..., help="A file, a folder of files, or sqlite:///file.db"),
    name: str = typer.Option(None, "--name", help="Asset name (default: from the file name)."),
    kind: str = typer.Option(None, "--kind", help="users, products, orders, order_items, events, reviews or other."),
    sep: str = typer.Option(None, "--sep", help="Delimiter: ',', ';', '|', tab, whitespace or any string such as '||' "
                                               "(default: sniffed)."),
    no_header: bool = typer.Option(False, "--no-header", help="The first row is data, not column names."),
    columns: str = typer.Option(None, "--columns", help="Column names, comma-separated (a,b,c)."),
    encoding: str = typer.Option(None, "--encoding", help="Text encoding (default: UTF-8, else Latin-1)."),
    table: str = typer.Option(None, "--table", help="One table of a SQLite database or one sheet of a workbook."),
    replace: bool = typer.Option(False, "--replace", help="Add a new version to an existing asset (none if unchanged)."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="In a folder, leave out files that can't be read "
                                                            "(each is reported) instead of ingesting nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Ingest a file, folder or SQLite database as catalog assets (sources are never modified)."""
    from stocktake.tools.ingest import ReadOptions
    from stocktake.tools.ingest_files import shown

    options = ReadOptions(
        sep=sep, header=False if no_header else None, encoding=encoding, table=table,
        columns=tuple(c.strip() for c in columns.split(",")) if columns else None,
    )
    skipped: list[str] = []
    with engine_progress(f"Ingesting {shown(path)}") as show:
        results = catalog.ingest(services(ctx), path, name=name, kind=kind, options=options, replace=replace,
                                 on_skip=skipped.append if skip_bad else None, progress=show)
    for problem in skipped:
        warn(f"skipped {problem}")
    for result in results:
        for message in result.warnings:
            warn(f"{result.asset.source}: {message}")
    if as_json:
        print_json({"assets": [r.to_dict() for r in results], "skipped": skipped})
        return
    for result in results:
        a = result.asset
        if result.unchanged:
            err.print(f"[green]=[/] {a.name}: unchanged (version {a.version}); no new version added", highlight=False)
            continue
        err.print(f"[green]✓[/] {a.name} ({a.kind}): {plural(a.rows, 'row')} × {plural(len(a.columns), 'column')}, "
                  f"version {a.version}", highlight=False)


def assets(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List the registered assets."""
    items = catalog.list_assets(services(ctx))
    if as_json:
        print_json({"assets": [a.to_dict() for a in items]})
        return
    if not items:
        err.print("No assets yet. Try: stocktake ingest PATH  (or stocktake sample-data DIR first)")
        return
    table = Table("name", "kind", "rows", "columns", "version", "source")
    for a in items:
        table.add_row(a.name, a.kind, f"{a.rows:,}", str(len(a.columns)), str(a.version), escape(a.source))
    out.print(table)


def show(ctx: typer.Context, name: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Show one asset: its columns with types and its versions."""
    history = catalog.asset_history(services(ctx), name)
    asset, versions = history.asset, history.versions
    if as_json:
        print_json(history.to_dict())
        return
    out.print(f"[bold]{asset.name}[/] ({asset.kind}) — {plural(asset.rows, 'row')}, version {asset.version}, from {escape(asset.source)}",
              highlight=False)
    cols = Table("column", "type")
    for c in asset.columns:
        cols.add_row(c.name, c.type)
    out.print(cols)
    vers = Table("version", "parent", "rows", "hash", "note", "created")
    for v in versions:
        vers.add_row(str(v.version), str(v.parent or ""), f"{v.rows:,}", v.content_hash[:12], v.note, v.created_at)
    out.print(vers)


def remove(ctx: typer.Context, name: str, yes: bool = typer.Option(False, "--yes", "-y", help="Don't ask.")) -> None:
    """Remove an asset and its snapshots from the workspace (your source files are untouched)."""
    found = services(ctx)
    history = catalog.asset_history(found, name)
    if not yes and not _confirm(f"Remove '{name}' and its {plural(len(history.versions), 'version')}?"):
        raise StocktakeError("Cancelled; nothing was removed.")
    catalog.remove_asset(found, history.asset.name)
    err.print(f"Removed {name}.")


def _confirm(question: str) -> bool:
    """Ask on stderr (stdout stays for output); no answer (stdin closed, Ctrl+C) is a clear refusal."""
    try:
        return typer.confirm(question, err=True)
    except typer.Abort:
        err.print()
        raise StocktakeError("No answer, so nothing was removed. Pass --yes to remove without asking.") from None


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(assets)
    app.command()(show)
    app.command()(remove)
