"""What every panel shares: the app's services, readable errors in the web's words instead of tracebacks,
uploads kept in the workspace, small table helpers; and the login gate in front of the whole app."""

from __future__ import annotations

import filecmp
import functools
import inspect
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import pandas as pd

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.usecases import Services

log = logging.getLogger("stocktake.serve")


@dataclass
class AppContext:
    """Built once per app and shared by every browser session (the assistant loads a model)."""
    catalog: Catalog
    assistant: object | None = None
    offline: bool = False

    def __post_init__(self):
        from stocktake.agent.context import ToolContext

        # What the panels' use cases and the assistant's tools run on, shared by every session: one docs store (and
        # its lock), one registry and one memo of the profiles read.
        self.services: Services = ToolContext(self.catalog)
        if self.assistant is None:
            from stocktake.agent.assistant import connect_assistant

            self.assistant = connect_assistant(self.services, offline=self.offline)


def web_message(message: str | StocktakeError, names: dict[str, str] | None = None) -> str:
    """An error as the web says it (its controls, not the CLI's options), or a warning's text, with file paths
    replaced by the names in ``names`` (an upload's temporary or workspace path by the file name the user chose)."""
    text = message.for_face("web") if isinstance(message, StocktakeError) else message
    for path, name in sorted((names or {}).items(), key=lambda kv: -len(kv[0])):
        text = text.replace(path, name)
    return text


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
            raise StocktakeError(web_message(exc, {str(upload): name, str(target): name})) from None
        raise
    if backup:
        backup.unlink()


def readable(fn):
    """Run a handler; a user error becomes a one-line message on the page, anything else a short one, logged."""

    def explain(exc: Exception) -> gr.Error:
        if isinstance(exc, gr.Error):
            return exc
        if isinstance(exc, StocktakeError):
            return gr.Error(web_message(exc), print_exception=False)
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


LOGIN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>
body{font-family:system-ui,sans-serif;display:flex;justify-content:center;margin-top:15vh}
form{display:flex;flex-direction:column;gap:10px;width:260px}input,button{padding:8px;font-size:1em}
#error{color:#c92a2a;min-height:1.2em}</style></head><body><form id="login"><h2>Sign in</h2>
<input name="username" placeholder="User" autocomplete="username" required>
<input name="password" type="password" placeholder="Password" autocomplete="current-password" required>
<button type="submit">Sign in</button><div id="error"></div></form><script>
document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = new URLSearchParams(new FormData(event.target));
  const answer = await fetch("login", {method: "POST", body, credentials: "same-origin"});
  if (answer.ok) { location.reload(); }
  else { document.getElementById("error").textContent = "Wrong user or password."; }
});</script></body></html>"""


class LoginGate:
    """ASGI middleware for an app served with ``--auth``: before login only the login form (this page, which
    names nothing of the workspace) and the login call answer; every other route, Gradio's reset, cancel,
    heartbeat and queue routes included, gets 401. Gradio's own login page embeds the whole API schema, asset
    names in it, and some of its routes do not check the login."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        from starlette.requests import HTTPConnection
        from starlette.responses import HTMLResponse, JSONResponse

        server = scope.get("app")
        if scope["type"] not in ("http", "websocket") or getattr(server, "auth", None) is None:
            return await self.app(scope, receive, send)
        cookies = HTTPConnection(scope).cookies
        token = (cookies.get(f"access-token-{server.cookie_id}")
                 or cookies.get(f"access-token-unsecure-{server.cookie_id}"))
        path, method = scope["path"], scope.get("method", "")
        login = path in ("/login", "/login/") and method == "POST"
        # launch() calls this once itself to start the app, before anyone can log in.
        starting = path == "/gradio_api/startup-events" and not server.startup_events_triggered
        if token in server.tokens or login or starting:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        if path == "/" and method in ("GET", "HEAD"):
            return await HTMLResponse(LOGIN_PAGE)(scope, receive, send)
        return await JSONResponse({"detail": "Not authenticated"}, status_code=401)(scope, receive, send)
