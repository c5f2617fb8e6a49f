"""The schema-documentation tool: hybrid retrieval over indexed docs, with citations."""

from __future__ import annotations

from langchain_core.tools import BaseTool

from stocktake.agent.context import ToolContext
from stocktake.agent.guard import quote_value
from stocktake.agent.tools.base import agent_tool, lines


def build(ctx: ToolContext) -> list[BaseTool]:
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
        hits = search_docs(ctx.docs_store, question, k=k, asset=asset)
        if not hits:
            return ("No schema documentation matches. Index docs with `stocktake docs add PATH` "
                    "(Markdown, YAML/dbt, CSV dictionaries, SQL DDL)."), {"hits": []}
        text = lines((f"[{i}] {quote_value(h.text, ctx.settings.guard.max_value_chars * 4)} — source: {h.location}"
                      + (f" (asset {h.asset}" + (f", column {h.column})" if h.column else ")") if h.asset else ""))
                     for i, h in enumerate(hits, start=1))
        return f"{len(hits)} passages:\n{text}", {"hits": [h.to_dict() for h in hits]}

    return [search_schema_docs]
