"""``stocktake doctor``: find and put right what killed processes leave in the workspace."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from stocktake.cli.common import catalog, err, out, print_json


def doctor(ctx: typer.Context,
           dry_run: bool = typer.Option(False, "--dry-run", help="Only show what would be done; change nothing."),
           min_age: float = typer.Option(600.0, "--min-age", metavar="SECONDS",
                                         help="Leave files younger than this alone (a write may be in progress)."),
           as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Check the workspace: complete or roll back interrupted cleaning finishes, remove orphan snapshots, temporary
    files, stale session caches and unrecorded model folders; report damaged session files and registry entries."""
    from stocktake.tools.doctor import DoctorSettings, examine

    report = examine(catalog(ctx), DoctorSettings(min_age_s=min_age), dry_run=dry_run)
    if as_json:
        print_json(report.to_dict())
        return
    if not report.findings:
        err.print("[green]✓[/] nothing to put right", highlight=False)
        return
    table = Table("found", "where", "what", "done" if not dry_run else "would do")
    for f in report.findings:
        table.add_row(f.kind.replace("_", " "), escape(f.path), escape(f.detail), escape(f.action))
    out.print(table)
    if dry_run:
        err.print("Dry run: nothing was changed; run `stocktake doctor` to do the above.", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
