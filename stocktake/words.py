"""Counted nouns for messages, shared by the engines, the CLI, the agent and the app."""

from __future__ import annotations


def plural(n: int, noun: str) -> str:
    """``1 relationship``, ``2,500 rows``, ``3 copies``: the count and the noun in agreement."""
    if n == 1:
        return f"1 {noun}"
    return f"{n:,} {noun[:-1] + 'ies' if noun.endswith('y') and noun[-2:-1] not in 'aeiou' else noun + 's'}"
