"""The one way agent tools are made: docstring schema, short text for the model, full result as artifact.

A tool is a plain function wrapped in an ``AgentTool``: the offline planner calls it directly, and only a
language-model agent turns it into a LangChain tool (importing LangChain takes seconds, which a one-shot
``stocktake ask`` should not pay). Functions that need the conversation take a ``config`` parameter, annotated
``RunnableConfig``, that LangChain injects; the offline planner passes the same ``{"configurable": ...}`` dict.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stocktake.errors import StocktakeError


@dataclass(frozen=True)
class ToolResult:
    """What a tool call gives, in the shape of LangChain's ToolMessage: text for the model, the full result."""
    content: str
    artifact: Any
    status: str = "success"


class AgentTool:
    def __init__(self, func: Callable, action: str | None = None):
        from stocktake.actions import needs_confirmation

        self.func = func
        self.name = func.__name__
        self.action = action  # what it does, as stocktake.actions names it; None: it only reads
        self.metadata = {"action": action, "needs_confirmation": action is not None and needs_confirmation(action)}
        # What each call runs inside (build_tools: the context's shared profile reads), entered in the thread
        # that runs the call (the offline turn's worker, LangGraph's pool), which a caller's scope would not reach.
        self.scope: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext
        self._langchain = None

    @property
    def description(self) -> str:
        return inspect.getdoc(self.func).split("\n\n")[0] if self.func.__doc__ else ""

    def run(self, args: dict, config: dict | None = None) -> ToolResult:
        """Call the tool; a user error comes back as text the model (or the planner) can act on."""
        kwargs = dict(args)
        if "config" in inspect.signature(self.func).parameters:
            kwargs["config"] = config or {}
        try:
            with self.scope():
                content, artifact = self.func(**kwargs)
        except StocktakeError as exc:
            return ToolResult(f"Error: {exc}", {"error": str(exc)}, "error")
        return ToolResult(content, artifact)

    def invoke(self, call: dict, config: dict | None = None) -> ToolResult:
        """A tool call as LangChain writes one: ``{"name", "args", "id", "type": "tool_call"}``."""
        return self.run(call.get("args") or {}, config)

    def langchain(self):
        """The LangChain tool the agent binds (built once, on first use)."""
        if self._langchain is None:
            from langchain_core.runnables import RunnableConfig
            from langchain_core.tools import tool

            # tool modules name RunnableConfig for type checkers only; LangChain resolves it at run time
            self.func.__globals__.setdefault("RunnableConfig", RunnableConfig)

            @functools.wraps(self.func)
            def safe(*args, **kwargs):
                try:
                    with self.scope():
                        return self.func(*args, **kwargs)
                except StocktakeError as exc:
                    return f"Error: {exc}", {"error": str(exc)}

            made = tool(parse_docstring=True, response_format="content_and_artifact")(safe)
            made.metadata = dict(self.metadata)
            self._langchain = made
        return self._langchain


def agent_tool(func: Callable | None = None, *, action: str | None = None):
    """Make an engine call a tool; ``action`` names what it does (stocktake.actions), which decides whether the
    user confirms each call first. A tool without one only reads."""

    def wrap(f: Callable) -> AgentTool:
        return AgentTool(f, action)

    return wrap(func) if func else wrap


def as_langchain(tool):
    """A LangChain tool for the agent, whether made here or by LangChain already."""
    return tool.langchain() if isinstance(tool, AgentTool) else tool


class lazy_module:  # noqa: N801 - used like a module
    """An engine module imported on first use: building the tools must not load every engine (scipy, torch)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        import importlib

        return getattr(importlib.import_module(self._name), attr)


def lines(items, limit: int = 20) -> str:
    items = list(items)
    more = f"\n… and {len(items) - limit} more" if len(items) > limit else ""
    return "\n".join(items[:limit]) + more
