"""``stocktake sample-data``: write the sample e-commerce dataset with its known problems."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from stocktake.cli.common import err, out, print_json, progress


def register(app: typer.Typer) -> None:
    app.command("sample-data")(sample_data)


def sample_data(
    directory: Path = typer.Argument(..., help="Folder to write the CSV files, docs/ and answers/problems.json into."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed writes identical files."),
    scale: str = typer.Option("small", "--scale", help="small (~20k events) or medium (~1M events)."),
    force: bool = typer.Option(False, "--force", help="Overwrite files of an earlier sample in DIRECTORY."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
) -> None:
    """Write a realistic e-commerce dataset (users, products, orders, events, reviews) with injected problems."""
    from stocktake.tools.sample_data import TABLES, check_target, write_sample_data

    check_target(directory, scale, force=force)  # before the progress bar, so a refusal prints one line
    with progress(f"Writing sample data ({scale})", total=len(TABLES)) as advance:
        result = write_sample_data(directory, seed=seed, scale=scale, force=force,
                                   on_table=lambda name: advance(description=f"wrote {name}.csv"))
    if as_json:
        print_json(result.to_dict())
        return
    table = Table(title=f"Sample data in {result.out_dir}")
    for col in ("table", "rows", "injected problems"):
        table.add_column(col)
    for name, rows in result.rows.items():
        kinds = [f"{p.kind} ({p.column}: {p.rows:,})" for p in result.problems if p.table == name]
        table.add_row(name, f"{rows:,}", "\n".join(kinds) or "-")
    out.print(table)
    err.print(f"Problems with exact row counts: {result.problems_path}; schema docs: {result.out_dir / 'docs'}")
