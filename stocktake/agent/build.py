"""The LangChain agent: tools, a catalog-grounded system prompt, memory per conversation, a step limit."""

from __future__ import annotations

from langchain_core.tools import BaseTool

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


def build_agent(llm, tools: list[BaseTool], catalog: Catalog, settings: LLMSettings = LLMSettings()):
    """A ``create_agent`` graph; tools that change data interrupt for confirmation first."""
    from langchain.agents import create_agent
    from langchain.agents.middleware import HumanInTheLoopMiddleware, ModelCallLimitMiddleware, dynamic_prompt
    from langgraph.checkpoint.memory import InMemorySaver

    template = read_prompt("system.md")

    @dynamic_prompt
    def grounded_prompt(request) -> str:
        # Rebuilt on every model call: the catalog can change during a conversation (uploads, new versions).
        return template.format(catalog=catalog_summary(catalog))

    gated = confirm_required(tools)
    middleware = [grounded_prompt, ModelCallLimitMiddleware(run_limit=settings.max_steps, exit_behavior="end")]
    if gated:
        middleware.append(HumanInTheLoopMiddleware(
            interrupt_on={name: {"allowed_decisions": ["approve", "reject"]} for name in gated},
            description_prefix="This changes data and needs your confirmation",
        ))
    return create_agent(llm, tools, middleware=middleware, checkpointer=InMemorySaver())
