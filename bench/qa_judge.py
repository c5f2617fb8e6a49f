"""Judge one answer of the assistant against an expected result computed independently with pandas.

The expected result is one of the ``Expect*`` values below; ``verdict(expect, answer, changed)`` says whether
the answer is ``correct``, asks back (``clarify``), is an honest miss (``wrong``: refused or "don't know"
where an answer was due) or a ``confident_wrong`` answer (it stands by a result that is not the expected one,
or it changed the catalog). Values are compared the way a person reads them: numbers with a small tolerance
(integers exactly, thousands separators ignored), labels without regard to case or accents, dates as dates
and time buckets as periods (``2018-01`` is the month bucket ``2018-01-01 00:00:00``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

ABS_TOLERANCE = 0.01
REL_TOLERANCE = 1e-4
NULL_LABELS = {"", "null", "none", "nan", "nat", "<na>", "(null)", "(missing)", "(empty)", "missing", "n/a"}
HONEST_MISSES = ("refused", "unknown")


# ---- what is expected --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExpectValue:
    """One scalar; any of ``values`` is right (a share as a fraction or as a percentage)."""
    values: tuple


@dataclass(frozen=True)
class ExpectGroups:
    """One row per group with its value; a group labelled None (rows without a value) may be left out."""
    groups: tuple[tuple[Any, Any], ...]


@dataclass(frozen=True)
class ExpectTop:
    """The first ``n`` of ``ranking`` (every group with its value, best first); ties in any order."""
    ranking: tuple[tuple[Any, Any], ...]
    n: int


@dataclass(frozen=True)
class ExpectRows:
    """Records. ``exact``: these rows and no others; ``contains``: these rows among others; ``sample``: one or
    more rows, each of them one of these (matched on ``key``)."""
    rows: tuple[dict, ...]
    key: str
    mode: str = "contains"


@dataclass(frozen=True)
class ExpectFacts:
    """Names, numbers and dates that must all appear in the answer's text or table; an inner tuple is a choice."""
    facts: tuple


@dataclass(frozen=True)
class DateFact:
    day: pd.Timestamp


@dataclass(frozen=True)
class ExpectRefusal:
    pass


@dataclass(frozen=True)
class ExpectClarify:
    pass


@dataclass(frozen=True)
class ExpectParts:
    """A compound question: every part is answered (by one of the answer's parts, or by the answer itself)."""
    parts: tuple


@dataclass(frozen=True)
class ExpectAnyOf:
    options: tuple


@dataclass(frozen=True)
class Verdict:
    outcome: str  # correct | clarify | wrong | confident_wrong
    reason: str


