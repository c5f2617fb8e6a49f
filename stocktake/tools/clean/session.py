"""Cleaning sessions: an event log of decisions on top of one base version of an asset.

Every step is pending (``proposed``) until it is decided: ``accept`` applies it, ``reject`` sets it aside. A
decision stays until ``undo`` takes it back: undo reverses the latest decision still in force (or the one on a
named step), and either way the step is pending again, proposed with a fresh preview, so it can be accepted or
rejected anew. ``redo`` makes the decision undone last once more (an accepted step goes back where it was); a
new decision clears what there is to redo. Accept and reject act on pending steps only, so a rejected step is
never applied by accident: undo it to reconsider. Nothing is erased: the log keeps every decision and its
reversal, and each step carries its trail of them (``accepted``, ``undone``, ...) for the audit.

The current table is always the replay of the accepted steps, in the order they were accepted, over the
base snapshot; so undoing any step is "remove it and replay the rest". Each session is one JSON file in
``sessions/cleaning/`` plus a Parquet cache of the current table whose name carries a hash of the applied
steps, so a stale cache is never mistaken for the current one. Both are written to a temporary file and
moved into place with ``os.replace``: a crash mid-write leaves the last good state.

Two processes may open the same session (the CLI and the web app, say). Each saved state carries a revision;
a save checks, under an exclusive lock on the session, that the file is still at the revision this copy
loaded, and otherwise refuses with a clear error, so no process silently overwrites another's decision.

Finishing writes a new version of the asset. If the asset gained a version since the session started,
finishing refuses until the user picks: ``rebase`` (replay the steps onto the latest version) or
``branch`` (a new asset ``<asset>__branch_<session>`` whose version 1 is the session's base and version 2
the cleaned table), so nobody's work is silently overwritten. Finishing is two writes, the catalog's and the
session's, so before the first the session records what it is about to write (``finishing``); whoever next
loads a session left with that record (a finish killed half-way) looks in the catalog for the version that
names the session in its lineage, and completes the finish with it or, if there is none, rolls it back. So a
finish is never applied twice.

A session file is data, read from a folder others may write to: it is checked against the shape written
here (and bounded in size) before anything uses it, and a file that does not fit is a one-line error.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock

from stocktake.catalog import Catalog, Workspace, now_iso
from stocktake.errors import Remedy, StocktakeError, UnknownNameError
from stocktake.files import write_atomic
from stocktake.tools.clean.propose import CleanSettings, Proposal, propose_steps
from stocktake.tools.clean.steps import STEP_TYPES, Preview, compare, get_step, records

PREVIEW_ROWS = CleanSettings().preview_rows
SESSION_ID = re.compile(r"cs-[0-9a-f]{8}")
OPS = ("accept", "reject", "undo", "redo", "edit")


@dataclass(frozen=True)
class SessionLimits:
    max_bytes: int = 32 << 20  # a session file larger than this is refused unread
    max_steps: int = 1_000
    max_events: int = 50_000


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


@dataclass
class Decisions:
    """The session's log folded up: which steps are applied (in order), which decisions are in force, and so on."""
    params: dict[str, dict]
    status: dict[str, str]  # proposed, accepted or rejected
    trail: dict[str, list[str]]  # each step's decisions and their reversals, oldest first
    applied: list[str] = field(default_factory=list)
    decided: list[str] = field(default_factory=list)  # steps with a decision in force, latest last: what undo takes
    redo: list[tuple[str, str, int]] = field(default_factory=list)  # (step, decision undone, where it was applied)

    def decide(self, sid: str, decision: str, position: int) -> None:
        if decision == "accepted":
            self.applied.insert(position, sid)
        if sid in self.decided:  # logs from before decisions were pending-only may accept a rejected step
            self.decided.remove(sid)
        self.decided.append(sid)
        self.status[sid] = decision
        self.trail[sid].append(decision)

    def take_back(self, sid: str) -> None:
        if sid in self.applied:
            self.applied.remove(sid)
        self.decided.remove(sid)
        self.status[sid] = "proposed"
        self.trail[sid].append("undone")


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


