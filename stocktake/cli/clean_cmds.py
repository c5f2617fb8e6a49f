"""Cleaning commands: ``stocktake clean start|show|accept|reject|undo|redo|add|edit|explain|export|finish|discard``.

Finish and discard ask first, as stocktake.actions rules (--yes answers for the user); the decisions on steps do
not, since undo takes each back.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from stocktake.cli.common import catalog, err, out, print_json, workspace
from stocktake.errors import StocktakeError
from stocktake.tools.clean.params import parse_params

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


def _ask_first(action: str, session, yes: bool, mode: str | None = None) -> None:
    """Ask on stderr (stdout stays for output) where ``action`` on ``session`` needs confirmation; a no, or no
    answer at all (stdin closed, Ctrl+C), writes nothing and says so in one line."""
    from stocktake.actions import needs_confirmation, session_question

    if yes or not needs_confirmation(action):
        return
    try:
        agreed = typer.confirm(session_question(action, session, mode), err=True)
    except typer.Abort:
        err.print()
        raise StocktakeError("No answer, so nothing was written. Pass --yes to go ahead without asking.") from None
    if not agreed:
        raise StocktakeError("Cancelled; nothing was written.")


def _session(ctx: typer.Context, session_id: str):
    from stocktake.tools.clean import load_session

    return load_session(catalog(ctx), session_id)


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
    from stocktake.tools.clean import start_session

    with err.status(f"Profiling {asset} and proposing steps…"):
        session = start_session(catalog(ctx), asset, version)
        proposals = session.proposals()
    if as_json:
        print_json({"session": session.id, "asset": asset, "base_version": session.state["base_version"],
                    "proposals": [p.to_dict() for p in proposals]})
        return
    out.print(f"Session [bold]{session.id}[/] on {asset} v{session.state['base_version']}: "
              f"{len(proposals)} proposed steps", highlight=False)
    for view in proposals:
        _print_step(view, detailed=True)
    err.print(f"Next: stocktake clean accept {session.id} STEP (or all) | reject | explain | show")


def show(ctx: typer.Context, session_id: str = SESSION, as_json: bool = JSON_OPT) -> None:
    """Show a session: every step with its status, and the current table's size."""
    view = _session(ctx, session_id).show()
    if as_json:
        print_json(view.to_dict())
        return
    out.print(f"Session [bold]{view.id}[/] on {view.asset} v{view.base_version}: {view.base_rows:,} → "
              f"{view.rows:,} rows; applied: {', '.join(view.applied) or 'none'}", highlight=False)
    if view.finished:
        out.print(escape(f"finished: {view.finished}"), highlight=False)
    if view.discarded:
        out.print(escape(f"discarded at {view.discarded['at']}; nothing was written"), highlight=False)
    for step in view.steps:
        _print_step(step)


