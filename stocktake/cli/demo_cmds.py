"""``stocktake demo``: everything a newcomer needs in one command."""

from __future__ import annotations

import typer
from rich.table import Table

from stocktake.catalog import Catalog
from stocktake.cli.common import catalog, err, out, progress


def demo(
    ctx: typer.Context,
    scale: str = typer.Option("small", "--scale", help="small (seconds) or medium (about a million events)."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Generate sample data into the workspace, ingest and profile it, and print the inventory."""
    cat = catalog(ctx)
    prepare_demo(cat, scale=scale, seed=seed)
    print_inventory(cat)


def prepare_demo(cat: Catalog, *, scale: str = "small", seed: int = 0) -> None:
    """Sample data → assets → profiles; tables already in the workspace are kept as they are."""
    from stocktake.tools.ingest import ingest_path
    from stocktake.tools.profile import profile_asset
    from stocktake.tools.sample_data import TABLES, write_sample_data

    folder = cat.ws.root / "sample-data"
    if not (folder / "problems.json").exists():
        with err.status(f"Writing sample data ({scale}) to {folder}…"):
            write_sample_data(folder, seed=seed, scale=scale)
    with progress("Ingesting and profiling", total=len(TABLES)) as advance:
        for table in TABLES:
            if not cat.exists(table):
                ingest_path(cat, folder / f"{table}.csv", name=table)
            profile_asset(cat, table)
            advance(description=f"profiled {table}")


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
