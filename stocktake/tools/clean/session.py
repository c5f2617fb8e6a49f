"""Cleaning sessions: an event log of decisions on top of one base version of an asset.

Every step is pending (``proposed``) until it is decided: ``accept`` applies it, ``reject`` sets it aside. A
decision stays until ``undo`` takes it back: undo reverses the latest decision still in force (or the one on a
named step), and either way the step is pending again, proposed with a fresh preview, so it can be accepted or
rejected anew. ``redo`` makes the decision undone last once more (an accepted step goes back where it was); a
new decision clears what there is to redo. Accept and reject act on pending steps only, so a rejected step is
never applied by accident: undo it to reconsider. Nothing is erased: the log keeps every decision and its
reversal, and each step carries its trail of them (``accepted``, ``undone``, ...) for the audit (``decisions``).

The current table, the checks and saving are ``core``'s; how a session is kept, and how two processes are kept
from overwriting each other's decisions, ``store``'s; how it is finished (and a finish cut short is repaired),
``finish``'s.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pandas as pd

from stocktake.catalog import Catalog, Workspace, now_iso
from stocktake.errors import Remedy, StocktakeError, UnknownNameError
from stocktake.tools.clean.core import PREVIEW_ROWS, SessionCore
from stocktake.tools.clean.export import Recipe, write_script
from stocktake.tools.clean.finish import (
    FinishPlan, FinishSummary, check_mode, interrupted, settle, summarise, write_version,
)
from stocktake.tools.clean.preview import records
from stocktake.tools.clean.propose import propose_steps
from stocktake.tools.clean.proposal import Proposal
from stocktake.tools.clean.steps import get_step
from stocktake.tools.clean.store import SESSION_ID, SessionFile, list_sessions, sessions_dir
from stocktake.tools.clean.views import SessionView, StepView


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
    session = CleaningSession(catalog, SessionFile(catalog.ws, session_id).read())
    if session.state.get("finishing") and not session.state["finished"]:
        session.recover()
    return session


class CleaningSession(SessionCore):
    # ---- decisions ----------------------------------------------------------------------------
    def proposals(self) -> list[StepView]:
        """Steps waiting for a decision (undone ones included), each previewed on the current table."""
        return [self._view(sid, preview=True) for sid in self._fold().pending()]

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
        for sid in d.pending():
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
        step = get_step(self._kind(step_id))
        if step_id not in applied:
            step.validate(new[step_id], self.table())
            self._commit({"op": "edit", "step": step_id, "params": params}, None)
            return self._view(step_id, preview=True)
        at = applied.index(step_id)
        before = self._run(self.catalog.load(self.asset, self.base_version), applied[:at], current)
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
                self._file.write(self.state)
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
            id=self.id, asset=self.asset, base_version=self.base_version, applied=tuple(d.applied),
            steps=tuple(self._view(s) for s in self.state["steps"]), rows=len(table),
            columns=tuple(map(str, table.columns)),
            base_rows=self.catalog.get(self.asset, self.base_version).rows,
            head=records(table.head(PREVIEW_ROWS)), finished=self.state["finished"],
            discarded=self.state.get("discarded"),
        )

    def export_script(self, path: str | Path) -> Path:
        d = self._fold()
        steps = tuple((sid, self._kind(sid), d.params[sid]) for sid in d.applied)
        return write_script(self.catalog, Recipe(self.id, self.asset, self.base_version, steps), Path(path))

    # ---- finishing ----------------------------------------------------------------------------
    def finish(self, mode: str | None = None) -> dict:
        """Write the current table as a new version; ``mode`` says what to do if the asset has moved on.

        The intent is saved before the catalog write and cleared with the result after it, so a finish
        killed in between is completed (or rolled back) by the next load, never written twice."""
        with self._saving():  # held while the version is written: a second finish elsewhere cannot write another
            plan = self._plan_finish(mode)
            target, how = plan.summary.target, plan.summary.how
            self.state["finishing"] = {"asset": target, "mode": how, "version": plan.summary.version, "at": now_iso()}
            self._file.write(self.state)
            try:
                version = write_version(self.catalog, self.asset, self.id, plan)
            except BaseException:
                self._settle()
                raise
            self.state.update(finished={"asset": target, "version": version, "mode": how, "at": now_iso()},
                              finishing=None)
            self._file.write(self.state)
        return self.state["finished"]

    def finish_summary(self, mode: str | None = None) -> FinishSummary:
        """What finishing would write, every check made but nothing computed: what a confirmation asks about."""
        check_mode(mode)
        self.check_open()
        return summarise(self.id, self.asset, self.base_version, self.catalog.get(self.asset).version,
                         self.applied, mode)

    def _plan_finish(self, mode: str | None) -> FinishPlan:
        """What finishing writes, every check made and the table computed, before anything is written."""
        plan = self.finish_summary(mode)
        params = self._fold().params
        lineage = {"cleaning_session": self.id, "base_version": plan.base_version,
                   "steps": [{"id": s, "kind": self._kind(s), "params": params[s],
                              "what": self._describe(s, params[s])} for s in plan.steps]}
        note = f"cleaned in session {self.id}"
        if plan.how == "branch":
            lineage["branched_from"] = {"asset": self.asset, "version": plan.base_version}
            return FinishPlan(plan, self.table(), lineage, note, None)
        if plan.how == "rebase":
            return FinishPlan(plan, self._rebased_table(plan.latest, list(plan.steps), params),
                              {**lineage, "rebased_onto": plan.latest}, f"{note} (rebased onto v{plan.latest})",
                              None)
        return FinishPlan(plan, self.table(), lineage, note, plan.base_version)

    def interrupted_finish(self) -> dict | None:
        """A finish that was started and never recorded as done: its target, and the version it wrote (None
        where the catalog has none that names this session); None where no finish was interrupted."""
        return interrupted(self.catalog, self.state)

    def recover(self) -> dict | None:
        """Complete an interrupted finish with the version it wrote, or roll it back (the session is open
        again) where it wrote none; returns what was found, None where there was nothing to do."""
        try:
            with self._file.lock():
                self.state, self._table = self._file.read(), None  # another process may have settled it
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
        if settle(self.catalog, self.state):
            self._file.write(self.state)

    def _rebased_table(self, latest: int, applied: list[str], params: dict[str, dict]) -> pd.DataFrame:
        try:
            return self._replay(applied, params, latest)
        except StocktakeError as exc:
            raise StocktakeError((f"Rebase onto version {latest} failed. ", exc, " Nothing was written;"),
                                 Remedy("finish-as-branch")) from None

    # ---- ownership ----------------------------------------------------------------------------
    def check_claimable(self, owner: str) -> None:
        """Refuse a closed session, or one that another conversation than ``owner`` owns."""
        self.check_open()
        if self.owner not in (None, owner):
            raise StocktakeError(f"Session {self.id} belongs to another conversation, so it cannot be picked "
                                 f"up here; start your own with 'start cleaning {self.asset}'.")

    def claim(self, owner: str) -> None:
        """Make the session ``owner``'s (a conversation's); refused where another conversation owns it."""
        with self._saving():
            self.check_claimable(owner)
            self.state["owner"] = owner
            try:
                self._file.write(self.state)
            except BaseException:
                self.state["owner"] = None
                raise
