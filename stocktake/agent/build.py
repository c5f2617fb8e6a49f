"""The LangChain agent: tools, a catalog-grounded system prompt, memory per conversation, a step limit."""

from __future__ import annotations

from langchain_core.messages import AnyMessage, ToolMessage
from langchain_core.tools import BaseTool

from stocktake.agent.context import ToolContext
from stocktake.agent.tools import confirm_required
from stocktake.catalog import Catalog
from stocktake.prompts import read_prompt
from stocktake.settings import LLMSettings


def catalog_summary(catalog: Catalog, max_columns: int = 40) -> str:
    """Asset and column names for the system prompt, so the model uses real names."""
    parts = []
    for asset in catalog.list_assets():
        cols = ", ".join(f"{c.name} ({c.type})" for c in asset.columns[:max_columns])
        more = f", … {len(asset.columns) - max_columns} more" if len(asset.columns) > max_columns else ""
        parts.append(f"- {asset.name} [{asset.kind}, {asset.rows:,} rows]: {cols}{more}")
    return "\n".join(parts) or "(no assets yet: the user can ingest files with `stocktake ingest PATH`)"


def answer_open_calls(messages: list[AnyMessage]) -> list[AnyMessage]:
    """Each tool call without a result gets one saying it did not run, right after the call."""
    answered = {m.tool_call_id for m in messages if m.type == "tool"}
    out: list[AnyMessage] = []
    for message in messages:
        out.append(message)
        for call in (message.tool_calls if message.type == "ai" else []):
            if call["id"] not in answered:
                out.append(ToolMessage("No result: the answer was stopped, or the user moved on without confirming.",
                                       tool_call_id=call["id"], name=call["name"], status="error"))
    return out


def build_agent(llm, tools: list[BaseTool], catalog: Catalog, settings: LLMSettings = LLMSettings()):
    """A ``create_agent`` graph; tools that change data interrupt for confirmation first."""
    from langchain.agents import create_agent
    from langchain.agents.middleware import (HumanInTheLoopMiddleware, ModelCallLimitMiddleware, dynamic_prompt,
                                             wrap_model_call)
    from langgraph.checkpoint.memory import InMemorySaver

    template = read_prompt("system.md")

    @dynamic_prompt
    def grounded_prompt(request) -> str:
        # Rebuilt on every model call: the catalog can change during a conversation (uploads, new versions).
        return template.format(catalog=catalog_summary(catalog))

    @wrap_model_call
    def no_open_calls(request, handler):
        # A run cut short (Stop, or a question typed instead of a confirmation) leaves tool calls without results
        # in the thread, and chat APIs refuse such a history.
        return handler(request.override(messages=answer_open_calls(request.messages)))

    gated = confirm_required(tools)
    middleware = [grounded_prompt, no_open_calls,
                  ModelCallLimitMiddleware(run_limit=settings.max_steps, exit_behavior="end")]
    if gated:
        middleware.append(HumanInTheLoopMiddleware(
            interrupt_on={name: {"allowed_decisions": ["approve", "reject"]} for name in gated},
            description_prefix="This changes data and needs your confirmation",
        ))
    return create_agent(llm, tools, middleware=middleware, checkpointer=InMemorySaver(), context_schema=ToolContext)
