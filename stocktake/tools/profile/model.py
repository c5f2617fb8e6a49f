"""The results of profiling: column and table profiles and the issues found, as frozen dataclasses.

Values are stored JSON-ready (numbers as int/float, dates and timestamps as ISO strings), so a profile can be
cached, printed with ``--json`` and read back unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from stocktake.words import plural

SEVERITIES = ("high", "medium", "low")


class IssueKind(StrEnum):
    """What an issue is about. Each is its value as a string too, which is what profiles and their cache hold."""
    DUPLICATE_ROWS = "duplicate_rows"
    DUPLICATE_KEY = "duplicate_key"
    MISSING_VALUES = "missing_values"
    CONSTANT_COLUMN = "constant_column"
    UNPARSEABLE_VALUES = "unparseable_values"
    FUTURE_OR_ANCIENT_DATES = "future_or_ancient_dates"
    NEGATIVE_VALUES = "negative_values"
    ZERO_VALUES = "zero_values"
    OUTLIERS = "outliers"
    INCONSISTENT_CATEGORIES = "inconsistent_categories"
    PII = "pii"
    MIXED_TYPES = "mixed_types"
    ORPHAN_FOREIGN_KEYS = "orphan_foreign_keys"
    SUSPECTED_MISLABEL = "suspected_mislabel"  # found by a label audit (stocktake.tools.classify), not a profile


ISSUE_KINDS = tuple(IssueKind)
SEMANTIC_TYPES = ("identifier", "foreign_key", "category", "free_text", "email", "phone", "url", "price",
                  "quantity", "rating", "timestamp", "date", "boolean", "geo", "number", "text", "other")


@dataclass(frozen=True)
class Issue:
    kind: str
    asset: str
    column: str | None  # None for table-level issues (duplicate_rows)
    rows: int  # affected rows, exact
    severity: str  # high, medium or low
    message: str
    examples: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "asset": self.asset, "column": self.column, "rows": self.rows,
                "severity": self.severity, "message": self.message, "examples": list(self.examples),
                "details": self.details}

    @classmethod
    def from_dict(cls, d: dict) -> Issue:
        return cls(**{**d, "examples": tuple(d["examples"])})


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str  # storage type: integer, float, boolean, date, timestamp, string, binary, other
    semantic_type: str
    rows: int
    non_null: int
    nulls: int
    null_fraction: float
    distinct: int | None
    distinct_exact: bool
    min: Any = None
    max: Any = None
    mean: Any = None
    std: float | None = None
    quantiles: dict[str, Any] = field(default_factory=dict)  # p5, p25, p50, p75, p95
    quantiles_exact: bool = True
    top_values: tuple[tuple[Any, int], ...] = ()
    length: dict[str, float] | None = None  # characters: min, max, mean (text columns)
    # {"kind": "numeric"|"time"|"values"|"categorical", "edges"/"labels", "counts"}: "values" has a bar per
    # integer of a short span, "time" a "unit" (day, week, month, year) where its bins are calendar buckets
    histogram: dict | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["top_values"] = [{"value": v, "count": n} for v, n in self.top_values]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ColumnProfile:
        top = tuple((t["value"], t["count"]) for t in d["top_values"])
        return cls(**{**d, "top_values": top})


@dataclass(frozen=True)
class TableProfile:
    asset: str
    version: int
    rows: int
    duplicate_rows: int
    candidate_keys: tuple[tuple[str, ...], ...]
    time_coverage: dict | None  # column, first, last, gaps
    quality_score: float
    quality_rule: str
    columns: tuple[ColumnProfile, ...]
    issues: tuple[Issue, ...]
    content_hash: str = ""

    def column(self, name: str) -> ColumnProfile:
        return next(c for c in self.columns if c.name == name)

    def to_dict(self) -> dict:
        return {"asset": self.asset, "version": self.version, "content_hash": self.content_hash,
                "rows": self.rows, "duplicate_rows": self.duplicate_rows,
                "candidate_keys": [list(k) for k in self.candidate_keys], "time_coverage": self.time_coverage,
                "quality_score": self.quality_score, "quality_rule": self.quality_rule,
                "columns": [c.to_dict() for c in self.columns], "issues": [i.to_dict() for i in self.issues]}

    @classmethod
    def from_dict(cls, d: dict) -> TableProfile:
        return cls(asset=d["asset"], version=d["version"], content_hash=d["content_hash"], rows=d["rows"],
                   duplicate_rows=d["duplicate_rows"], candidate_keys=tuple(tuple(k) for k in d["candidate_keys"]),
                   time_coverage=d["time_coverage"], quality_score=d["quality_score"],
                   quality_rule=d["quality_rule"], columns=tuple(ColumnProfile.from_dict(c) for c in d["columns"]),
                   issues=tuple(Issue.from_dict(i) for i in d["issues"]))


def key_text(key: tuple[str, ...], distinct: int | None, rows: int, duplicate_rows: int = 0) -> str:
    """A candidate key as every face shows it. An asset's own key is kept even where a few rows reuse it (that is
    a duplicate_key issue), and then says so: ``review_id (repeats: 8,191 distinct in 8,225 rows)``.
    ``distinct``: the distinct values of a one-column key; exact copies of a row repeat its key without saying so."""
    if len(key) == 1 and distinct is not None and distinct < rows - duplicate_rows:
        return f"{key[0]} (repeats: {distinct:,} distinct in {plural(rows, 'row')})"
    return " + ".join(key)


def describe_keys(profile: TableProfile) -> tuple[str, ...]:
    """The profile's candidate keys in words, best first."""
    distinct = {c.name: c.distinct for c in profile.columns}
    return tuple(key_text(k, distinct.get(k[0]) if len(k) == 1 else None, profile.rows, profile.duplicate_rows)
                 for k in profile.candidate_keys)
