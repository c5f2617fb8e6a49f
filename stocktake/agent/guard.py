"""Data values are untrusted text: quote and truncate them, and mask PII before a model or a user sees them.

Finding and masking personal data is the profiler's (stocktake.tools.profile.pii, the masker behind the profiler's
PII counts, stored profiles and SQL results), so every path to a model uses the same patterns; what is left here
is how the agent quotes a value and how much of it a model sees.
"""

from __future__ import annotations

from typing import Any

from stocktake.tools.profile import MaskSettings, mask_text

__all__ = ["quote_value"]


def quote_value(value: Any, max_chars: int = 80, mask: bool = True) -> str:
    """A data value as inert quoted text: truncated, PII masked, never mistaken for an instruction."""
    if value is None:
        return "null"
    if isinstance(value, (int, float, bool)):
        return str(value)
    # Cut before masking (a little beyond the cut, so that a value straddling it is still recognised).
    text = str(value)[: max_chars + 64].replace("\n", " ").replace("\r", " ")
    if mask:
        text = mask_text(text, MaskSettings(max_chars + 64))
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return '"' + text.replace('"', "'") + '"'
