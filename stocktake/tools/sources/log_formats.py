"""One log line as a row: web-server access logs (the combined format, and the common format that is its first
part), JSON lines, or a user's regular expression with named groups.

A parser turns a line into a dict, or raises ``BadLine`` saying in a few words why the line does not fit. Rows
share the column names ``timestamp`` (a datetime, with its offset where the log gives one), ``user``,
``session``, ``action`` and ``item`` where the log has them, so that logs of any format read as events.
"""

from __future__ import annotations

import json
import re
import re._constants as sre  # the parsed form of a pattern (private, but unchanged since Python 3.11)
import re._parser as sre_parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

import pyarrow as pa

from stocktake.errors import Remedy, StocktakeError
from stocktake.tools.ingest_files import shown


class BadLine(ValueError):
    """A line that does not fit the format; the message says why."""


@dataclass(frozen=True)
class LogFormat:
    name: str  # combined | jsonl | regex
    described: str  # what a log of this format is, in words
    parse: Callable[[str], dict]
    types: dict[str, pa.DataType] = field(default_factory=dict)  # columns whose type does not depend on the values


_QUOTED = r'"((?:[^"\\]|\\.)*)"'
# host ident user [time] "request" status bytes, then "referrer" "user agent" in the combined format and maybe
# more fields after them; a line cut off inside the referrer or user agent fits neither, so it is a bad line
_COMBINED = re.compile(rf'(\S+) (\S+) (\S+) \[([^\]]*)\] {_QUOTED} (\d{{3}}|-) (\d+|-)(?: {_QUOTED} {_QUOTED}.*)?')
_CLF_TIME = re.compile(r"(\d{1,2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ?([+-])(\d{2}):?(\d{2})")
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_EPOCH = re.compile(r"\d{9,13}(?:\.\d+)?")
_ID = re.compile(r"\d+|(?=[^/]*\d)[0-9a-fA-F-]{8,}")  # numbers, hex ids and UUIDs: what varies in a path
# The words in a request's path that say what the visitor did; anything else is named by method and path pattern.
_ACTIONS = (({"checkout", "purchase", "buy"}, "purchase"), ({"cart", "basket"}, "cart"), ({"search"}, "search"))
_ITEM_WORDS = {"product", "products", "item", "items"}  # /product/123: the segment after one is the item
_ITEM_KEYS = {"product_id", "item_id", "product", "item", "sku"}  # ?product_id=123


def parse_combined(line: str) -> dict:
    m = _COMBINED.fullmatch(line)
    if m is None:
        raise BadLine("not in the combined or common format")
    client, _, user, stamp, request, status, size, referrer, agent = m.groups()
    method, target = _request(request)
    item = item_of(target) if method else None
    user = None if user == "-" else user
    # No cookie is logged, so a visitor who did not log in is known by address only: user, else client address.
    return {"timestamp": clf_time(stamp), "session": user or client, "user": user, "client": client,
            "action": action_of(method, target, item), "item": item, "method": method, "path": target,
            "status": None if status == "-" else int(status), "bytes": None if size == "-" else int(size),
            "referrer": _dash(referrer), "user_agent": _dash(agent)}


def _dash(text: str | None) -> str | None:
    return None if text in (None, "", "-") else text


def _request(request: str) -> tuple[str | None, str | None]:
    """``GET /a?b HTTP/1.1`` as method and target; a request that is no HTTP request (a TLS probe, ``-``) keeps its
    text as the target, with no method."""
    parts = request.split(" ")
    if 2 <= len(parts) <= 3 and parts[0].isalpha() and parts[0].isupper():
        return parts[0], parts[1]
    return None, _dash(request)


def item_of(target: str) -> str | None:
    """The item a request is about: the segment after /product/ or /item/, or a product_id (item_id, sku) value."""
    path, _, query = target.partition("?")
    segments = [s for s in path.split("/") if s]
    for word, following in zip(segments, segments[1:]):
        if word.lower() in _ITEM_WORDS:
            return following
    return next((value for key, value in parse_qsl(query) if key.lower() in _ITEM_KEYS and value), None)


def action_of(method: str | None, target: str | None, item: str | None) -> str | None:
    """purchase, cart or search where the path says so, view for a GET of an item's page, else the method and the
    path with its ids replaced (``GET /api/orders/{id}``), so that requests for different ids share an action."""
    if method is None or target is None:
        return None
    segments = [s for s in target.partition("?")[0].split("/") if s]
    words = {s.lower() for s in segments}
    for names, action in _ACTIONS:
        if words & names:
            return action
    if item is not None and method in ("GET", "HEAD"):
        return "view"
    return f"{method} /" + "/".join("{id}" if _ID.fullmatch(s) else s for s in segments)


def clf_time(text: str) -> datetime:
    """``10/Oct/2000:13:55:36 -0700`` (month names in English whatever the locale)."""
    m = _CLF_TIME.fullmatch(text)
    month = _MONTHS.get(m.group(2).lower()) if m else None
    if month is None:
        raise BadLine(f"bad timestamp '{shown(text[:40])}'")
    day, _, year, hour, minute, second, sign, off_h, off_m = m.groups()
    offset = (1 if sign == "+" else -1) * timedelta(hours=int(off_h), minutes=int(off_m))
    try:
        return datetime(int(year), month, int(day), int(hour), int(minute), int(second), tzinfo=timezone(offset))
    except ValueError:
        raise BadLine(f"bad timestamp '{shown(text[:40])}'") from None


