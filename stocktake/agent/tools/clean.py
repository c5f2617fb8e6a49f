"""Tools over guided cleaning sessions; finishing, discarding and picking up a session need the user's confirmation
(the rule is stocktake.actions'): the decisions inside a session are taken back with undo.

Each conversation works on its own sessions only: the one it started, or one it picked up (with the user's
confirmation) that was started outside any conversation, from the command line or the cleaning tab. Another
conversation's session is refused by every tool, and never listed. The thread id comes with every tool call
(LangGraph and the offline planner put it in the run's config); a session records its conversation as owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext, thread_of
from stocktake.agent.guard import quote_value
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.errors import StocktakeError
from stocktake.tools.profile import mask_record
from stocktake.words import plural

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime


def conversation_session(ctx: ToolContext, thread: str, session_id: str | None = None):
    """The named session if it is this conversation's, or the conversation's own open one; else an error that
    says how to start one, or which sessions started outside any conversation there are to pick up."""
    from stocktake.tools import clean as engine

    if session_id:
        s = engine.load_session(ctx.catalog, session_id)
        check_owner(ctx, thread, s)
        ctx.cleaning_sessions.set(thread, s.id)
        return s
    mine = ctx.cleaning_sessions.get(thread)
    states = engine.list_sessions(ctx.catalog.ws)
    state = next((x for x in states if x["id"] == mine and x["owner"] in (None, thread)), None)
    if state is not None and _is_open(state):
        return engine.load_session(ctx.catalog, mine)
    names = ctx.catalog.names()
    example = f"'start cleaning {names[0]}'" if names else "'start cleaning' and an asset name"
    gone = f"Session {mine} is finished or discarded. " if state is not None else ""
    unowned = sorted((x for x in states if _is_open(x) and x["owner"] is None), key=lambda x: x["created_at"])
    if not unowned:
        raise StocktakeError(f"{gone}No cleaning session is open in this conversation: say {example}.")
    listed = "; ".join(f"{x['id']} on {x['asset']} (started {x['created_at'][:16]})" for x in unowned[-5:])
    raise StocktakeError(f"{gone}No cleaning session is open in this conversation. Say {example} to start one, or "
                         f"pick up a session started outside a conversation (e.g. 'pick up {unowned[-1]['id']}', "
                         f"which needs your confirmation): {listed}.")


def check_owner(ctx: ToolContext, thread: str, session) -> None:
    """Refuse a session this conversation does not own; one from before sessions had owners is the
    conversation's that the workspace says works on it."""
    if session.owner == thread or session.owner is None and ctx.cleaning_sessions.get(thread) == session.id:
        return
    if session.owner is None:
        raise StocktakeError(f"Session {session.id} on {session.asset} was started outside this conversation. To "
                             f"work on it here, pick it up first: say 'pick up {session.id}' (it needs your "
                             "confirmation).")
    raise StocktakeError(f"Session {session.id} belongs to another conversation, so this one can neither see nor "
                         "change it. Start a session of your own, e.g. 'start cleaning' and an asset name.")


def finish_summary(session, mode: str | None = None):
    """What finishing the session saves; where no step is accepted, an error in the chat's words."""
    if not session.show().applied:
        raise StocktakeError(f"Session {session.id} on {session.asset} has no accepted steps, so there is nothing to "
                             "save and nothing was written. Accept a step first (e.g. 'accept s1'), or discard the "
                             "session.")
    return session.finish_summary(mode)


def _is_open(state: dict) -> bool:
    return not (state["finished"] or state.get("discarded"))


def _session(runtime: ToolRuntime[ToolContext], session_id: str | None):
    return conversation_session(runtime.context, thread_of(runtime.config), session_id)


def _masked(ctx: ToolContext, rows: list, asset: str) -> list:
    if not ctx.settings.guard.mask_pii:
        return rows
    personal = ctx.personal_columns(asset)
    return [mask_record(r, personal) if isinstance(r, dict) else r for r in rows]


def _step_dict(ctx: ToolContext, step, asset: str) -> dict:
    d = step.to_dict()
    if d.get("preview"):
        d["preview"] = {**d["preview"], **{part: _masked(ctx, d["preview"][part], asset)
                                           for part in ("before", "after", "kept")}}
    return d


