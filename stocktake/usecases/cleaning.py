"""Cleaning sessions, for every face: which session a request is about and whether it may act on it, the sessions
as records, the decisions on steps (start, accept, reject, undo, redo, add, edit), the script, finishing and
discarding, the question asked before what cannot be taken back, and preview rows as they may be shown.

A request comes from the command line or the cleaning tab (``who`` is None: any session, named by its id), or from
a conversation (``who`` is a ``Conversation``). A conversation works on its own sessions only: the one it started,
or one it picked up (with the user's confirmation) that was started outside any conversation. Another
conversation's session is refused, and never listed; a session from before sessions had owners belongs to the
conversation that the workspace says works on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Protocol

from stocktake.errors import StocktakeError
from stocktake.tools.clean import describe_kinds, list_sessions, load_session, start_session
from stocktake.tools.clean.views import SessionView, StepView
from stocktake.usecases import contracts
from stocktake.usecases.services import Services


class Status(str, Enum):
    OPEN = "open"
    FINISHED = "finished"
    DISCARDED = "discarded"


def status_of(finished: dict | None, discarded: dict | None) -> Status:
    """A session is open until it is finished (a version was written) or discarded (nothing was)."""
    return Status.FINISHED if finished else Status.DISCARDED if discarded else Status.OPEN


@dataclass(frozen=True)
class Finished:
    """What a finish wrote: a version of ``asset``, the cleaned asset (``source``) or its branch."""
    session: str
    source: str
    asset: str
    version: int
    mode: str  # direct, rebase or branch
    at: str
    recovered: bool = False  # completed after the finish was interrupted

    @classmethod
    def of(cls, session: str, source: str, done: dict) -> Finished:
        return cls(session, source, done["asset"], done["version"], done.get("mode", "direct"), done.get("at", ""),
                   bool(done.get("recovered")))

    def to_dict(self) -> dict:
        out = {"asset": self.asset, "version": self.version, "mode": self.mode, "at": self.at}
        return {**out, "recovered": True} if self.recovered else out


@dataclass(frozen=True)
class SessionRecord:
    """One session as a list shows it."""
    id: str
    asset: str
    base_version: int
    created_at: str
    steps: int
    owner: str | None  # the conversation it belongs to; None for one started from the command line or the tab
    finished: Finished | None
    discarded_at: str | None

    @property
    def status(self) -> Status:
        return status_of(self.finished, self.discarded_at)

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN

    def to_dict(self) -> dict:
        return {"id": self.id, "asset": self.asset, "base_version": self.base_version, "created_at": self.created_at,
                "steps": self.steps, "finished": self.finished.to_dict() if self.finished else None,
                "discarded": {"at": self.discarded_at} if self.discarded_at else None, "owner": self.owner}


@dataclass(frozen=True)
class Snapshot:
    """A session as it stands: its view, whether it is open, the steps waiting (each previewed), whether redo can
    do something."""
    view: SessionView
    status: Status
    pending: tuple[StepView, ...]  # none once the session is closed
    redoable: bool

    @property
    def finished(self) -> Finished | None:
        return Finished.of(self.view.id, self.view.asset, self.view.finished) if self.view.finished else None

    @property
    def decided(self) -> bool:
        return self.status is Status.OPEN and any(s.status != "proposed" for s in self.view.steps)

    @property
    def waiting(self) -> bool:
        """Whether an open session has a step waiting for a decision."""
        return self.status is Status.OPEN and any(s.status == "proposed" for s in self.view.steps)


@dataclass(frozen=True)
class Change:
    """What a decision or an edit did: the steps it was about, and the session's table after it."""
    session: str
    asset: str
    steps: tuple[StepView, ...]
    rows: int
    applied: tuple[str, ...]
    skipped: tuple[StepView, ...] | None = None  # accepting all: the steps that could not run

    @property
    def step(self) -> StepView:
        return self.steps[0]

    def to_dict(self) -> dict:
        skipped = {} if self.skipped is None else {"skipped": [v.to_dict() for v in self.skipped]}
        return {"session": self.session, "steps": [v.to_dict() for v in self.steps], "rows": self.rows,
                "applied": list(self.applied), **skipped}


@dataclass(frozen=True)
class Script:
    session: str
    path: Path
    code: str


@dataclass(frozen=True)
class Discarded:
    session: str
    asset: str
    at: str


class SessionMemory(Protocol):
    """Which session each conversation works on (``stocktake.agent.context.ConversationSessions``)."""

    def get(self, thread: str) -> str | None: ...

    def set(self, thread: str, session_id: str | None) -> None: ...


@dataclass(frozen=True)
class Conversation:
    """Who asks, where a conversation asks: its thread, and where the workspace keeps the session it works on."""
    thread: str
    memory: SessionMemory

    @property
    def current(self) -> str | None:
        return self.memory.get(self.thread)

    def remember(self, session_id: str | None) -> None:
        self.memory.set(self.thread, session_id)