def sessions_dir(ws: Workspace) -> Path:
    folder = ws.dir("sessions") / "cleaning"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_session(catalog: Catalog, asset: str, version: int | None = None,
                  owner: str | None = None) -> CleaningSession:
    """A new session on ``asset`` (its latest version by default), with the proposed steps; ``owner`` is the
    conversation that starts it (None from the command line or the cleaning tab)."""
    base = catalog.get(asset, version)
    proposals = propose_steps(catalog, asset, base.version)
    state = {
        "id": f"cs-{uuid.uuid4().hex[:8]}", "asset": asset, "base_version": base.version,
        "created_at": now_iso(), "steps": {}, "events": [], "finished": None, "cache": None, "owner": owner,
    }
    session = CleaningSession(catalog, state)
    for proposal in proposals:
        session._define(proposal, origin="proposed")
    session._save()
    return session


def load_session(ws: Workspace | Catalog, session_id: str) -> CleaningSession:
    """The session, its file checked; a finish that was interrupted is completed or rolled back first."""
    catalog = ws if isinstance(ws, Catalog) else Catalog(ws)
    path = sessions_dir(catalog.ws) / f"{session_id}.json"
    if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id) or not path.is_file():
        raise UnknownNameError("cleaning session", str(session_id), [s["id"] for s in list_sessions(catalog.ws)])
    session = CleaningSession(catalog, read_state(path))
    if session.state.get("finishing") and not session.state["finished"]:
        session.recover()
    return session


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
    for name, kind in (("finished", dict), ("discarded", dict), ("finishing", dict), ("cache", str),
                       ("owner", str), ("revision", int)):
        if state.get(name) is not None and not isinstance(state[name], kind):
            return f"'{name}' is not {kind.__name__}"
    finished = state.get("finished")
    if finished and not (isinstance(finished.get("asset"), str) and _is_version(finished.get("version"))):
        return "'finished' has no asset and version"
    if state.get("cache") is not None and not re.fullmatch(r"current-[0-9a-f]{16}\.parquet", state["cache"]):
        return "'cache' is not a cache file name"
    return _steps_problem(state) or _events_problem(state)


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


@dataclass(frozen=True)
class FinishSummary:
    """What a finish would write: the asset and version it makes, and the steps it applies."""
    how: str  # direct, rebase or branch
    target: str  # the asset the version is written to
    version: int  # the version number it should get
    steps: tuple[str, ...]  # the accepted steps, in the order they are applied
    base_version: int
    latest: int  # the asset's latest version now (a rebase replays the steps onto it)


@dataclass(frozen=True)
class _FinishPlan:
    """A summary made real: the table to write and what the version records."""
    summary: FinishSummary  # its version is the one it should get (another writer may take it: lineage counts)
    table: pd.DataFrame
    lineage: dict
    note: str
    parent: int | None