def sessions(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """List cleaning sessions."""
    from stocktake.tools.clean import list_sessions

    items = list_sessions(workspace(ctx))
    if as_json:
        print_json({"sessions": items})
        return
    table = Table("session", "asset", "base", "steps", "state")
    for s in items:
        state = (f"finished: {s['finished']['asset']} v{s['finished']['version']}" if s["finished"]
                 else "discarded" if s["discarded"] else "open")
        table.add_row(s["id"], s["asset"], str(s["base_version"]), str(s["steps"]), state)
    out.print(table)


def accept(ctx: typer.Context, session_id: str = SESSION,
           step: str = typer.Argument(..., help="A step id, or 'all' for every pending proposal in order."),
           param: list[str] = PARAMS, as_json: bool = JSON_OPT) -> None:
    """Accept a step (optionally with changed parameters), or all pending ones; any that cannot run are listed."""
    session = _session(ctx, session_id)
    params = parse_params(param)
    if step != "all":
        _report(session, [session.accept(step, params)], as_json)
        return
    if params:
        raise StocktakeError("--param applies to one step; accept steps one by one to change parameters.")
    accepted, skipped = session.accept_all()
    _report(session, accepted, as_json, skipped)


def reject(ctx: typer.Context, session_id: str = SESSION,
           step: str = typer.Argument(...), as_json: bool = JSON_OPT) -> None:
    """Reject a pending step: it stays out until undo reopens it."""
    session = _session(ctx, session_id)
    _report(session, [session.reject(step)], as_json)


def undo(ctx: typer.Context, session_id: str = SESSION,
         step: str = typer.Argument(None, help="Any accepted or rejected step (default: the latest decision)."),
         as_json: bool = JSON_OPT) -> None:
    """Take back a decision: an accepted step leaves the table, a rejected one reopens; it is pending again."""
    session = _session(ctx, session_id)
    _report(session, [session.undo(step)], as_json)


def redo(ctx: typer.Context, session_id: str = SESSION, as_json: bool = JSON_OPT) -> None:
    """Make the decision undone last again (an accepted step goes back where it was)."""
    session = _session(ctx, session_id)
    _report(session, [session.redo()], as_json)


def add(ctx: typer.Context, session_id: str = SESSION,
        kind: str = typer.Argument(..., help="The step kind; see: stocktake clean kinds."),
        param: list[str] = PARAMS, as_json: bool = JSON_OPT) -> None:
    """Add a custom step; it waits as a proposal until you accept it.

    drop_rows takes a condition, parsed and never run as code: -p where='Quantity < 0 and Country == "France"'.

    A condition compares columns with values (= != < <= > >=, in [..], is null, contains 'text'), joined by and/or/not."""
    session = _session(ctx, session_id)
    _report(session, [session.add_custom_step(kind, parse_params(param))], as_json)


def edit(ctx: typer.Context, session_id: str = SESSION, step: str = typer.Argument(...),
         param: list[str] = REQUIRED_PARAMS, as_json: bool = JSON_OPT) -> None:
    """Change a step's parameters (an applied step is replayed with them)."""
    session = _session(ctx, session_id)
    _report(session, [session.edit_step(step, parse_params(param))], as_json)


def explain(ctx: typer.Context, session_id: str = SESSION,
            step: str = typer.Argument(...), as_json: bool = JSON_OPT) -> None:
    """Explain one step: what, why, its code and a before/after preview."""
    view = _session(ctx, session_id).explain_step(step)
    if as_json:
        print_json(view.to_dict())
        return
    _print_step(view, detailed=True)


def export(ctx: typer.Context, session_id: str = SESSION,
           out_path: Path = typer.Option(..., "--out", help="The .py file to write."),
           as_json: bool = JSON_OPT) -> None:
    """Export the session as a standalone pandas script that reproduces its result."""
    path = _session(ctx, session_id).export_script(out_path)
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
    session, mode = _session(ctx, session_id), "rebase" if rebase else "branch" if branch else None
    _ask_first("finish_session", session, yes, mode)
    done = session.finish(mode)
    if as_json:
        print_json({"session": session_id, **done})
        return
    err.print(f"[green]✓[/] wrote {done['asset']} version {done['version']} ({done['mode']})", highlight=False)


def discard(ctx: typer.Context, session_id: str = SESSION, yes: bool = YES, as_json: bool = JSON_OPT) -> None:
    """Close a session without writing anything; the asset is untouched and the session kept for the record (it
    asks first: the accepted steps are dropped)."""
    session = _session(ctx, session_id)
    _ask_first("discard_session", session, yes)
    done = session.discard()
    if as_json:
        print_json({"session": session.id, "discarded": done})
        return
    err.print(f"[green]✓[/] discarded {session.id}; {session.asset} is unchanged", highlight=False)


def kinds(as_json: bool = JSON_OPT) -> None:
    """List the step kinds and their parameters (for custom steps)."""
    from stocktake.tools.clean import describe_kinds

    items = describe_kinds()
    if as_json:
        print_json({"kinds": items})
        return
    for k in items:
        params = ", ".join(p["name"] + ("" if p["required"] else f"={p['default']!r}") for p in k["params"])
        out.print(f"[bold]{k['kind']}[/]({escape(params)}): {escape(k['summary'])}", highlight=False)


def _report(session, views, as_json: bool, skipped=None) -> None:
    """The steps decided on and the session's size; ``skipped`` (accept all) lists the steps that could not run."""
    if as_json:
        state = session.show()
        extra = {} if skipped is None else {"skipped": [v.to_dict() for v in skipped]}
        print_json({"session": session.id, "steps": [v.to_dict() for v in views], "rows": state.rows,
                    "applied": list(state.applied), **extra})
        return
    for view in views:
        _print_step(view)
    for view in skipped or ():
        err.print(f"[yellow]skipped[/] {view.id} {view.kind}: {escape(view.problem)}", highlight=False)
    state = session.show()
    err.print(f"{session.id}: {state.rows:,} rows now; applied: {', '.join(state.applied) or 'none'}", highlight=False)


def register(app: typer.Typer) -> None:
    for command in (start, show, sessions, accept, reject, undo, redo, add, edit, explain, export, finish, discard,
                    kinds):
        clean_app.command(command.__name__)(command)
    app.add_typer(clean_app, name="clean")