class SessionUnavailable(StocktakeError):
    """A conversation asked about a session it may not work on; ``reason`` says why: ``none_open`` (it has none
    open), ``outside`` (started outside any conversation: pick it up first), ``not_yours`` (another's)."""

    def __init__(self, message: str, reason: str):
        self.reason = reason
        super().__init__(message)


# ---- which session, and whose ----------------------------------------------------------------------------------
def sessions(services: Services) -> list[SessionRecord]:
    """Every readable session, oldest first (a damaged file is left out: ``stocktake doctor`` names it)."""
    return [SessionRecord(s["id"], s["asset"], s["base_version"], s["created_at"], s["steps"], s["owner"],
                          Finished.of(s["id"], s["asset"], s["finished"]) if s["finished"] else None,
                          (s["discarded"] or {}).get("at"))
            for s in list_sessions(services.catalog.ws)]


def conversation_session(services: Services, who: Conversation, session_id: str | None = None):
    """The named session if it is the conversation's, or the conversation's own open one; else an error that says
    how to start one, or which sessions started outside any conversation there are to pick up."""
    if session_id:
        session = load_session(services.catalog, session_id)
        check_owner(who, session.id, session.asset, session.owner)
        who.remember(session.id)
        return session
    mine = who.current
    records = sessions(services)
    record = next((r for r in records if r.id == mine and r.owner in (None, who.thread)), None)
    if record is not None and record.is_open:
        return load_session(services.catalog, mine)
    raise _none_open(services, records, gone=mine if record is not None else None)


def check_owner(who: Conversation, session_id: str, asset: str, owner: str | None) -> None:
    """Refuse a session the conversation does not own; one from before sessions had owners is the conversation's
    that the workspace says works on it."""
    if owner == who.thread or owner is None and who.current == session_id:
        return
    if owner is None:
        raise SessionUnavailable(f"Session {session_id} on {asset} was started outside this conversation. To work "
                                 f"on it here, pick it up first: say 'pick up {session_id}' (it needs your "
                                 "confirmation).", "outside")
    raise SessionUnavailable(f"Session {session_id} belongs to another conversation, so this one can neither see "
                             "nor change it. Start a session of your own, e.g. 'start cleaning' and an asset name.",
                             "not_yours")


def _none_open(services: Services, records: list[SessionRecord], gone: str | None) -> SessionUnavailable:
    names = services.catalog.names()
    example = f"'start cleaning {names[0]}'" if names else "'start cleaning' and an asset name"
    closed = f"Session {gone} is finished or discarded. " if gone else ""
    unowned = sorted((r for r in records if r.is_open and r.owner is None), key=lambda r: r.created_at)
    if not unowned:
        return SessionUnavailable(f"{closed}No cleaning session is open in this conversation: say {example}.",
                                  "none_open")
    listed = "; ".join(f"{r.id} on {r.asset} (started {r.created_at[:16]})" for r in unowned[-5:])
    return SessionUnavailable(f"{closed}No cleaning session is open in this conversation. Say {example} to start "
                              f"one, or pick up a session started outside a conversation (e.g. 'pick up "
                              f"{unowned[-1].id}', which needs your confirmation): {listed}.", "none_open")


def _session(services: Services, session_id: str | None, who: Conversation | None):
    if who is not None:
        return conversation_session(services, who, session_id)
    if not session_id:
        raise StocktakeError("No cleaning session was named; start one, or give the id of one to resume.")
    return load_session(services.catalog, session_id)


def snapshot(services: Services, session_id: str | None, who: Conversation | None = None,
             previews: bool = True) -> Snapshot:
    """The session as it stands; ``previews``: with its pending steps, each previewed on the current table."""
    return _snapshot(_session(services, session_id, who), previews)


def _snapshot(session, previews: bool = True) -> Snapshot:
    view = session.show()
    status = status_of(view.finished, view.discarded)
    is_open = status is Status.OPEN
    return Snapshot(view, status, tuple(session.proposals()) if previews and is_open else (),
                    is_open and session.redoable)


def explain(services: Services, session_id: str | None, step_id: str, who: Conversation | None = None) -> StepView:
    return _session(services, session_id, who).explain_step(step_id)


def step_kinds() -> list[dict]:
    """Every kind of step, with its parameters (name, required, default, choices, help, whether a column)."""
    return describe_kinds()


# ---- decisions ---------------------------------------------------------------------------------------------------
def start(services: Services, asset: str, version: int | None = None, who: Conversation | None = None) -> Snapshot:
    """A new session on ``asset`` (its latest version by default) with the proposed steps; a conversation's own."""
    session = start_session(services.catalog, asset, version, owner=who.thread if who else None)
    if who is not None:
        who.remember(session.id)
    return _snapshot(session)


