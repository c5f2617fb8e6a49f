"""A first contract for an asset, from its profile: what its current version holds, for the user to edit.

Written from the profile (stored masked) and the relations found: each column's type; not-null where it holds no
null; unique where it is a key with no repeat; the range of a numeric measure (ids have none: new rows bring new
ones) and the lower bound of a date column (new versions bring newer dates; freshness watches the newest); the
values of a category column with few of them (read from the snapshot); the share of a foreign key found in its
parent; row-count bounds around today's count; and the age of the newest date, plus a slack. No personal column
gets a range, values or freshness, so the file holds no personal value.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from stocktake.catalog import Catalog
from stocktake.settings import ContractSettings
from stocktake.tools.contracts.checks import quote
from stocktake.tools.contracts.model import NUMERIC, TEMPORAL, ColumnContract, Contract, Freshness, \
    Reference, RowBounds
from stocktake.tools.profile import ColumnProfile, Relation, TableProfile, mask_text
from stocktake.tools.query import run_select

NO_RANGE = ("identifier", "foreign_key")  # semantic types whose values name things: new ones are expected


def generate_contract(catalog: Catalog, profile: TableProfile, relations: Sequence[Relation],
                      personal: frozenset[str], *, settings: ContractSettings = ContractSettings(),
                      now: dt.datetime | None = None) -> Contract:
    """The contract that ``profile``'s version meets; ``relations``: the asset's, to its parents (best first);
    ``personal``: its personal columns."""
    parents = {}
    for r in relations:
        if r.from_asset == profile.asset:
            parents.setdefault(r.from_column, r)
    columns = [_column(catalog, profile, c, parents.get(c.name), c.name in personal, settings)
               for c in profile.columns]
    rows = RowBounds(min=math.floor(profile.rows * settings.min_rows_factor),
                     max=math.ceil(profile.rows * settings.max_rows_factor))
    return Contract(asset=profile.asset, rows=rows, freshness=_freshness(profile, personal, settings, now),
                    allow_extra_columns=False, columns=columns)


def _column(catalog: Catalog, profile: TableProfile, c: ColumnProfile, parent: Relation | None, personal: bool,
            settings: ContractSettings) -> ColumnContract:
    entry = {"name": c.name, "type": c.type, "not_null": profile.rows > 0 and c.nulls == 0,
             "unique": (c.name,) in profile.candidate_keys and c.distinct_exact and c.distinct == c.non_null}
    if not personal and c.non_null:
        entry |= _range(c)
        values = _values(catalog, profile.asset, c, settings)
        if values:
            entry["allowed_values"] = values
    if parent is not None:
        entry["references"] = Reference(asset=parent.to_asset, column=parent.to_column,
                                        min_coverage=math.floor(parent.coverage * 10_000) / 10_000)
    return ColumnContract(**entry)


def _range(c: ColumnProfile) -> dict:
    if c.type in NUMERIC and c.semantic_type not in NO_RANGE and c.min is not None and c.max is not None:
        return {"min": c.min, "max": c.max}
    if c.type in TEMPORAL and isinstance(c.min, str):
        return {"min": _parsed(c.min, c.type)}
    return {}


def _values(catalog: Catalog, asset: str, c: ColumnProfile, settings: ContractSettings) -> list | None:
    """Every value of a category column with few of them, where none of them holds personal data."""
    if c.semantic_type != "category" or c.type not in ("string", "integer") or not c.distinct_exact \
            or (c.distinct or 0) > settings.max_allowed_values:
        return None
    q = quote(c.name)
    found = run_select(catalog, f"SELECT DISTINCT {q} FROM {quote(asset)} WHERE {q} IS NOT NULL ORDER BY 1",
                       row_limit=settings.max_allowed_values, timeout_s=settings.timeout_s)
    values = [r[0] for r in found.rows]
    if found.truncated or any(isinstance(v, str) and mask_text(v) != v for v in values):
        return None
    return values


def _freshness(profile: TableProfile, personal: frozenset[str], settings: ContractSettings,
               now: dt.datetime | None) -> Freshness | None:
    coverage = profile.time_coverage or {}
    column = coverage.get("column")
    if column is None or column in personal or not isinstance(coverage.get("last"), str) \
            or profile.column(column).type not in TEMPORAL:
        return None  # a column of date text is read as dates by the profiler, but a check compares stored ones
    newest = _parsed(coverage["last"], profile.column(column).type)
    if not isinstance(newest, dt.datetime):
        newest = dt.datetime(newest.year, newest.month, newest.day)
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    if newest.tzinfo is not None:
        newest = newest.astimezone(dt.UTC).replace(tzinfo=None)
    age = (now - newest).total_seconds() / 86_400
    return Freshness(column=column, max_age_days=max(1, math.ceil(age + settings.freshness_slack_days)))


def _parsed(text: str, type_: str) -> dt.date:
    return dt.date.fromisoformat(text[:10]) if type_ == "date" else dt.datetime.fromisoformat(text)
