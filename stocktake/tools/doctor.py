"""Workspace check-up: what a killed process leaves behind, found and (unless it is a dry run) put right.

- a cleaning finish interrupted between the catalog write and the session save: completed with the version
  it wrote, or rolled back where the catalog has none (the session is open again);
- Parquet snapshots that no catalog version references (a write killed after the file, before its row);
- temporary files of atomic writes, and cached session tables their session no longer names;
- model folders that no registry entry names (a training killed before it was recorded);
- damaged session files and versions whose snapshot is missing: reported and left alone, since a session
  file is the record of someone's decisions and a lost snapshot cannot be brought back from here.

Files younger than ``min_age_s`` are left alone: they may belong to a write still going on in another process.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.registry import ModelRegistry


@dataclass(frozen=True)
class DoctorSettings:
    min_age_s: float = 600.0
    temp_patterns: tuple[str, ...] = ("*.tmp", ".chat-cleaning-sessions.json.*")
    temp_folders: tuple[str, ...] = ("snapshots", "sessions", "cache", "reports", "models")


@dataclass(frozen=True)
class Finding:
    kind: str  # interrupted_finish, orphan_snapshot, temp_file, stale_cache, orphan_model, damaged_session, ...
    path: str  # relative to the workspace
    detail: str
    action: str  # what was done; in a dry run, what would be


@dataclass(frozen=True)
class DoctorReport:
    dry_run: bool
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict:
        return {"dry_run": self.dry_run, "findings": [asdict(f) for f in self.findings]}


def examine(catalog: Catalog, settings: DoctorSettings = DoctorSettings(), dry_run: bool = False) -> DoctorReport:
    """Every check in turn; interrupted finishes first, since settling one may add or remove a snapshot."""
    doctor = _Doctor(catalog, settings, dry_run, time.time())
    findings = [*doctor.interrupted_finishes(), *doctor.orphan_snapshots(), *doctor.missing_snapshots(),
                *doctor.temp_files(), *doctor.stale_caches(), *doctor.orphan_models()]
    return DoctorReport(dry_run, tuple(findings))


class _Doctor:
    def __init__(self, catalog: Catalog, settings: DoctorSettings, dry_run: bool, now: float):
        self.catalog, self.settings, self.dry_run, self.now = catalog, settings, dry_run, now
        self.root = catalog.ws.root

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def old_enough(self, path: Path) -> bool:
        newest = max([path.stat().st_mtime, *(p.stat().st_mtime for p in path.rglob("*"))] if path.is_dir()
                     else [path.stat().st_mtime])
        return self.now - newest >= self.settings.min_age_s

    def remove(self, kind: str, path: Path, detail: str) -> Finding:
        if not self.old_enough(path):
            return Finding(kind, self.rel(path), detail, "left alone: too recent, a write may be in progress")
        if not self.dry_run and path.is_dir():
            shutil.rmtree(path)
        elif not self.dry_run:
            path.unlink(missing_ok=True)
        return Finding(kind, self.rel(path), detail, "would remove" if self.dry_run else "removed")

    def sessions(self) -> Iterator[tuple[Path, object]]:
        """Each session file with its session, or with the error that says why it cannot be read."""
        from stocktake.tools.clean.session import CleaningSession
        from stocktake.tools.clean.store import read_state, sessions_dir

        for path in sorted(sessions_dir(self.catalog.ws).glob("cs-*.json")):
            try:
                yield path, CleaningSession(self.catalog, read_state(path))
            except StocktakeError as exc:
                yield path, exc

    def interrupted_finishes(self) -> Iterator[Finding]:
        for path, session in self.sessions():
            if isinstance(session, StocktakeError):
                yield Finding("damaged_session", self.rel(path), str(session), "left alone: restore or remove it")
                continue
            try:
                found = session.interrupted_finish() if self.dry_run else session.recover()
            except StocktakeError as exc:
                yield Finding("interrupted_finish", self.rel(path), str(exc), "left alone")
                continue
            if found is None:
                continue
            written = found["version"] is not None
            detail = (f"finish of {session.id} wrote {found['asset']} version {found['version']}, the session was "
                      "never marked finished" if written else
                      f"finish of {session.id} was interrupted before {found['asset']} got a version")
            done = "marked finished with that version" if written else "rolled back: the session is open again"
            yield Finding("interrupted_finish", self.rel(path), detail, f"would be {done}" if self.dry_run else done)

    def referenced(self) -> set[Path]:
        return {v.path.resolve() for name in self.catalog.names() for v in self.catalog.versions(name)}

    def orphan_snapshots(self) -> Iterator[Finding]:
        used = self.referenced()
        for path in sorted(self.catalog.ws.dir("snapshots").rglob("*.parquet")):
            if path.resolve() not in used:
                yield self.remove("orphan_snapshot", path, "no catalog version references it")

    def missing_snapshots(self) -> Iterator[Finding]:
        for name in self.catalog.names():
            for v in self.catalog.versions(name):
                if not v.path.is_file():
                    yield Finding("missing_snapshot", self.rel(v.path), f"{name} version {v.version} has no snapshot",
                                  "left alone: restore the file from a backup, or ingest the source again")

    def temp_files(self) -> Iterator[Finding]:
        seen = set()
        for folder in self.settings.temp_folders:
            for pattern in self.settings.temp_patterns:
                for path in sorted(self.catalog.ws.dir(folder).rglob(pattern)):
                    if path.is_file() and path not in seen:
                        seen.add(path)
                        yield self.remove("temp_file", path, "left by a write that did not finish")

    def stale_caches(self) -> Iterator[Finding]:
        for path, session in self.sessions():
            if isinstance(session, StocktakeError):
                continue
            for cache in sorted((path.parent / session.id).glob("current-*.parquet")):
                if cache.name != session.state.get("cache"):
                    yield self.remove("stale_cache", cache, f"a table of session {session.id} it no longer names")

    def orphan_models(self) -> Iterator[Finding]:
        registry = ModelRegistry(self.catalog.ws)
        damaged = registry.damaged()
        for model_id, why in damaged:
            yield Finding("damaged_model_entry", f"catalog.sqlite (models: {model_id})", why,
                          "left alone: train the model again, then remove the entry")
        known = {r.id for r in registry.list()} | {model_id for model_id, _ in damaged}
        for folder in sorted(p for p in self.catalog.ws.dir("models").iterdir() if p.is_dir()):
            if folder.name not in known:
                yield self.remove("orphan_model", folder, "no registry entry names this model folder")
