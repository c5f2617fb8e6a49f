"""Finishing a session: what it would write, the version it writes, and the repair of a finish cut short.

Finishing writes a new version of the asset. If the asset gained a version since the session started, finishing
refuses until the user picks: ``rebase`` (replay the steps onto the latest version) or ``branch`` (a new asset
``<asset>__branch_<session>`` whose version 1 is the session's base and version 2 the cleaned table), so nobody's
work is silently overwritten. Finishing is two writes, the catalog's and the session's, so before the first the
session records what it is about to write (``finishing``); whoever next loads a session left with that record (a
finish killed half-way) looks in the catalog for the version that names the session in its lineage, and completes
the finish with it or, if there is none, rolls it back. So a finish is never applied twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from stocktake.catalog import Catalog, now_iso
from stocktake.errors import Remedy, StocktakeError
from stocktake.words import plural

MODES = ("direct", "rebase", "branch")


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
class FinishPlan:
    """A summary made real: the table to write and what the version records."""
    summary: FinishSummary  # its version is the one it should get (another writer may take it: lineage counts)
    table: pd.DataFrame
    lineage: dict
    note: str
    parent: int | None


class NothingAccepted(StocktakeError):
    """A finish with no accepted step: there is nothing to save."""

    def __init__(self, session_id: str, asset: str):
        self.session_id = session_id
        super().__init__(f"Session {session_id} on {asset} has no accepted steps, so there is nothing to save and "
                         "nothing was written.", Remedy("accept-or-discard", session=session_id), asset=asset)


def branch_name(asset: str, session_id: str) -> str:
    return f"{asset}__branch_{session_id}"


def check_mode(mode: str | None) -> None:
    if mode not in (None, "rebase", "branch"):
        raise StocktakeError(f"Unknown finish mode '{mode}'; use rebase or branch.")


def summarise(session_id: str, asset: str, base: int, latest: int, applied: tuple[str, ...],
              mode: str | None) -> FinishSummary:
    """What finishing the session on ``asset`` (started on version ``base``, now at ``latest``) would write."""
    if not applied:
        raise NothingAccepted(session_id, asset)
    if latest != base and mode is None:
        raise StocktakeError(
            f"Asset '{asset}' changed since session {session_id} started (base version {base}, now version "
            f"{latest}). Nothing was written.",
            Remedy("rebase-or-branch", steps=plural(len(applied), "accepted step"), version=latest,
                   branch=branch_name(asset, session_id)), asset=asset)
    if mode == "branch":
        return FinishSummary("branch", branch_name(asset, session_id), 2, applied, base, latest)
    return FinishSummary("rebase" if latest != base else "direct", asset, latest + 1, applied, base, latest)


def write_version(catalog: Catalog, asset: str, session_id: str, plan: FinishPlan) -> int:
    """Write the plan's table as a version; a branch first gets the session's base as its version 1."""
    if plan.summary.how == "branch":
        source = catalog.get(asset, plan.summary.base_version)
        catalog.register(
            plan.summary.target, catalog.load(asset, source.version), kind=source.kind, source=source.source,
            fmt=source.format, note=f"branched from {asset} v{source.version} by session {session_id}")
    return catalog.add_version(plan.summary.target, plan.table.reset_index(drop=True), note=plan.note,
                               lineage=plan.lineage, parent=plan.parent).version


def interrupted(catalog: Catalog, state: dict) -> dict | None:
    """A finish that was started and never recorded as done: its target, and the version it wrote (None where the
    catalog has none that names this session); None where no finish was interrupted."""
    intent = state.get("finishing")
    if not intent or state["finished"]:
        return None
    sid, target = state["id"], intent.get("asset")
    if target not in (state["asset"], branch_name(state["asset"], sid)) or intent.get("mode") not in MODES:
        raise StocktakeError(f"Cleaning session {sid} records a finish of '{str(target)[:60]}', which is "
                             "neither its asset nor its branch; nothing was changed. Remove the session file.")
    written = None
    if catalog.exists(target):
        written = next((v.version for v in reversed(catalog.versions(target))
                        if v.lineage.get("cleaning_session") == sid), None)
    return {"asset": target, "mode": intent["mode"], "version": written}


def settle(catalog: Catalog, state: dict) -> bool:
    """Record an interrupted finish in ``state`` as done, or roll it back (a half-made branch is removed); whether
    there was one, so the caller saves the state (under the session's lock)."""
    found = interrupted(catalog, state)
    if found is None:
        return False
    if found["version"] is not None:
        state["finished"] = {"asset": found["asset"], "version": found["version"], "mode": found["mode"],
                             "at": now_iso(), "recovered": True}
    elif found["mode"] == "branch" and catalog.exists(found["asset"]):
        catalog.remove(found["asset"])  # a branch left half-made: the name is this session's own
    state["finishing"] = None
    return True
