"""Tools over guided cleaning sessions; applying a step and finishing need the user's confirmation."""

from __future__ import annotations

from langchain_core.tools import BaseTool

from stocktake.agent.context import ToolContext
from stocktake.agent.guard import quote_value
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.errors import StocktakeError


def build(ctx: ToolContext) -> list[BaseTool]:
    from stocktake.tools import clean as engine

    def session(session_id: str | None):
        """The named session, or the newest unfinished one (what "next step" and "undo" refer to)."""
        if session_id:
            return engine.load_session(ctx.catalog, session_id)
        open_ = [s for s in engine.list_sessions(ctx.catalog.ws) if not (s["finished"] or s.get("discarded"))]
        if not open_:
            raise StocktakeError("No cleaning session is open. Start one with start_cleaning(asset).")
        return engine.load_session(ctx.catalog, max(open_, key=lambda s: s["created_at"])["id"])

    def card(step) -> str:
        d = step.to_dict()
        rows = f"{d['rows_affected']:,} rows" if d.get("rows_affected") is not None else "rows: n/a"
        return f"{d['id']} [{d['status']}] {d['kind']}: {d['what']} ({rows}). Why: {d['why']}"

    def preview(step) -> str:
        d = step.to_dict().get("preview") or {}
        before = "; ".join(quote_value(r, 60) for r in d.get("before", [])[:2])
        after = "; ".join(quote_value(r, 60) for r in d.get("after", [])[:2])
        return f"\nBefore: {before}\nAfter: {after}" if before or after else ""

    @agent_tool
    def start_cleaning(asset: str) -> tuple[str, dict]:
        """Start a guided cleaning session on an asset: proposes ordered steps, changes nothing yet.

        Args:
            asset: Asset name exactly as in the catalog.
        """
        s = engine.start_session(ctx.catalog, ctx.asset(asset).name)
        steps = s.proposals()
        text = lines(card(p) for p in steps) or "No problems that need cleaning were found."
        return f"Session {s.id} on {s.asset}: {len(steps)} proposed steps.\n{text}", s.show().to_dict()

    @agent_tool
    def next_cleaning_step(session_id: str | None = None) -> tuple[str, dict]:
        """The next proposed step of a cleaning session, with its preview and pandas code.

        Args:
            session_id: A session id like cs-1a2b3c4d; the newest open session when empty.
        """
        s = session(session_id)
        waiting = s.proposals()
        if not waiting:
            return f"Session {s.id} has no more proposals. Finish it to save a new version.", s.show().to_dict()
        step = waiting[0]
        return f"{card(step)}{preview(step)}\nCode: {step.code}", {"session": s.id, "step": step.to_dict()}

    @agent_tool(changes_data=True)
    def apply_cleaning_step(step_id: str, session_id: str | None = None, params: dict | None = None) -> tuple[str, dict]:
        """Accept and apply one proposed step to the session's working table (needs confirmation).

        Args:
            step_id: The step id, e.g. s1.
            session_id: The session id; the newest open session when empty.
            params: Parameters to override, e.g. {"value": "unknown"} for a fill.
        """
        s = session(session_id)
        step = s.accept(step_id, params or None)
        return f"Applied {card(step)}. The table now has {len(s.table()):,} rows.", {"session": s.id, "step": step.to_dict()}

    @agent_tool
    def reject_cleaning_step(step_id: str, session_id: str | None = None) -> tuple[str, dict]:
        """Reject a proposed step: it will not be applied.

        Args:
            step_id: The step id, e.g. s2.
            session_id: The session id; the newest open session when empty.
        """
        s = session(session_id)
        return f"Rejected {card(s.reject(step_id))}.", {"session": s.id}

    @agent_tool
    def undo_cleaning_step(step_id: str | None = None, session_id: str | None = None) -> tuple[str, dict]:
        """Undo an applied step (the last one by default); later steps are replayed without it.

        Args:
            step_id: The step to take back; the last applied one when empty.
            session_id: The session id; the newest open session when empty.
        """
        s = session(session_id)
        step = s.undo(step_id)
        return f"Undid {card(step)}. The table now has {len(s.table()):,} rows.", {"session": s.id, "step": step.to_dict()}

    @agent_tool
    def add_cleaning_step(kind: str, params: dict, session_id: str | None = None) -> tuple[str, dict]:
        """Add a custom step the user asked for; it waits as a proposal until applied.

        Args:
            kind: One of drop_duplicates, dedupe_key, drop_missing, fill_missing, parse_dates, normalise_text,
                unify_categories, out_of_range, cast_type, mask_pii, relabel, drop_orphans, drop_columns, drop_rows.
            params: The step's parameters, e.g. {"column": "price", "action": "drop"}.
            session_id: The session id; the newest open session when empty.
        """
        s = session(session_id)
        step = s.add_custom_step(kind, params)
        return f"Added {card(step)}{preview(step)}", {"session": s.id, "step": step.to_dict()}

    @agent_tool
    def export_cleaning_script(session_id: str | None = None) -> tuple[str, dict]:
        """The standalone pandas script that reproduces the session's result from the source.

        Args:
            session_id: The session id; the newest open session when empty.
        """
        s = session(session_id)
        path = s.export_script(ctx.catalog.ws.dir("reports") / f"clean-{s.id}.py")
        code = path.read_text()
        return f"Wrote {path}.\n```python\n{code[:3000]}\n```", {"session": s.id, "path": str(path), "code": code}

    @agent_tool(changes_data=True)
    def finish_cleaning(session_id: str | None = None, mode: str | None = None) -> tuple[str, dict]:
        """Save the cleaned table as a new version of the asset (needs confirmation).

        Args:
            session_id: The session id; the newest open session when empty.
            mode: Only when the asset changed since the session started: "rebase" or "branch".
        """
        s = session(session_id)
        result = s.finish(mode)
        return f"Saved {s.asset}: {result}", {"session": s.id, "result": result}

    return [start_cleaning, next_cleaning_step, apply_cleaning_step, reject_cleaning_step, undo_cleaning_step,
            add_cleaning_step, export_cleaning_script, finish_cleaning]
