"""Tools over guided cleaning sessions; finishing, discarding and picking up a session need the user's confirmation
(the rule is stocktake.actions'): the decisions inside a session are taken back with undo.

Each conversation works on its own sessions only, as stocktake.usecases.cleaning decides: the one it started, or
one it picked up (with the user's confirmation) that was started outside any conversation, from the command line
or the cleaning tab. Another conversation's session is refused by every tool, and never listed. The thread id
comes with every tool call (LangGraph and the offline planner put it in the run's config); a session records its
conversation as owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext, thread_of
from stocktake.agent.guard import quote_value
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.usecases import cleaning
from stocktake.words import plural

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime


def conversation(ctx: ToolContext, thread: str) -> cleaning.Conversation:
    """The conversation ``thread``, with where the workspace keeps the session it works on."""
    return cleaning.Conversation(thread, ctx.cleaning_sessions)


def _who(runtime: ToolRuntime[ToolContext]) -> cleaning.Conversation:
    return conversation(runtime.context, thread_of(runtime.config))


def _step(ctx: ToolContext, session: str, asset: str, step) -> dict:
    """A step for the artifact, the personal data in its preview rows masked."""
    return {"session": session, "step": cleaning.shown_step(ctx, asset, step).to_dict()}


def _card(step) -> str:
    """One step as a sentence: "s1 (accepted) fill_missing: … (30 rows). Why: …." (no square brackets: the
    CLI's console would read them as markup)."""
    rows = f" ({plural(step.preview.rows_affected, 'row')})" if step.preview else ""
    why = step.why.strip()
    return f"{step.id} ({step.status}) {step.kind}: {step.what}{rows}. Why: {why}{'' if why.endswith('.') else '.'}"


def _preview(ctx: ToolContext, step, asset: str) -> str:
    preview = cleaning.shown_step(ctx, asset, step).preview
    mask = ctx.settings.guard.mask_pii
    before = "; ".join(quote_value(r, 60, mask) for r in (preview.before if preview else [])[:2])
    after = "; ".join(quote_value(r, 60, mask) for r in (preview.after if preview else [])[:2])
    return f"\nBefore: {before}\nAfter: {after}" if before or after else ""


def _changed(ctx: ToolContext, said: str, done: cleaning.Change) -> tuple[str, dict]:
    """"Applied s1 … The table now has 3 rows.", with the step as the artifact."""
    return (f"{said} {_card(done.step)} The table now has {done.rows:,} rows.",
            _step(ctx, done.session, done.asset, done.step))


@agent_tool(action="start_session")
def start_cleaning(asset: str, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Start a guided cleaning session on an asset: proposes ordered steps, changes nothing yet.

    Args:
        asset: Asset name exactly as in the catalog.
    """
    ctx = runtime.context
    started = cleaning.start(ctx, asset, who=_who(runtime))
    view, steps = started.view, started.pending
    text = lines(_card(p) for p in steps) or "No problems that need cleaning were found."
    return (f"Session {view.id} on {view.asset}: {plural(len(steps), 'proposed step')}.\n{text}",
            cleaning.shown_session(ctx, view).to_dict())


@agent_tool(action="pick_up_session")
def pick_up_session(session_id: str, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Make a cleaning session started outside any conversation (from the command line or the cleaning tab)
    this conversation's own, so the cleaning tools can work on it (needs confirmation). Another
    conversation's session cannot be picked up.

    Args:
        session_id: The session id, like cs-1a2b3c4d.
    """
    ctx = runtime.context
    started = cleaning.pick_up(ctx, session_id, _who(runtime))
    view, waiting = started.view, started.pending
    return (f"Picked up session {view.id} on {view.asset}: {plural(len(waiting), 'proposed step')} waiting.\n"
            + lines(_card(p) for p in waiting)), cleaning.shown_session(ctx, view).to_dict()


@agent_tool(action="preview_step")
def next_cleaning_step(session_id: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """The next proposed step of a cleaning session, with its preview and pandas code.

    Args:
        session_id: A session id like cs-1a2b3c4d; this conversation's session when empty.
    """
    ctx = runtime.context
    now = cleaning.snapshot(ctx, session_id, _who(runtime))
    view = now.view
    if not now.pending:
        said = ("has no more proposals. Finish it to save a new version, or discard it."
                if now.status is cleaning.Status.OPEN else f"is {now.status.value}; start a new session to clean "
                                                            "further.")
        return f"Session {view.id} on {view.asset} {said}", cleaning.shown_session(ctx, view).to_dict()
    step = now.pending[0]
    return f"{_card(step)}{_preview(ctx, step, view.asset)}\nCode: {step.code}", _step(ctx, view.id, view.asset, step)


@agent_tool(action="accept_step")
def apply_cleaning_step(step_id: str | None = None, session_id: str | None = None,
                        params: dict | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Accept and apply one proposed step to the session's working table (undo takes it back).

    Args:
        step_id: The step id, e.g. s1; the next proposed step when empty.
        session_id: The session id; this conversation's session when empty.
        params: Parameters to override, e.g. {"value": "unknown"} for a fill.
    """
    done = cleaning.accept(runtime.context, session_id, step_id, params, _who(runtime))
    return _changed(runtime.context, "Applied", done)


@agent_tool(action="reject_step")
def reject_cleaning_step(step_id: str, session_id: str | None = None, *,
                         runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Reject a proposed step: it will not be applied (undo reopens it, redo rejects it again).

    Args:
        step_id: The step id, e.g. s2.
        session_id: The session id; this conversation's session when empty.
    """
    done = cleaning.reject(runtime.context, session_id, step_id, _who(runtime))
    return f"Rejected {_card(done.step)}", {"session": done.session}


@agent_tool(action="undo_step")
def undo_cleaning_step(step_id: str | None = None,
                       session_id: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Take back a decision (the latest by default): an accepted step leaves the table (later steps are
    replayed without it), a rejected one reopens; either way the step is proposed again.

    Args:
        step_id: The step whose decision to take back; the latest decision when empty.
        session_id: The session id; this conversation's session when empty.
    """
    done = cleaning.undo(runtime.context, session_id, step_id, _who(runtime))
    return _changed(runtime.context, "Undid", done)


@agent_tool(action="redo_step")
def redo_cleaning_step(session_id: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Make the decision undone last once more: an accepted step goes back into the table where it was,
    a rejected one is rejected again.

    Args:
        session_id: The session id; this conversation's session when empty.
    """
    done = cleaning.redo(runtime.context, session_id, _who(runtime))
    return _changed(runtime.context, "Redid", done)


@agent_tool(action="add_step")
def add_cleaning_step(kind: str, params: dict, session_id: str | None = None, *,
                      runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Add a custom step the user asked for; it waits as a proposal until applied.

    Args:
        kind: One of drop_duplicates, dedupe_key, drop_missing, fill_missing, parse_dates, normalise_text,
            unify_categories, out_of_range, cast_type, mask_pii, relabel, drop_orphans, drop_columns, drop_rows.
        params: The step's parameters, e.g. {"column": "price", "action": "drop"}; drop_rows takes a
            condition, e.g. {"where": "Quantity < 0 and Country == 'France'"} (= != < <= > >=, in [..],
            is null, contains 'text', joined with and, or, not).
        session_id: The session id; this conversation's session when empty.
    """
    ctx = runtime.context
    done = cleaning.add(ctx, session_id, kind, params, _who(runtime))
    return (f"Added {_card(done.step)}{_preview(ctx, done.step, done.asset)}",
            _step(ctx, done.session, done.asset, done.step))


@agent_tool(action="export_script")
def export_cleaning_script(session_id: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """The standalone pandas script that reproduces the session's result from the source.

    Args:
        session_id: The session id; this conversation's session when empty.
    """
    script = cleaning.export(runtime.context, session_id, who=_who(runtime))
    return (f"Wrote {script.path}.\n```python\n{script.code[:3000]}\n```",
            {"session": script.session, "path": str(script.path), "code": script.code})


@agent_tool(action="finish_session")
def finish_cleaning(session_id: str | None = None,
                    mode: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Save the cleaned table as a new version of the asset (needs confirmation).

    Args:
        session_id: The session id; this conversation's session when empty.
        mode: Only when the asset changed since the session started: "rebase" or "branch".
    """
    done = cleaning.finish(runtime.context, session_id, mode, _who(runtime))
    how = {"rebase": " (its steps replayed onto the asset's latest version)",
           "branch": f", a new asset branched from {done.source}"}.get(done.mode, "")
    return f"Saved {done.asset} as version {done.version}{how}.", {"session": done.session, "result": done.to_dict()}


@agent_tool(action="discard_session")
def discard_cleaning(session_id: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Close a cleaning session without saving anything (needs confirmation: its accepted steps are dropped).

    Args:
        session_id: The session id; this conversation's session when empty.
    """
    done = cleaning.discard(runtime.context, session_id, _who(runtime))
    return f"Discarded session {done.session} on {done.asset}; the asset is unchanged.", {"session": done.session}


TOOLS = [start_cleaning, pick_up_session, next_cleaning_step, apply_cleaning_step, reject_cleaning_step,
         undo_cleaning_step, redo_cleaning_step, add_cleaning_step, export_cleaning_script, finish_cleaning,
         discard_cleaning]
