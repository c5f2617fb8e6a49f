"""The report tab: the inventory report as a Markdown preview and a self-contained HTML download."""

from __future__ import annotations

import gradio as gr

from stocktake.serve.common import AppContext, readable


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
        from stocktake.tools.report import build_report as build_engine
        from stocktake.tools.report import default_report_path, render_html, render_markdown

        progress(0.1, desc="Profiling assets and finding relationships")
        report = build_engine(catalog, assets or None)
        progress(0.8, desc="Rendering")
        path = default_report_path(catalog)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_html(report), encoding="utf-8")
        return render_markdown(report), str(path)

    def scope_choices(current: list[str] | None):
        names = catalog.names()
        return gr.Dropdown(choices=names, value=[n for n in current or [] if n in names])

    make.click(build_report, [scope], [preview, download], api_name="report")
    scope.focus(scope_choices, [scope], [scope], api_name=False)
