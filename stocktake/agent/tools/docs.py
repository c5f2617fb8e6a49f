"""The schema-documentation tool: hybrid retrieval over indexed docs, with citations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext
from stocktake.agent.guard import quote_value
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.tools.profile import mask_text

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime


@agent_tool
def search_schema_docs(question: str, asset: str | None = None, k: int = 5, *,
                       runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Search the schema documentation: what a column means, where something is stored. Cite the source.

    Args:
        question: The user's question in their words, e.g. "when was the order approved?".
        asset: Only docs linked to this asset; all docs when empty.
        k: How many passages to return.
    """
    from stocktake.usecases.docs import search_docs

    ctx = runtime.context
    hits = search_docs(ctx, question, k=k, asset=asset)
    if not hits:
        return ("No schema documentation matches. Index docs with `stocktake docs add PATH` "
                "(Markdown, YAML/dbt, CSV dictionaries, SQL DDL)."), {"hits": []}
    text = lines((f"[{i}] {quote_value(h.text, ctx.settings.guard.max_value_chars * 4)} — source: {h.location}"
                  + (f" (asset {h.asset}" + (f", column {h.column})" if h.column else ")") if h.asset else ""))
                 for i, h in enumerate(hits, start=1))
    # Docs are masked as indexed; a doc indexed before that is masked here by value all the same.
    return f"{len(hits)} passages:\n{text}", {"hits": [{**h.to_dict(), "text": mask_text(h.text)} for h in hits]}


TOOLS = [search_schema_docs]
