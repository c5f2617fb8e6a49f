"""Docs commands: add, search, list, remove, profile (schema-doc retrieval)."""

from __future__ import annotations

import typer
from rich.table import Table

from stocktake.cli.common import engine_progress, err, out, print_json, services, warn

docs_app = typer.Typer(no_args_is_help=True, help="Index and search schema documentation.")


@docs_app.command("add")
def add(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(..., help="Doc files or folders: Markdown, text, README, dbt schema.yml, "
                                                "CSV data dictionaries, SQL DDL."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Index schema docs; re-adding is idempotent and a changed doc replaces its old chunks."""
    from stocktake.usecases.docs import add_docs

    with err.status("Indexing docs…"):
        report = add_docs(services(ctx), paths)
    for path, reason in report.skipped:
        warn(f"skipped {path}: {reason}")
    if as_json:
        print_json(report.to_dict())
        return
    table = Table("source", "chunks", "added", "removed", "linked to assets")
    for f in report.files:
        table.add_row(f.source, str(f.chunks), str(f.added), str(f.removed), str(f.linked))
    out.print(table)
    err.print(f"{report.chunks} chunks in {report.seconds:.1f} s", highlight=False)


@docs_app.command("search")
def search(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="A question such as \"when was the order approved?\""),
    k: int = typer.Option(5, "--k", help="How many hits."),
    asset: str = typer.Option(None, "--asset", help="Only docs linked to this catalog asset."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Search indexed docs (dense + keyword, fused)."""
    from stocktake.usecases.docs import search_docs

    hits = search_docs(services(ctx), question, k=k, asset=asset)
    if as_json:
        print_json({"hits": [h.to_dict() for h in hits]})
        return
    if not hits:
        err.print("No docs indexed yet. Try: stocktake docs add PATH  or  stocktake docs profile")
        return
    for h in hits:
        link = f"  [cyan]→ {h.asset}{'.' + h.column if h.column else ''}[/]" if h.asset else ""
        out.print(f"[bold]{h.location}[/]{link}  [dim]{h.score:.4f}[/]", highlight=False)
        out.print(h.text if len(h.text) <= 400 else h.text[:400] + "…", highlight=False, markup=False)
        out.print()


@docs_app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """List indexed doc sources."""
    from stocktake.usecases.docs import list_docs

    docs = list_docs(services(ctx))
    if as_json:
        print_json({"docs": [d.to_dict() for d in docs]})
        return
    if not docs:
        err.print("No docs indexed yet. Try: stocktake docs add PATH")
        return
    table = Table("source", "kind", "chunks", "tables", "assets")
    for d in docs:
        table.add_row(d.source, d.kind, str(d.chunks), ", ".join(d.tables)[:60], ", ".join(d.assets))
    out.print(table)


@docs_app.command("remove")
def remove(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="An indexed source: its path, file name, or profile:ASSET."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Remove one source's chunks from the index (the file itself is not touched)."""
    from stocktake.usecases.docs import remove_doc

    removed = remove_doc(services(ctx), source)
    if as_json:
        print_json({"removed": removed.to_dict()})
        return
    err.print(f"[green]✓[/] removed {removed.chunks} chunks of {removed.source}", highlight=False)


@docs_app.command("profile")
def profile(
    ctx: typer.Context,
    assets: list[str] = typer.Argument(None, help="Assets to document (default: all)."),
    quick: bool = typer.Option(False, "--quick", help="Catalog metadata and example values only; no profiling."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Generate and index a doc per asset: columns, examples, and (unless --quick) issues and relationships."""
    from stocktake.usecases.docs import document_assets

    with engine_progress("Documenting assets") as show:
        documented = document_assets(services(ctx), assets, quick=quick, progress=show)
    if not documented.assets:
        err.print("No assets yet. Try: stocktake ingest PATH")
        return
    if as_json:
        print_json(documented.to_dict())
        return
    for name, f in zip(documented.assets, documented.report.files):
        err.print(f"[green]✓[/] {name}: {f.chunks} chunks ({f.added} new)", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(docs_app, name="docs")
