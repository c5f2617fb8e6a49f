"""Guessing which column plays which part from the names (a name the caller gives is matched by
``stocktake.usecases.services.matched_column``)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable


def first_match(patterns: Iterable[str], names: list[str], taken: Collection[str | None] = ()) -> str | None:
    """The first column not ``taken`` whose name matches a pattern, trying the patterns in order (most specific
    first), so ``user_id`` wins over ``user_agent`` when both are there."""
    return next((c for p in patterns for c in names if c not in taken and re.search(p, c, re.I)), None)
