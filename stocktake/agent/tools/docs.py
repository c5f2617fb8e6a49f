"""The schema-documentation tool: hybrid retrieval over indexed docs, with citations."""

from __future__ import annotations

import re
from dataclasses import dataclass


from stocktake.agent.context import ToolContext
from stocktake.agent.guard import quote_value
from stocktake.agent.tools.base import AgentTool, agent_tool, lines
from stocktake.tools.profile import mask_text


def build(ctx: ToolContext) -> list[AgentTool]:
    @agent_tool
    def search_schema_docs(question: str, asset: str | None = None, k: int = 5) -> tuple[str, dict]:
        """Search the schema documentation: what a column means, where something is stored. Cite the source.

        Args:
            question: The user's question in their words, e.g. "when was the order approved?".
            asset: Only docs linked to this asset; all docs when empty.
            k: How many passages to return.
        """
        from stocktake.tools.docs import refresh_profile_docs, search_docs

        if asset:
            ctx.asset(asset)
        # Generated docs follow the catalog: assets with a new version get theirs rewritten before searching.
        refresh_profile_docs(ctx.docs_store, ctx.catalog)
        hits = rank_hits(question, search_docs(ctx.docs_store, question, k=k, asset=asset))
        if not hits:
            return ("No schema documentation matches. Index docs with `stocktake docs add PATH` "
                    "(Markdown, YAML/dbt, CSV dictionaries, SQL DDL)."), {"hits": []}
        text = lines((f"[{i}] {quote_value(h.text, ctx.settings.guard.max_value_chars * 4)} — source: {h.location}"
                      + (f" (asset {h.asset}" + (f", column {h.column})" if h.column else ")") if h.asset else ""))
                     for i, h in enumerate(hits, start=1))
        # Docs are masked as indexed; a doc indexed before that is masked here by value all the same.
        return f"{len(hits)} passages:\n{text}", {"hits": [{**h.to_dict(), "text": mask_text(h.text)} for h in hits]}

    return [search_schema_docs]


@dataclass(frozen=True)
class RankSettings:
    # A table's own passage goes before one of its columns' passages that scores at most this much higher:
    # "where is the product catalogue stored" is answered by the products table, not its category column.
    table_margin: float = 0.05


def rank_hits(question: str, hits: list, settings: RankSettings = RankSettings()) -> list:
    """Passages on a column the question names ("events.event_type", "event_type") first; where it names
    none, a table's own passage before its columns' passages that score about as high."""
    idents = {w.lower() for w in re.findall(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?", question)}

    def named(h) -> int:
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
