"""The Blocks app: one tab per panel, built around one shared assistant; and its launch on a local address."""

from __future__ import annotations

import stocktake.serve  # noqa: F401  (turns analytics and telemetry off before gradio is imported)

import gradio as gr

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.serve.common import AppContext

CSS = """
.st-badge {display:inline-block; padding:3px 12px; border-radius:999px; font-weight:600; font-size:0.9em}
.st-offline {background:#fff4e6; color:#a14a00; border:1px solid #ffc078}
.st-llm {background:#e7f5ff; color:#1864ab; border:1px solid #74c0fc}
.st-card {border:1px solid var(--border-color-primary); border-radius:8px; padding:12px}
footer {display:none !important}
/* A long text column must not squeeze the others' headers to a letter a line. */
#st-issue-rows th {min-width: 10ch}
#st-issue-rows th, #st-issue-rows th * {word-break: normal !important; overflow-wrap: break-word !important}
#st-issue-rows td {max-width: 60ch}
"""


def build_app(catalog: Catalog, assistant=None, *, offline: bool = False) -> gr.Blocks:
    from stocktake.serve.panels import chat, cleaning, docs, inventory, models, report

    app = AppContext(catalog, assistant, offline)
    # Files the app offers for download (the inventory report, from the chat or the report tab) are in the
    # workspace, which Gradio serves nothing from unless told.
    gr.set_static_paths([catalog.ws.dir("reports")])
    with gr.Blocks(title="Stocktake", analytics_enabled=False) as blocks:
        gr.Markdown(f"## 📦 Stocktake &nbsp; <small>workspace `{catalog.ws.root}`</small>")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chat.build(app, blocks)
            with gr.Tab("Inventory", id="inventory") as tab:
                inventory.build(app, tab)
            with gr.Tab("Docs", id="docs") as tab:
                docs.build(app, tab)
            with gr.Tab("Models", id="models") as tab:
                models.build(app, tab)
            with gr.Tab("Cleaning", id="cleaning") as tab:
                cleaning.build(app, tab)
            with gr.Tab("Report", id="report"):
                report.build(app)
    blocks.queue(default_concurrency_limit=1)
    return blocks


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise StocktakeError("--auth takes USER:PASS, e.g. --auth admin:s3cret.")
    return user, password


def launch_app(blocks: gr.Blocks, *, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None) -> str:
    """Start serving in the background and return the local URL; ``blocks.block_thread()`` then waits. With
    ``auth``, nothing but a plain login form answers before login (see LoginGate)."""
    from starlette.middleware import Middleware

    from stocktake.serve.common import LoginGate

    _check_host(host, port)
    try:
        _, url, _ = blocks.launch(
            server_name=host, server_port=port, auth=parse_auth(auth), prevent_thread_lock=True,
            share=False, inbrowser=False, quiet=True, show_error=False, ssr_mode=False, mcp_server=False,
            css=CSS, footer_links=[], app_kwargs={"middleware": [Middleware(LoginGate)]} if auth else None,
        )
    except OSError as exc:
        # Gradio says so in words meant for its Python API (server_port, launch()).
        reason = "the port is in use" if "Cannot find empty port" in str(exc) else str(exc)
        raise StocktakeError(f"Cannot serve on {host}:{port}: {reason}. Choose another port with --port.") from None
    return url


def _check_host(host: str, port: int) -> None:
    """A host this machine cannot listen on is said as such; the server would call it a busy port."""
    import socket

    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError) as exc:
        raise StocktakeError(f"Cannot serve on {host}: no such address ({exc}). Give --host an address of this "
                             "machine, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every network).") from None
    for address in addresses:
        with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as probe:
            try:
                probe.bind((address, 0))
                return
            except OSError:
                continue
    raise StocktakeError(f"Cannot serve on {host}: it is not an address of this machine. Give --host one, such "
                         "as 127.0.0.1 (this machine only) or 0.0.0.0 (every network).")
