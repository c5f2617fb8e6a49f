"""What every panel shares: the app's services, readable errors instead of tracebacks, small table helpers."""

from __future__ import annotations

import functools
import inspect
import logging
import threading
from dataclasses import dataclass
from functools import cached_property

import gradio as gr
import pandas as pd

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError

log = logging.getLogger("stocktake.serve")


@dataclass
class AppContext:
    """Built once per app and shared by every browser session (the assistant loads a model)."""
    catalog: Catalog
    assistant: object | None = None
    offline: bool = False

    def __post_init__(self):
        if self.assistant is None:
            from stocktake.agent.assistant import connect_assistant
            from stocktake.agent.context import ToolContext

            self.assistant = connect_assistant(ToolContext(self.catalog), offline=self.offline)
        # Chroma's client is not safe to open from two threads at once (two sessions, or a tab's refresh
        # racing a search): the docs handlers take turns.
        self.docs_lock = threading.Lock()

    @cached_property
    def doc_store(self):
        from stocktake.vectorstore.store import DocStore

        return DocStore(self.catalog.ws)


def readable(fn):
    """Run a handler; a user error becomes a one-line message on the page, anything else a short one, logged."""

    def explain(exc: Exception) -> gr.Error:
        if isinstance(exc, gr.Error):
            return exc
        if isinstance(exc, StocktakeError):
            return gr.Error(str(exc), print_exception=False)
        log.exception("handler %s failed", fn.__name__)
        return gr.Error(f"Internal error: {type(exc).__name__}: {exc}", print_exception=False)

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise explain(exc) from None
        return stream

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise explain(exc) from None
    return call


def frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A DataFrame with these columns even when there are no rows (an empty table still shows its header)."""
    return pd.DataFrame(rows, columns=columns)


def choices(names: list[str], current: str | None = None) -> gr.Dropdown:
    """A dropdown update that keeps the current choice while it still exists."""
    return gr.Dropdown(choices=names, value=current if current in names else (names[0] if names else None))