def parse_time(value: object) -> datetime:
    """An ISO 8601 time, a combined-format time, or seconds (milliseconds past 1e11) since the epoch."""
    text = value.strip() if isinstance(value, str) else None
    if text is not None and _EPOCH.fullmatch(text):
        value = float(text)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000 if abs(value) >= 1e11 else value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            pass
    elif text is not None:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return clf_time(text)
    raise BadLine(f"bad timestamp '{shown(str(value)[:40])}'")


# Where each shared column comes from in a JSON line (flattened keys, first found wins; its own name first, so
# that a key already named so is never overwritten by another).
_ROLES = {"timestamp": ("timestamp", "@timestamp", "ts", "time", "datetime", "date", "event_time", "created_at"),
          "user": ("user", "user_id", "userId", "user.id", "uid", "username", "customer_id"),
          "session": ("session", "session_id", "sessionId", "session.id", "sid"),
          "action": ("action", "event_type", "eventType", "event", "event.type", "type"),
          "item": ("item", "item_id", "itemId", "item.id", "product_id", "productId", "product.id", "product", "sku")}
_DEPTH = 6  # nested objects deeper than this stay JSON text


def parse_jsonl(line: str) -> dict:
    try:
        value = json.loads(line)
        if not isinstance(value, dict):
            raise BadLine("not a JSON object")
        flat = dict(_flatten(value, ""))
    except (ValueError, RecursionError) as exc:
        raise BadLine(str(exc) if isinstance(exc, BadLine) else "not JSON") from None
    row = {}
    for role, keys in _ROLES.items():
        key = next((k for k in keys if k in flat), None)
        if key is not None:
            row[role] = flat.pop(key)
    if row.get("timestamp") is not None:
        row["timestamp"] = parse_time(row["timestamp"])
    return row | flat


def _flatten(value: dict, prefix: str, depth: int = 0) -> Iterator[tuple[str, object]]:
    """Nested objects as dotted keys (``http.status``); lists, and objects nested too deep, as JSON text."""
    for key, v in value.items():
        if isinstance(v, dict) and v and depth < _DEPTH:
            yield from _flatten(v, f"{prefix}{key}.", depth + 1)
        else:
            yield f"{prefix}{key}", json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v


_TIME_GROUPS = ("timestamp", "ts", "time")


def regex_format(text: str | None, source: str) -> LogFormat:
    """The user's pattern, matched from the start of each line; its named groups are the columns (text), the
    first of ts/time/timestamp parsed as the ``timestamp``."""
    pattern = compile_pattern(text, source)
    stamp = next((n for n in pattern.groupindex if n in _TIME_GROUPS), None)

    def parse(line: str) -> dict:
        m = pattern.match(line)
        if m is None:
            raise BadLine("does not match --pattern")
        row = m.groupdict()
        if stamp is not None:
            value = row.pop(stamp)
            row = {"timestamp": None if value is None else parse_time(value)} | row
        return row

    return LogFormat("regex", "log read with a regular expression", parse)


def compile_pattern(text: str | None, source: str) -> re.Pattern:
    """The pattern compiled; a syntax error, no named group, or a repetition inside a repetition is refused.

    Python's ``re`` cannot be stopped once matching, and ``(a+)+`` and its like take exponential time on a long
    line that almost matches; lines are bounded (``max_line_bytes``), but only refusing nested repetition keeps
    the time linear. Alternatives that overlap (``(a|ab)*``) can still be slow: that risk is the pattern's own."""
    def refuse(why: str) -> StocktakeError:
        return StocktakeError(f"Source '{source}': {why}.", Remedy("source-log-pattern"))

    if not text:
        raise refuse("--format regex needs --pattern, a regular expression with named groups")
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise refuse(f"--pattern is not a valid regular expression ({exc})") from None
    if not pattern.groupindex:
        raise refuse("--pattern has no named group, such as (?P<ts>\\S+), to make a column of")
    if _nested_repeat(sre_parse.parse(text, pattern.flags)):
        raise refuse("--pattern repeats a repetition, like (a+)+, which can take exponential time on a long line")
    return pattern


_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def _nested_repeat(items, inside: bool = False) -> bool:
    """Whether an unbounded repetition sits inside another one, at any depth."""
    for op, arg in items:
        if op in _REPEATS:
            unbounded = arg[1] == sre.MAXREPEAT
            if (inside and unbounded) or _nested_repeat(arg[2], inside or unbounded):
                return True
        elif any(_nested_repeat(sub, inside) for sub in _parts(op, arg)):
            return True
    return False


def _parts(op, arg) -> list:
    if op is sre.SUBPATTERN:
        return [arg[3]]
    if op is sre.BRANCH:
        return list(arg[1])
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [arg[1]]
    if op is sre.ATOMIC_GROUP:
        return [arg]
    if op is sre.GROUPREF_EXISTS:
        return [a for a in arg[1:] if a is not None]
    return []


COMBINED = LogFormat("combined", "web-server access log (combined or common format)", parse_combined,
                     {"status": pa.int64(), "bytes": pa.int64()})
JSONL = LogFormat("jsonl", "JSON-lines log", parse_jsonl)
SNIFFED = (JSONL, COMBINED)  # the formats a file's first lines are tried in


def sniff(lines: list[str]) -> LogFormat | None:
    """The format that more than half of a file's first (non-blank) lines parse in, or None."""
    def parsed(fmt: LogFormat) -> int:
        return sum(1 for line in lines if _fits(fmt, line))

    best = max(SNIFFED, key=parsed)
    return best if lines and 2 * parsed(best) > len(lines) else None


def _fits(fmt: LogFormat, line: str) -> bool:
    try:
        fmt.parse(line)
    except BadLine:
        return False
    return True
