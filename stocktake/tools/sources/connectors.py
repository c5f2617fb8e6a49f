"""Which reader a source's location calls for.

A connector is a module of this package with two functions: ``location(text, source)`` turns what the user gave
(a URL, a path) into the location the catalog keeps, never holding a secret, or raises a one-line error; and
``session(location, source, options, settings)`` is a context manager yielding a read-only ``Session`` that
introspects the source and reads its tables. Adding a kind of source is one module and one line below.
"""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa

from stocktake.errors import Remedy, StocktakeError
from stocktake.settings import SourceSettings
from stocktake.tools.sources.model import ReadPlan, SourceTable


class Session(Protocol):
    def schema(self) -> list[SourceTable]:
        """Every table the source offers, with columns, declared keys and comments."""

    def read(self, table: SourceTable, plan: ReadPlan) -> pa.Table:
        """The table's rows as Arrow, as ``plan`` bounds them."""


@dataclass(frozen=True)
class Connector:
    kind: str  # what the source is, in words: database, API, logs
    fmt: str  # the assets' format in the catalog
    module: str  # the module of this package that reads it
    options: frozenset[str] = frozenset()  # the connector options it takes (SourceRecord.options keys)

    def location(self, text: str, source: str) -> str:
        return self._impl().location(text, source)

    def session(self, location: str, source: str, options: dict,
                settings: SourceSettings) -> AbstractContextManager[Session]:
        return self._impl().session(location, source, options, settings)

    def _impl(self):
        # imported on use: each connector brings its own driver, which a command that reads no source never loads
        return importlib.import_module(f"stocktake.tools.sources.{self.module}")


_POSTGRES = Connector("database", "postgresql", "postgres")
_REST = Connector("JSON API", "json", "rest", options=frozenset({"json_path", "paginate", "headers", "max_pages"}))
_BY_SCHEME = {
    "postgresql": _POSTGRES, "postgres": _POSTGRES,
    **dict.fromkeys(("mysql", "mariadb"), Connector("database", "mysql", "mysql")),
    "sqlite": Connector("database", "sqlite", "sqlite"),
    "https": _REST, "http": _REST,
    "file": Connector("log", "log", "logs", options=frozenset({"log_format", "pattern"})),
}
_FLAGS = {"log_format": "--format", "headers": "--header"}  # where the CLI's flag is not the option's own name


def scheme(text: str) -> str:
    """A location's scheme, ``file`` for a plain path."""
    head, sep, _ = text.partition("://")
    return head.lower() if sep else "file"


def for_location(text: str, source: str) -> Connector:
    """The connector that reads ``text``; an unknown kind of location is a one-line error."""
    found = _BY_SCHEME.get(scheme(text))
    if found is None:
        head = text.partition("://")[0] + "://" if "://" in text else "a path"
        kinds = ", ".join(sorted(s + ("://" if s != "file" else "") for s in _BY_SCHEME))
        raise StocktakeError(f"Source '{source}': {head} is not a kind of source Stocktake reads ({kinds}).",
                             Remedy("source-url"))
    return found


def check_options(connector: Connector, options: dict, source: str) -> None:
    """Connector options the source's kind does not take are refused rather than ignored."""
    unused = sorted(k for k, v in options.items() if v not in (None, (), [], "") and k not in connector.options)
    if unused:
        shown = ", ".join(_FLAGS.get(k, "--" + k.replace("_", "-")) for k in unused)
        raise StocktakeError(f"Source '{source}': {shown} does not apply to a {connector.kind} source.",
                             Remedy("source-options"))
