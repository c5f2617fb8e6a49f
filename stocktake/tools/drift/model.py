"""What a comparison of two versions finds, as frozen dataclasses; ``to_dict`` gives the JSON of ``diff --json``.

A value that each version has is a ``(before, after)`` pair, shown in JSON as ``{"from": …, "to": …}``; a side
the column is missing from (added, removed) is None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stocktake.tools.profile import Issue

Pair = tuple[Any, Any]


def pair(values: Pair) -> dict:
    return {"from": values[0], "to": values[1]}


@dataclass(frozen=True)
class SchemaChange:
    kind: str  # added, removed, retyped or renamed
    column: str  # its name in the later version (the earlier one for a removed column)
    before: str | None  # the type (retyped, removed) or the name (renamed) it had
    after: str | None  # the type it has (added, retyped)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "column": self.column, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class ColumnDiff:
    """One column: how its statistics moved and whether its distribution drifted. ``test`` is None where no test
    applies (``note`` says why): a column in one version only, retyped, free text, or without values."""
    name: str
    kind: str  # numeric, categorical, text or other: what decides its test
    test: str | None  # Evidently's name for it: ks, chisquare, z, wasserstein or jensenshannon
    score: float | None  # the p-value (ks, chisquare, z) or the distance (wasserstein, jensenshannon)
    threshold: float | None
    drifted: bool
    null_rate: Pair
    null_rate_changed: bool  # moved at least DriftSettings.null_rate_change, and significantly
    distinct: Pair
    mean: Pair = (None, None)
    quantiles: dict[str, Pair] | None = None  # p5 … p95 of numeric and time columns
    top_values: Pair = ((), ())  # ((value, count), …) of each version, personal values masked
    renamed_from: str | None = None
    sampled: bool = False  # tested on a fixed-seed sample of its values (DriftSettings.sample_values)
    note: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "drifted": self.drifted, "test": self.test,
                "score": self.score, "threshold": self.threshold, "null_rate": pair(self.null_rate),
                "null_rate_changed": self.null_rate_changed, "distinct": pair(self.distinct),
                "mean": pair(self.mean),
                "quantiles": {q: pair(v) for q, v in self.quantiles.items()} if self.quantiles else None,
                "top_values": pair(tuple([{"value": v, "count": n} for v, n in side] for side in self.top_values)),
                "renamed_from": self.renamed_from, "sampled": self.sampled, "note": self.note}


@dataclass(frozen=True)
class KeyCoverage:
    """A relationship of the asset (to another asset's key, or another's column to its key) in each version: the
    share of the child's values found among the parent's; None where the relationship was not found."""
    from_asset: str
    from_column: str
    to_asset: str
    to_column: str
    coverage: Pair
    orphan_rows: Pair

    def to_dict(self) -> dict:
        return {"from": f"{self.from_asset}.{self.from_column}", "to": f"{self.to_asset}.{self.to_column}",
                "coverage": pair(self.coverage), "orphan_rows": pair(self.orphan_rows)}


@dataclass(frozen=True)
class VersionDiff:
    asset: str
    versions: Pair  # (from, to)
    rows: Pair
    schema: tuple[SchemaChange, ...]
    columns: tuple[ColumnDiff, ...]  # the later version's columns in order, then the removed ones
    drifted_columns: int
    tested_columns: int
    drift_share: float  # the share of tested columns that makes the dataset drifted
    dataset_drifted: bool
    new_issues: tuple[Issue, ...]
    resolved_issues: tuple[Issue, ...]
    relations: tuple[KeyCoverage, ...]
    quality_score: Pair

    def column(self, name: str) -> ColumnDiff:
        return next(c for c in self.columns if c.name == name)

    def to_dict(self) -> dict:
        return {"asset": self.asset, "versions": pair(self.versions), "rows": pair(self.rows),
                "schema": [c.to_dict() for c in self.schema], "columns": [c.to_dict() for c in self.columns],
                "drifted_columns": self.drifted_columns, "tested_columns": self.tested_columns,
                "drift_share": self.drift_share, "dataset_drifted": self.dataset_drifted,
                "new_issues": [i.to_dict() for i in self.new_issues],
                "resolved_issues": [i.to_dict() for i in self.resolved_issues],
                "relations": [r.to_dict() for r in self.relations], "quality_score": pair(self.quality_score)}