def pick_up(services: Services, session_id: str, who: Conversation) -> Snapshot:
    """Make a session started outside any conversation this conversation's own."""
    session = load_session(services.catalog, session_id)
    if session.owner != who.thread:
        session.claim(who.thread)
    who.remember(session.id)
    return _snapshot(session)


def accept(services: Services, session_id: str | None, step_id: str | None = None, params: dict | None = None,
           who: Conversation | None = None) -> Change:
    """Accept a pending step (the next one when none is named), with ``params`` changed."""
    session = _session(services, session_id, who)
    if not step_id:
        if not session.pending_steps:
            raise StocktakeError(f"Session {session.id} has no proposed step left to accept.")
        step_id = session.pending_steps[0]
    return _change(session, [session.accept(step_id, params or None)])


def accept_all(services: Services, session_id: str | None, who: Conversation | None = None) -> Change:
    """Accept every pending step in order; the ones that cannot run are skipped, each with its reason."""
    session = _session(services, session_id, who)
    accepted, skipped = session.accept_all()
    return _change(session, accepted, skipped)


def reject(services: Services, session_id: str | None, step_id: str, who: Conversation | None = None) -> Change:
    session = _session(services, session_id, who)
    return _change(session, [session.reject(step_id)])


def undo(services: Services, session_id: str | None, step_id: str | None = None,
         who: Conversation | None = None) -> Change:
    session = _session(services, session_id, who)
    return _change(session, [session.undo(step_id)])


def redo(services: Services, session_id: str | None, who: Conversation | None = None) -> Change:
    session = _session(services, session_id, who)
    return _change(session, [session.redo()])


def add(services: Services, session_id: str | None, kind: str, params: dict,
        who: Conversation | None = None) -> Change:
    session = _session(services, session_id, who)
    return _change(session, [session.add_custom_step(kind, params)])


def edit(services: Services, session_id: str | None, step_id: str, params: dict,
         who: Conversation | None = None) -> Change:
    session = _session(services, session_id, who)
    return _change(session, [session.edit_step(step_id, params)])


def _change(session, steps, skipped=None) -> Change:
    return Change(session.id, session.asset, tuple(steps), len(session.table()), session.applied,
                  None if skipped is None else tuple(skipped))


# ---- what cannot be taken back -------------------------------------------------------------------------------
def question(services: Services, action: str, session_id: str | None, mode: str | None = None,
             who: Conversation | None = None) -> str:
    """The question put before finishing, discarding or picking up a session, the session checked first (open,
    this conversation's or free to pick up, something accepted to finish): an error says why there is nothing to
    ask."""
    from stocktake.actions import session_question

    if action == "pick_up_session":
        session = load_session(services.catalog, str(session_id))
        if who is not None:
            session.check_claimable(who.thread)
        return session_question(action, session)
    return session_question(action, _session(services, session_id, who), mode)


def finish(services: Services, session_id: str | None, mode: str | None = None,
           who: Conversation | None = None) -> Finished:
    """Write the cleaned table as a new version (``mode``: rebase or branch, where the asset has moved on)."""
    session = _session(services, session_id, who)
    finished = Finished.of(session.id, session.asset, session.finish(mode))
    contracts.check_new_version(services, finished.asset)
    return finished


def discard(services: Services, session_id: str | None, who: Conversation | None = None) -> Discarded:
    """Close the session without writing anything; a conversation then has no session open."""
    session = _session(services, session_id, who)
    done = session.discard()
    if who is not None:
        who.remember(None)
    return Discarded(session.id, session.asset, done["at"])


def export(services: Services, session_id: str | None, path: Path | None = None,
           who: Conversation | None = None) -> Script:
    """The standalone pandas script of the accepted steps, written to ``path`` (by default among the reports)."""
    session = _session(services, session_id, who)
    path = path or services.catalog.ws.dir("reports") / f"clean-{session.id}.py"
    written = session.export_script(path)
    return Script(session.id, written, written.read_text())


# ---- rows as they may be shown -----------------------------------------------------------------------------------
def shown_step(services: Services, asset: str, step: StepView) -> StepView:
    """The step with the personal data in its preview rows masked, where the guard masks it."""
    if step.preview is None:
        return step
    p = step.preview
    return replace(step, preview=replace(p, before=_masked(services, asset, p.before),
                                         after=_masked(services, asset, p.after),
                                         kept=_masked(services, asset, p.kept)))


def shown_session(services: Services, view: SessionView) -> SessionView:
    """The session with the personal data in its first rows masked, where the guard masks it (its steps carry no
    preview)."""
    return replace(view, head=_masked(services, view.asset, view.head))


def _masked(services: Services, asset: str, rows: list) -> list:
    from stocktake.tools.profile import mask_record

    if not services.settings.guard.mask_pii or not rows:
        return rows
    personal = services.personal_columns(asset)
    return [mask_record(r, personal) if isinstance(r, dict) else r for r in rows]

