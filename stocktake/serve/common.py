"""What every panel shares: the app's services, readable errors in the web's words instead of tracebacks,
uploads kept in the workspace, small table helpers."""

from __future__ import annotations

import filecmp
import functools
import inspect
import logging
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

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


# The engines' messages name the CLI's options; the web forms have a Replace box and an asset name instead, and
# no delimiter or encoding options. Each pattern is a sentence the engines really write (tests/test_app_inventory.py).
WEB_HINTS: tuple[tuple[str, str], ...] = (
    (r"Use --replace to add a new version, or --name to choose another name\.",
     "Tick Replace to add a new version, or choose another asset name."),
    (r"give the right delimiter with --sep", "check the delimiter"),
    (r"Try --sep or --encoding\.", "Check the delimiter, and save the file as UTF-8."),
    (r"Leave --encoding out to detect the encoding, or try --encoding latin-1\.", "Save the file as UTF-8."),
    (r" \(for example --name (\w+)\)", r" (for example \1)"),
    (r"; --name only works for one \(use --table\)\.", ": leave the asset name empty to ingest each as its own asset."),
    (r" \(for UTF-16 text without a byte-order mark, give --encoding utf-16\)",
     " (UTF-16 text must keep its byte-order mark)"),
    (r"re-save it in one, or force one with --encoding latin-1 \(or cp1252\)\.", "save it as UTF-8."),
    (r" Ingest the other tables one by one with --table\.", ""),
    (r", or pick the tables you want with --table\)", ")"),
)


def web_message(message: str, names: dict[str, str] | None = None) -> str:
    """An engine's message as the web shows it: CLI hints rephrased, file paths replaced by the names in ``names``
    (an upload's temporary or workspace path by the file name the user chose)."""
    for path, name in sorted((names or {}).items(), key=lambda kv: -len(kv[0])):
        message = message.replace(path, name)
    for pattern, web in WEB_HINTS:
        message = re.sub(pattern, web, message)
    return message


@contextmanager
def kept_upload(upload: str | Path, target: Path) -> Iterator[Path]:
    """Copy an upload (Gradio's temporary file) to ``target`` in the workspace and yield it.

    If the body fails, the workspace is left as it was: the copy is removed, or the file it replaced comes back,
    and a ``StocktakeError`` names the file as the user knows it rather than by either path.
    """
    upload, name = Path(upload), Path(upload).name
    target.parent.mkdir(parents=True, exist_ok=True)
    same = target.is_file() and filecmp.cmp(upload, target, shallow=False)
    backup = target.with_name(f".{target.name}.previous") if target.is_file() and not same else None
    if backup:
        os.replace(target, backup)
    if not same:
        shutil.copyfile(upload, target)
    try:
        yield target
    except BaseException as exc:
        if backup:
            os.replace(backup, target)
        elif not same:
            target.unlink(missing_ok=True)
            if not any(target.parent.iterdir()):
                target.parent.rmdir()
        if isinstance(exc, StocktakeError):
            raise StocktakeError(web_message(str(exc), {str(upload): name, str(target): name})) from None
        raise
    if backup:
        backup.unlink()


def readable(fn):
    """Run a handler; a user error becomes a one-line message on the page, anything else a short one, logged."""

    def explain(exc: Exception) -> gr.Error:
        if isinstance(exc, gr.Error):
            return exc
        if isinstance(exc, StocktakeError):
            return gr.Error(web_message(str(exc)), print_exception=False)
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
