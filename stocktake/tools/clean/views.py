"""What a session shows: each step with its status, parameters, code and preview, and the session as a whole."""

from __future__ import annotations

from dataclasses import dataclass

from stocktake.tools.clean.preview import Preview


@dataclass(frozen=True)
class StepView:
    id: str
    kind: str
    status: str  # proposed (pending), accepted or rejected
    origin: str  # proposed or custom
    what: str
    why: str
    params: dict
    code: str
    preview: Preview | None = None
    problem: str = ""  # why the step cannot run on the current table, if it cannot
    trail: tuple[str, ...] = ()  # its decisions and their reversals, oldest first: ("accepted", "undone")

    def to_dict(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "status": self.status, "origin": self.origin, "what": self.what,
            "why": self.why, "params": self.params, "code": self.code,
            "rows_affected": self.preview.rows_affected if self.preview else None,
            "preview": self.preview.to_dict() if self.preview else None,
            "trail": list(self.trail), **({"problem": self.problem} if self.problem else {}),
        }


@dataclass(frozen=True)
class SessionView:
    id: str
    asset: str
    base_version: int
    applied: tuple[str, ...]
    steps: tuple[StepView, ...]
    rows: int
    columns: tuple[str, ...]
    base_rows: int
    head: list[dict]
    finished: dict | None
    discarded: dict | None = None

    def to_dict(self) -> dict:
        return {
            "session": self.id, "asset": self.asset, "base_version": self.base_version,
            "applied": list(self.applied), "rows": self.rows, "base_rows": self.base_rows,
            "columns": list(self.columns), "steps": [s.to_dict() for s in self.steps], "head": self.head,
            "finished": self.finished, "discarded": self.discarded,
        }
