"""The docs tab: upload schema docs to index them, and search them (hits with their source and location)."""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr
import pandas as pd

from stocktake.errors import StocktakeError
from stocktake.serve.common import AppContext, frame, kept_upload, readable, web_message
from stocktake.tools.docs.chunkers import CHUNKERS, SEP
from stocktake.usecases import Services
from stocktake.usecases.docs import add_docs, list_docs, search_docs

DOC_COLUMNS = ["source", "kind", "chunks", "tables", "linked assets"]
DOC_TYPES = sorted(CHUNKERS)  # the picker offers only what indexing reads
NO_HITS = "No passage matches. Upload schema docs below, or rephrase the question."
NO_QUESTION = "Type a question first, e.g. *when was the order approved?*"


def doc_rows(services: Services) -> pd.DataFrame:
    rows = [{"source": d.source, "kind": d.kind, "chunks": d.chunks, "tables": ", ".join(d.tables),
             "linked assets": ", ".join(d.assets)} for d in list_docs(services)]
    return frame(rows, DOC_COLUMNS)


def place(hit) -> str:
    """Where in its file a hit is: the location without the file name that the hit's title already shows."""
    name = Path(hit.source).name
    return next((hit.location[len(p):] for p in (name + SEP, name + " ") if hit.location.startswith(p)),
                hit.location)


def render_hits(hits) -> str:
    if not hits:
        return NO_HITS
    parts = []
    for n, h in enumerate(hits, 1):
        link = f" → `{h.asset}{'.' + h.column if h.column else ''}`" if h.asset else ""
        text = h.text if len(h.text) <= 600 else h.text[:600] + "…"
        where = place(h)
        parts.append(f"**{n}. {html.escape(Path(h.source).name)}**{' · ' + html.escape(where) if where else ''}"
                     f"{link} <small>(score {h.score:.3f})</small>\n\n> " + text.replace("\n", "\n> "))
    return "\n\n".join(parts)


def search_hits(services: Services, question: str, k: int) -> str:
    """The hits as the page shows them; an empty question replaces the old hits with a hint."""
    if not (question or "").strip():
        return NO_QUESTION
    return render_hits(search_docs(services, question, k=int(k)))


def index_uploads(services: Services, uploads: list[str]) -> str:
    """Index each upload from a stable copy in ``docs/`` (so uploading a changed doc again replaces its chunks);
    a file that cannot be indexed is reported by name and leaves no copy behind."""
    reports, failed = [], []
    for upload in uploads:
        try:
            with kept_upload(upload, services.catalog.ws.dir("docs") / Path(upload).name) as kept:
                reports.append(add_docs(services, [kept]))
        except StocktakeError as exc:
            failed.append(f"\n- ❌ {Path(upload).name}: {web_message(exc)}")
    files = [f for r in reports for f in r.files]
    done = (f"✅ Indexed {len(files)} file(s): {sum(f.chunks for f in files)} chunks "
            f"({sum(f.added for f in files)} new) in {sum(r.seconds for r in reports):.1f} s."
            if files else "Nothing indexed.")
    return done + "".join(failed)


def build(app: AppContext, tab: gr.Tab) -> None:
    gr.Markdown("Schema docs (Markdown, text, dbt `schema.yml`, CSV data dictionaries, SQL DDL) are split per "
                "table and column and linked to catalog assets; search finds passages by meaning and by keyword.")
    with gr.Row():
        question = gr.Textbox(label="Search the docs", placeholder="e.g. when was the order approved?", scale=4)
        k = gr.Slider(1, 10, value=5, step=1, label="Hits", scale=1)
    search = gr.Button("Search", variant="primary")
    hits = gr.Markdown(elem_id="st-doc-hits")
    with gr.Accordion("Index docs", open=False):
        upload = gr.File(label="Doc files", file_count="multiple", file_types=DOC_TYPES, type="filepath")
        index = gr.Button("Index uploaded docs")
        indexed = gr.Markdown()
    docs = gr.DataFrame(frame([], DOC_COLUMNS), label="Indexed docs", interactive=False)

    @readable
    def find_passages(text: str, n: float, progress=gr.Progress()):
        progress(0.2, desc="Searching (the first search loads the text encoder)")
        return search_hits(app.services, text, int(n))

    @readable
    def index_files(paths: list[str] | None, progress=gr.Progress()):
        if not paths:
            raise gr.Error("Choose one or more doc files first.", print_exception=False)
        progress(0.1, desc=f"Indexing {len(paths)} file(s)")
        return index_uploads(app.services, paths), doc_rows(app.services)

    @readable
    def load_docs():
        return doc_rows(app.services)

    search.click(find_passages, [question, k], [hits], api_name="search_docs")
    question.submit(find_passages, [question, k], [hits], api_name=False)
    index.click(index_files, [upload], [indexed, docs], api_name="index_docs")
    tab.select(load_docs, None, [docs], api_name=False)
