"""Expected answers, computed with pandas from a dataset's source files (never with Stocktake).

``expected(source, spec)`` turns one ``expect`` spec of a question file into the ``Expect*`` value that
bench/qa_judge.py compares an answer with. The spec format (value, groups, top, rows, facts, refuse, clarify, parts,
any_of, fn; QUERY and FACT) is documented with examples in bench/qa/README.md. Specs are data: every operator is
looked up in a table here, nothing is evaluated as code.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np
import pandas as pd
from qa_datasets import Source
from qa_judge import (
    DateFact,
    ExpectAnyOf,
    ExpectClarify,
    ExpectFacts,
    ExpectGroups,
    ExpectParts,
    ExpectRefusal,
    ExpectRows,
    ExpectTop,
    ExpectValue,
)

COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
           ">=": operator.ge}
ARITHMETIC = {"*": operator.mul, "+": operator.add, "-": operator.sub, "/": operator.truediv}
BUCKETS = {"day": "D", "week": "W-SUN", "month": "M", "year": "Y"}  # W-SUN: weeks from Monday to Sunday
MEASURES = ("count", "count_distinct", "sum", "mean", "median", "min", "max", "share")


class SpecError(ValueError):
    """A question file's spec that cannot be computed; the message names the question."""


def plain(value):
    """A pandas/numpy scalar as the plain Python value the judge compares (NaN -> None)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, pd.Timestamp | pd.Period):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    return value


# ---- the query part ------------------------------------------------------------------------------------------
def _operand(source: Source, frame: pd.DataFrame, value):
    """A literal, another column of the row ({col}), or the values of another table's column ({table, col, where})."""
    if isinstance(value, dict) and "table" in value:
        other = frame_of(source, {"from": value["table"], "where": value.get("where", [])})
        return list(other[value["col"]].dropna().unique())
    if isinstance(value, dict) and "col" in value:
        return frame[value["col"]]
    return value


def _coerce(series: pd.Series, value):
    if pd.api.types.is_datetime64_any_dtype(series) and isinstance(value, str):
        return pd.Timestamp(value)
    return value


def condition(source: Source, frame: pd.DataFrame, cond: list) -> pd.Series:
    column, op, *rest = cond
    series = frame[column]
    if op == "is null":
        return series.isna()
    if op == "not null":
        return series.notna()
    value = _coerce(series, _operand(source, frame, rest[0]))
    if op in COMPARE:
        return COMPARE[op](series, value).fillna(False).astype(bool)
    if op in ("in", "not in"):
        hit = series.isin([_coerce(series, v) for v in value])
        return hit if op == "in" else ~hit & series.notna()
    if op == "startswith":
        return series.astype("string").str.startswith(value).fillna(False).astype(bool)
    if op == "contains":
        return series.astype("string").str.contains(value, case=False, regex=False).fillna(False).astype(bool)
    raise SpecError(f"unknown condition operator {op!r} in {cond}")


def _derive(frame: pd.DataFrame, derive: dict) -> pd.DataFrame:
    for name, (a, op, b) in derive.items():
        left, right = frame[a], (frame[b] if isinstance(b, str) else b)
        if op == "days":  # a - b in days, as a fraction
            frame[name] = (left - right).dt.total_seconds() / 86400
        elif op == "calendar_days":  # a - b in days between their dates (SQL's date_diff('day', b, a))
            frame[name] = (left.dt.normalize() - right.dt.normalize()).dt.days
        elif op in ARITHMETIC:
            frame[name] = ARITHMETIC[op](left, right)
        else:
            raise SpecError(f"unknown derive operator {op!r}")
    return frame


def frame_of(source: Source, query: dict) -> pd.DataFrame:
    frame = source.frame(query["from"])
    hops = query.get("join", [])
    for hop in hops if isinstance(hops, list) else [hops]:
        left, right = (hop["using"], hop["using"]) if "using" in hop else (hop["left"], hop["right"])
        # Exact copies of a joined row are a data error, not two matches: they would count the row twice.
        other = source.frame(hop["table"]).drop_duplicates()
        frame = frame.merge(other, left_on=left, right_on=right, how="inner", suffixes=("", f"__{hop['table']}"))
    frame = _derive(frame, query.get("derive", {}))
    for cond in query.get("where", []):
        frame = frame[condition(source, frame, cond)]
    return frame


def _group_key(frame: pd.DataFrame, by) -> pd.Series:
    if isinstance(by, dict):
        return frame[by["col"]].dt.to_period(BUCKETS[by["every"]])
    return frame[by]


def measure(source: Source, frame: pd.DataFrame, query: dict):
    """The query's measure over ``frame``: a scalar."""
    kind, of = query.get("measure", "count"), query.get("of")
    if kind not in MEASURES:
        raise SpecError(f"unknown measure {kind!r}; use one of {', '.join(MEASURES)}")
    if kind == "count":
        return int(frame[of].notna().sum()) if of else len(frame)
    if kind == "count_distinct":
        return int(frame[of].nunique())
    if kind == "share":
        if not query.get("match"):
            raise SpecError("a scalar share needs 'match': the conditions of the rows it counts")
        hit = np.logical_and.reduce([condition(source, frame, c) for c in query["match"]])
        return float(hit.mean())
    return plain(getattr(frame[of].dropna(), kind)())


