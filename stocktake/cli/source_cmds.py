"""Live-source commands: ``source add``, ``source list``, ``source remove`` and ``sync``."""

from __future__ import annotations

import typer
from rich.table import Table

from stocktake.cli.common import err, out, print_json, services
from stocktake.cli.confirm import YES, ask_first

source_app = typer.Typer(no_args_is_help=True, help="Register databases, APIs and log files whose tables become "
                                                    "assets.")
_API, _LOGS = "For API sources", "For log sources"


@source_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The source's name; its tables become assets NAME.TABLE."),
    location: str = typer.Argument(..., metavar="URL", help=(
        "A database: postgresql://USER[:env:VAR]@HOST:PORT/DATABASE (the password comes from the variable VAR or "
        "~/.pgpass; it is never stored), mysql://… or mariadb://… alike, sqlite:///PATH; an API endpoint, "
        "https://…; or a log file or folder.")),
    tables: list[str] = typer.Option(None, "--tables", help="Tables to bring in, glob patterns (default all)."),
    limit: int = typer.Option(None, "--limit", min=1, help="Read at most this many rows of each table."),
    sample: int = typer.Option(None, "--sample", min=1, help="Read a repeatable sample of about this many rows."),
    replace: bool = typer.Option(False, "--replace", help="Register an existing source again (versions are kept)."),
    json_path: str = typer.Option(None, "--json-path", rich_help_panel=_API,
                                  help="Where the records are in each response, dotted: data.items (default: the "
                                       "body if it is a list, else its only list)."),
    paginate: str = typer.Option(None, "--paginate", rich_help_panel=_API,
                                 help="cursor:FIELD[:PARAM] (the body's FIELD holds the next cursor: a URL is "
                                      "followed, another value sent as ?PARAM=, default cursor), page:PARAM "
                                      "(1, 2, 3, ...), offset:PARAM (0, then the records read so far) or link (the "
                                      "Link header's rel=next); each stops at the first empty page."),
    header: list[str] = typer.Option(None, "--header", rich_help_panel=_API,
                                     help="NAME=env:VAR or NAME=Bearer env:VAR, the value read from the variable "
                                          "VAR, never stored (repeatable)."),
    max_pages: int = typer.Option(None, "--max-pages", min=1, rich_help_panel=_API,
                                  help="Read at most this many pages; where there are more, the asset's "
                                       "description says so (without it, more than STOCKTAKE_SOURCE_MAX_PAGES "
                                       "pages is an error)."),
    log_format: str = typer.Option(None, "--format", rich_help_panel=_LOGS,
                                   help="combined (web-server access logs), jsonl, or regex (with --pattern)."),
    pattern: str = typer.Option(None, "--pattern", rich_help_panel=_LOGS,
                                help="A regular expression with named groups (ts, user, action, item, …)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Register a source: introspect it and read each chosen table into an asset."""
    from stocktake.usecases.sources import add_source

    options = {"json_path": json_path, "paginate": paginate, "headers": list(header or ()), "max_pages": max_pages,
               "log_format": log_format, "pattern": pattern}
    with err.status(f"Reading {name}…"):
        result = add_source(services(ctx), name, location, tables=tuple(tables or ()), limit=limit, sample=sample,
                            options=options, replace=replace)
    _show([result], as_json)


@source_app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """The registered sources."""
    from stocktake.usecases.sources import list_sources

    found = list_sources(services(ctx))
    if as_json:
        print_json({"sources": [s.to_dict() for s in found]})
        return
    table = Table("source", "url", "tables", "synced")
    for s in found:
        table.add_row(s.name, s.url, ", ".join(t.name for t in s.tables), s.synced_at)
    out.print(table)


@source_app.command("remove")
def remove(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The source to forget."),
    with_assets: bool = typer.Option(False, "--with-assets", help="Also remove its assets NAME.TABLE and every "
                                                                  "version of them (by default they stay)."),
    yes: bool = YES,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Forget a source: its URL, schema and sync cursors. Its assets stay, every version kept, unless
    --with-assets; the source itself is never touched."""
    from stocktake.usecases.sources import get_source, remove_source

    found = services(ctx)
    ask_first("remove_source", {"source": get_source(found, name).name, "with_assets": with_assets}, yes)
    removed = remove_source(found, name, with_assets=with_assets)
    if as_json:
        print_json(removed.to_dict())
        return
    if removed.removed:
        err.print(f"Forgot the source {name} and removed {', '.join(removed.removed)}.", highlight=False)
    else:
        kept = f"; its assets stay: {', '.join(removed.kept)}" if removed.kept else ""
        err.print(f"Forgot the source {name}{kept}.", highlight=False)


def sync(
    ctx: typer.Context,
    name: str = typer.Argument(None, help="The source to sync (default every source)."),
    incremental: str = typer.Option(None, "--incremental", help="Append only the rows past the last value seen "
                                                                "in this column (updated_at, id)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Re-read a source: a new version only where a table's content changed."""
    from stocktake.usecases.sources import sync as run_sync

    with err.status("Syncing…"):
        results = run_sync(services(ctx), name, incremental=incremental)
    _show(results, as_json)


def _show(results, as_json: bool) -> None:
    if as_json:
        print_json({"sources": [r.to_dict() for r in results]})
        return
    from stocktake.usecases.sources import read_notes, synced_line

    for result in results:
        for t in result.tables:
            out.print(synced_line(t), highlight=False)
            for note in read_notes(result, t):
                out.print(f"  {note}", highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(source_app, name="source")
    app.command()(sync)
