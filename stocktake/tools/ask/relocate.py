"""An id looked up where it is not. "The orders of customer 4e65…" filters orders.customer_id, but the value is a
customer_unique_id of customers: the lookup finds nothing and the answer "no rows" would be confidently wrong.

When a plan that looks a record up by an id finds no row, the id-like columns it can reach (those of the assets it
already reads and of the assets one relationship away) are asked whether they hold the value. The first that
does takes the filter, the plan runs again, and the answer says where the id was found.
"""

from __future__ import annotations

from collections.abc import Callable

from stocktake.tools.ask.model import Col, Filter, QueryPlan
from stocktake.tools.ask.schema import ColumnInfo, SchemaIndex

Holds = Callable[[str, str, object], bool]  # (asset, column, value) -> whether any row has that value there
MAX_PROBES = 16  # columns asked at most, per lookup: a few indexed-free scans, not a search of the catalog


def relocated_lookup(plan: QueryPlan, schema: SchemaIndex, holds: Holds) -> tuple[QueryPlan, str] | None:
    """The plan with an id's filter moved to the column that holds the id, and the sentence that says so; None
    when every id is where the plan looks for it, or is nowhere the plan can reach."""
    for at, f in enumerate(plan.filters):
        info = schema.column(f.column.asset, f.column.column)
        if f.op != "=" or not info.id_like or f.value is None or holds(f.column.asset, f.column.column, f.value):
            continue
        for col in _reachable_ids(plan, schema, f.column)[:MAX_PROBES]:
            value = _as_type(f.value, schema.column(col.asset, col.column))
            if value is not None and holds(col.asset, col.column, value):
                moved = Filter(column=col, op="=", value=value)
                filters = (*plan.filters[:at], moved, *plan.filters[at + 1:])
                note = (f"No {f.column.asset} row has {f.column.column} {f.value!r}; that value is a {col.column} of "
                        f"{col.asset}, so I looked it up there.")
                return plan.model_copy(update={"filters": filters}), note
    return None


def _reachable_ids(plan: QueryPlan, schema: SchemaIndex, looked: Col) -> list[Col]:
    """Id-like columns of the plan's asset, the filtered column's asset and their neighbours, nearest first."""
    near = list(dict.fromkeys([plan.asset, looked.asset]))
    for e in schema.edges:
        for a, b in ((e.child, e.parent), (e.parent, e.child)):
            if a in near[:2] and b not in near:
                near.append(b)
    found = []
    for asset in near:
        if asset != plan.asset and schema.path(plan.asset, asset) is None:
            continue
        found += [Col(asset=asset, column=c.name) for c in schema.assets[asset].columns
                  if c.id_like and (asset, c.name) != (looked.asset, looked.column)]
    return found


def _as_type(value: object, column: ColumnInfo) -> object:
    """The id as the column stores it: text as typed, a whole number for a number column; None if it cannot be."""
    if column.type == "string":
        return str(value)
    if column.numeric and isinstance(value, int | float):
        return value
    if column.numeric and isinstance(value, str) and value.isdigit():
        return int(value)
    return None