def _session_dict(ctx: ToolContext, s) -> dict:
    d = s.show().to_dict()  # its steps carry no preview: only the head holds rows
    return {**d, "head": _masked(ctx, d["head"], s.asset)}


def _card(step) -> str:
    """One step as a sentence: "s1 (accepted) fill_missing: … (30 rows). Why: …." (no square brackets: the
    CLI's console would read them as markup)."""
    d = step.to_dict()
    rows = f" ({plural(d['rows_affected'], 'row')})" if d.get("rows_affected") is not None else ""
    why = d["why"].strip()
    return f"{d['id']} ({d['status']}) {d['kind']}: {d['what']}{rows}. Why: {why}{'' if why.endswith('.') else '.'}"


def _preview(ctx: ToolContext, step, asset: str) -> str:
    d = _step_dict(ctx, step, asset).get("preview") or {}
    guard = ctx.settings.guard
    before = "; ".join(quote_value(r, 60, guard.mask_pii) for r in d.get("before", [])[:2])
    after = "; ".join(quote_value(r, 60, guard.mask_pii) for r in d.get("after", [])[:2])
    return f"\nBefore: {before}\nAfter: {after}" if before or after else ""


@agent_tool(action="start_session")
def start_cleaning(asset: str, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Start a guided cleaning session on an asset: proposes ordered steps, changes nothing yet.

    Args:
        asset: Asset name exactly as in the catalog.
    """
    from stocktake.tools import clean as engine

    ctx = runtime.context
    s = engine.start_session(ctx.catalog, ctx.asset(asset).name, owner=thread_of(runtime.config))
    ctx.cleaning_sessions.set(thread_of(runtime.config), s.id)
    steps = s.proposals()
    text = lines(_card(p) for p in steps) or "No problems that need cleaning were found."
    return f"Session {s.id} on {s.asset}: {plural(len(steps), 'proposed step')}.\n{text}", _session_dict(ctx, s)


@agent_tool(action="pick_up_session")
def pick_up_session(session_id: str, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Make a cleaning session started outside any conversation (from the command line or the cleaning tab)
    this conversation's own, so the cleaning tools can work on it (needs confirmation). Another
    conversation's session cannot be picked up.

    Args:
        session_id: The session id, like cs-1a2b3c4d.
    """
    from stocktake.tools import clean as engine

    ctx = runtime.context
    s = engine.load_session(ctx.catalog, session_id)
    thread = thread_of(runtime.config)
    if s.owner != thread:
        s.claim(thread)
    ctx.cleaning_sessions.set(thread, s.id)
    waiting = s.proposals()
    return (f"Picked up session {s.id} on {s.asset}: {plural(len(waiting), 'proposed step')} waiting.\n"
            + lines(_card(p) for p in waiting)), _session_dict(ctx, s)


@agent_tool(action="preview_step")
def next_cleaning_step(session_id: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """The next proposed step of a cleaning session, with its preview and pandas code.

    Args:
        session_id: A session id like cs-1a2b3c4d; this conversation's session when empty.
    """
    ctx = runtime.context
    s = _session(runtime, session_id)
    waiting = s.proposals()
    if not waiting:
        return (f"Session {s.id} on {s.asset} has no more proposals. Finish it to save a new version, or "
                "discard it."), _session_dict(ctx, s)
    step = waiting[0]
    return (f"{_card(step)}{_preview(ctx, step, s.asset)}\nCode: {step.code}",
            {"session": s.id, "step": _step_dict(ctx, step, s.asset)})


@agent_tool(action="accept_step")
def apply_cleaning_step(step_id: str | None = None, session_id: str | None = None,
                        params: dict | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Accept and apply one proposed step to the session's working table (undo takes it back).

    Args:
        step_id: The step id, e.g. s1; the next proposed step when empty.
        session_id: The session id; this conversation's session when empty.
        params: Parameters to override, e.g. {"value": "unknown"} for a fill.
    """
    ctx = runtime.context
    s = _session(runtime, session_id)
    if not step_id:
        waiting = s.proposals()
        if not waiting:
            raise StocktakeError(f"Session {s.id} has no proposed step left to accept.")
        step_id = waiting[0].id
    step = s.accept(step_id, params or None)
    return (f"Applied {_card(step)} The table now has {len(s.table()):,} rows.",
            {"session": s.id, "step": _step_dict(ctx, step, s.asset)})


@agent_tool(action="reject_step")
def reject_cleaning_step(step_id: str, session_id: str | None = None, *,
                         runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Reject a proposed step: it will not be applied (undo reopens it, redo rejects it again).

    Args:
        step_id: The step id, e.g. s2.
        session_id: The session id; this conversation's session when empty.
    """
    s = _session(runtime, session_id)
    return f"Rejected {_card(s.reject(step_id))}", {"session": s.id}


@agent_tool(action="undo_step")
def undo_cleaning_step(step_id: str | None = None,
                       session_id: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Take back a decision (the latest by default): an accepted step leaves the table (later steps are
    replayed without it), a rejected one reopens; either way the step is proposed again.

    Args:
        step_id: The step whose decision to take back; the latest decision when empty.
        session_id: The session id; this conversation's session when empty.
    """
    ctx = runtime.context
    s = _session(runtime, session_id)
    step = s.undo(step_id)
    return (f"Undid {_card(step)} The table now has {len(s.table()):,} rows.",
            {"session": s.id, "step": _step_dict(ctx, step, s.asset)})


@agent_tool(action="redo_step")
def redo_cleaning_step(session_id: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Make the decision undone last once more: an accepted step goes back into the table where it was,
    a rejected one is rejected again.

    Args:
        session_id: The session id; this conversation's session when empty.
    """
    ctx = runtime.context
    s = _session(runtime, session_id)
    step = s.redo()
    return (f"Redid {_card(step)} The table now has {len(s.table()):,} rows.",
            {"session": s.id, "step": _step_dict(ctx, step, s.asset)})


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
    s = _session(runtime, session_id)
    step = s.add_custom_step(kind, params)
    return f"Added {_card(step)}{_preview(ctx, step, s.asset)}", {"session": s.id, "step": _step_dict(ctx, step, s.asset)}


@agent_tool(action="export_script")
def export_cleaning_script(session_id: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """The standalone pandas script that reproduces the session's result from the source.

    Args:
        session_id: The session id; this conversation's session when empty.
    """
    ctx = runtime.context
    s = _session(runtime, session_id)
    path = s.export_script(ctx.catalog.ws.dir("reports") / f"clean-{s.id}.py")
    code = path.read_text()
    return f"Wrote {path}.\n```python\n{code[:3000]}\n```", {"session": s.id, "path": str(path), "code": code}


@agent_tool(action="finish_session")
def finish_cleaning(session_id: str | None = None,
                    mode: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Save the cleaned table as a new version of the asset (needs confirmation).

    Args:
        session_id: The session id; this conversation's session when empty.
        mode: Only when the asset changed since the session started: "rebase" or "branch".
    """
    s = _session(runtime, session_id)
    finish_summary(s, mode)
    result = s.finish(mode)
    how = {"rebase": " (its steps replayed onto the asset's latest version)",
           "branch": f", a new asset branched from {s.asset}"}.get(result["mode"], "")
    return (f"Saved {result['asset']} as version {result['version']}{how}.",
            {"session": s.id, "result": result})


@agent_tool(action="discard_session")
def discard_cleaning(session_id: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Close a cleaning session without saving anything (needs confirmation: its accepted steps are dropped).

    Args:
        session_id: The session id; this conversation's session when empty.
    """
    ctx = runtime.context
    s = _session(runtime, session_id)
    s.discard()
    ctx.cleaning_sessions.set(thread_of(runtime.config), None)
    return f"Discarded session {s.id} on {s.asset}; the asset is unchanged.", {"session": s.id}


TOOLS = [start_cleaning, pick_up_session, next_cleaning_step, apply_cleaning_step, reject_cleaning_step,
         undo_cleaning_step, redo_cleaning_step, add_cleaning_step, export_cleaning_script, finish_cleaning,
         discard_cleaning]
