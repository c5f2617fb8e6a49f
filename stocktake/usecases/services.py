"""What every use case needs, built once per workspace: the catalog, the settings and the optional services."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from stocktake.catalog import Catalog
from stocktake.errors import UnknownNameError
from stocktake.settings import Settings


@dataclass
class Services:
    catalog: Catalog
    settings: Settings = field(default_factory=Settings)
    _docs_lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False, compare=False)

    @cached_property
    def registry(self):
        from stocktake.registry import ModelRegistry

        return ModelRegistry(self.catalog.ws)

    @cached_property
    def docs_store(self):
        """The Chroma docs index of the workspace; the embedding model loads only when a search needs it. Use it
        through ``docs()``."""
        from stocktake.tools.docs import DocStore

        return DocStore(self.catalog.ws)

    @contextmanager
    def docs(self) -> Iterator:
        """The docs index, to one caller at a time: Chroma's client is not safe to use from two threads at once
        (two browser sessions, a tab's refresh racing the assistant's search)."""
        with self._docs_lock:
            yield self.docs_store

    def schema(self):
        """The question planner's view of the catalog, rebuilt only when an asset or its version changed."""
        from stocktake.tools.ask.schema import build_schema

        state = self._state()
        cached = self.__dict__.get("_schema")
        if cached is None or cached[0] != state:
            with self.reading_profiles(state):
                cached = (state, build_schema(self.catalog))
            self.__dict__["_schema"] = cached
        return cached[1]

    def reading_profiles(self, state: tuple | None = None):
        """A scope in which the use cases and the planner share the profiles read so far, while no asset changed:
        a question reaches them through the schema, the tool and the masking of its result. ``state``: the
        catalog's, when the caller has just read it."""
        from stocktake.tools.profile import profiles_read_once

        state = state if state is not None else self._state()
        kept = self.__dict__.get("_profiles")
        if kept is None or kept[0] != state:  # the memo is keyed by version anyway; this lets old ones go
            kept = (state, {})
            self.__dict__["_profiles"] = kept
        return profiles_read_once(kept[1])

    def _state(self) -> tuple:
        return tuple((a.name, a.version, a.current.content_hash) for a in self.catalog.list_assets())

    def asset(self, name: str):
        return self.catalog.get(name)

    def column(self, asset_name: str, column: str) -> str:
        """The real column name (case-insensitive match), or an error listing the columns there are."""
        return matched_column([c.name for c in self.catalog.get(asset_name).columns], column,
                              f"column in '{asset_name}'")

    def personal_columns(self, asset_name: str) -> frozenset[str]:
        """Columns of the asset whose every value is personal data (flagged by their values' type or their name).

        Free text that merely contains an address or a number is masked by value instead (stocktake.tools.profile.pii).
        """
        from stocktake.tools.profile import load_personal_columns

        with self.reading_profiles():
            return load_personal_columns(self.catalog, [asset_name]).of(self.catalog.get(asset_name).name)


def matched_column(names: list[str], given: str, what: str = "column") -> str:
    """The column of ``names`` called ``given``, exactly or else in another case; an error suggests real ones."""
    if given in names:
        return given
    lowered = {n.lower(): n for n in names}
    if given.lower() in lowered:
        return lowered[given.lower()]
    raise UnknownNameError(what, given, names)
