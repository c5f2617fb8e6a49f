"""LangChain tools: thin adapters over the engines in ``stocktake.tools``."""

from __future__ import annotations

from stocktake.agent.context import ToolContext
from stocktake.agent.tools.base import AgentTool


def build_tools(ctx: ToolContext) -> list[AgentTool]:
    from stocktake.agent.tools import catalog, classify, clean, docs, query, recommend

    return [*catalog.build(ctx), *query.build(ctx), *docs.build(ctx), *classify.build(ctx), *recommend.build(ctx),
            *clean.build(ctx)]


def confirm_required(tools: list) -> list[str]:
    """Names of the tools that change data: the agent pauses for the user's confirmation before each."""
    return [t.name for t in tools if (t.metadata or {}).get("changes_data")]
