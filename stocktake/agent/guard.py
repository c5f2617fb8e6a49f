"""Data values are untrusted text: quote and truncate them, and mask PII before a model sees them."""

from __future__ import annotations

import re
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
