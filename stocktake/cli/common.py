"""Shared CLI plumbing: the workspace option, JSON output, progress bars on stderr."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn, Progress, SpinnerColumn, Task, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn,
)
from rich.text import Text

from stocktake.catalog import Catalog, Workspace
from stocktake.usecases import Services

# Progress and logs go to stderr so that ``--json`` output on stdout stays one clean object.
# Piped output gets wide lines instead of rich's 80-column default, so names and paths aren't cut.
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)
out = Console(width=None if sys.stdout.isatty() else 200)


# Commands that may start a new workspace; every other command needs one that exists, so that a mistyped
# --workspace is reported rather than silently created empty.
CREATES_WORKSPACE = {"ingest", "demo", "docs add", "serve", "source add"}


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


def services(ctx: typer.Context) -> Services:
    """The workspace's services, made once per run (every nested command context shares ``meta``)."""
    if "stocktake.services" not in ctx.meta:
        ctx.meta["stocktake.services"] = Services(catalog(ctx))
    return ctx.meta["stocktake.services"]


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, default=str, ensure_ascii=False) + "\n")


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)


def _bar(*columns, console: Console | None = None) -> Progress:
    console = console or err
    # Piped or captured, a bar would only leave a blank line before the output.
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


@contextmanager
def progress(description: str, total: float | None = None):
    """A rich progress bar on stderr; yields ``advance(n=1, description=None)``."""
    bar = _bar(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f}"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with bar:
        task = bar.add_task(description, total=total)

        def advance(n: float = 1, description: str | None = None, total: float | None = None) -> None:
            bar.update(task, advance=n, description=description or bar.tasks[0].description,
                       total=total if total is not None else bar.tasks[0].total)

        yield advance


class _TimeLeft(TimeRemainingColumn):
    def render(self, task: Task) -> Text:
        shown = super().render(task)
        return Text(f"ETA {shown.plain}", style=shown.style) if shown.plain else shown


class StepDisplay:
    """Draws an engine's ``progress(step, done, total)`` calls (stocktake.tools.progress) as rich tasks:
    the command's own line with its running time, under it the current step with its bar, count and time
    left. A call with a smaller ``done`` or another ``total`` replaces the step line, so each step's time
    left is estimated from that step's own pace."""

    def __init__(self, bar: Progress, title: str):
        self.bar = bar
        self.title = bar.add_task(title, total=None, count="")
        self.step: TaskID | None = None
        self.done, self.total = 0, None

    def __call__(self, step: str, done: int, total: int | None) -> None:
        count = f"{done:,}/{total:,}" if total is not None else ""
        if self.step is None or done < self.done or total != self.total:
            if self.step is not None:
                self.bar.remove_task(self.step)
            self.step = self.bar.add_task(step, total=total, completed=done, count=count)
        else:
            self.bar.update(self.step, description=step, completed=done, count=count)
        self.done, self.total = done, total


@contextmanager
def engine_progress(title: str, console: Console | None = None):
    """A :class:`StepDisplay` on stderr (nothing on stdout, so ``--json`` stays clean) while the block runs."""
    # Steps name assets and columns, which may hold brackets: shown as written, never read as rich markup.
    bar = _bar(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
               TextColumn("{task.fields[count]}"), TimeElapsedColumn(), _TimeLeft(), console=console)
    with bar:
        yield StepDisplay(bar, title)
