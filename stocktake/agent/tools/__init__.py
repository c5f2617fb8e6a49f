"""LangChain tools: thin adapters over the engines in ``stocktake.tools``."""

from __future__ import annotations

from stocktake.agent.context import ToolContext
from stocktake.agent.tools.base import AgentTool, BoundTool
from stocktake.errors import StocktakeError


def all_tools() -> list[AgentTool]:
    """Every agent tool, in the order the model sees them."""
    from stocktake.agent.tools import catalog, classify, clean, docs, issues, query, recommend, sources

    return [*catalog.TOOLS, *issues.TOOLS, *query.TOOLS, *docs.TOOLS, *classify.TOOLS, *recommend.TOOLS,
            *clean.TOOLS, *sources.TOOLS]


def build_tools(ctx: ToolContext) -> list[BoundTool]:
    """The tools bound to one context, for the offline planner and direct calls."""
    return [tool.bind(ctx) for tool in all_tools()]


def confirm_required(tools: list) -> list[str]:
    """Names of the tools whose action needs confirmation (stocktake.actions): the agent pauses before each."""
    return [t.name for t in tools if (t.metadata or {}).get("needs_confirmation")]


def confirmation_question(ctx: ToolContext, thread: str, action: str | None, args: dict) -> str:
    """The question put to the user before a tool runs, in plain words; a cleaning session it would act on is
    checked first (it must be this conversation's, and have something to save), so an error says why there is
    nothing to confirm, in the chat's words (the callers show it as it is)."""
    from stocktake import actions
    from stocktake.agent.tools.clean import conversation
    from stocktake.usecases import cleaning

    if action not in ("pick_up_session", "finish_session", "discard_session"):
        return actions.question(action or "", args)
    try:
        return cleaning.question(ctx, action, args.get("session_id"), args.get("mode"), conversation(ctx, thread))
    except StocktakeError as exc:
        raise StocktakeError(exc.for_face("model")) from None
