"""The one way agent tools are made: module-level functions whose docstring is the schema the model reads,
short text for the model, the full result as an artifact, the context injected at run time.

A tool is a plain function with a ``runtime`` parameter, wrapped in an ``AgentTool``. Under the language-model
agent, LangChain injects its ``ToolRuntime`` there (``create_agent(context_schema=ToolContext)``; the run is given
``context=``); the offline planner and tests bind a tool to a context (``AgentTool.bind``) and call it directly
with a ``CallRuntime`` in its place, which has the same ``context`` and ``config``. Only the agent turns a tool
into a LangChain tool: importing LangChain takes seconds, which a one-shot ``stocktake ask`` should not pay.

A user error (``StocktakeError``) reaches the model as a ``ToolMessage`` with ``status="error"``, worded for the
model (``StocktakeError.for_face("model")``); the offline planner gets the same as a ``ToolResult``, the message
alone in its artifact's ``error``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stocktake.errors import StocktakeError

if TYPE_CHECKING:
    from stocktake.agent.context import ToolContext


@dataclass(frozen=True)
class ToolResult:
    """What a tool call gives, in the shape of LangChain's ToolMessage: text for the model, the full result."""
    content: str
    artifact: Any
    status: str = "success"


@dataclass(frozen=True)
class CallRuntime:
    """What LangChain's ``ToolRuntime`` gives a tool, for a call made without LangChain: the context, and the
    run's config (``{"configurable": {"thread_id", "progress"}}``)."""
    context: ToolContext
    config: dict = field(default_factory=dict)


def error_text(exc: StocktakeError) -> str:
    """An error as the model reads it: the status says it failed, and so does the text, for models that only read
    text."""
    return f"Error: {exc.for_face('model')}"


def error_result(exc: StocktakeError) -> ToolResult:
    return ToolResult(error_text(exc), {"error": exc.for_face("model")}, "error")


class AgentTool:
    def __init__(self, func: Callable, action: str | None = None):
        from stocktake.actions import needs_confirmation

        self.func = func
        self.name = func.__name__
        self.action = action  # what it does, as stocktake.actions names it; None: it only reads
        self.metadata = {"action": action, "needs_confirmation": action is not None and needs_confirmation(action)}
        self._langchain = None

    @property
    def description(self) -> str:
        import inspect

        return inspect.getdoc(self.func).split("\n\n")[0] if self.func.__doc__ else ""

    def run(self, args: dict, ctx: ToolContext, config: dict | None = None) -> ToolResult:
        """Call the tool in ``ctx``; a user error comes back as text the model (or the planner) can act on."""
        try:
            # Each call shares the context's profile reads, entered in the thread that runs the call (the offline
            # turn's worker, LangGraph's pool), which a caller's scope would not reach.
            with ctx.reading_profiles():
                content, artifact = self.func(**args, runtime=CallRuntime(ctx, config or {}))
        except StocktakeError as exc:
            return error_result(exc)
        return ToolResult(content, artifact)

    def bind(self, ctx: ToolContext) -> BoundTool:
        return BoundTool(self, ctx)

    def langchain(self):
        """The LangChain tool the agent binds (built once, on first use); its ``runtime`` is LangChain's."""
        if self._langchain is None:
            from langchain.tools import ToolRuntime
            from langchain_core.tools import ToolException, tool

            from stocktake.agent.context import ToolContext

            # tool modules name these for type checkers only; LangChain resolves the annotations at run time
            self.func.__globals__.setdefault("ToolRuntime", ToolRuntime)
            self.func.__globals__.setdefault("ToolContext", ToolContext)

            @functools.wraps(self.func)
            def safe(*args, runtime, **kwargs):
                try:
                    with runtime.context.reading_profiles():
                        return self.func(*args, runtime=runtime, **kwargs)
                except StocktakeError as exc:
                    raise ToolException(error_text(exc)) from exc

            made = tool(parse_docstring=True, response_format="content_and_artifact")(safe)
            made.handle_tool_error = True  # a ToolException becomes a ToolMessage with status="error"
            made.metadata = dict(self.metadata)
            self._langchain = made
        return self._langchain


@dataclass(frozen=True)
class BoundTool:
    """A tool bound to one context, for callers without LangChain's runtime: the offline planner and tests."""
    tool: AgentTool
    ctx: ToolContext

    @property
    def name(self) -> str:
        return self.tool.name

    @property
    def action(self) -> str | None:
        return self.tool.action

    @property
    def metadata(self) -> dict:
        return self.tool.metadata

    @property
    def description(self) -> str:
        return self.tool.description

    def run(self, args: dict, config: dict | None = None) -> ToolResult:
        return self.tool.run(args, self.ctx, config)

    def invoke(self, call: dict, config: dict | None = None) -> ToolResult:
        """A tool call as LangChain writes one: ``{"name", "args", "id", "type": "tool_call"}``."""
        return self.run(call.get("args") or {}, config)

    def langchain(self):
        return self.tool.langchain()


def agent_tool(func: Callable | None = None, *, action: str | None = None):
    """Make an engine call a tool; ``action`` names what it does (stocktake.actions), which decides whether the
    user confirms each call first. A tool without one only reads."""

    def wrap(f: Callable) -> AgentTool:
        return AgentTool(f, action)

    return wrap(func) if func else wrap


def as_langchain(tool):
    """A LangChain tool for the agent, whether made here or by LangChain already."""
    return tool.langchain() if isinstance(tool, (AgentTool, BoundTool)) else tool


def lines(items, limit: int = 20) -> str:
    items = list(items)
    more = f"\n… and {len(items) - limit} more" if len(items) > limit else ""
    return "\n".join(items[:limit]) + more
