"""``stocktake demo``: everything a newcomer needs in one command."""

from __future__ import annotations

import typer
from rich.table import Table

from stocktake.catalog import Catalog
from stocktake.cli.common import catalog, err, out, progress
from stocktake.cli.serve_cmds import AUTH, HOST, OFFLINE, PORT, serve_catalog


def demo(
    ctx: typer.Context,
    scale: str = typer.Option("small", "--scale", help="small (seconds) or medium (about a million events)."),
    seed: int = typer.Option(0, "--seed"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web app afterwards (--no-serve: "
                                                                 "print the inventory and exit)."),
    host: str = HOST,
    port: int = PORT,
    auth: str = AUTH,
    offline: bool = OFFLINE,
) -> None:
    """Generate sample data into the workspace, ingest and profile it, index its docs, and serve the app."""
    cat = catalog(ctx)
    prepare_demo(cat, scale=scale, seed=seed)
    if not serve:
        print_inventory(cat)
        return
    index_demo_docs(cat)
    serve_catalog(cat, host=host, port=port, auth=auth, offline=offline)


def prepare_demo(cat: Catalog, *, scale: str = "small", seed: int = 0) -> None:
    """Sample data → assets → profiles; tables already in the workspace are kept as they are."""
    from stocktake.tools.ingest import ingest_path
    from stocktake.tools.profile import profile_asset
    from stocktake.tools.sample_data import PROBLEMS_FILE, TABLES, write_sample_data

    folder = cat.ws.root / "sample-data"
    if not (folder / PROBLEMS_FILE).exists():
        with err.status(f"Writing sample data ({scale}) to {folder}…"):
            write_sample_data(folder, seed=seed, scale=scale, force=True)  # the workspace's own folder
    with progress("Ingesting and profiling", total=len(TABLES)) as advance:
        for table in TABLES:
            if not cat.exists(table):
                ingest_path(cat, folder / f"{table}.csv", name=table)
            profile_asset(cat, table)
            advance(description=f"profiled {table}")


def index_demo_docs(cat: Catalog) -> None:
    """Index the sample schema docs, so the docs tab and the assistant can search them from the start."""
    from stocktake.tools.docs import DocStore, index_docs

    folder = cat.ws.root / "sample-data" / "docs"
    if folder.is_dir():
        with err.status("Indexing the sample schema docs (loads the text encoder)…"):
            index_docs(DocStore(cat.ws), [folder], cat)


def print_inventory(cat: Catalog) -> None:
    from stocktake.tools.profile import profile_asset

    table = Table("asset", "kind", "rows", "columns", "quality", "issues", title=f"Inventory of {cat.ws.root}")
    for asset in cat.list_assets():
        profile = profile_asset(cat, asset.name)
        table.add_row(asset.name, asset.kind, f"{asset.rows:,}", str(len(asset.columns)),
                      f"{profile.quality_score:.0f}", str(len(profile.issues)))
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command()(demo)
