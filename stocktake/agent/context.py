"""What the agent's tools need, injected by the runtime: the workspace's services and each conversation's state."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from stocktake.files import write_atomic
from stocktake.usecases.services import Services


def thread_of(config: dict | None) -> str:
    """The conversation a tool call belongs to (LangGraph and the offline planner both pass it in the config)."""
    return str(((config or {}).get("configurable") or {}).get("thread_id") or "default")


class ConversationSessions:
    """Which cleaning session each conversation works on.

    Kept in the workspace, so that the one-shot ``stocktake ask`` calls of one conversation share it; a browser
    tab's conversation has its own id, so it never picks up another's session.
    """

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def get(self, thread: str) -> str | None:
        with self._lock:
            return self._read().get(thread)

    def set(self, thread: str, session_id: str | None) -> None:
        with self._lock:
            known = self._read()
            if session_id is None:
                known.pop(thread, None)
            else:
                known[thread] = session_id
            write_atomic(self.path, json.dumps(known))

    def _read(self) -> dict[str, str]:
        try:
            known = json.loads(self.path.read_text())
        except (OSError, ValueError):  # missing, or damaged: no conversation is working on a session
            return {}
        return {k: v for k, v in known.items() if isinstance(v, str)} if isinstance(known, dict) else {}


class ConversationPlans:
    """The query plan each conversation's last data answer rested on, for follow-ups ("and per month?").

    Kept in the workspace like the cleaning sessions, so that one-shot ``stocktake ask --thread`` calls of one
    conversation share it. A file that is not a valid plan is ignored: it is data, never code.
    """

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def get(self, thread: str):
        from stocktake.tools.ask.model import QueryPlan

        with self._lock:
            raw = self._read().get(thread)
        try:
            return QueryPlan.model_validate(raw) if isinstance(raw, dict) else None
        except ValueError:
            return None

    def set(self, thread: str, plan) -> None:
        with self._lock:
            known = self._read()
            if plan is None:
                known.pop(thread, None)
            else:
                known[thread] = plan.model_dump(mode="json")
            try:
                write_atomic(self.path, json.dumps(known))
            except OSError:  # a read-only workspace answers without follow-up memory
                pass

    def _read(self) -> dict:
        try:
            if self.path.stat().st_size > 5_000_000:
                return {}
            known = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return known if isinstance(known, dict) else {}


@dataclass
class ToolContext(Services):
    """The services, and what the agent keeps per conversation: its last query plan, its cleaning session."""

    @cached_property
    def conversation_plans(self) -> ConversationPlans:
        return ConversationPlans(self.catalog.ws.dir("cache") / "chat-query-plans.json")

    @cached_property
    def cleaning_sessions(self) -> ConversationSessions:
        return ConversationSessions(self.catalog.ws.dir("cache") / "chat-cleaning-sessions.json")
