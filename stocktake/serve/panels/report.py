"""The report tab: the inventory report as a Markdown preview and a self-contained HTML download."""

from __future__ import annotations

import gradio as gr

from stocktake.serve.common import AppContext, readable
from stocktake.usecases.reports import write_inventory_report


def build(app: AppContext) -> None:
    catalog = app.catalog
    gr.Markdown("The inventory report: per asset its purpose, size, freshness, quality, PII, keys, relationships "
                "and models. The HTML file is self-contained (charts and diagram inline): share it as it is.")
    with gr.Row():
        scope = gr.Dropdown(label="Assets (empty: all)", choices=catalog.names(), multiselect=True,
                            allow_custom_value=True, scale=4)
        make = gr.Button("📄 Build the report", variant="primary", scale=1, elem_id="st-report-button")
    download = gr.File(label="HTML report", interactive=False)
    preview = gr.Markdown(elem_id="st-report-preview")

    @readable
    def build_report(assets: list[str] | None, progress=gr.Progress()):
        progress(0.1, desc="Profiling assets and finding relationships")
        written = write_inventory_report(app.services, assets,
                                         progress=lambda step, done, total: progress((done, total), desc=step))
        return written.markdown(), str(written.path)

    def scope_choices(current: list[str] | None):
        names = catalog.names()
        return gr.Dropdown(choices=names, value=[n for n in current or [] if n in names])

    make.click(build_report, [scope], [preview, download], api_name="report")
    scope.focus(scope_choices, [scope], [scope], api_name=False)