def grouped(source: Source, query: dict) -> list[tuple]:
    frame = frame_of(source, query)
    key = _group_key(frame, query["by"])
    if query.get("measure") == "share" and not query.get("match"):
        counts = key.value_counts(dropna=False)
        return [(plain(k), float(v / len(frame))) for k, v in counts.items()]
    pairs = [(plain(k), measure(source, part, query)) for k, part in frame.groupby(key, dropna=False, sort=True)]
    return [(None if isinstance(k, float) and np.isnan(k) else k, v) for k, v in pairs]


def ranked(source: Source, query: dict) -> list[tuple]:
    pairs = [p for p in grouped(source, query) if p[1] is not None]
    return sorted(pairs, key=lambda p: p[1], reverse=query.get("order", "desc") == "desc")


def records(source: Source, query: dict) -> list[dict]:
    frame = frame_of(source, query)
    if query.get("distinct"):
        frame = frame.drop_duplicates(subset=query.get("select"))
    for column, direction in reversed(query.get("sort", [])):
        frame = frame.sort_values(column, ascending=direction == "asc", kind="stable")
    if "limit" in query:
        frame = frame.head(query["limit"])
    columns = query.get("select") or list(frame.columns)
    return [{c: plain(row[c]) for c in columns} for _, row in frame.iterrows()]


def scalar(source: Source, query: dict):
    if "by" in query:
        raise SpecError("a value spec has no 'by' (use groups or top)")
    return measure(source, frame_of(source, query), query)


# ---- facts and named computations --------------------------------------------------------------------------
def fact(source: Source, spec):
    if isinstance(spec, (str, int, float)) and not isinstance(spec, bool):
        return spec
    if "date" in spec:
        return DateFact(pd.Timestamp(str(spec["date"])))
    if "value" in spec:
        value = scalar(source, spec["value"])
        return DateFact(value) if isinstance(value, pd.Timestamp) else value
    if "problem" in spec:
        return problem_rows(source, **spec["problem"])
    if "any" in spec:
        return tuple(fact(source, f) for f in spec["any"])
    if "columns" in spec:  # the number of columns of a table
        return len(source.frame(spec["columns"]).columns)
    if "duplicates" in spec:  # rows repeating an earlier row: exactly, or in the columns listed under 'of'
        return int(source.frame(spec["duplicates"]).duplicated(subset=spec.get("of")).sum())
    raise SpecError(f"unknown fact {spec!r}")


def facts(source: Source, specs: list) -> tuple:
    """The facts of a spec; {column_names: TABLE} stands for each column name of the table."""
    found = []
    for spec in specs:
        if isinstance(spec, dict) and "column_names" in spec:
            found.extend(source.frame(spec["column_names"]).columns)
        else:
            found.append(fact(source, spec))
    return tuple(found)


def problem_rows(source: Source, table: str, kind: str, column: str | None = None) -> int:
    hits = [p for p in source.problems() if p["table"] == table and p["kind"] == kind and
            (column is None or p["column"] == column)]
    if len(hits) != 1:
        raise SpecError(f"problems.json has {len(hits)} entries for {table}/{kind}/{column}")
    return hits[0]["rows"]


def ml_genres(source: Source, item: int):
    """The genres of a MovieLens-100k item: its flags as a record, or the genre names in the text."""
    from qa_datasets import ML_GENRE_NAMES, ML_GENRES

    row = source.frame("u_item").set_index("movie_id").loc[item]
    genres = [g for g in ML_GENRES if row[g] == 1]
    flags = ExpectRows(({"movie_id": item, **{g: 1 for g in genres}},), key="movie_id")
    named = tuple((g, ML_GENRE_NAMES[g]) for g in genres)  # the column, or the README's name (Children's)
    return ExpectAnyOf((flags, ExpectFacts(named)))


FUNCTIONS: dict[str, Callable] = {"ml_genres": ml_genres}


# ---- the expect spec ------------------------------------------------------------------------------------------
def expected(source: Source, spec: dict):
    """The Expect* value for one ``expect`` spec of a question file."""
    if "value" in spec:
        value = scalar(source, spec["value"])
        share = spec["value"].get("measure") == "share"
        return ExpectValue((value, value * 100) if share else (value,))
    if "groups" in spec:
        return ExpectGroups(tuple(grouped(source, spec["groups"])))
    if "top" in spec:
        return ExpectTop(tuple(ranked(source, spec["top"])), int(spec["top"]["top"]))
    if "rows" in spec:
        return ExpectRows(tuple(records(source, spec["rows"])), key=spec["key"], mode=spec.get("mode", "contains"))
    if "facts" in spec:
        return ExpectFacts(facts(source, spec["facts"]))
    if spec.get("refuse"):
        return ExpectRefusal()
    if spec.get("clarify"):
        return ExpectClarify()
    if "parts" in spec:
        return ExpectParts(tuple(expected(source, p) for p in spec["parts"]))
    if "any_of" in spec:
        return ExpectAnyOf(tuple(expected(source, p) for p in spec["any_of"]))
    if "fn" in spec:
        if spec["fn"] not in FUNCTIONS:
            raise SpecError(f"unknown fn {spec['fn']!r}; known: {', '.join(FUNCTIONS)}")
        return FUNCTIONS[spec["fn"]](source, **spec.get("args", {}))
    raise SpecError(f"unknown expect spec {sorted(spec)}")
