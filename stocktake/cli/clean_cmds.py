"""Cleaning commands: ``stocktake clean start|show|accept|reject|undo|redo|add|edit|explain|export|finish|discard``.

Finish and discard ask first, as stocktake.actions rules (--yes answers for the user); the decisions on steps do
not, since undo takes each back.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from stocktake.cli.common import err, out, print_json, services
from stocktake.errors import StocktakeError
from stocktake.tools.clean.params import parse_params
from stocktake.usecases import cleaning
from stocktake.words import plural

clean_app = typer.Typer(no_args_is_help=True, help=(
    "Guided data cleaning in persistent sessions: start one, accept or reject its steps, then finish (write a new "
    "version) or discard (write nothing).\n\n"
    "Accept and reject decide pending steps. A decision stays until undo takes it back: undo reverses the latest "
    "decision (or the one on STEP), so an accepted step leaves the table and a rejected one is reopened; either "
    "way the step is pending again, with a fresh preview. redo makes the undone decision again. Every decision "
    "and undo stays in the session's history.\n\n"
    "Finish and discard ask before they save or throw work away; --yes answers for you."))

PARAM_HELP = "A step parameter as key=value; the value is JSON where it parses (2, null, [\"a\",\"b\"]), else text."
JSON_OPT = typer.Option(False, "--json", help="Print one JSON object.")
PARAMS = typer.Option(None, "--param", "-p", metavar="KEY=VALUE", help=PARAM_HELP)
REQUIRED_PARAMS = typer.Option(..., "--param", "-p", metavar="KEY=VALUE", help=PARAM_HELP)
SESSION = typer.Argument(..., metavar="SESSION", help="The session id (see: stocktake clean sessions).")
YES = typer.Option(False, "--yes", "-y", help="Don't ask for confirmation.")


def _ask_first(ctx: typer.Context, action: str, session_id: str, yes: bool, mode: str | None = None) -> None:
    """Ask on stderr (stdout stays for output) where ``action`` on the session needs confirmation; a no, or no
    answer at all (stdin closed, Ctrl+C), writes nothing and says so in one line."""
    from stocktake.actions import needs_confirmation

    if yes or not needs_confirmation(action):
        return
    question = cleaning.question(services(ctx), action, session_id, mode)
    try:
        agreed = typer.confirm(question, err=True)
    except typer.Abort:
        err.print()
        raise StocktakeError("No answer, so nothing was written. Pass --yes to go ahead without asking.") from None
    if not agreed:
        raise StocktakeError("Cancelled; nothing was written.")


def _print_step(view, detailed: bool = False) -> None:
    # Values, code and reasons are data: escaped, so that '[email]' or '[min, max]' print as written.
    rows = f", {view.preview.rows_affected:,} rows" if view.preview else ""
    trail = f"; history: {' → '.join(view.trail)}" if "undone" in view.trail else ""
    out.print(f"[bold]{view.id}[/] {escape(f'[{view.status}{trail}]')} {view.kind}: {escape(view.what)}{rows}",
              highlight=False)
    out.print(f"    why: {escape(view.why)}", highlight=False)
    if view.problem:
        out.print(f"    [red]cannot run now:[/] {escape(view.problem)}", highlight=False)
    if detailed:
        out.print(escape("    code:\n" + "\n".join("      " + line for line in view.code.splitlines())),
                  highlight=False)
        if view.preview and view.preview.before:
            out.print(escape(f"    before: {view.preview.before[0]}"), highlight=False)
            after = view.preview.after[0]
            out.print(escape(f"    after:  {'(row removed)' if after is None else after}"), highlight=False)
            if view.preview.kept and view.preview.kept[0]:
                out.print(escape(f"    kept instead: {view.preview.kept[0]}"), highlight=False)


def start(ctx: typer.Context, asset: str = typer.Argument(..., help="The asset to clean."),
          version: int = typer.Option(None, "--version", help="Start from this version (default: the latest)."),
          as_json: bool = JSON_OPT) -> None:
    """Start a cleaning session: profile the asset and propose ordered steps."""
    with err.status(f"Profiling {asset} and proposing steps…"):
        started = cleaning.start(services(ctx), asset, version)
    view, proposals = started.view, started.pending
    if as_json:
        print_json({"session": view.id, "asset": view.asset, "base_version": view.base_version,
                    "proposals": [p.to_dict() for p in proposals]})
        return
    out.print(f"Session [bold]{view.id}[/] on {escape(view.asset)} v{view.base_version}: "
              f"{plural(len(proposals), 'proposed step')}", highlight=False)
    for step in proposals:
        _print_step(step, detailed=True)
    err.print(f"Next: stocktake clean accept {view.id} STEP (or all) | reject | explain | show")


def show(ctx: typer.Context, session_id: str = SESSION, as_json: bool = JSON_OPT) -> None:
    """Show a session: every step with its status, and the current table's size."""
    now = cleaning.snapshot(services(ctx), session_id, previews=False)
    view = now.view
    if as_json:
        print_json(view.to_dict())
        return
    out.print(f"Session [bold]{view.id}[/] on {view.asset} v{view.base_version}: {view.base_rows:,} → "
              f"{view.rows:,} rows; applied: {', '.join(view.applied) or 'none'}", highlight=False)
    if now.finished:
        out.print(escape(f"finished: {now.finished.to_dict()}"), highlight=False)
    if now.status is cleaning.Status.DISCARDED:
        out.print(escape(f"discarded at {view.discarded['at']}; nothing was written"), highlight=False)
    for step in view.steps:
        _print_step(step)


