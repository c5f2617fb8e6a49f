"""Dates in a question as ranges: "in 2017", "march 2018", "last month", "the past 30 days", "since 2018-06".

Relative phrases are read against the data's own last date (the column's maximum), never the machine's clock:
data exported a year ago still has a "last month". Ranges are half-open, [start, end).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from stocktake.tools.ask.text import Token, parse_number

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month", "months": "month",
         "year": "year", "years": "year", "quarter": "quarter", "quarters": "quarter"}
NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50,
                "hundred": 100, "a": 1, "an": 1}
RELATIVE = ("last", "past", "previous", "recent", "this", "current", "yesterday", "today")

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_WRITTEN = re.compile(rf"\b(?:{_DAY}(?:\s+of)?\s+(?P<month>{_MONTH})\.?|(?P<month2>{_MONTH})\.?\s+"
                      rf"(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?)\s*,?\s+(?P<year>(?:19|20)\d\d)\b", re.I)


def spell_out_dates(question: str) -> str:
    """Written dates as ISO dates, so they read as one day: "25 nov 2017", "Nov 25th, 2017" -> 2017-11-25."""
    def iso(m: re.Match) -> str:
        month = MONTHS[(m["month"] or m["month2"]).lower()]
        day = int(m["day"] or m["day2"])
        try:
            return date(int(m["year"]), month, day).isoformat()
        except ValueError:  # "31 feb 2017": not a day; left as written
            return m.group(0)
    return _WRITTEN.sub(iso, question)


@dataclass(frozen=True)
class DateRange:
    start: int  # token span
    end: int
    low: date | None  # inclusive; None: open
    high: date | None  # exclusive; None: open
    text: str  # how it was read, e.g. "March 2018", "the last 30 days up to 2018-10-17"
    relative: bool = False  # needs the data's last date


def month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1))


def shift_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def find_dates(tokens: list[Token], anchor: date | None) -> list[DateRange]:
    """Every date phrase of the question; relative ones only when ``anchor`` (the data's last day) is known."""
    found, i = [], 0
    while i < len(tokens):
        got = _between(tokens, i, anchor) or _relative(tokens, i, anchor) or _absolute(tokens, i, anchor)
        if got is None:
            i += 1
            continue
        found.append(got)
        i = got.end
    return found


def _absolute(tokens: list[Token], i: int, anchor: date | None) -> DateRange | None:
    t = tokens[i]
    opener = t.norm if t.norm in ("since", "before", "after", "until", "till", "from", "in", "during", "on",
                                  "for", "of") else None
    j = i + 1 if opener else i
    if opener and j < len(tokens) - 1 and tokens[j].norm == "the":  # "in the first half of 2024"
        j += 1
    if j >= len(tokens):
        return None
    point = _point(tokens, j, anchor) or _part_of_year(tokens, j)
    if point is None:
        return None
    low, high, end, text = point
    if opener in ("since", "from"):
        return DateRange(i, end, low, None, f"since {text}")
    if opener in ("before", "until", "till"):
        return DateRange(i, end, None, low if opener == "before" else high, f"{opener} {text}")
    if opener == "after":
        return DateRange(i, end, high, None, f"after {text}")
    return DateRange(i, end, low, high, text)


def _point(tokens: list[Token], j: int, anchor: date | None):
    """(low, high, end token, text) of one absolute date: a year, a month (with or without year), a quarter,
    a day."""
    t = tokens[j]
    nxt = tokens[j + 1] if j + 1 < len(tokens) else None
    if t.kind == "date":
        return _date_token(t.text, j)
    if t.norm in MONTHS:
        month = MONTHS[t.norm]
        if nxt is not None and _year(nxt):
            low, high = month_range(_year(nxt), month)
            return low, high, j + 2, f"{calendar.month_name[month]} {_year(nxt)}"
        if anchor is None or t.norm in ("may", "mar") and (nxt is None or nxt.kind != "number"):
            return None  # "may" and "mar" are words too; a month without a year needs the data's dates
        year = anchor.year if month <= anchor.month else anchor.year - 1
        low, high = month_range(year, month)
        return low, high, j + 1, f"{calendar.month_name[month]} {year}"
    if _year(t):
        y = _year(t)
        return date(y, 1, 1), date(y + 1, 1, 1), j + 1, str(y)
    return None


ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
PARTS = {"quarter": 3, "half": 6}


def _part_of_year(tokens: list[Token], j: int):
    """A quarter or a half of a year: "Q1 2024", "q3 of 2023", "H2 2024", "the first half of 2024", "the
    fourth quarter of 2023"."""
    norms = [t.norm for t in tokens]
    if norms[j][:1] in ("q", "h") and norms[j][1:].isdigit():
        months, n, k = (3 if norms[j][0] == "q" else 6), int(norms[j][1:]), j + 1
    elif norms[j] in ORDINALS and j + 1 < len(norms) and norms[j + 1] in PARTS:
        months, k = PARTS[norms[j + 1]], j + 2
        n = ORDINALS[norms[j]] if norms[j] != "last" else 12 // months
    else:
        return None
    if k < len(tokens) and norms[k] == "of":
        k += 1
    year = _year(tokens[k]) if k < len(tokens) else None
    if year is None or not 1 <= n <= 12 // months:
        return None
    low = date(year, months * (n - 1) + 1, 1)
    name = f"Q{n}" if months == 3 else f"H{n}"
    return low, shift_months(low, months), k + 1, f"{name} {year}"


def _date_token(text: str, j: int):
    text = text.strip()
    try:
        if len(text) == 7 and text[4] == "-":
            y, m = int(text[:4]), int(text[5:])
            low, high = month_range(y, m)
            return low, high, j + 1, f"{calendar.month_name[m]} {y}"
        if "/" in text:
            day = datetime.strptime(text, "%d/%m/%Y").date()
        else:
            day = datetime.fromisoformat(text).date()
    except ValueError:
        return None
    return day, day + timedelta(days=1), j + 1, day.isoformat()


def _year(t: Token) -> int | None:
    if t.kind != "number" or "." in t.text or "," in t.text:
        return None
    value = parse_number(t.text)
    return value if isinstance(value, int) and 1950 <= value <= 2100 else None


def _relative(tokens: list[Token], i: int, anchor: date | None) -> DateRange | None:
    t = tokens[i]
    if anchor is None or t.norm not in RELATIVE:
        return None
    last = f"up to {anchor.isoformat()}, the data's last date"
    if t.norm in ("yesterday", "today"):
        day = anchor - timedelta(days=1) if t.norm == "yesterday" else anchor
        return DateRange(i, i + 1, day, day + timedelta(days=1), f"{day.isoformat()} ({t.norm}, {last})", True)
    j = i + 1
    count = None
    if j < len(tokens) and (tokens[j].kind == "number" or tokens[j].norm in NUMBER_WORDS):
        count = parse_number(tokens[j].text) if tokens[j].kind == "number" else NUMBER_WORDS[tokens[j].norm]
        j += 1
    if j >= len(tokens) or tokens[j].norm not in UNITS:
        return None
    unit = UNITS[tokens[j].norm]
    if count is not None:
        if not isinstance(count, int) or count < 1:
            return None
        low = _back(anchor, unit, count)
        return DateRange(i, j + 1, low, anchor + timedelta(days=1),
                         f"the last {count} {unit}s ({low.isoformat()} to {anchor.isoformat()}, {last})", True)
    current = t.norm in ("this", "current")
    low, high = _calendar(anchor, unit, 0 if current else -1)
    what = f"{'this' if current else 'last'} {unit}"
    return DateRange(i, j + 1, low, high, f"{what}: {low.isoformat()} to {(high - timedelta(days=1)).isoformat()} "
                                          f"({'the period of' if current else 'the one before'} the data's last "
                                          f"date, {anchor.isoformat()})", True)


def _back(anchor: date, unit: str, n: int) -> date:
    if unit == "day":
        return anchor - timedelta(days=n - 1)
    if unit == "week":
        return anchor - timedelta(days=7 * n - 1)
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * n
    total = anchor.year * 12 + anchor.month - 1 - months
    y, m = divmod(total, 12)
    day = min(anchor.day, calendar.monthrange(y, m + 1)[1])
    return date(y, m + 1, day) + timedelta(days=1)


def _calendar(anchor: date, unit: str, offset: int) -> tuple[date, date]:
    """The calendar day/week/month/quarter/year holding the anchor, moved by ``offset`` periods."""
    if unit == "day":
        day = anchor + timedelta(days=offset)
        return day, day + timedelta(days=1)
    if unit == "week":
        monday = anchor - timedelta(days=anchor.weekday()) + timedelta(weeks=offset)
        return monday, monday + timedelta(days=7)
    size = {"month": 1, "quarter": 3, "year": 12}[unit]
    first_month = (anchor.month - 1) // size * size
    start = shift_months(date(anchor.year, first_month + 1, 1), offset * size)
    return start, shift_months(start, size)


def _between(tokens: list[Token], i: int, anchor: date | None) -> DateRange | None:
    if tokens[i].norm not in ("between", "from"):
        return None
    first = _point(tokens, i + 1, anchor) if i + 1 < len(tokens) else None
    if first is None:
        return None
    low, _, k, text_low = first
    if k >= len(tokens) or tokens[k].norm not in ("and", "to", "until", "till", "through"):
        return None
    second = _point(tokens, k + 1, anchor) if k + 1 < len(tokens) else None
    if second is None:
        return None
    _, high, end, text_high = second
    return DateRange(i, end, low, high, f"{text_low} to {text_high}")


def anchor_of(value) -> date | None:
    """The data's last day from a profile maximum (an ISO string, a date or a datetime)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(str(value)).date()
    except ValueError:
        return None
