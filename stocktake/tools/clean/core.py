"""What every cleaning session operation stands on: the session's state, its decisions folded from the log, the
current table, the checks that refuse a closed session or an unknown step, and saving.

The current table is always the replay of the accepted steps, in the order they were accepted, over the base
snapshot; so undoing any step is "remove it and replay the rest". It is cached as Parquet under a name that
hashes the applied steps, so a stale cache is never read as the current one (``store``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from stocktake.catalog import Catalog, now_iso
from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.tools.clean.decisions import Decisions, fold
from stocktake.tools.clean.preview import compare
from stocktake.tools.clean.proposal import CleanSettings, Proposal
from stocktake.tools.clean.steps import get_step
from stocktake.tools.clean.store import SessionFile
from stocktake.tools.clean.views import StepView

PREVIEW_ROWS = CleanSettings().preview_rows


class SessionCore:
    """A session's state and table; ``CleaningSession`` adds the decisions, finishing and ownership."""

    def __init__(self, catalog: Catalog, state: dict):
        self.catalog, self.state = catalog, state
        self._file = SessionFile(catalog.ws, state["id"])
        self._table: pd.DataFrame | None = None

    @property
    def id(self) -> str:
        return self.state["id"]

    @property
    def asset(self) -> str:
        return self.state["asset"]

    @property
    def base_version(self) -> int:
        return self.state["base_version"]

    @property
    def owner(self) -> str | None:
        """The conversation the session belongs to; None for one started from the command line or the app."""
        return self.state.get("owner")

    @property
    def applied(self) -> tuple[str, ...]:
        """The accepted steps, in the order they are applied."""
        return tuple(self._fold().applied)

    @property
    def pending_steps(self) -> tuple[str, ...]:
        """The steps waiting for a decision, in the order they were defined."""
        return tuple(self._fold().pending())

    # ---- the derived state --------------------------------------------------------------------
    def _fold(self) -> Decisions:
        return fold(self.state)

    def _kind(self, step_id: str) -> str:
        return self.state["steps"][step_id]["kind"]

    def _replay(self, applied: list[str], params: dict[str, dict], version: int | None = None) -> pd.DataFrame:
        """The applied steps run over the base version (or over ``version``, for a rebase)."""
        return self._run(self.catalog.load(self.asset, version or self.base_version), applied, params)

    def _run(self, df: pd.DataFrame, steps: list[str], params: dict[str, dict]) -> pd.DataFrame:
        for sid in steps:
            try:
                df = self._apply(sid, df, params[sid])
            except StocktakeError as exc:
                raise StocktakeError((f"Replaying step {sid} failed: ", exc)) from None
        return df

    def _apply(self, step_id: str, df: pd.DataFrame, params: dict) -> pd.DataFrame:
        """One step on ``df``; a step that reads another file reads only a snapshot of this workspace."""
        kind = self._kind(step_id)
        if kind == "drop_orphans":
            snapshots = self.catalog.ws.dir("snapshots").resolve()
            parent = Path(str(params.get("parent_path", ""))).resolve()
            if not parent.is_relative_to(snapshots):
                raise StocktakeError(f"Step {step_id} reads {parent}, which is not a snapshot of this workspace; "
                                     "reject it and propose the step again.")
        return get_step(kind).apply(df, params)

    def _cache_name(self, applied: list[str], params: dict[str, dict]) -> str:
        chain = [(self._kind(s), params[s]) for s in applied]
        payload = json.dumps([self.base_version, chain], sort_keys=True, default=str)
        return f"current-{hashlib.sha256(payload.encode()).hexdigest()[:16]}.parquet"

    def table(self) -> pd.DataFrame:
        """The current table (index: row numbers of the base table)."""
        if self._table is None:
            d = self._fold()
            name = self._cache_name(d.applied, d.params)
            self._table = self._file.read_cache(name) if self.state.get("cache") == name else None
            if self._table is None:
                self._table = self._replay(d.applied, d.params)
        return self._table

    # ---- checks -------------------------------------------------------------------------------
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

    # ---- writing ------------------------------------------------------------------------------
    def _define(self, proposal: Proposal, origin: str) -> str:
        sid = f"s{len(self.state['steps']) + 1}"
        self.state["steps"][sid] = {
            "id": sid, "kind": proposal.kind, "params": proposal.params, "what": proposal.what,
            "why": proposal.why, "rows": proposal.rows, "origin": origin,
        }
        return sid

    def _replay_after(self, step_id: str, applied: list[str], params: dict[str, dict]) -> pd.DataFrame:
        try:
            return self._replay(applied, params)
        except StocktakeError as exc:
            raise StocktakeError((f"Changing step {step_id} breaks a later step. ", exc,
                                  " Undo that later step first. Nothing was changed.")) from None

    def _commit(self, event: dict, table: pd.DataFrame | None) -> None:
        """Cache the new table, then log the event; the JSON is written last, so a failure changes nothing."""
        self.state["events"].append({**event, "at": now_iso()})
        old_cache = self.state.get("cache")
        try:
            if table is not None:
                d = self._fold()
                name = self._cache_name(d.applied, d.params)
                self._file.write_cache(name, table)
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
            self._file.write(self.state)

    def _saving(self):
        """The session's lock, held once no other process has saved it since this copy was loaded."""
        return self._file.saving(self.state.get("revision", 0))

    # ---- views --------------------------------------------------------------------------------
    def _view(self, step_id: str, preview: bool = False) -> StepView:
        d = self._fold()
        step = self.state["steps"][step_id]
        params, kind = d.params[step_id], get_step(step["kind"])
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
            id=step_id, kind=step["kind"], status=d.status[step_id], origin=step["origin"], what=what,
            why=step["why"], params=params, code=code, preview=shown, problem=problem, trail=tuple(d.trail[step_id]),
        )

    def _describe(self, step_id: str, params: dict) -> str:
        """What the step does with these parameters (the proposal's own title goes stale once they change)."""
        kind = get_step(self._kind(step_id))
        return kind.describe(kind.validate(params))
