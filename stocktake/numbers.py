"""How numbers are written for people, everywhere they are shown (chat, app, report, CLI).

Two rules. Ids and years are written as typed: "100725" and "2023", never "100,725" or "2,023", since a
separator makes an id unsearchable and a year unreadable. A fraction (a metric, a share) is written to four
decimals, so that 0.0076 and 0.0369 line up and compare at a glance; larger measures get two decimals and
separators.
"""

from __future__ import annotations

import re
from typing import Any

DECIMALS = 4
# Words that make a column one of identifiers or calendar numbers: "id", "user_id", "orderId", "year", "zip"...
IDENTIFIER_WORDS = frozenset({"id", "ids", "key", "code", "sku", "ean", "isbn", "zip", "zipcode", "postcode",
                              "phone", "year", "yr"})


def is_identifier(column: str) -> bool:
    """Whether the values of ``column`` name things or years rather than count them."""
    words = re.split(r"[^a-z0-9]+", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(column)).lower())
    words = [w for w in words if w]
    return bool(words) and (words[-1] in IDENTIFIER_WORDS or words[0] in ("id", "year"))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def decimal_text(value: float) -> str:
    """A non-whole number: four decimals below one, two with separators from one up (and for zero)."""
    if value != value:
        return "NaN"
    if abs(value) >= 1 or value == 0:
        return f"{value:,.2f}"
    text = f"{value:.{DECIMALS}f}"
    # Only a value too small for four decimals keeps its digits, rather than reading as zero.
    return text if value == 0 or float(text) != 0 else f"{value:.1e}"


def metric_text(value: Any) -> str:
    """A model metric or a score: four decimals, whatever its size (train seconds included)."""
    if not is_number(value):
        return str(value)
    return str(value) if isinstance(value, int) else f"{value:.{DECIMALS}f}"


def measure_text(value: Any) -> str:
    """A count or an amount: whole numbers with separators, others by :func:`decimal_text`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return decimal_text(value) if isinstance(value, float) else str(value)


def value_text(column: str, value: Any) -> str:
    """A number in a result table: as typed in an id or year column, else as a measure."""
    if is_identifier(column) and is_number(value):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return measure_text(value)
