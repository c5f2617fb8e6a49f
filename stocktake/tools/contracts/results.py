"""What checking a contract found, per check and per asset version; and where those results are kept: a table of
their own in the workspace's catalog database, created where first needed, one result per asset version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from stocktake.catalog import Catalog, Workspace, now_iso
from stocktake.tools.contracts.files import text_hash

PASS, FAIL, SKIPPED, ERROR = "pass", "fail", "skipped", "error"  # error: the check could not run; it fails

_SCHEMA = """
CREATE TABLE IF NOT EXISTS contract_results (
    asset TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL, checked_at TEXT NOT NULL,
    passed INTEGER NOT NULL, result TEXT NOT NULL, PRIMARY KEY (asset, version)
);
CREATE TABLE IF NOT EXISTS contract_files (asset TEXT PRIMARY KEY, sha256 TEXT NOT NULL, written_at TEXT NOT NULL);
"""


@dataclass(frozen=True)
class CheckResult:
    kind: str  # type, extra_columns, not_null, unique, range, allowed_values, references, rows, freshness, contract
    column: str | None  # None for the checks about the whole table
    status: str  # pass, fail, skipped or error
    message: str  # what was found, in words
    breaking_rows: int | None = None  # rows that break it, exact; None for checks about the whole table
    observed: Any = None  # the row count, the newest value or the coverage measured
    examples: tuple[tuple[int, Any], ...] = ()  # (1-based row number, the column's value, masked) of breaking rows

    @property
    def failed(self) -> bool:
        return self.status in (FAIL, ERROR)

    @property
    def name(self) -> str:
        return f"{self.column}: {self.kind}" if self.column else self.kind

    def to_dict(self) -> dict:
        return {"kind": self.kind, "column": self.column, "status": self.status, "message": self.message,
                "breaking_rows": self.breaking_rows, "observed": self.observed,
                "examples": [{"row": r, "value": v} for r, v in self.examples]}

    @classmethod
    def from_dict(cls, d: dict) -> CheckResult:
        return cls(d["kind"], d["column"], d["status"], d["message"], d["breaking_rows"], d["observed"],
                   tuple((e["row"], e["value"]) for e in d["examples"]))


@dataclass(frozen=True)
class ContractResult:
    asset: str
    version: int
    content_hash: str
    checked_at: str
    checks: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.failed)

    def to_dict(self) -> dict:
        return {"asset": self.asset, "version": self.version, "content_hash": self.content_hash,
                "checked_at": self.checked_at, "passed": self.passed, "failed": len(self.failures),
                "checks": [c.to_dict() for c in self.checks]}

    @classmethod
    def from_dict(cls, d: dict) -> ContractResult:
        return cls(d["asset"], d["version"], d["content_hash"], d["checked_at"],
                   tuple(CheckResult.from_dict(c) for c in d["checks"]))


def save_result(ws: Workspace, result: ContractResult) -> None:
    """Keep the result as its version's (a later check of the same version replaces it)."""
    with ws.writing(), ws.connect() as db:
        db.executescript(_SCHEMA)
        db.execute("INSERT OR REPLACE INTO contract_results VALUES (?,?,?,?,?,?)",
                   (result.asset, result.version, result.content_hash, result.checked_at, int(result.passed),
                    json.dumps(result.to_dict(), default=str)))


def stored_results(catalog: Catalog, asset: str) -> tuple[ContractResult, ...]:
    """The kept results of the asset's versions, oldest first; none of an earlier asset of the same name."""
    current = {v.version: v.content_hash for v in catalog.versions(asset)}
    rows = _rows(catalog.ws, "contract_results", "SELECT result FROM contract_results WHERE asset = ? ORDER BY version",
                 (asset,))
    found = (ContractResult.from_dict(json.loads(r[0])) for r in rows)
    return tuple(r for r in found if current.get(r.version) == r.content_hash)


def record_written(ws: Workspace, asset: str, text: str) -> None:
    """Remember the text ``contract init`` wrote, to tell an edited file from an untouched one."""
    with ws.writing(), ws.connect() as db:
        db.executescript(_SCHEMA)
        db.execute("INSERT OR REPLACE INTO contract_files VALUES (?,?,?)", (asset, text_hash(text), now_iso()))


def written_hash(ws: Workspace, asset: str) -> str | None:
    rows = _rows(ws, "contract_files", "SELECT sha256 FROM contract_files WHERE asset = ?", (asset,))
    return rows[0][0] if rows else None


def _rows(ws: Workspace, table: str, sql: str, args: tuple) -> list:
    """Rows of ``table``; none where it was never written (a read-only workspace stays unwritten)."""
    with ws.connect() as db:
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() is None:
            return []
        return db.execute(sql, args).fetchall()
