"""Sniffing and type inference for delimited text: encoding, delimiter, header row and column types.

Columns are read as text first and converted only when every non-null value parses, so that a column
with a few malformed dates stays text (the profiler then reports the values that don't parse) and
values such as zip codes with leading zeros keep their raw text.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa

DELIMITERS = (",", "\t", ";", "|")
WHITESPACE = "whitespace"
NULL_TOKENS = ("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "#N/A")

_INT = re.compile(r"^[+-]?\d+$")
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
)
_DATE_FORMATS = ("%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%Y/%m/%d")
_BOOL = {"true": True, "false": False, "yes": True, "no": False, "t": True, "f": False}
_TIME_NAME = re.compile(r"(time|timestamp|date|_ts$|^ts$|_at$|created|updated|epoch)", re.I)
# Words that name columns rather than hold values; used to decide whether a text-only first row is a header.
_HEADER_WORDS = re.compile(
    r"(^|_|\b)(id|name|date|time|type|category|categories|price|count|qty|quantity|code|description|title|"
    r"rating|status|value|city|state|zip|user|item|product|order|email|phone|label|score|amount|country|"
    r"text|review|url|brand|session|event|timestamp|genre|tag|english)(\b|_|$)", re.I,
)


# Longest first: UTF-32's little-endian mark begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Sniffing reads this much text: below the csv module's field limit (131,072), so one long field cannot trip it.
SAMPLE_CHARS = 100_000


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding used: a forced one, else a byte-order mark (UTF-8, UTF-16, UTF-32), else UTF-8, else
    Latin-1 (which never fails). A UTF-8 mark is dropped under any forced encoding, so that ``--encoding latin-1``
    reads a file that starts with one and then mixes in Latin-1 bytes."""
    bom, marked = next(((mark, name) for mark, name in _BOMS if raw.startswith(mark)), (b"", None))
    if encoding:
        skip = len(bom) if bom == codecs.BOM_UTF8 and codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig") else 0
        return _decoded(raw, encoding, skip).removeprefix("\ufeff"), encoding
    if marked:
        return _decoded(raw, marked, 0).removeprefix("\ufeff"), marked
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _decoded(raw: bytes, encoding: str, skip: int) -> str:
    """``raw[skip:]`` decoded; a failure reports the offset in ``raw`` (utf-8-sig counts from after its mark)."""
    try:
        return raw[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        offset = skip + (len(codecs.BOM_UTF8) if codecs.lookup(encoding).name == "utf-8-sig" else 0)
        raise UnicodeDecodeError(exc.encoding, raw, exc.start + offset, exc.end + offset, exc.reason) from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def looks_binary(text: str) -> bool:
    """Decoded text with NUL characters, a Parquet file's magic, or many control characters (random bytes read as
    Latin-1 are about a quarter control characters; text has next to none) is not delimited text."""
    head = text[:8192]
    return "\x00" in head or head.startswith("PAR1") or len(_CONTROL.findall(head)) > 0.15 * len(head)


def _sample_lines(text: str, limit: int = 200) -> list[str]:
    return [line for line in text[:SAMPLE_CHARS].splitlines()[:limit] if line.strip()]


def sniff_delimiter(text: str) -> str | None:
    """The delimiter that splits the first lines into the most consistent number (>1) of fields."""
    lines = _sample_lines(text)
    if not lines:
        return None
    best, best_score = None, (0.0, 0)
    for delim in DELIMITERS:
        counts = [len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)]
        score = _consistency(counts)
        if score > best_score:
            best, best_score = delim, score
    ws_score = _consistency([len(line.split()) for line in lines])
    if ws_score[0] >= 0.99 and ws_score > best_score and best_score[0] < 0.99:
        return WHITESPACE
    return _doubled(best, lines) if best else best


def _doubled(delim: str, lines: list[str]) -> str:
    """``||`` rather than ``|`` where the delimiter only ever comes in pairs (a single one would leave an empty
    column between every two)."""
    pair = delim * 2
    if all(pair in line and line.count(delim) == 2 * line.count(pair) for line in lines):
        return pair
    return delim


def _consistency(counts: list[int]) -> tuple[float, int]:
    """(share of lines with the most common field count, that count), or zero where it is one field."""
    if not counts:
        return (0.0, 0)
    mode, freq = Counter(counts).most_common(1)[0]
    return (freq / len(counts), mode) if mode > 1 else (0.0, 0)


def has_header(rows: list[list[str]]) -> bool:
    """Whether the first of these rows names the columns rather than holding values."""
    if len(rows) < 2:
        return bool(rows) and _lone_row_is_header(rows[0])
    first, body = rows[0], rows[1:]
    if any(_is_number(v) for v in first if v):
        return False
    for i, name in enumerate(first):
        values = [r[i] for r in body if i < len(r) and r[i] not in NULL_TOKENS]
        if values and all(_is_number(v) or _ISO.match(v) for v in values):
            return True  # a typed column under a text cell
    if any(_HEADER_WORDS.search(v) for v in first if v):
        return True
    if len(first) < 2:
        return False
    named = [v for v in first if v]
    columns = [{r[i] for r in body if i < len(r)} for i in range(len(first))]
    return len(set(named)) == len(named) and not any(v in columns[i] for i, v in enumerate(first) if v)