def sessions(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """List cleaning sessions."""
    items = cleaning.sessions(services(ctx))
    if as_json:
        print_json({"sessions": [s.to_dict() for s in items]})
        return
    table = Table("session", "asset", "base", "steps", "state")
    for s in items:
        state = f"finished: {s.finished.asset} v{s.finished.version}" if s.finished else s.status.value
        table.add_row(s.id, s.asset, str(s.base_version), str(s.steps), state)
    out.print(table)


def accept(ctx: typer.Context, session_id: str = SESSION,
           step: str = typer.Argument(..., help="A step id, or 'all' for every pending proposal in order."),
           param: list[str] = PARAMS, as_json: bool = JSON_OPT) -> None:
    """Accept a step (optionally with changed parameters), or all pending ones; any that cannot run are listed."""
    params = parse_params(param)
    if step != "all":
        _report(cleaning.accept(services(ctx), session_id, step, params), as_json)
        return
    if params:
        raise StocktakeError("--param applies to one step; accept steps one by one to change parameters.")
    _report(cleaning.accept_all(services(ctx), session_id), as_json)


def reject(ctx: typer.Context, session_id: str = SESSION,
           step: str = typer.Argument(...), as_json: bool = JSON_OPT) -> None:
    """Reject a pending step: it stays out until undo reopens it."""
    _report(cleaning.reject(services(ctx), session_id, step), as_json)


def undo(ctx: typer.Context, session_id: str = SESSION,
         step: str = typer.Argument(None, help="Any accepted or rejected step (default: the latest decision)."),
         as_json: bool = JSON_OPT) -> None:
    """Take back a decision: an accepted step leaves the table, a rejected one reopens; it is pending again."""
    _report(cleaning.undo(services(ctx), session_id, step), as_json)


def redo(ctx: typer.Context, session_id: str = SESSION, as_json: bool = JSON_OPT) -> None:
    """Make the decision undone last again (an accepted step goes back where it was)."""
    _report(cleaning.redo(services(ctx), session_id), as_json)


def add(ctx: typer.Context, session_id: str = SESSION,
        kind: str = typer.Argument(..., help="The step kind; see: stocktake clean kinds."),
        param: list[str] = PARAMS, as_json: bool = JSON_OPT) -> None:
    """Add a custom step; it waits as a proposal until you accept it.

    drop_rows takes a condition, parsed and never run as code: -p where='Quantity < 0 and Country == "France"'.

    A condition compares columns with values (= != < <= > >=, in [..], is null, contains 'text'), joined by and/or/not."""
    _report(cleaning.add(services(ctx), session_id, kind, parse_params(param)), as_json)


def edit(ctx: typer.Context, session_id: str = SESSION, step: str = typer.Argument(...),
         param: list[str] = REQUIRED_PARAMS, as_json: bool = JSON_OPT) -> None:
    """Change a step's parameters (an applied step is replayed with them)."""
    _report(cleaning.edit(services(ctx), session_id, step, parse_params(param)), as_json)


def explain(ctx: typer.Context, session_id: str = SESSION,
            step: str = typer.Argument(...), as_json: bool = JSON_OPT) -> None:
    """Explain one step: what, why, its code and a before/after preview."""
    view = cleaning.explain(services(ctx), session_id, step)
    if as_json:
        print_json(view.to_dict())
        return
    _print_step(view, detailed=True)


def export(ctx: typer.Context, session_id: str = SESSION,
           out_path: Path = typer.Option(..., "--out", help="The .py file to write."),
           as_json: bool = JSON_OPT) -> None:
    """Export the session as a standalone pandas script that reproduces its result."""
    path = cleaning.export(services(ctx), session_id, out_path).path
    if as_json:
        print_json({"session": session_id, "script": str(path)})
        return
    err.print(f"[green]✓[/] wrote {path}; run: python {path} OUTPUT.parquet", highlight=False)


def finish(ctx: typer.Context, session_id: str = SESSION,
           rebase: bool = typer.Option(False, "--rebase",
                                       help="If the asset changed: replay the steps onto its latest version."),
           branch: bool = typer.Option(False, "--branch",
                                       help="If the asset changed: save as a new asset ASSET__branch_SESSION."),
           yes: bool = YES, as_json: bool = JSON_OPT) -> None:
    """Write the cleaned table as a new version of the asset (it asks first)."""
    if rebase and branch:
        raise StocktakeError("Choose one of --rebase or --branch.")
    mode = "rebase" if rebase else "branch" if branch else None
    _ask_first(ctx, "finish_session", session_id, yes, mode)
    done = cleaning.finish(services(ctx), session_id, mode)
    if as_json:
        print_json({"session": session_id, **done.to_dict()})
        return
    how = {"rebase": " (the steps replayed onto the latest version)", "branch": " (a new asset, the original kept)"}
    err.print(f"[green]✓[/] wrote {done.asset} version {done.version}{how.get(done.mode, '')}", highlight=False)


def discard(ctx: typer.Context, session_id: str = SESSION, yes: bool = YES, as_json: bool = JSON_OPT) -> None:
    """Close a session without writing anything; the asset is untouched and the session kept for the record (it
    asks first: the accepted steps are dropped)."""
    _ask_first(ctx, "discard_session", session_id, yes)
    done = cleaning.discard(services(ctx), session_id)
    if as_json:
        print_json({"session": done.session, "discarded": {"at": done.at}})
        return
    err.print(f"[green]✓[/] discarded {done.session}; {done.asset} is unchanged", highlight=False)


def kinds(as_json: bool = JSON_OPT) -> None:
    """List the step kinds and their parameters (for custom steps)."""
    items = cleaning.step_kinds()
    if as_json:
        print_json({"kinds": items})
        return
    for k in items:
        params = ", ".join(p["name"] + ("" if p["required"] else f"={p['default']!r}") for p in k["params"])
        out.print(f"[bold]{k['kind']}[/]({escape(params)}): {escape(k['summary'])}", highlight=False)


def _report(done: cleaning.Change, as_json: bool) -> None:
    """The steps decided on and the session's size; accepting all also lists the steps that could not run."""
    if as_json:
        print_json(done.to_dict())
        return
    for view in done.steps:
        _print_step(view)
    for view in done.skipped or ():
        err.print(f"[yellow]skipped[/] {view.id} {view.kind}: {escape(view.problem)}", highlight=False)
    err.print(f"{done.session}: {done.rows:,} rows now; applied: {', '.join(done.applied) or 'none'}",
              highlight=False)


def register(app: typer.Typer) -> None:
    for command in (start, show, sessions, accept, reject, undo, redo, add, edit, explain, export, finish, discard,
                    kinds):
        clean_app.command(command.__name__)(command)
    app.add_typer(clean_app, name="clean")
