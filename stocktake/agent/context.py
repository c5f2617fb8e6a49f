"""What the agent's tools need, injected once: the catalog, the settings and the optional services."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from stocktake.catalog import Catalog
from stocktake.errors import UnknownNameError
from stocktake.settings import Settings


@dataclass
class ToolContext:
    catalog: Catalog
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def registry(self):
        from stocktake.registry import ModelRegistry

        return ModelRegistry(self.catalog.ws)

    @cached_property
    def docs_store(self):
        """The Chroma docs index of the workspace; the embedding model loads only when a search needs it."""
        from stocktake.tools.docs import DocStore

        return DocStore(self.catalog.ws)

    def asset(self, name: str):
        return self.catalog.get(name)

    def column(self, asset_name: str, column: str) -> str:
        """The real column name (case-insensitive match), or an error listing the columns there are."""
        names = [c.name for c in self.catalog.get(asset_name).columns]
        if column in names:
            return column
        lowered = {n.lower(): n for n in names}
        if column.lower() in lowered:
            return lowered[column.lower()]
        raise UnknownNameError(f"column in '{asset_name}'", column, names)
