"""The inventory tab's live sources: each registered database, API or log source (its location as the catalog
keeps it, which never holds a secret), and syncing one, with what the sync did or why it did nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr
import pandas as pd

from stocktake.errors import StocktakeError
from stocktake.serve.common import choices, frame, readable, web_message
from stocktake.serve.panels.inventory import asset_rows
from stocktake.usecases import Services
from stocktake.usecases import sources
from stocktake.words import plural

if TYPE_CHECKING:
    from stocktake.tools.sources import SyncResult

SOURCE_COLUMNS = ["source", "kind", "location", "tables", "last sync"]
NO_SOURCES = ("No live sources yet. Register a database, an API or log files from the command line: "
              "`stocktake source add NAME URL`.")


def source_rows(services: Services) -> pd.DataFrame:
    rows = [{"source": r.name, "kind": sources.source_kind(r), "location": r.url,
             "tables": ", ".join(t.name for t in r.tables), "last sync": r.synced_at[:16].replace("T", " ")}
            for r in sources.list_sources(services)]
    return frame(rows, SOURCE_COLUMNS)


def synced_text(result: SyncResult) -> str:
    """What a sync did, table by table: a new version or none, and the rows it read."""
    changed = sum(t.changed for t in result.tables)
    head = f"✅ Synced **{result.source.name}**: " + (
        f"{changed} of {plural(len(result.tables), 'table')} got a new version." if changed else "nothing changed.")
    lines = [head]
    for t in result.tables:
        lines += [f"- {sources.synced_line(t)}", *(f"  - {_literal(n)}" for n in sources.read_notes(result, t))]
    return "\n".join(lines)


def _literal(text: str) -> str:
    """A note quoting a log line as it is: a code span, so its brackets and stars are not read as Markdown."""
    return "`" + text.replace("`", "'") + "`"


def sync_one(services: Services, name: str | None) -> str:
    """Sync the source ``name``; a refusal or a failure is one line in the app's words (nothing was changed)."""
    if not name:
        raise StocktakeError("Pick a source to sync first.")
    (result,) = sources.sync(services, sources.get_source(services, name).name)
    return synced_text(result)


def build(services: Services, tab: gr.Tab, refresh: gr.Button, assets: gr.DataFrame, asset: gr.Dropdown) -> None:
    """The sources table and the sync form, at the foot of the inventory tab; a sync refreshes the assets."""
    names = [r.name for r in sources.list_sources(services)]
    with gr.Accordion("Live sources: databases, APIs and logs", open=bool(names)):
        table = gr.DataFrame(frame([], SOURCE_COLUMNS), label="Sources", interactive=False, wrap=True,
                             elem_id="st-sources")
        with gr.Row():
            # Custom values, as for the asset picker: the API is called without the choices a session was sent.
            pick = gr.Dropdown(label="Source", choices=names, value=names[0] if names else None, scale=3,
                               allow_custom_value=True, elem_id="st-source")
            sync = gr.Button("⟳ Sync", variant="primary", scale=0, min_width=120, elem_id="st-sync")
        outcome = gr.Markdown(elem_id="st-sync-outcome")

    @readable
    def load_sources(current: str | None):
        listed = source_rows(services)
        return listed, choices(list(listed["source"]), current), "" if len(listed) else NO_SOURCES

    @readable
    def sync_source(name: str | None, current_asset: str | None, progress=gr.Progress()):
        # A refused sync says why under the button and in a toast; the tables stay as they are.
        progress(0.05, desc=f"Syncing {name or 'the source'}: reading every table")
        try:
            text = sync_one(services, name)
        except StocktakeError as exc:
            gr.Warning(web_message(exc))
            return f"⚠️ {web_message(exc)}", gr.skip(), gr.skip(), gr.skip()
        progress(0.8, desc="Profiling the assets")
        listed = asset_rows(services)
        return text, source_rows(services), listed, choices(list(listed["asset"]), current_asset)

    refresh.click(load_sources, [pick], [table, pick, outcome], api_name="sources")
    tab.select(load_sources, [pick], [table, pick, outcome], api_name=False)
    sync.click(sync_source, [pick, asset], [outcome, table, assets, asset], api_name="sync_source")
