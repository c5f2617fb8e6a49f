"""Tools over the live sources (stocktake.usecases.sources): list them, and sync one (with confirmation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.usecases import sources
from stocktake.words import plural

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime


@agent_tool
def list_sources(*, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """List the connected live sources (databases, APIs, log files): kind, location, tables and last sync."""
    found = sources.list_sources(runtime.context)
    if not found:
        return "No live sources are connected. Add one with `stocktake source add NAME URL`.", {"sources": []}
    text = lines(f"- {r.name} ({sources.source_kind(r)}, {r.url}): {plural(len(r.tables), 'table')} "
                 f"({', '.join(t.name for t in r.tables)}), assets {r.name}.TABLE, last synced {r.synced_at}"
                 for r in found)
    return f"{plural(len(found), 'source')}:\n{text}", {"sources": [r.to_dict() for r in found]}


@agent_tool(action="sync_source")
def sync_source(source: str, incremental: str | None = None, *,
                runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Read a live source again: each table whose content changed gets a new version (needs confirmation).

    Args:
        source: The source's name, as list_sources gives it, e.g. "shop".
        incremental: A column such as updated_at or id: only rows past the last value seen are read and appended;
            every table is read whole when empty.
    """
    (result,) = sources.sync(runtime.context, sources.get_source(runtime.context, source).name,
                             incremental=incremental)
    text = lines(f"- {sources.synced_line(t)}" + "".join(f"\n  {n}" for n in sources.read_notes(result, t))
                 for t in result.tables)
    changed = sum(t.changed for t in result.tables)
    return (f"Synced {result.source.name}: {changed} of {plural(len(result.tables), 'table')} changed.\n{text}",
            result.to_dict())


TOOLS = [list_sources, sync_source]
