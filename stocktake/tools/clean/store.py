"""Where a cleaning session is kept: one JSON file in ``sessions/cleaning/`` plus a folder with the Parquet cache of
its current table, whose name carries a hash of the applied steps, so a stale cache is never mistaken for the
current one. Both are written to a temporary file and moved into place with ``os.replace``: a crash mid-write
leaves the last good state.

Two processes may open the same session (the CLI and the web app, say). Each saved state carries a revision; a
save checks, under an exclusive lock on the session, that the file is still at the revision this copy loaded, and
otherwise refuses with a clear error, so no process silently overwrites another's decision.

A session file is data, read from a folder others may write to: it is checked against the shape written here
(and bounded in size) before anything uses it, and a file that does not fit is a one-line error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock

from stocktake.catalog import Workspace, now_iso
from stocktake.errors import StocktakeError
from stocktake.files import write_atomic
from stocktake.tools.clean.steps import STEP_TYPES

SESSION_ID = re.compile(r"cs-[0-9a-f]{8}")
CACHE_NAME = re.compile(r"current-[0-9a-f]{16}\.parquet")
OPS = ("accept", "reject", "undo", "redo", "edit")


@dataclass(frozen=True)
class SessionLimits:
    max_bytes: int = 32 << 20  # a session file larger than this is refused unread
    max_steps: int = 1_000
    max_events: int = 50_000


def sessions_dir(ws: Workspace) -> Path:
    folder = ws.dir("sessions") / "cleaning"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def list_sessions(ws: Workspace) -> list[dict]:
    """Every readable session, oldest file name first; a damaged file is left out (``stocktake doctor`` names it)."""
    out = []
    for path in sorted(sessions_dir(ws).glob("cs-*.json")):
        try:
            state = read_state(path)
        except StocktakeError:
            continue
        out.append({"id": state["id"], "asset": state["asset"], "base_version": state["base_version"],
                    "created_at": state["created_at"], "steps": len(state["steps"]),
                    "finished": state["finished"], "discarded": state.get("discarded"),
                    "owner": state.get("owner")})
    return out


class SessionFile:
    """One session's files: its state, the lock that guards it, and the cache of its current table."""

    def __init__(self, ws: Workspace, session_id: str):
        self.ws, self.id = ws, session_id

    @property
    def path(self) -> Path:
        return sessions_dir(self.ws) / f"{self.id}.json"

    def folder(self) -> Path:
        folder = sessions_dir(self.ws) / self.id
        folder.mkdir(exist_ok=True)
        return folder

    def lock(self) -> FileLock:
        return FileLock(self.path.with_name(f".{self.id}.lock"))

    def read(self) -> dict:
        return read_state(self.path)

    @contextmanager
    def saving(self, revision: int) -> Iterator[None]:
        """Hold the session's lock, having checked that no other process saved it since ``revision`` was loaded."""
        with self.lock():
            found = json.loads(self.path.read_text()).get("revision", 0) if self.path.is_file() else 0
            if found != revision:
                raise StocktakeError(
                    f"Cleaning session {self.id} was changed by another process (now revision {found}, this copy "
                    f"has revision {revision}); nothing was saved. Reload the session and try again.")
            yield

    def write(self, state: dict) -> None:
        """Save ``state`` as its next revision (only inside ``saving``), then drop caches it no longer names."""
        revision = state.get("revision", 0)
        state.update(revision=revision + 1, updated_at=now_iso())
        try:
            write_atomic(self.path, json.dumps(state, indent=1, default=str))
        except BaseException:
            state["revision"] = revision
            raise
        # Under the lock, so the cache that the file now names is never among them.
        for stale in (sessions_dir(self.ws) / self.id).glob("current-*.parquet"):
            if stale.name != state.get("cache"):
                stale.unlink(missing_ok=True)

    def write_cache(self, name: str, table: pd.DataFrame) -> None:
        arrow = pa.Table.from_pandas(table, preserve_index=True)
        write_atomic(self.folder() / name, lambda tmp: pq.write_table(arrow, tmp))

    def read_cache(self, name: str) -> pd.DataFrame | None:
        """The cached table, or None where it is missing or unreadable (then the steps are replayed)."""
        try:
            return pd.read_parquet(self.folder() / name)
        except (OSError, ValueError):  # pyarrow's errors for a damaged file are both
            return None


def read_state(path: Path, limits: SessionLimits = SessionLimits()) -> dict:
    """A session file's state, checked against the shape this module writes; else a one-line error."""
    def damaged(why: str) -> StocktakeError:
        return StocktakeError(f"Cleaning session file {path} is damaged ({why}); nothing was changed. Restore it "
                              "from a backup, or remove it and start a new session (stocktake doctor lists such "
                              "files).")

    try:
        if path.stat().st_size > limits.max_bytes:
            raise damaged(f"{path.stat().st_size:,} bytes, more than the {limits.max_bytes:,} allowed")
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise damaged(f"not readable as JSON: {type(exc).__name__}") from None
    problem = state_problem(state, path.stem, limits)
    if problem:
        raise damaged(problem)
    return state


def state_problem(state, session_id: str, limits: SessionLimits = SessionLimits()) -> str | None:
    """What is wrong with a session state, or None; it names the first field that does not fit."""
    if not isinstance(state, dict):
        return "not a JSON object"
    fields = {"id": str, "asset": str, "base_version": int, "created_at": str, "steps": dict, "events": list}
    for name, kind in fields.items():
        if not isinstance(state.get(name), kind) or isinstance(state.get(name), bool):
            return f"'{name}' is missing or not {kind.__name__}"
    if state["id"] != session_id:
        return f"its id {state['id'][:40]!r} is not its file name"
    if not 0 < state["base_version"] < 2 ** 63:
        return "'base_version' is out of range"
    if len(state["steps"]) > limits.max_steps or len(state["events"]) > limits.max_events:
        return "too many steps or events"
    return _optional_problem(state) or _steps_problem(state) or _events_problem(state)


def _optional_problem(state: dict) -> str | None:
    for name, kind in (("finished", dict), ("discarded", dict), ("finishing", dict), ("cache", str),
                       ("owner", str), ("revision", int)):
        if state.get(name) is not None and not isinstance(state[name], kind):
            return f"'{name}' is not {kind.__name__}"
    finished = state.get("finished")
    if finished and not (isinstance(finished.get("asset"), str) and _is_version(finished.get("version"))):
        return "'finished' has no asset and version"
    if state.get("cache") is not None and not CACHE_NAME.fullmatch(state["cache"]):
        return "'cache' is not a cache file name"
    return None


def _is_version(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 63


def _steps_problem(state: dict) -> str | None:
    for sid, step in state["steps"].items():
        if not isinstance(step, dict) or step.get("id") != sid:
            return f"step {sid[:20]!r} is not an object with its own id"
        if step.get("kind") not in STEP_TYPES:
            return f"step {sid[:20]!r} has an unknown kind"
        if not isinstance(step.get("params"), dict):
            return f"step {sid[:20]!r} has no parameters object"
        for name in ("what", "why", "origin"):
            if not isinstance(step.get(name), str):
                return f"step {sid[:20]!r} has no text '{name}'"
    return None


def _events_problem(state: dict) -> str | None:
    for n, ev in enumerate(state["events"], 1):
        if not isinstance(ev, dict) or ev.get("op") not in OPS or ev.get("step") not in state["steps"]:
            return f"event {n} is not a decision on a known step"
        if ev["op"] in ("accept", "edit") and not isinstance(ev.get("params"), dict):
            return f"event {n} has parameters that are not an object"
    return None
