"""What the agent's tools need, injected once: the catalog, the settings and the optional services."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from stocktake.catalog import Catalog
from stocktake.errors import UnknownNameError
from stocktake.files import write_atomic
from stocktake.settings import Settings


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
class ToolContext:
    catalog: Catalog
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def registry(self):
        from stocktake.registry import ModelRegistry

        return ModelRegistry(self.catalog.ws)

    @cached_property
    def docs_store(self):
        """The Chroma docs index of the workspace; the embedding model loads only when a search needs it."""
        from stocktake.tools.docs import DocStore

        return DocStore(self.catalog.ws)

    def schema(self):
        """The question planner's view of the catalog, rebuilt only when an asset or its version changed."""
        from stocktake.tools.ask.schema import build_schema

        state = self._state()
        cached = self.__dict__.get("_schema")
        if cached is None or cached[0] != state:
            with self.reading_profiles(state):
                cached = (state, build_schema(self.catalog))
            self.__dict__["_schema"] = cached
        return cached[1]

    def reading_profiles(self, state: tuple | None = None):
        """A scope in which the tools and the planner share the profiles read so far, while no asset changed:
        a question reaches them through the schema, the tool and the masking of its result. ``state``: the
        catalog's, when the caller has just read it."""
        from stocktake.tools.profile import profiles_read_once

        state = state if state is not None else self._state()
        kept = self.__dict__.get("_profiles")
        if kept is None or kept[0] != state:  # the memo is keyed by version anyway; this lets old ones go
            kept = (state, {})
            self.__dict__["_profiles"] = kept
        return profiles_read_once(kept[1])

    def _state(self) -> tuple:
        return tuple((a.name, a.version, a.current.content_hash) for a in self.catalog.list_assets())

    @cached_property
    def conversation_plans(self) -> ConversationPlans:
        return ConversationPlans(self.catalog.ws.dir("cache") / "chat-query-plans.json")

    @cached_property
    def cleaning_sessions(self) -> ConversationSessions:
        return ConversationSessions(self.catalog.ws.dir("cache") / "chat-cleaning-sessions.json")

    def asset(self, name: str):
        return self.catalog.get(name)

    def column(self, asset_name: str, column: str) -> str:
        """The real column name (case-insensitive match), or an error listing the columns there are."""
        names = [c.name for c in self.catalog.get(asset_name).columns]
        if column in names:
            return column
        lowered = {n.lower(): n for n in names}
        if column.lower() in lowered:
            return lowered[column.lower()]
        raise UnknownNameError(f"column in '{asset_name}'", column, names)

    def personal_columns(self, asset_name: str) -> frozenset[str]:
        """Columns of the asset whose every value is personal data (flagged by their values' type or their name).

        Free text that merely contains an address or a number is masked by value instead (stocktake.tools.profile.pii).
        """
        from stocktake.tools.profile import load_personal_columns

        with self.reading_profiles():
            return load_personal_columns(self.catalog, [asset_name]).of(self.catalog.get(asset_name).name)