class CleaningSession:
    def __init__(self, catalog: Catalog, state: dict):
        self.catalog, self.state = catalog, state
        self._table: pd.DataFrame | None = None

    @property
    def id(self) -> str:
        return self.state["id"]

    @property
    def asset(self) -> str:
        return self.state["asset"]

    # ---- the derived state --------------------------------------------------------------------
    def _fold(self) -> Decisions:
        """Replay the decision log into the decisions in force."""
        d = Decisions(params={sid: dict(step["params"]) for sid, step in self.state["steps"].items()},
                      status={sid: "proposed" for sid in self.state["steps"]},
                      trail={sid: [] for sid in self.state["steps"]})
        for n, ev in enumerate(self.state["events"], 1):
            try:
                self._fold_event(d, ev)
            except (KeyError, ValueError, IndexError):  # a log no sequence of decisions here could write
                raise StocktakeError(f"Cleaning session {self.id} has a damaged history (event {n}, "
                                     f"{ev['op']} {ev['step']}); nothing was changed.") from None
        return d

    @staticmethod
    def _fold_event(d: Decisions, ev: dict) -> None:
        sid, op = ev["step"], ev["op"]
        if op in ("accept", "edit"):
            d.params[sid].update(ev["params"])
        if op in ("accept", "reject"):
            d.decide(sid, "accepted" if op == "accept" else "rejected", len(d.applied))
            d.redo.clear()
        elif op == "undo":
            d.redo.append((sid, d.status[sid], d.applied.index(sid) if sid in d.applied else -1))
            d.take_back(sid)
        elif op == "redo":
            # By step: a log written before a reject cleared the redo stack may name a step that is not on it.
            entry = next((e for e in reversed(d.redo) if e[0] == sid), None)
            if entry:
                d.redo.remove(entry)
                d.decide(*entry)

    def _replay(self, applied: list[str], params: dict[str, dict], version: int | None = None) -> pd.DataFrame:
        """The applied steps run over the base version (or over ``version``, for a rebase)."""
        return self._run(self.catalog.load(self.asset, version or self.state["base_version"]), applied, params)

    def _run(self, df: pd.DataFrame, steps: list[str], params: dict[str, dict]) -> pd.DataFrame:
        for sid in steps:
            try:
                df = self._apply(sid, df, params[sid])
            except StocktakeError as exc:
                raise StocktakeError((f"Replaying step {sid} failed: ", exc)) from None
        return df

    def _apply(self, step_id: str, df: pd.DataFrame, params: dict) -> pd.DataFrame:
        """One step on ``df``; a step that reads another file reads only a snapshot of this workspace."""
        kind = self.state["steps"][step_id]["kind"]
        if kind == "drop_orphans":
            snapshots = self.catalog.ws.dir("snapshots").resolve()
            parent = Path(str(params.get("parent_path", ""))).resolve()
            if not parent.is_relative_to(snapshots):
                raise StocktakeError(f"Step {step_id} reads {parent}, which is not a snapshot of this workspace; "
                                     "reject it and propose the step again.")
        return get_step(kind).apply(df, params)

    def _cache_key(self, applied: list[str], params: dict[str, dict]) -> str:
        chain = [(self.state["steps"][s]["kind"], params[s]) for s in applied]
        payload = json.dumps([self.state["base_version"], chain], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def table(self) -> pd.DataFrame:
        """The current table (index: row numbers of the base table)."""
        if self._table is None:
            d = self._fold()
            cache = self.state.get("cache")
            path = self._folder() / f"current-{self._cache_key(d.applied, d.params)}.parquet"
            self._table = self._read_cache(path) if cache and cache == path.name else None
            if self._table is None:
                self._table = self._replay(d.applied, d.params)
        return self._table

    @staticmethod
    def _read_cache(path: Path) -> pd.DataFrame | None:
        """The cached table, or None where it is missing or unreadable (then the steps are replayed)."""
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError):  # pyarrow's errors for a damaged file are both
            return None

    # ---- decisions ----------------------------------------------------------------------------
    def proposals(self) -> list[StepView]:
        """Steps waiting for a decision (undone ones included), each previewed on the current table."""
        status = self._fold().status
        return [self._view(sid, preview=True) for sid in self.state["steps"] if status[sid] == "proposed"]

    def accept(self, step_id: str, params: dict | None = None) -> StepView:
        d = self._fold()
        self._check_pending(step_id, d)
        merged = {**d.params[step_id], **(params or {})}
        table = self._apply(step_id, self.table(), merged)
        self._commit({"op": "accept", "step": step_id, "params": params or {}}, table)
        return self._view(step_id)

    def accept_all(self) -> tuple[list[StepView], list[StepView]]:
        """Accept every pending proposal in order; returns the accepted steps and the skipped ones, each
        skipped step with the reason it cannot run on the table the accepted ones before it left."""
        d = self._fold()
        accepted, skipped = [], []
        for sid in [s for s in self.state["steps"] if d.status[s] == "proposed"]:
            try:
                table = self._apply(sid, self.table(), d.params[sid])
            except StocktakeError as exc:
                skipped.append(replace(self._view(sid), problem=str(exc)))
                continue
            self._commit({"op": "accept", "step": sid, "params": {}}, table)
            accepted.append(self._view(sid))
        return accepted, skipped

    def reject(self, step_id: str) -> StepView:
        self._check_pending(step_id, self._fold())
        self._commit({"op": "reject", "step": step_id}, None)
        return self._view(step_id)

    def undo(self, step_id: str | None = None) -> StepView:
        """Take back a decision, the latest by default: an accepted step leaves the table (the later ones are
        replayed without it), a rejected one is reopened; either way the step is pending again."""
        self.check_open()
        d = self._fold()
        if step_id is None:
            if not d.decided:
                raise StocktakeError(f"Nothing to undo in session {self.id}: no step is accepted or rejected.")
            step_id = d.decided[-1]
        self._check_step(step_id)
        if d.status[step_id] == "proposed":
            raise StocktakeError(f"Step {step_id} is pending, so there is no decision on it to undo; decided "
                                 f"steps: {', '.join(d.decided) or 'none'}.")
        table = None
        if step_id in d.applied:
            table = self._replay_after(step_id, [s for s in d.applied if s != step_id], d.params)
        self._commit({"op": "undo", "step": step_id}, table)
        return self._view(step_id, preview=True)

    @property
    def redoable(self) -> bool:
        """Whether an undone decision is waiting to be made again (until a new decision clears it)."""
        return bool(self._fold().redo)

    def redo(self) -> StepView:
        """Make the decision undone last once more; an accepted step goes back where it was."""
        self.check_open()
        d = self._fold()
        if not d.redo:
            raise StocktakeError(f"Nothing to redo in session {self.id}.")
        sid, decision, pos = d.redo[-1]
        table = None
        if decision == "accepted":
            table = self._replay_after(sid, d.applied[:pos] + [sid] + d.applied[pos:], d.params)
        self._commit({"op": "redo", "step": sid}, table)
        return self._view(sid)

    def add_custom_step(self, kind: str, params: dict, why: str = "asked for by the user") -> StepView:
        """Define a step the user asked for; it waits as a proposal until accepted."""
        self.check_open()
        step = get_step(kind)
        checked = step.validate(params, self.table())
        sid = self._define(Proposal(kind, checked, step.describe(checked), why, None), origin="custom")
        self._save()
        return self._view(sid, preview=True)

    def edit_step(self, step_id: str, params: dict) -> StepView:
        """Change a step's parameters, checked as ``add_custom_step`` checks them against the table the step
        runs on; an applied step is replayed with them."""
        d = self._fold()
        applied, current = d.applied, d.params
        self._check_step(step_id)
        new = {**current, step_id: {**current[step_id], **params}}
        step = get_step(self.state["steps"][step_id]["kind"])
        if step_id not in applied:
            step.validate(new[step_id], self.table())
            self._commit({"op": "edit", "step": step_id, "params": params}, None)
            return self._view(step_id, preview=True)
        at = applied.index(step_id)
        before = self._run(self.catalog.load(self.asset, self.state["base_version"]), applied[:at], current)
        step.validate(new[step_id], before)
        try:
            table = self._run(before, applied[at:], new)
        except StocktakeError as exc:
            raise StocktakeError((f"Changing step {step_id} breaks it or a later step. ", exc,
                                  " Nothing was changed.")) from None
        self._commit({"op": "edit", "step": step_id, "params": params}, table)
        return self._view(step_id)

    def discard(self) -> dict:
        """Close the session without writing anything; its files stay for the record, the asset is untouched."""
        with self._saving():
            self.check_open()
            self.state["discarded"] = {"at": now_iso()}
            try:
                self._write()
            except BaseException:
                del self.state["discarded"]
                raise
        return self.state["discarded"]

    def explain_step(self, step_id: str) -> StepView:
        self._check_step(step_id)
        return self._view(step_id, preview=True)

    def show(self) -> SessionView:
        d = self._fold()
        table = self.table()
        return SessionView(
            id=self.id, asset=self.asset, base_version=self.state["base_version"], applied=tuple(d.applied),
            steps=tuple(self._view(s) for s in self.state["steps"]), rows=len(table),
            columns=tuple(map(str, table.columns)),
            base_rows=self.catalog.get(self.asset, self.state["base_version"]).rows,
            head=records(table.head(PREVIEW_ROWS)), finished=self.state["finished"],
            discarded=self.state.get("discarded"),
        )

    def export_script(self, path: str | Path) -> Path:
        from stocktake.tools.clean.export import write_script

        d = self._fold()
        return write_script(self, [(sid, d.params[sid]) for sid in d.applied], Path(path))

    def finish(self, mode: str | None = None) -> dict:
        """Write the current table as a new version; ``mode`` says what to do if the asset has moved on.

        The intent is saved before the catalog write and cleared with the result after it, so a finish
        killed in between is completed (or rolled back) by the next load, never written twice."""
        with self._saving():  # held while the version is written: a second finish elsewhere cannot write another
            plan = self._plan_finish(mode)
            target, how = plan.summary.target, plan.summary.how
            self.state["finishing"] = {"asset": target, "mode": how, "version": plan.summary.version, "at": now_iso()}
            self._write()
            try:
                version = self._write_version(plan)
            except BaseException:
                self._settle()
                raise
            self.state.update(finished={"asset": target, "version": version, "mode": how, "at": now_iso()},
                              finishing=None)
            self._write()
        return self.state["finished"]

    def finish_summary(self, mode: str | None = None) -> FinishSummary:
        """What finishing would write, every check made but nothing computed: what a confirmation asks about."""
        if mode not in (None, "rebase", "branch"):
            raise StocktakeError(f"Unknown finish mode '{mode}'; use rebase or branch.")
        self.check_open()
        applied = tuple(self._fold().applied)
        if not applied:
            raise StocktakeError(f"Session {self.id} has no accepted steps; nothing was written. Accept steps with "
                                 f"`stocktake clean accept {self.id} STEP` (or all), or close the session with "
                                 f"`stocktake clean discard {self.id}`.")
        latest = self.catalog.get(self.asset).version
        base = self.state["base_version"]
        if latest != base and mode is None:
            raise StocktakeError(
                f"Asset '{self.asset}' changed since session {self.id} started (base version {base}, now version "
                f"{latest}). Nothing was written.",
                Remedy("rebase-or-branch", steps=len(applied), version=latest, branch=self._branch_name()),
                asset=self.asset)
        if mode == "branch":
            return FinishSummary("branch", self._branch_name(), 2, applied, base, latest)
        return FinishSummary("rebase" if latest != base else "direct", self.asset, latest + 1, applied, base, latest)

    def _plan_finish(self, mode: str | None) -> _FinishPlan:
        """What finishing writes, every check made and the table computed, before anything is written."""
        plan = self.finish_summary(mode)
        params = self._fold().params
        lineage = {"cleaning_session": self.id, "base_version": plan.base_version,
                   "steps": [{"id": s, "kind": self.state["steps"][s]["kind"], "params": params[s],
                              "what": self._describe(s, params[s])} for s in plan.steps]}
        note = f"cleaned in session {self.id}"
        if plan.how == "branch":
            lineage["branched_from"] = {"asset": self.asset, "version": plan.base_version}
            return _FinishPlan(plan, self.table(), lineage, note, None)
        if plan.how == "rebase":
            return _FinishPlan(plan, self._rebased_table(plan.latest, list(plan.steps), params),
                               {**lineage, "rebased_onto": plan.latest}, f"{note} (rebased onto v{plan.latest})",
                               None)
        return _FinishPlan(plan, self.table(), lineage, note, plan.base_version)

    def _write_version(self, plan: _FinishPlan) -> int:
        target = plan.summary.target
        if plan.summary.how == "branch":  # version 1 is this session's base, version 2 the cleaned table
            source = self.catalog.get(self.asset, self.state["base_version"])
            self.catalog.register(
                target, self.catalog.load(self.asset, source.version), kind=source.kind, source=source.source,
                fmt=source.format, note=f"branched from {self.asset} v{source.version} by session {self.id}")
        return self.catalog.add_version(target, _plain(plan.table), note=plan.note, lineage=plan.lineage,
                                        parent=plan.parent).version

    # ---- recovery from an interrupted finish --------------------------------------------------
    def interrupted_finish(self) -> dict | None:
        """A finish that was started and never recorded as done: its target, and the version it wrote (None
        where the catalog has none that names this session); None where no finish was interrupted."""
        intent = self.state.get("finishing")
        if not intent or self.state["finished"]:
            return None
        target = intent.get("asset")
        if target not in (self.asset, self._branch_name()) or intent.get("mode") not in ("direct", "rebase", "branch"):
            raise StocktakeError(f"Cleaning session {self.id} records a finish of '{str(target)[:60]}', which is "
                                 "neither its asset nor its branch; nothing was changed. Remove the session file.")
        written = None
        if self.catalog.exists(target):
            written = next((v.version for v in reversed(self.catalog.versions(target))
                            if v.lineage.get("cleaning_session") == self.id), None)
        return {"asset": target, "mode": intent["mode"], "version": written}

    def recover(self) -> dict | None:
        """Complete an interrupted finish with the version it wrote, or roll it back (the session is open
        again) where it wrote none; returns what was found, None where there was nothing to do."""
        try:
            with FileLock(self._path().with_name(f".{self.id}.lock")):
                self.state, self._table = read_state(self._path()), None  # another process may have settled it
                found = self.interrupted_finish()
                if found:
                    self._settle()
        except OSError as exc:
            raise StocktakeError(f"Cleaning session {self.id} was interrupted while finishing and cannot be repaired "
                                 f"here ({exc.strerror or exc}); run `stocktake doctor` where the workspace is "
                                 "writable.") from None
        return found

    def _settle(self) -> None:
        """Under the session's lock: record the interrupted finish as done, or roll it back, and save."""
        found = self.interrupted_finish()
        if found is None:
            return
        if found["version"] is not None:
            self.state["finished"] = {"asset": found["asset"], "version": found["version"], "mode": found["mode"],
                                      "at": now_iso(), "recovered": True}
        elif found["mode"] == "branch" and self.catalog.exists(found["asset"]):
            self.catalog.remove(found["asset"])  # a branch left half-made: the name is this session's own
        self.state["finishing"] = None
        self._write()

    # ---- ownership ----------------------------------------------------------------------------
    @property
    def owner(self) -> str | None:
        """The conversation the session belongs to; None for one started from the command line or the app."""
        return self.state.get("owner")

    def claim(self, owner: str) -> None:
        """Make the session ``owner``'s (a conversation's); refused where another conversation owns it."""
        with self._saving():
            self.check_open()
            if self.owner not in (None, owner):
                raise StocktakeError(f"Session {self.id} belongs to another conversation, so it cannot be picked "
                                     f"up here; start your own with 'start cleaning {self.asset}'.")
            self.state["owner"] = owner
            try:
                self._write()
            except BaseException:
                self.state["owner"] = None
                raise

    # ---- helpers ------------------------------------------------------------------------------
    def _rebased_table(self, latest: int, applied: list[str], params: dict[str, dict]) -> pd.DataFrame:
        try:
            return self._replay(applied, params, latest)
        except StocktakeError as exc:
            raise StocktakeError((f"Rebase onto version {latest} failed. ", exc, " Nothing was written;"),
                                 Remedy("finish-as-branch")) from None

    def _branch_name(self) -> str:
        return f"{self.asset}__branch_{self.id}"

    def _replay_after(self, step_id: str, applied: list[str], params: dict[str, dict]) -> pd.DataFrame:
        try:
            return self._replay(applied, params)
        except StocktakeError as exc:
            raise StocktakeError((f"Changing step {step_id} breaks a later step. ", exc,
                                  " Undo that later step first. Nothing was changed.")) from None

    def _define(self, proposal: Proposal, origin: str) -> str:
        sid = f"s{len(self.state['steps']) + 1}"
        self.state["steps"][sid] = {
            "id": sid, "kind": proposal.kind, "params": proposal.params, "what": proposal.what,
            "why": proposal.why, "rows": proposal.rows, "origin": origin,
        }
        return sid

    def _check_pending(self, step_id: str, d: Decisions) -> None:
        """Accept and reject decide pending steps only; a decided one is reconsidered through undo."""
        self._check_step(step_id)
        decided = d.status[step_id]
        if decided != "proposed":
            applied = "applied" if decided == "accepted" else decided
            raise StocktakeError(f"Step {step_id} is already {applied}; `stocktake clean undo {self.id} {step_id}` "
                                 "takes that back and makes it pending again"
                                 + ("; edit changes its parameters." if decided == "accepted" else "."))

    def _check_step(self, step_id: str) -> None:
        self.check_open()
        if step_id not in self.state["steps"]:
            raise UnknownNameError(f"step in session {self.id}", step_id, self.state["steps"])

    def check_open(self) -> None:
        """Refuse a finished or discarded session, saying what became of it."""
        if self.state["finished"]:
            f = self.state["finished"]
            how = ", completed after the finish was interrupted" if f.get("recovered") else ""
            raise StocktakeError(f"Session {self.id} is finished (written as {f['asset']} version {f['version']}"
                                 f"{how}); start a new session to clean further.")
        if self.state.get("discarded"):
            raise StocktakeError(f"Session {self.id} was discarded at {self.state['discarded']['at']}; start a new "
                                 f"session with `stocktake clean start {self.asset}`.")

    def _commit(self, event: dict, table: pd.DataFrame | None) -> None:
        """Cache the new table, then log the event; the JSON is written last, so a failure changes nothing."""
        self.state["events"].append({**event, "at": now_iso()})
        old_cache = self.state.get("cache")
        try:
            if table is not None:
                d = self._fold()
                name = f"current-{self._cache_key(d.applied, d.params)}.parquet"
                arrow = pa.Table.from_pandas(table, preserve_index=True)
                write_atomic(self._folder() / name, lambda tmp: pq.write_table(arrow, tmp))
                self.state["cache"] = name
            self._save()
        except BaseException:
            self.state["events"].pop()
            self.state["cache"] = old_cache
            raise
        if table is not None:
            self._table = table

    def _save(self) -> None:
        with self._saving():
            self._write()

    @contextmanager
    def _saving(self) -> Iterator[None]:
        """Hold the session's lock, having checked that no other process saved it since this copy was loaded."""
        path = self._path()
        with FileLock(path.with_name(f".{self.id}.lock")):
            found = json.loads(path.read_text()).get("revision", 0) if path.is_file() else 0
            if found != self.state.get("revision", 0):
                raise StocktakeError(
                    f"Cleaning session {self.id} was changed by another process (now revision {found}, this copy "
                    f"has revision {self.state.get('revision', 0)}); nothing was saved. Reload the session and "
                    "try again.")
            yield

    def _write(self) -> None:
        """Save the state as the next revision (only inside ``_saving``), then drop caches it no longer names."""
        revision = self.state.get("revision", 0)
        self.state.update(revision=revision + 1, updated_at=now_iso())
        try:
            text = json.dumps(self.state, indent=1, default=str)
            write_atomic(self._path(), text)
        except BaseException:
            self.state["revision"] = revision
            raise
        # Under the lock, so the cache that the file now names is never among them.
        for stale in (sessions_dir(self.catalog.ws) / self.id).glob("current-*.parquet"):
            if stale.name != self.state.get("cache"):
                stale.unlink(missing_ok=True)

    def _path(self) -> Path:
        return sessions_dir(self.catalog.ws) / f"{self.id}.json"

    def _folder(self) -> Path:
        folder = sessions_dir(self.catalog.ws) / self.id
        folder.mkdir(exist_ok=True)
        return folder

    def _view(self, step_id: str, preview: bool = False) -> StepView:
        d = self._fold()
        status, params = d.status, d.params[step_id]
        step = self.state["steps"][step_id]
        kind = get_step(step["kind"])
        shown, problem = None, ""
        try:
            what, code = self._describe(step_id, params), kind.code(params)
        except StocktakeError as exc:  # parameters this version refuses (an old session, a tampered file)
            what, code, problem = step["what"], "", str(exc)
        if preview and not problem:
            try:
                table = self.table()
                after = self._apply(step_id, table, params)
                shown = compare(table, after, PREVIEW_ROWS, kept=kind.kept_rows(table, after, kind.validate(params)))
            except StocktakeError as exc:
                problem = str(exc)
        return StepView(
            id=step_id, kind=step["kind"], status=status[step_id], origin=step["origin"], what=what, why=step["why"],
            params=params, code=code, preview=shown, problem=problem, trail=tuple(d.trail[step_id]),
        )

    def _describe(self, step_id: str, params: dict) -> str:
        """What the step does with these parameters (the proposal's own title goes stale once they change)."""
        kind = get_step(self.state["steps"][step_id]["kind"])
        return kind.describe(kind.validate(params))


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a catalog version stores it: the base row numbers are not data."""
    return table.reset_index(drop=True)
