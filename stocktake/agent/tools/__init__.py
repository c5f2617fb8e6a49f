"""LangChain tools: thin adapters over the engines in ``stocktake.tools``."""

from __future__ import annotations

from langchain_core.tools import BaseTool

from stocktake.agent.context import ToolContext


def build_tools(ctx: ToolContext) -> list[BaseTool]:
    from stocktake.agent.tools import catalog, classify, clean, docs, query, recommend

    return [*catalog.build(ctx), *query.build(ctx), *docs.build(ctx), *classify.build(ctx), *recommend.build(ctx),
            *clean.build(ctx)]


def confirm_required(tools: list[BaseTool]) -> list[str]:
    """Names of the tools that change data: the agent pauses for the user's confirmation before each."""
    return [t.name for t in tools if (t.metadata or {}).get("changes_data")]
