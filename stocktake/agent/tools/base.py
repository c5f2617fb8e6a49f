"""The one way agent tools are made: docstring schema, short text for the model, full result as artifact."""

from __future__ import annotations

import functools
from collections.abc import Callable

from langchain_core.tools import BaseTool, tool

from stocktake.errors import StocktakeError


def agent_tool(func: Callable | None = None, *, changes_data: bool = False):
    """Wrap an engine call as a tool; user errors go back to the model as text it can act on."""

    def wrap(f: Callable) -> BaseTool:
        @functools.wraps(f)
        def safe(*args, **kwargs):
            try:
                return f(*args, **kwargs)
            except StocktakeError as exc:
                return f"Error: {exc}", {"error": str(exc)}

        made = tool(parse_docstring=True, response_format="content_and_artifact")(safe)
        made.metadata = {"changes_data": changes_data}
        return made

    return wrap(func) if func else wrap


def lines(items, limit: int = 20) -> str:
    items = list(items)
    more = f"\n… and {len(items) - limit} more" if len(items) > limit else ""
    return "\n".join(items[:limit]) + more
