"""The rows behind a quality issue: example rows of an asset's snapshot that the issue counts, read through
the read-only SQL engine and masked like every SQL result.

``issue_rows(catalog, "orders", issue)`` takes an ``Issue`` of ``profile_asset(catalog, "orders").issues`` (or
its ``to_dict()``) and rebuilds the issue's condition from its kind, column and details; values from the issue
(fences, spellings, date bounds) are bound as parameters, names are quoted identifiers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.settings import GuardSettings, ProfileSettings
from stocktake.tools.profile.db import quote
from stocktake.tools.profile.masked_sql import load_personal_columns, mask_by_source
from stocktake.tools.profile.model import Issue
from stocktake.tools.profile.pii import CERTAIN_RE2, CHECKED_RE2, has_pii
from stocktake.tools.query import QueryResult, run_select

ROW = "row"  # the 1-based row number in file order, the first column of every answer
# Inner names unlikely to be an asset's own column names.
NUM, COPIES, FIRST, USES = "__st_row", "__st_copies", "__st_first", "__st_uses"
MAX_LIMIT = 500


@dataclass(frozen=True)
class IssueRows:
    asset: str
    kind: str
    column: str | None
    condition: str  # which rows, in words
    columns: tuple[str, ...]  # "row", then every column of the asset
    rows: tuple[tuple, ...]
    truncated: bool  # more rows match than ``limit``

    def to_dict(self) -> dict:
        return {"asset": self.asset, "kind": self.kind, "column": self.column, "condition": self.condition,
                "columns": list(self.columns), "rows": [list(r) for r in self.rows], "truncated": self.truncated}


@dataclass(frozen=True)
class _Filter:
    where: str  # over the numbered rows ``n``; ``$1``.. bound to ``params``
    params: tuple = ()
    words: str = ""
    order: str = NUM  # groups (repeated keys, copies) shown together


def issue_rows(catalog: Catalog, asset: str, issue: Issue | dict, limit: int = 50) -> IssueRows:
    """Up to ``limit`` (at most 500) rows of ``asset`` that ``issue`` counts, in file order (groups of copies
    or of a repeated key together), with their 1-based row number; personal values masked. Raises
    StocktakeError for an issue of another asset or of a kind with no row condition."""
    issue = Issue.from_dict(issue) if isinstance(issue, dict) else issue
    if issue.asset != asset:
        raise StocktakeError(f"That issue is about {issue.asset}, not {asset}.")
    a = catalog.get(asset)
    names = [c.name for c in a.columns]
    f = _filter(issue, names)
    limit = max(1, min(int(limit), MAX_LIMIT))
    cols = ", ".join(quote(n) for n in names)
    numbered = f"SELECT row_number() OVER () AS {NUM}, * FROM {quote(asset)}"
    sql = (f"SELECT {NUM} AS {quote(ROW)}, {cols} FROM (SELECT {_windows(issue, names)}* FROM ({numbered}) "
           f"AS numbered) AS n WHERE {f.where} ORDER BY {f.order}")
    result = run_select(catalog, sql, params=list(f.params), row_limit=MAX_LIMIT if issue.kind == "pii" else limit)
    if issue.kind == "pii":
        result = _personal_only(result, 1 + names.index(issue.column), limit)
    sources = [None] + [(asset, n) for n in names]
    masked = mask_by_source(result, sources, load_personal_columns(catalog, [asset]), GuardSettings())
    return IssueRows(asset, issue.kind, issue.column, f.words, (ROW, *names), masked.rows, masked.truncated)


def _personal_only(result: QueryResult, at: int, limit: int) -> QueryResult:
    """The rows whose value at ``at`` the masker holds personal: SQL's pattern lets through numbers whose
    checksum fails, which the profiler does not count either."""
    kept = [r for r in result.rows if has_pii(None if r[at] is None else str(r[at]))]
    return replace(result, rows=tuple(kept[:limit]), truncated=len(kept) > limit or result.truncated)


def _windows(issue: Issue, names: list[str]) -> str:
    """Group sizes the duplicate conditions need, counted before any row is filtered out."""
    if issue.kind == "duplicate_rows":
        every = ", ".join(quote(n) for n in names)
        return f"count(*) OVER (PARTITION BY {every}) AS {COPIES}, min({NUM}) OVER (PARTITION BY {every}) AS {FIRST}, "
    if issue.kind == "duplicate_key":
        return f"count(*) OVER (PARTITION BY {quote(issue.column)}) AS {USES}, "
    return ""


def _filter(issue: Issue, names: list[str]) -> _Filter:
    if issue.column is not None and issue.column not in names:
        raise StocktakeError(f"{issue.asset} has no column {issue.column}.")
    build = FILTERS.get(issue.kind)
    if build is None:
        raise StocktakeError(f"Issues of kind {issue.kind} name no rows to show.")
    return build(quote(issue.column) if issue.column else "", issue)


def _outliers(c: str, issue: Issue) -> _Filter:
    lo, hi = issue.details["fences"]
    # Log-scale fences were taken over positive values only: zero and negatives are other issues.
    positive = f"{c} > 0 AND " if issue.details.get("scale") == "log" or lo <= 0 else ""
    return _Filter(f"{positive}({c} < $1 OR {c} > $2)", (float(lo), float(hi)),
                   f"{issue.column} below {lo:,.4g} or above {hi:,.4g}")


def _far_dates(c: str, issue: Issue) -> _Filter:
    s = ProfileSettings()
    future = dt.datetime.now() + dt.timedelta(days=s.future_days)
    ts = f"TRY_CAST({c} AS TIMESTAMP)"
    return _Filter(f"({ts} > $1 OR {ts} < $2)", (future, dt.datetime(s.ancient_year, 1, 1)),
                   f"{issue.column} after {future:%Y-%m-%d} or before {s.ancient_year}")


def _unparseable(c: str, issue: Issue) -> _Filter:
    target = "TIMESTAMP" if issue.details.get("expected") == "timestamp" else "DOUBLE"
    return _Filter(f"{c} IS NOT NULL AND TRY_CAST({c} AS {target}) IS NULL", (),
                   f"{issue.column} does not parse as a {'date' if target == 'TIMESTAMP' else 'number'}")


def _mixed(c: str, issue: Issue) -> _Filter:
    numbers_fewer = issue.details.get("numbers", 0) <= issue.details.get("text", 0)
    test = "IS NOT NULL" if numbers_fewer else "IS NULL"
    return _Filter(f"{c} IS NOT NULL AND TRY_CAST({c} AS DOUBLE) {test}", (),
                   f"{issue.column} holds {'a number' if numbers_fewer else 'text'}, the minority")


def _categories(c: str, issue: Issue) -> _Filter:
    variants = sorted(issue.details.get("variant_counts", {}))
    return _Filter(f"list_contains($1, {c})", (variants,), f"{issue.column} is a non-canonical spelling")


def _orphans(c: str, issue: Issue) -> _Filter:
    parent, key = quote(issue.details["parent_asset"]), quote(issue.details["parent_column"])
    return _Filter(f"{c} IS NOT NULL AND {c} NOT IN (SELECT {key} FROM {parent} WHERE {key} IS NOT NULL)", (),
                   f"{issue.column} matches no {issue.details['parent_asset']}.{issue.details['parent_column']}")


FILTERS: dict[str, Callable[[str, Issue], _Filter]] = {
    "missing_values": lambda c, i: _Filter(f"{c} IS NULL", (), f"{i.column} is missing"),
    "negative_values": lambda c, i: _Filter(f"{c} < 0", (), f"{i.column} is below zero"),
    "zero_values": lambda c, i: _Filter(f"{c} = 0", (), f"{i.column} is exactly 0"),
    "constant_column": lambda c, i: _Filter(f"{c} IS NOT NULL", (), f"{i.column} holds its one value"),
    "duplicate_rows": lambda c, i: _Filter(f"{COPIES} > 1", (), "the row has an exact copy (each group shown together)",
                                           f"{FIRST}, {NUM}"),
    "duplicate_key": lambda c, i: _Filter(f"{USES} > 1", (),
                                          f"another row has the same {i.column} (each group shown together)",
                                          f"{c}, {NUM}"),
    # The profiler's pre-filter; its checksum test runs on the rows that pass (_personal_only).
    "pii": lambda c, i: _Filter(f"regexp_matches({c}, $1)", (f"{CERTAIN_RE2}|{CHECKED_RE2}",),
                                f"{i.column} may hold an e-mail, phone, card or id number"),
    "outliers": _outliers,
    "future_or_ancient_dates": _far_dates,
    "unparseable_values": _unparseable,
    "mixed_types": _mixed,
    "inconsistent_categories": _categories,
    "orphan_foreign_keys": _orphans,
}