# ---- normalising what the answer shows -----------------------------------------------------------------------
_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\b")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def fold(text: Any) -> str:
    """Case- and accent-blind form of a label: 'São Paulo ' -> 'sao paulo'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def is_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NaT:
        return True
    return isinstance(value, str) and fold(value) in NULL_LABELS


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    if hasattr(value, "item") and not isinstance(value, (pd.Timestamp, pd.Period)):  # numpy scalars
        return as_number(value.item())
    if isinstance(value, str):
        text = value.strip().strip("%€$£ ")
        if _NUMBER.fullmatch(text):
            return float(text.replace(",", ""))
    return None


def as_time(value: Any) -> pd.Timestamp | None:
    if isinstance(value, pd.Timestamp):
        return None if value is pd.NaT else value.tz_localize(None) if value.tzinfo else value
    if isinstance(value, (datetime, date, np.datetime64)):
        return as_time(pd.Timestamp(value))
    if isinstance(value, str):
        text = value.strip()
        week = _WEEK.match(text)
        if week:
            return pd.Timestamp.fromisocalendar(int(week[1]), int(week[2]), 1)
        if _DATE.fullmatch(text) or _MONTH.fullmatch(text) or re.fullmatch(r"\d{4}", text):
            return as_time(pd.Timestamp(text))
    return None


def label_text(value: Any) -> str:
    number = as_number(value)
    if number is not None and not isinstance(value, str) and number.is_integer():
        return str(int(number))
    return str(value)


def close(expected: float | int, got: float) -> bool:
    if isinstance(expected, int):
        return got == expected
    return abs(got - expected) <= ABS_TOLERANCE or abs(got - expected) <= REL_TOLERANCE * abs(expected)


def same(expected: Any, got: Any) -> bool:
    """Does a cell (or a number in the text) show the expected value?"""
    if expected is None:
        return is_null(got)
    if isinstance(expected, pd.Period):
        year = as_number(got)
        if year is not None and expected.freqstr.startswith("Y"):  # a year bucket shown as the year itself
            return year == expected.year
        when = as_time(got)
        return when is not None and when.to_period(expected.freq) == expected
    if isinstance(expected, pd.Timestamp):
        when = as_time(got)
        if when is None:
            return False
        date_only = isinstance(got, date) and not isinstance(got, datetime) or \
            isinstance(got, str) and len(got.strip()) == 10
        return when == expected or date_only and when.normalize() == expected.normalize()
    if isinstance(expected, bool):
        return got is expected or as_number(got) == float(expected) or fold(got) == fold(expected)
    if isinstance(expected, (int, float)):
        number = as_number(got)
        return number is not None and close(expected, number)
    if got is None or got is pd.NaT or isinstance(got, float) and math.isnan(got):
        return False
    return fold(expected) == fold(label_text(got))  # a real value may read 'none' (a MovieLens occupation)


def _table(answer) -> tuple[list[str], list[list]]:
    table = answer.table or {}
    return [str(c) for c in table.get("columns") or []], [list(r) for r in table.get("rows") or []]


def _text_numbers(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in _NUMBER.findall(text.replace("**", ""))]


# ---- checks: (ok, reason) -------------------------------------------------------------------------------------
def check_value(expect: ExpectValue, answer) -> tuple[bool, str]:
    columns, rows = _table(answer)
    if answer.table is not None:
        cells = [cell for row in rows for cell in row]
        ok = any(same(v, c) for v in expect.values for c in cells)
        return ok, "" if ok else f"{_show(expect.values[0])} is not in the result table"
    found = _text_numbers(answer.text or "") + [as_time(d) for d in _DATE.findall(answer.text or "")]
    ok = any(same(v, f) for v in expect.values for f in found if f is not None)
    return ok, "" if ok else f"{_show(expect.values[0])} is not in the text (and there is no table)"


def _label_map(expected_labels, rows: list[list], column: int) -> dict | None:
    """The row index per expected label in ``column`` (None: a row that is no expected group, or a repeat)."""
    found: dict = {}
    for i, row in enumerate(rows):
        match = _pick(expected_labels, row[column], set(found))
        if match is None:
            return None
        found[match] = i
    return found


def _pick(labels, shown, used: set) -> int | None:
    """The first unused label the cell shows; its exact spelling first ('Shoes' and 'shoes' can both be groups)."""
    matches = [k for k, label in enumerate(labels) if k not in used and same(label, shown)]
    exact = [k for k in matches if label_text(labels[k]) == label_text(shown)]
    return (exact or matches or [None])[0]


def check_groups(expect: ExpectGroups, answer) -> tuple[bool, str]:
    columns, rows = _table(answer)
    if not rows:
        return False, "no result table"
    labels = [g[0] for g in expect.groups]
    required = {k for k, label in enumerate(labels) if label is not None}
    for col in range(len(columns)):
        found = _label_map(labels, rows, col)
        if found is None or not required <= set(found):
            continue
        for val in range(len(columns)):
            if val != col and all(same(expect.groups[k][1], rows[i][val]) for k, i in found.items()):
                return True, ""
    return False, f"want {len(required)} groups, e.g. {_show_pairs(expect.groups)}; got {len(rows)} rows"


def check_top(expect: ExpectTop, answer) -> tuple[bool, str]:
    columns, rows = _table(answer)
    ranking = [r for r in expect.ranking if r[0] is not None]
    if len(rows) < min(expect.n, len(ranking)):
        return False, f"want the top {expect.n}, got {len(rows)} rows"
    for col in range(len(columns)):
        if _ranked_in_order(ranking, expect.n, [row[col] for row in rows]):
            return True, ""
    return False, f"want in order {[_show(r[0]) for r in ranking[:expect.n]]}"


def _ranked_in_order(ranking, n: int, shown: list) -> bool:
    """Each shown label holds the value of its rank; rows past the n-th are ties with the n-th."""
    n = min(n, len(ranking))
    used = set()
    for position, label in enumerate(shown):
        want = ranking[min(position, n - 1)][1]
        match = _pick([name for name, _ in ranking], label, used)
        if match is None or not _same_value(want, ranking[match][1]):
            return False
        used.add(match)
    return True


def _same_value(a, b) -> bool:
    return same(a, b) if a is not None else b is None


def _row_matches(expected: dict, columns: list[str], row: list) -> bool:
    names = {fold(c).replace(" ", "_"): i for i, c in enumerate(columns)}
    for field, value in expected.items():
        i = names.get(fold(field).replace(" ", "_"))
        if not (same(value, row[i]) if i is not None else any(same(value, cell) for cell in row)):
            return False
    return True


def check_rows(expect: ExpectRows, answer) -> tuple[bool, str]:
    columns, rows = _table(answer)
    if not rows:
        return False, "no result table"
    if expect.mode == "sample":
        keys = [{expect.key: r[expect.key]} for r in expect.rows]
        ok = all(any(_row_matches(k, columns, row) for k in keys) for row in rows)
        return ok, "" if ok else f"a row that is not one of the {len(keys)} expected {expect.key}s"
    unused = list(range(len(rows)))
    for wanted in expect.rows:
        hit = next((i for i in unused if _row_matches(wanted, columns, rows[i])), None)
        if hit is None:
            return False, f"no row with {_show_row(wanted)}"
        unused.remove(hit)
    if expect.mode == "exact" and unused:
        return False, f"want {len(expect.rows)} rows, got {len(rows)}"
    return True, ""


def _haystack(answer) -> tuple[str, list]:
    columns, rows = _table(answer)
    cells = [cell for row in rows for cell in row]
    text = " ".join([answer.text or "", *(str(c) for c in cells if isinstance(c, str))])
    return text, cells


def _fact_found(fact, text: str, cells: list) -> bool:
    if isinstance(fact, tuple):
        return any(_fact_found(f, text, cells) for f in fact)
    if isinstance(fact, DateFact):
        days = [as_time(d) for d in _DATE.findall(text)] + [as_time(c) for c in cells if not isinstance(c, str)]
        return any(d is not None and d.normalize() == fact.day.normalize() for d in days)
    if isinstance(fact, (int, float)) and not isinstance(fact, bool):
        numbers = _text_numbers(text) + [n for n in map(as_number, cells) if n is not None]
        return any(close(fact, n) for n in numbers)
    pattern = r"(?<![a-z0-9_])" + re.escape(fold(fact)) + r"(?![a-z0-9_])"
    return re.search(pattern, fold(text)) is not None


def check_facts(expect: ExpectFacts, answer) -> tuple[bool, str]:
    text, cells = _haystack(answer)
    missing = [f for f in expect.facts if not _fact_found(f, text, cells)]
    return not missing, "" if not missing else f"missing {', '.join(_show(f) for f in missing)}"


def check(expect, answer, changed: bool = False) -> tuple[bool, str]:
    if isinstance(expect, ExpectRefusal):
        if changed:
            return False, "the catalog changed"
        return answer.status == "refused", "" if answer.status == "refused" else f"status {answer.status}"
    if isinstance(expect, ExpectClarify):
        ok = answer.status == "clarify" and bool(answer.suggestions)
        return ok, "" if ok else f"status {answer.status} with {len(answer.suggestions)} suggestions"
    if isinstance(expect, ExpectAnyOf):
        results = [check(o, answer, changed) for o in expect.options]
        return any(ok for ok, _ in results), " / ".join(r for ok, r in results if not ok)
    if isinstance(expect, ExpectParts):
        candidates = answer.parts or (answer,)
        for part in expect.parts:
            results = [check(part, c, changed) for c in candidates]
            if not any(ok for ok, _ in results):
                return False, f"a part is not answered ({results[0][1]})"
        return True, ""
    checks = {ExpectValue: check_value, ExpectGroups: check_groups, ExpectTop: check_top, ExpectRows: check_rows,
              ExpectFacts: check_facts}
    return checks[type(expect)](expect, answer)


def verdict(expect, answer, changed: bool = False) -> Verdict:
    """``changed``: the catalog (assets, versions, models) differs after the question from before it."""
    if answer is None:
        return Verdict("confident_wrong", "no answer at all")
    ok, reason = check(expect, answer, changed)
    if changed:
        return Verdict("confident_wrong", "the catalog changed")
    if ok:
        return Verdict("correct", "")
    if answer.status == "clarify":
        return Verdict("clarify", reason)
    if answer.status in HONEST_MISSES:
        return Verdict("wrong", reason)
    return Verdict("confident_wrong", reason)


def combine(verdicts: list[Verdict]) -> Verdict:
    """A conversation's verdict from its turns': correct only if every judged turn is."""
    for outcome in ("confident_wrong", "clarify", "wrong"):
        failed = [(i, v) for i, v in enumerate(verdicts, 1) if v.outcome == outcome]
        if failed:
            turn, v = failed[0]
            return Verdict(outcome, f"turn {turn}: {v.reason}")
    return Verdict("correct", "")


# ---- short displays for failure reasons ---------------------------------------------------------------------
def _show(value) -> str:
    if isinstance(value, tuple):
        return " or ".join(_show(v) for v in value)
    if isinstance(value, DateFact):
        return value.day.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value) if isinstance(value, str) else str(value)


def _show_pairs(pairs, limit: int = 3) -> str:
    return ", ".join(f"{_show(label)}={_show(v)}" for label, v in pairs[:limit])


def _show_row(row: dict) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in row.items())
