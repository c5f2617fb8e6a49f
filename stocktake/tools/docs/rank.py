"""The order in which hits answer a question: the search ranks passages by relevance alone, but a passage on
the very column a question names answers it first, and a question on a table is answered by the table."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stocktake.tools.docs.model import DocHit


@dataclass(frozen=True)
class RankSettings:
    # A table's own passage goes before one of its columns' passages that scores at most this much higher:
    # "where is the product catalogue stored" is answered by the products table, not its category column.
    table_margin: float = 0.05


def rank_hits(question: str, hits: list[DocHit], settings: RankSettings = RankSettings()) -> list[DocHit]:
    """Passages on a column the question names ("events.event_type", "event_type") first; where it names
    none, a table's own passage before its columns' passages that score about as high."""
    idents = {w.lower() for w in re.findall(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?", question)}

    def named(h: DocHit) -> int:
        if not h.column:
            return 2
        if f"{h.asset}.{h.column}".lower() in idents:
            return 0
        return 1 if h.column.lower() in idents or any(i.endswith(f".{h.column.lower()}") for i in idents) else 2

    ranked = sorted(hits, key=named)  # stable: the search's own order within each group
    top = ranked[0] if ranked else None
    if top is not None and top.column and named(top) == 2:
        table = next((h for h in ranked if h.asset == top.asset and not h.column), None)
        if table is not None and table.score >= top.score - settings.table_margin:
            ranked.remove(table)
            ranked.insert(0, table)
    return ranked
