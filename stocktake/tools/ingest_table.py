"""A table read from a source becomes Arrow and is checked against the ingest bounds before anything is registered.

Converting here rather than in the catalog means a column that Arrow cannot type (numbers and text mixed in a
JSON key, a merged Excel label in an integer column) is caught while reading: it is kept as text, with a
warning that names it, instead of failing the ingest part-way.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stocktake.errors import Remedy, StocktakeError
from stocktake.settings import IngestSettings

_ARROW_ERRORS = (pa.ArrowException, OverflowError, TypeError, ValueError, RecursionError)


def to_arrow(where: str, frame: pd.DataFrame) -> tuple[pa.Table, tuple[str, ...]]:
    """The frame as Arrow; a column whose values mix kinds is kept as text, with a warning."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False), ()
    except _ARROW_ERRORS:
        pass
    columns, warnings = {}, []
    for name in frame.columns:
        try:
            columns[name] = pa.Table.from_pandas(frame[[name]], preserve_index=False).column(0)
        except _ARROW_ERRORS:
            columns[name] = pa.array([_as_text(where, name, v) for v in frame[name]], type=pa.string())
            warnings.append(f"column '{name}' mixes {_listed(_kinds(frame[name]))}; stored as text")
    return pa.table(columns), tuple(warnings)


def _listed(words: list[str]) -> str:
    """``numbers and text``, ``lists, numbers and text``."""
    return " and ".join(words) if len(words) < 3 else f"{', '.join(words[:-1])} and {words[-1]}"


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _as_text(where: str, column: str, v) -> str | None:
    if _missing(v):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "backslashreplace")
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    if isinstance(v, (dict, list, tuple)):
        try:
            return json.dumps(v, ensure_ascii=False, default=str)
        except (RecursionError, ValueError):
            raise StocktakeError(f"{where}: column '{column}' holds a value nested too deeply to store "
                                 "(hundreds of levels). Flatten it, or leave that key out.") from None
    return str(v)


_KIND_NAMES = ((bool, "booleans"), ((int, float), "numbers"), (str, "text"), ((datetime, date, time), "dates"),
               (dict, "objects"), ((list, tuple), "lists"), ((bytes, bytearray), "bytes"))


def _kinds(values: pd.Series) -> list[str]:
    found = {next((name for types, name in _KIND_NAMES if isinstance(v, types)), type(v).__name__)
             for v in values if not _missing(v)}
    return sorted(found) or ["values"]


def check_bounds(where: str, table: pa.Table, settings: IngestSettings) -> None:
    """No columns, too many columns or rows, or one value longer than ``max_field_chars``: one line naming it."""
    if table.num_columns == 0:
        raise StocktakeError(f"{where}: no columns (an empty list or object, or an empty sheet), so there is nothing "
                             "to ingest. Check the file.")
    if table.num_columns > settings.max_columns:
        raise StocktakeError(f"{where}: {table.num_columns:,} columns, more than one ingest reads "
                             f"({settings.limit('max_columns')}).")
    if table.num_rows > settings.max_rows:
        raise StocktakeError(f"{where}: more than {settings.max_rows:,} rows ({settings.hint('max_rows')}).")
    for name, column in zip(table.column_names, table.columns):
        longest, row = _longest(column)
        if longest > settings.max_field_chars:
            raise StocktakeError(
                f"{where}: column '{name}', row {row + 1:,} holds a value of {longest:,} characters "
                f"({settings.limit('max_field_chars')}). A missing quote or delimiter can make one huge field:",
                ("check the file, or ", Remedy("give-delimiter")), column=name, row=row + 1)


def _longest(column: pa.ChunkedArray) -> tuple[int, int]:
    """The length of the longest text or bytes value and its row (0, 0 for other types)."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        lengths = pc.utf8_length(column)
    elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        lengths = pc.binary_length(column)
    else:
        return 0, 0
    longest = pc.max(lengths).as_py()
    return (0, 0) if longest is None else (longest, pc.index(lengths, longest).as_py())


def overflow_warnings(table: pa.Table) -> tuple[str, ...]:
    """A float column holding infinity: often a number such as 1e400 that no float can hold."""
    return tuple(
        f"column '{name}' holds infinite values (a number such as 1e400 is too large for a float)"
        for name, column in zip(table.column_names, table.columns)
        if pa.types.is_floating(column.type) and pc.any(pc.is_inf(column)).as_py()
    )