def _lone_row_is_header(row: list[str]) -> bool:
    """A file of one line: a header with no data yet when its cells are distinct names, not values."""
    if all(_HEADER_WORDS.search(v or "") for v in row):
        return True
    cells = [v.strip() for v in row]
    return (len(cells) > 1 and all(cells) and len(set(cells)) == len(cells)
            and not any(_is_number(v) or _ISO.match(v) for v in cells))


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return value.strip().lower() not in ("nan", "inf", "-inf", "infinity")


def infer_column(name: str, values: pd.Series) -> pd.Series:
    """Convert a text column to the narrowest type that loses no information."""
    present = values.dropna()
    if present.empty:
        return values.astype("string")
    text = present.astype(str).str.strip()
    for convert in (_to_bool, _to_int, _to_float, _to_datetime):
        converted = convert(name, text)
        if converted is not None:
            return converted.reindex(values.index)
    return values.astype("string")


def _to_bool(name: str, text: pd.Series) -> pd.Series | None:
    lowered = text.str.lower()
    if not lowered.isin(list(_BOOL)).all():
        return None
    return lowered.map(_BOOL).astype("boolean")


def _to_int(name: str, text: pd.Series) -> pd.Series | None:
    if not text.str.match(_INT).all():
        return None
    digits = text.str.lstrip("+-")
    if ((digits.str.len() > 1) & digits.str.startswith("0")).any() or (digits.str.len() > 18).any():
        return None  # leading zeros (zip codes, padded ids) or beyond int64: keep the raw text
    ints = text.astype("int64")
    if _TIME_NAME.search(name):
        as_time = _epoch_or_yyyymmdd(ints)
        if as_time is not None:
            return as_time
    return ints.astype("Int64")


def _epoch_or_yyyymmdd(ints: pd.Series) -> pd.Series | None:
    lo, hi = ints.min(), ints.max()
    if 19000101 <= lo and hi <= 21001231:
        parsed = pd.to_datetime(ints.astype(str), format="%Y%m%d", errors="coerce")
        return _as_date(parsed.dt.date) if parsed.notna().all() else None
    if 10**8 <= lo and hi < 4 * 10**9:
        return pd.to_datetime(ints, unit="s").dt.as_unit("s")
    if 10**11 <= lo and hi < 4 * 10**12:
        return pd.to_datetime(ints, unit="ms").dt.as_unit("ms")
    return None


def _to_float(name: str, text: pd.Series) -> pd.Series | None:
    numbers = pd.to_numeric(text, errors="coerce")
    # Leading zeros, integers past float precision and numbers past float range (1e400 would become inf)
    # would not survive the round trip.
    lossy = text.str.match(r"^[+-]?0\d") | (text.str.match(_INT) & (text.str.len() > 15)) | np.isinf(numbers)
    if numbers.isna().any() or lossy.any() or text.str.lower().isin(["nan", "inf", "-inf", "infinity"]).any():
        return None
    return numbers.astype("float64")


def _to_datetime(name: str, text: pd.Series) -> pd.Series | None:
    if text.str.match(_ISO).all():
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=text.str.contains(r"Z$|[+-]\d{2}:?\d{2}$").any())
        if parsed.notna().all():
            return _date_or_timestamp(parsed)
        return None
    for fmt in _DATE_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if parsed.notna().all():
            return _date_or_timestamp(parsed)
    return None


def _date_or_timestamp(parsed: pd.Series) -> pd.Series:
    naive = parsed.dt.tz_convert(None) if parsed.dt.tz is not None else parsed
    if (naive == naive.dt.normalize()).all() and parsed.dt.tz is None:
        return _as_date(naive.dt.date)
    return parsed.dt.as_unit("us")


def _as_date(values: pd.Series) -> pd.Series:
    array = pa.array(values.to_numpy(dtype=object), type=pa.date32())
    return pd.Series(pd.arrays.ArrowExtensionArray(array), index=values.index)


def infer_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Infer every text column of a frame; typed columns (from Parquet, Excel, SQLite) stay as they are."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        is_text = col.dtype == object or pd.api.types.is_string_dtype(col.dtype)
        if is_text and col.map(lambda v: isinstance(v, str) or v is None or (isinstance(v, float) and np.isnan(v))).all():
            out[name] = infer_column(str(name), col.where(col.notna(), None))
        else:
            out[name] = col
    return pd.DataFrame(out, index=frame.index)


def clean_names(names: list[str]) -> tuple[list[str], list[str]]:
    """Unique, non-empty column names, and a warning for each one that had to be renamed."""
    result, warnings, seen = [], [], Counter()
    for i, raw in enumerate(names, start=1):
        name = (raw or "").strip()
        if not name:
            name = f"unnamed_{i}"
            warnings.append(f"column {i} has no name; renamed to '{name}'")
        seen[name] += 1
        if seen[name] > 1:
            new = f"{name}_{seen[name]}"
            while new in seen:
                seen[name] += 1
                new = f"{name}_{seen[name]}"
            warnings.append(f"column {i} repeats the name '{name}'; renamed to '{new}'")
            seen[new] += 1
            name = new
        result.append(name)
    return result, warnings
