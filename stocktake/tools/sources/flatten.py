"""An API's JSON records as flat tables with typed Arrow columns.

Nested objects become columns named by their path with ``_`` (``customer.address.city`` is
``customer_address_city``). A field that holds lists of objects becomes a child table named the same way
(``orders_items``), each item a row with a column holding its parent's key: the parent's own id field where it
has one (``id``, ``order_id``, ... unique and never empty), else a generated ``_row`` (the record's position in
the response, from 1). Lists of scalars are kept as JSON text (``["gift", "express"]``), which keeps each value's
type. Types are Arrow's reading of the values: a column of mixed types is text, and text that is all ISO dates or
timestamps becomes a date or timestamp.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pyarrow as pa

ROW = "_row"  # the generated key of records that have no id field
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


@dataclass(frozen=True)
class FlatTable:
    name: str
    rows: list[dict]  # column -> a scalar, or JSON text for a list of scalars
    paths: dict[str, str]  # column -> where its values are in each record, dotted
    key: str | None = None  # the column naming each row: an id field, the generated ROW, or none
    parent: tuple[str, str, str] | None = None  # (parent table, its key, the column of this table holding it)
    columns: list[str] = field(default_factory=list)  # in order of first appearance


def flatten(name: str, records: list, parent: tuple[str, str, str] | None = None) -> list[FlatTable]:
    """``records`` as the table ``name`` followed by its child tables (and theirs), depth first."""
    records = [r if isinstance(r, dict) else {"value": r} for r in records]
    children = _child_paths(records)
    names: dict[tuple, str] = {(parent[2],): parent[2]} if parent else {}
    rows, nested = [], []
    for record in records:
        row, kids = {}, {}
        _walk(record, (), row, kids, children, names)
        rows.append(row)
        nested.append(kids)
    key = _key(name, rows, [n for p, n in names.items() if len(p) == 1 and (not parent or n != parent[2])])
    if key is None and children:
        key = ROW
        for i, row in enumerate(rows, 1):
            row[ROW] = i
    columns = ([ROW] if key == ROW else []) + list(names.values())
    paths = {n: ".".join(p) for p, n in names.items() if not parent or n != parent[2]}
    tables = [FlatTable(name, rows, paths, key, parent, columns)]
    for path in children:
        child = f"{name}_{'_'.join(path)}"
        back = _back_column(name, key, [item for kids in nested for item in kids.get(path, ())])
        items = [{back: row[key], **item} for row, kids in zip(rows, nested) for item in kids.get(path, ())]
        tables += flatten(child, items, (name, key, back))
    return tables


def _child_paths(records: list[dict]) -> list[tuple]:
    """The paths (through objects, not lists) that hold a non-empty list of objects in some record."""
    found: dict[tuple, None] = {}

    def visit(obj: dict, prefix: tuple) -> None:
        for k, v in obj.items():
            path = (*prefix, str(k))
            if isinstance(v, dict):
                visit(v, path)
            elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
                found.setdefault(path)

    for record in records:
        visit(record, ())
    return list(found)


def _walk(obj: dict, prefix: tuple, row: dict, kids: dict, children: list[tuple], names: dict) -> None:
    for k, v in obj.items():
        path = (*prefix, str(k))
        if path in children:
            # at a path that holds lists of objects, anything else there is kept as an item too
            items = v if isinstance(v, list) else [] if v is None else [v]
            kids.setdefault(path, []).extend(x if isinstance(x, dict) else {"value": x} for x in items)
        elif isinstance(v, dict):
            _walk(v, path, row, kids, children, names)
        else:
            row[_column(path, names)] = json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v


def _column(path: tuple, names: dict) -> str:
    """The column for a path: its parts joined by ``_``, with ``_2``, ... where another path took that name."""
    if path not in names:
        base, taken = "_".join(path), set(names.values())
        names[path] = next(n for n in (base, *(f"{base}_{i}" for i in range(2, len(names) + 3))) if n not in taken)
    return names[path]


def _key(name: str, rows: list[dict], fields: list[str]) -> str | None:
    """The records' own id field (among their top-level ``fields``): ``id``, NAME_id (singular), or a first field
    ending in ``_id``, where it names each row once and never is empty."""
    if not rows or not fields:
        return None
    last = name.rsplit("_", 1)[-1]
    candidates = ["id", f"{last.removesuffix('s')}_id", f"{name.removesuffix('s')}_id"]
    candidates += [fields[0]] if fields[0].lower().endswith("_id") else []
    for column in dict.fromkeys(c for c in candidates if c in fields):
        values = [r.get(column) for r in rows]
        if all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values) and \
                len(set(values)) == len(values):
            return column
    return None


def _back_column(parent: str, key: str, items: list[dict]) -> str:
    """The child's column holding its parent's key: the key's own name (``order_id``) unless it is generic or the
    items have a field of that name, then PARENT_KEY (``orders_id``, ``orders_row``)."""
    fields = {k for item in items for k in item}
    plain = key if key not in ("id", ROW) else None
    for name in (plain, f"{parent}_{key.strip('_')}", f"{parent}_{key.strip('_')}_key"):
        if name and name not in fields:
            return name
    return f"_{parent}_key"


def to_arrow(table: FlatTable) -> pa.Table:
    """The table's rows as Arrow, each column typed from its values."""
    return pa.table({c: _typed([r.get(c) for r in table.rows]) for c in table.columns})


def _typed(values: list) -> pa.Array:
    try:
        array = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([v if v is None or isinstance(v, str) else json.dumps(v) for v in values], pa.string())
    if pa.types.is_null(array.type):
        return array.cast(pa.string())
    return _dated(array) if pa.types.is_string(array.type) else array


def _dated(array: pa.Array) -> pa.Array:
    """Text that is all ISO dates becomes dates, all ISO timestamps timestamps (with a zone: in UTC)."""
    texts = [v for v in array.to_pylist() if v is not None]
    if not texts:
        return array
    if all(_DATE.fullmatch(t) for t in texts):
        targets = [pa.date32()]
    elif all(_STAMP.fullmatch(t) for t in texts):
        targets = [pa.timestamp("us"), pa.timestamp("us", "UTC")]
    else:
        return array
    for target in targets:
        try:
            return array.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return array
