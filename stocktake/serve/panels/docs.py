"""The docs tab: upload schema docs to index them, and search them (hits with their source and location)."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import gradio as gr
import pandas as pd

from stocktake.serve.common import AppContext, frame, readable

DOC_COLUMNS = ["source", "kind", "chunks", "tables", "linked assets"]
DOC_TYPES = [".md", ".markdown", ".txt", ".rst", ".yml", ".yaml", ".csv", ".sql", ".json"]


def doc_rows(store) -> pd.DataFrame:
    from stocktake.tools.docs import list_docs

    rows = [{"source": d.source, "kind": d.kind, "chunks": d.chunks, "tables": ", ".join(d.tables),
             "linked assets": ", ".join(d.assets)} for d in list_docs(store)]
    return frame(rows, DOC_COLUMNS)


def render_hits(hits) -> str:
    if not hits:
        return "No matching passage. Upload schema docs above, or rephrase the question."
    parts = []
    for n, h in enumerate(hits, 1):
        link = f" → `{h.asset}{'.' + h.column if h.column else ''}`" if h.asset else ""
        text = h.text if len(h.text) <= 600 else h.text[:600] + "…"
        parts.append(f"**{n}. {html.escape(Path(h.source).name)}** · {html.escape(h.location)}{link} "
                     f"<small>(score {h.score:.3f})</small>\n\n> " + text.replace("\n", "\n> "))
    return "\n\n".join(parts)


def keep_upload(folder: Path, path: str) -> Path:
    """Uploads land in a temporary folder; the index refers to a stable copy in the workspace instead,
    so uploading a changed doc again replaces its old chunks."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(path).name
    shutil.copyfile(path, target)
    return target


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
    def search_docs(text: str, n: float, progress=gr.Progress()):
        from stocktake.tools.docs import search_docs as search_engine

        progress(0.2, desc="Searching (the first search loads the text encoder)")
        with app.docs_lock:
            return render_hits(search_engine(app.doc_store, text, k=int(n)))

    @readable
    def index_docs(paths: list[str] | None, progress=gr.Progress()):
        from stocktake.tools.docs import index_docs as index_engine

        if not paths:
            raise gr.Error("Choose one or more doc files first.", print_exception=False)
        progress(0.1, desc=f"Indexing {len(paths)} file(s)")
        kept = [keep_upload(app.catalog.ws.dir("docs"), p) for p in paths]
        with app.docs_lock:
            report = index_engine(app.doc_store, kept, app.catalog)
            listed = doc_rows(app.doc_store)
        skipped = "".join(f"\n- skipped {Path(p).name}: {why}" for p, why in report.skipped)
        return (f"✅ Indexed {len(report.files)} file(s): {report.chunks} chunks "
                f"({sum(f.added for f in report.files)} new) in {report.seconds:.1f} s.{skipped}"), listed

    @readable
    def load_docs():
        with app.docs_lock:
            return doc_rows(app.doc_store)

    search.click(search_docs, [question, k], [hits], api_name="search_docs")
    question.submit(search_docs, [question, k], [hits], api_name=False)
    index.click(index_docs, [upload], [indexed, docs], api_name="index_docs")
    tab.select(load_docs, None, [docs], api_name=False)
