"""Shared CLI plumbing: the workspace option, JSON output, progress bars on stderr."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from stocktake.catalog import Catalog, Workspace

# Progress and logs go to stderr so that ``--json`` output on stdout stays one clean object.
# Piped output gets wide lines instead of rich's 80-column default, so names and paths aren't cut.
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)
out = Console(width=None if sys.stdout.isatty() else 200)


# Commands that may start a new workspace; every other command needs one that exists, so that a mistyped
# --workspace is reported rather than silently created empty.
CREATES_WORKSPACE = {"ingest", "demo", "docs add", "serve"}


def workspace(ctx: typer.Context) -> Workspace:
    root = ctx.find_root()
    if not isinstance(root.obj, Workspace):
        root.obj = Workspace(root.params.get("workspace"), create=command_path(ctx) in CREATES_WORKSPACE)
    return root.obj


def command_path(ctx: typer.Context) -> str:
    """``docs add`` for ``stocktake docs add``: the command's words without the program name."""
    words = []
    while ctx.parent is not None:
        words.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(words))


def catalog(ctx: typer.Context) -> Catalog:
    return Catalog(workspace(ctx))


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, default=str, ensure_ascii=False) + "\n")


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)


@contextmanager
def progress(description: str, total: float | None = None):
    """A rich progress bar on stderr; yields ``advance(n=1, description=None)``."""
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=True,
        disable=not err.is_terminal,  # piped or captured, a bar would only leave a blank line before the output
    )
    with bar:
        task = bar.add_task(description, total=total)

        def advance(n: float = 1, description: str | None = None, total: float | None = None) -> None:
            bar.update(task, advance=n, description=description or bar.tasks[0].description,
                       total=total if total is not None else bar.tasks[0].total)

        yield advance
