"""Entry point: the ``stocktake`` app, its global options, and one-line errors instead of tracebacks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from typer.core import TyperGroup

from stocktake.errors import StocktakeError


def _fail(message: str) -> None:
    from rich.markup import escape

    from stocktake.cli.common import err

    # Escaped: a file or column name such as "[/]" is text, not markup (rich would fail on it).
    err.print(f"[red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


def _write_refused(ctx, exc: Exception) -> str | None:
    """A write the file system refused, anywhere in a command (profile caches, sessions, models, the doc index)."""
    from stocktake.catalog import Workspace, read_only_error, write_refusal

    reason = write_refusal(exc)
    if reason is None:
        return None
    ws = ctx.find_root().obj
    if isinstance(ws, Workspace):
        return read_only_error(ws.root, reason).for_face("cli")
    return f"Cannot write ({reason}). Check the folder's permissions."


class _FriendlyGroup(TyperGroup):
    """Turns every error raised by a command into a one-line message and a non-zero exit."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except StocktakeError as exc:
            _fail(exc.for_face("cli"))
        except KeyboardInterrupt:
            raise typer.Abort() from None
        except typer.Abort:
            raise  # Click prints "Aborted!" (a prompt got no answer, or Ctrl+C)
        except BrokenPipeError:
            # The reader went away (``stocktake … | head``): nothing left to tell anyone.
            sys.stderr.close()
            raise typer.Exit(code=0) from None
        except Exception as exc:
            # Click's own exceptions (usage errors, exits) carry an exit code and print themselves.
            if hasattr(exc, "exit_code") or os.environ.get("STOCKTAKE_DEBUG"):
                raise
            refused = _write_refused(ctx, exc)
            if refused:
                _fail(refused)
            _fail(f"internal error: {type(exc).__name__}: {exc} (set STOCKTAKE_DEBUG=1 for the traceback)")


app = typer.Typer(
    cls=_FriendlyGroup, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Stocktake: take stock of your e-commerce data assets.",
)


@app.callback()
def main(
    ctx: typer.Context,
    workspace: Path = typer.Option(
        None, "--workspace", "-w", envvar="STOCKTAKE_HOME",
        help="Workspace folder holding all state: an existing workspace, or a new or empty folder "
             "(default ./stocktake-workspace).",
    ),
) -> None:
    ctx.obj = None


def _register() -> None:
    from stocktake.cli import agent_cmds, catalog_cmds, classify_cmds, clean_cmds, contract_cmds, demo_cmds, diff_cmds, doctor_cmds, docs_cmds, llm_cmds, profile_cmds, recommend_cmds, report_cmds, sample_cmds, serve_cmds, source_cmds

    for module in (catalog_cmds, sample_cmds, profile_cmds, diff_cmds, docs_cmds, clean_cmds, doctor_cmds, report_cmds, agent_cmds, llm_cmds, demo_cmds, classify_cmds, recommend_cmds, serve_cmds, source_cmds, contract_cmds):
        module.register(app)


_register()


def run() -> None:
    app()


if __name__ == "__main__":  # python -m stocktake.cli.main, as well as python -m stocktake
    run()
