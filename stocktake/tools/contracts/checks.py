"""A contract as checks on one asset version: the schema checks, decided from the catalog, and the row checks,
each one SQL condition that picks the rows breaking it.

Names are quoted identifiers; every value from the contract (bounds, allowed values) is a bound parameter, so a
contract can say nothing that runs as SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stocktake.catalog import Asset, Catalog
from stocktake.errors import StocktakeError
from stocktake.numbers import value_text
from stocktake.tools.contracts.model import TEMPORAL, ColumnContract, Contract, Reference
from stocktake.tools.contracts.results import FAIL, PASS, SKIPPED, CheckResult

USES = "__st_uses"  # inner names unlikely to be an asset's own column names


@dataclass(frozen=True)
class RowCheck:
    kind: str
    column: str
    where: str  # the rows that break it, over the asset's rows; ``?`` bound to ``params`` in order
    params: tuple = ()
    window: str = ""  # ``EXPR AS name``, computed over every row before any is picked, that ``where`` reads
    rule: str = ""  # what must hold, in words
    min_share: float | None = None  # references: the share of non-null rows that must not break it (else: none may)


def plan(catalog: Catalog, contract: Contract, asset: Asset) -> tuple[list[CheckResult], list[RowCheck]]:
    """The schema checks' results, and the row checks of the columns that are there with the contract's type
    (those of a missing or retyped column are reported skipped)."""
    types = {c.name: c.type for c in asset.columns}
    decided, row_checks = [], []
    if not contract.allow_extra_columns:
        extra = [n for n in types if contract.column(n) is None]
        decided.append(CheckResult("extra_columns", None, FAIL if extra else PASS,
                                   f"columns the contract does not name: {', '.join(extra)}" if extra
                                   else "no column beyond the contract's"))
    for i, c in enumerate(contract.columns):
        found = types.get(c.name)
        checks = column_checks(c, i)
        if found == c.type:
            decided.append(CheckResult("type", c.name, PASS, f"{c.type}, as the contract says"))
        else:
            decided.append(CheckResult("type", c.name, FAIL, "missing" if found is None else
                                       f"{found}, the contract says {c.type}"))
            decided += [CheckResult(k.kind, c.name, SKIPPED, "not checked: the column is missing or retyped")
                        for k in checks]
            continue
        for check in checks:
            refused = _unreadable_parent(catalog, c) if check.kind == "references" else None
            if refused:
                decided.append(CheckResult("references", c.name, FAIL, refused))
            else:
                row_checks.append(check)
    return decided, row_checks


def column_checks(c: ColumnContract, i: int) -> list[RowCheck]:
    """The row checks a column's entry asks for, on a column of its type; ``i`` keeps the inner names of two
    columns apart."""
    q = quote(c.name)
    null = f"({q} IS NULL OR isnan({q}))" if c.type == "float" else f"{q} IS NULL"
    found = []
    if c.not_null:
        found.append(RowCheck("not_null", c.name, null, rule="never null"))
    if c.unique:
        found.append(RowCheck("unique", c.name, f"{q} IS NOT NULL AND {USES}{i} > 1",
                              window=f"count({q}) OVER (PARTITION BY {q}) AS {USES}{i}",
                              rule="no two rows share a value"))
    if c.min is not None or c.max is not None:
        found.append(_range(c, q))
    if c.allowed_values is not None:
        shown = [_as_text(v) for v in c.allowed_values]
        found.append(RowCheck("allowed_values", c.name,
                              f"{q} IS NOT NULL AND NOT list_contains(CAST(? AS VARCHAR[]), CAST({q} AS VARCHAR))",
                              (shown,), rule=f"one of {len(shown)} values: {_listed(shown)}"))
    if c.references is not None:
        found.append(_references(c.references, c.name, q))
    return found


def _range(c: ColumnContract, q: str) -> RowCheck:
    temporal = c.type in TEMPORAL
    value = f"CAST({q} AS TIMESTAMP)" if temporal else q
    bound = "CAST(? AS TIMESTAMP)" if temporal else "?"
    parts, params = [], []
    for limit, op in ((c.min, "<"), (c.max, ">")):
        if limit is not None:
            parts.append(f"{value} {op} {bound}")
            params.append(_timestamp_text(limit) if temporal else limit)
    number = f"NOT isnan({q}) AND " if c.type == "float" else ""
    low = "…" if c.min is None else _shown(c.name, c.min)
    high = "…" if c.max is None else _shown(c.name, c.max)
    return RowCheck("range", c.name, f"{number}({' OR '.join(parts)})", tuple(params), rule=f"from {low} to {high}")


def _references(ref: Reference, column: str, q: str) -> RowCheck:
    key = quote(ref.column)
    where = f"{q} IS NOT NULL AND {q} NOT IN (SELECT {key} FROM {quote(ref.asset)} WHERE {key} IS NOT NULL)"
    share = "every value" if ref.min_coverage >= 1 else f"at least {ref.min_coverage:.2%}"
    return RowCheck("references", column, where, rule=f"{share} wanted in {ref.asset}.{ref.column}",
                    min_share=ref.min_coverage)


def _unreadable_parent(catalog: Catalog, c: ColumnContract) -> str | None:
    """Why the column's parent cannot be looked in (gone, or of another type); None where it can."""
    ref = c.references
    try:
        parent = catalog.get(ref.asset)
    except StocktakeError:
        return f"the asset {ref.asset} it references does not exist"
    parent_type = next((p.type for p in parent.columns if p.name == ref.column), None)
    if parent_type is None:
        return f"{ref.asset} has no column {ref.column}"
    if parent_type != c.type:
        return f"{ref.asset}.{ref.column} is {parent_type}, {c.name} is {c.type}: their values cannot match"
    return None


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _as_text(value) -> str:
    """A listed value as DuckDB writes the column's value as text (``true``, ``42``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _timestamp_text(value: dt.date) -> str:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)  # the check's connection answers in UTC
    return value.isoformat()


def _shown(column: str, value) -> str:
    return value_text(column, value) if isinstance(value, (int, float)) else _timestamp_text(value).replace("T", " ")


def _listed(values: list[str], most: int = 6) -> str:
    return ", ".join(values[:most]) + (f" and {len(values) - most:,} more" if len(values) > most else "")
