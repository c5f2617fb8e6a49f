"""``stocktake serve``: the Gradio app on the workspace, on a local address by default."""

from __future__ import annotations

import typer

from stocktake.catalog import Catalog
from stocktake.cli.common import catalog, err

HOST = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 to let other machines in).")
PORT = typer.Option(7860, "--port", min=1, max=65535, help="Port to listen on (1-65535).")
AUTH = typer.Option(None, "--auth", metavar="USER:PASS", help="Ask for this user name and password.")
OFFLINE = typer.Option(False, "--offline", help="Do not look for an LLM endpoint; answer in offline mode.")


def serve(ctx: typer.Context, host: str = HOST, port: int = PORT, auth: str = AUTH, offline: bool = OFFLINE) -> None:
    """Serve the web app: chat with the assistant, inventory, docs, models, cleaning and the report."""
    serve_catalog(catalog(ctx), host=host, port=port, auth=auth, offline=offline)


def serve_catalog(cat: Catalog, *, host: str, port: int, auth: str | None, offline: bool = False) -> None:
    """Build the app, print where it is, and serve until Ctrl+C."""
    from stocktake.serve.app import build_app, launch_app, parse_auth

    parse_auth(auth)  # a malformed --auth fails before the slow start
    with err.status("Starting the app (connecting to the LLM endpoint or going offline)…"):
        blocks = build_app(cat, offline=offline)
        url = launch_app(blocks, host=host, port=port, auth=auth)
    err.print(f"[green]✓[/] Stocktake is running at [bold]{url}[/]  (Ctrl+C to stop)", highlight=False)
    try:
        blocks.block_thread()
    finally:
        blocks.close()


def register(app: typer.Typer) -> None:
    app.command()(serve)
