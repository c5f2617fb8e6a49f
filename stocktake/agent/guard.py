"""Data values are untrusted text: quote and truncate them, and mask PII before a model or a user sees them.

Two layers: emails and phone numbers are masked wherever they occur (by pattern), and every value of a column
that holds personal data (a name, an address: not recognisable by shape) is masked whole, where the caller
knows which column a value comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w])(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{3,4}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})?(?![\w])")


def mask_pii(text: str) -> str:
    """Replace emails and phone numbers with a masked form that keeps only their shape."""
    text = EMAIL.sub(lambda m: _mask_email(m.group()), text)
    return PHONE.sub(lambda m: re.sub(r"\d", "•", m.group()[:-2]) + m.group()[-2:], text)


def _mask_email(email: str) -> str:
    user, _, domain = email.partition("@")
    return f"{user[:1]}***@{domain[:1]}***.{domain.rsplit('.', 1)[-1]}"


def mask_whole(value: Any) -> Any:
    """A personal value with only its shape left: "Jonas Lindqvist" -> "J*** L***"; None stays None."""
    if value is None:
        return None
    text = str(value)
    if EMAIL.fullmatch(text.strip()):
        return _mask_email(text.strip())
    return re.sub(r"\w+", lambda m: m.group()[:1] + "***" if not m.group().isdigit() else "•" * len(m.group()), text)


def mask_record(record: dict, personal: Iterable[str]) -> dict:
    """A row as a dict, the values of personal columns masked whole."""
    personal = set(personal)
    return {k: mask_whole(v) if k in personal else v for k, v in record.items()}


def mask_pairs(text: str, personal: Iterable[str]) -> str:
    """Mask the values in ``column=value`` text (the profiler's example rows) whose column is personal."""
    for column in personal:
        # A value runs to the next ", other=" pair, a closing bracket, the " (xN)" repeat count or the end.
        pattern = rf"(?<![\w.]){re.escape(column)}=(.*?)(?=, [\w.]+=|\)|\s\(x\d+\)$|$)"
        text = re.sub(pattern, lambda m: f"{column}={mask_whole(m.group(1))}", text)
    return text


def quote_value(value: Any, max_chars: int = 80, mask: bool = True) -> str:
    """A data value as inert quoted text: truncated, PII masked, never mistaken for an instruction."""
    if value is None:
        return "null"
    if isinstance(value, (int, float, bool)):
        return str(value)
    text = str(value).replace("\n", " ").replace("\r", " ")
    if mask:
        text = mask_pii(text)
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return '"' + text.replace('"', "'") + '"'
