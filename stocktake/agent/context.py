"""What the agent's tools need, injected once: the catalog, the settings and the optional services."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from stocktake.catalog import Catalog
from stocktake.errors import UnknownNameError
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
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            with os.fdopen(fd, "w") as handle:
                json.dump(known, handle)
            os.replace(tmp, self.path)

    def _read(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}


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

        Free text that merely contains an address or a number is masked by value instead (stocktake.tools.pii).
        """
        from stocktake.tools.personal import load_personal_columns

        return load_personal_columns(self.catalog, [asset_name]).of(self.catalog.get(asset_name).name)
