"""The inventory tab: every asset with its quality; one asset's profile, charts, issues and relationships;
uploading a file to ingest it; and the live sources (stocktake.serve.panels.sources)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr
import pandas as pd

from stocktake.catalog import Catalog, file_hash
from stocktake.errors import StocktakeError
from stocktake.serve.charts import chart_column, chart_null_rates
from stocktake.serve.common import AppContext, choices, frame, kept_upload, readable, web_message
from stocktake.usecases import Services, catalog, profiling

if TYPE_CHECKING:
    from stocktake.tools.ingest import IngestResult
    from stocktake.tools.profile import TableProfile

ASSET_COLUMNS = ["asset", "kind", "rows", "columns", "quality", "issues", "last profiled"]
ISSUE_COLUMNS = ["severity", "column", "issue", "rows", "detail", "examples"]
RELATION_COLUMNS = ["from", "to", "relation", "values matched", "orphan rows"]
GRID_COLUMNS = ["column", "type", "semantic type", "missing", "distinct", "distribution", "samples"]
CORRELATION_COLUMNS = ["columns", "r", "reading"]
BARS = "▁▂▃▄▅▆▇█"
NO_MISSING = "✅ No missing values in any column."
UPLOAD_TYPES = [".csv", ".tsv", ".txt", ".dat", ".json", ".jsonl", ".parquet", ".xlsx", ".db", ".sqlite"]


def services_of(source: Services | Catalog) -> Services:
    """The app's services; a caller that holds only a catalog (a script, a test) gets services of its own."""
    return source if isinstance(source, Services) else Services(source)


def profile(services: Services | Catalog, name: str) -> TableProfile:
    return profiling.profile(services_of(services), name)


def asset_rows(services: Services | Catalog) -> pd.DataFrame:
    """Every asset with its quality; one that cannot be profiled is listed without, and a warning says why."""
    rows = []
    for entry in profiling.inventory(services_of(services)):
        a, p = entry.asset, entry.profile
        if entry.error is not None:
            gr.Warning(f"{a.name} is not profiled: {entry.error.for_face('web')}")
        rows.append({"asset": a.name, "kind": a.kind, "rows": a.rows, "columns": len(a.columns),
                     "quality": None if p is None else round(p.quality_score),
                     "issues": None if p is None else len(p.issues),
                     "last profiled": entry.profiled_at.strftime("%Y-%m-%d %H:%M") if entry.profiled_at else ""})
    return frame(rows, ASSET_COLUMNS)


def asset_details(services: Services | Catalog, name: str, progress=lambda *_, **__: None) -> tuple:
    """What picking an asset shows: its profile and its relationships, which need every asset's profile (each
    read once: the app's services share what they read while no asset changes)."""
    services = services_of(services)
    described = catalog.describe_asset(services, name)
    a, p = described.asset, described.profile.to_dict()
    progress(0.6, desc="Finding relationships")
    names = [c["name"] for c in p["columns"]]
    first = first_chartable(p["columns"])
    return (summary(p, a), column_grid(described.profile), *null_chart(p["columns"]),
            choices(names, first["name"] if first else None), chart_column(first) if first else None,
            column_stats(first) if first else "", issue_rows(p),
            gr.Dropdown(choices=issue_labels(p), value=None), relation_rows(services, a.name))


def summary(p: dict, asset) -> str:
    from stocktake.tools.profile import TableProfile, describe_keys

    keys = ", ".join(f"({k})" for k in describe_keys(TableProfile.from_dict(p))) or "none found"
    cov = p.get("time_coverage") or {}
    time = f"\n- **Time range**: {cov.get('first')} → {cov.get('last')} (`{cov.get('column')}`)" if cov else ""
    return (f"### {asset.name} &nbsp; <small>{asset.kind}, version {asset.version}</small>\n"
            f"{asset.about or ''}\n\n"
            f"- **Rows**: {p['rows']:,} &nbsp; **Columns**: {len(p['columns'])} &nbsp; "
            f"**Duplicate rows**: {p['duplicate_rows']:,}\n"
            f"- **Quality score**: {p['quality_score']:.0f}/100 <small>({p.get('quality_rule', '')})</small>\n"
            f"- **Candidate keys**: {keys}{time}\n- **Source**: `{asset.source}`\n- **Lineage**: {asset.origin}")


def first_chartable(columns: list[dict]) -> dict | None:
    """The column to chart first: one whose distribution says something (not a key), else any with a chart."""
    charted = [c for c in columns if c.get("histogram") or c.get("top_values")]
    return next((c for c in charted if c.get("semantic_type") not in ("identifier", "foreign_key")),
                charted[0] if charted else None)


def column_stats(c: dict) -> str:
    facts = [f"**{c['name']}**: {c['type']}, {c.get('semantic_type') or '?'}",
             f"nulls {c['nulls']:,} ({c.get('null_fraction', 0):.1%})",
             f"distinct {c['distinct']:,}" if c.get("distinct") is not None else ""]
    if c.get("min") is not None:
        facts.append(f"min {c['min']} · max {c['max']}" + (f" · mean {c['mean']:,.4g}" if isinstance(
            c.get("mean"), (int, float)) else ""))
    return " · ".join(f for f in facts if f)


def issue_rows(p: dict) -> pd.DataFrame:
    # Kinds are shown as words: the table wraps at spaces, and "inconsistent_categories" would break mid-word.
    rows = [{"severity": i["severity"], "column": i.get("column") or "*", "issue": i["kind"].replace("_", " "),
             "rows": i["rows"],
             "detail": i["message"], "examples": "; ".join(_short(str(e)) for e in i.get("examples", [])[:2])}
            for i in p["issues"]]
    return frame(rows, ISSUE_COLUMNS)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sparkline(c: dict) -> str:
    """A text histogram that fits a table cell: bars for binned numbers and times (their shape says enough),
    shares for the most frequent values, which unlabelled bars would not name."""
    hist = c.get("histogram") or {}
    counts = (hist.get("counts") or []) if hist.get("kind") in ("numeric", "time") else []
    if counts and max(counts):
        return "".join(BARS[round(n / max(counts) * (len(BARS) - 1))] for n in counts)
    total = c.get("non_null") or 0
    return " · ".join(f"{_short(str(t['value']), 16)} {t['count'] / total:.0%}" for t in c["top_values"][:3]
                      ) if total else ""


def samples(c: dict) -> str:
    if c["top_values"]:
        return ", ".join(_short(str(t["value"]), 24) for t in c["top_values"][:3])
    return "" if c.get("min") is None else f"{c['min']} … {c['max']}"


def column_grid(full: TableProfile) -> pd.DataFrame:
    """Every column of a profile at a glance; a profile is stored masked, so personal values are masked here as
    everywhere else."""
    rows = [{"column": c["name"], "type": c["type"], "semantic type": c.get("semantic_type") or "?",
             "missing": f"{c['nulls']:,} ({c.get('null_fraction', 0):.1%})",
             "distinct": "" if c.get("distinct") is None else f"{c['distinct']:,}",
             "distribution": sparkline(c), "samples": samples(c)} for c in full.to_dict()["columns"]]
    return frame(rows, GRID_COLUMNS)


def correlation_rows(services: Services | Catalog, full: TableProfile, top: int = 15) -> pd.DataFrame:
    got = profiling.correlations(services_of(services), full)
    rows = [{"columns": f"{q.a} ~ {q.b}", "r": q.r, "reading": _strength(q.r)} for q in got.pairs[:top]]
    return frame(rows, CORRELATION_COLUMNS)


def _strength(r: float) -> str:
    size = "strong" if abs(r) >= 0.7 else "moderate" if abs(r) >= 0.3 else "weak"
    return f"{size} {'positive' if r > 0 else 'negative'}" if abs(r) >= 0.1 else "none to speak of"


def issue_labels(p: dict) -> list[tuple[str, int]]:
    """Dropdown choices naming each issue, valued by its place in the profile's issues."""
    return [(f"{i['kind'].replace('_', ' ')}: {i.get('column') or 'whole rows'} ({i['rows']:,} rows)", n)
            for n, i in enumerate(p["issues"])]


def issue_examples(services: Services | Catalog, name: str | None, index: int | str | None,
                   limit: int = profiling.MAX_ISSUE_ROWS) -> tuple[str, pd.DataFrame | None]:
    """The rows behind the asset's issue at ``index`` (its place in the profile's issues)."""
    services = services_of(services)
    issues = profiling.profile(services, name).issues if name else ()
    if not str(index).isdigit() or int(index) >= len(issues):
        return "Pick one of the asset's issues first.", None
    got = profiling.issue_examples(services, issues[int(index)], limit)
    more = f" (the first {len(got.rows)})" if got.truncated else ""
    return f"Rows where {got.condition}{more}:", pd.DataFrame(list(got.rows), columns=list(got.columns))


def null_chart(columns: list[dict]):
    """The missing-values chart, or one line of text where no column misses a value."""
    if not any(c.get("nulls") for c in columns):
        return None, NO_MISSING
    return chart_null_rates(columns), ""


def relation_rows(services: Services | Catalog, name: str) -> pd.DataFrame:
    from stocktake.tools.profile import share_text

    rows = [{"from": f"{r.from_asset}.{r.from_column}", "to": f"{r.to_asset}.{r.to_column}",
             "relation": r.reading, "values matched": share_text(r.coverage), "orphan rows": r.orphan_rows}
            for r in profiling.relationships(services_of(services), name)]
    return frame(rows, RELATION_COLUMNS)


def upload_target(services: Services, upload: str | Path) -> Path:
    """Where an upload is kept: ``uploads/<content hash>/<file name>``, so a later upload of another file with
    the same name never overwrites the source of an asset, and the same file uploaded again is stored once."""
    return services.catalog.ws.dir("uploads") / file_hash(Path(upload))[:16] / Path(upload).name


def ingest_upload(services: Services | Catalog, upload: str | Path, name: str = "",
                  replace: bool = False) -> list[IngestResult]:
    """Ingest an uploaded file from its copy in the workspace (the asset's source), not from Gradio's temporary
    file; a failed ingest leaves neither the copy nor an asset behind."""
    services = services_of(services)
    with kept_upload(upload, upload_target(services, upload)) as kept:
        return catalog.ingest(services, kept, name=name.strip() or None, replace=replace)


def _ingested(r: IngestResult) -> str:
    a = r.asset
    if r.unchanged:
        return f"**{a.name}** unchanged (same content as version {a.version})"
    return f"**{a.name}**{f' version {a.version}' if a.version > 1 else ''} ({a.rows:,} rows × {len(a.columns)} columns)"


def ingested_text(results: list[IngestResult], upload: str | Path) -> str:
    """What an ingest did, naming the uploaded file as the user knows it."""
    names = {str(Path(r.asset.source)): Path(upload).name for r in results}
    done = ", ".join(_ingested(r) for r in results)
    warnings = "".join(f"\n- ⚠️ {web_message(w, names)}" for r in results for w in r.warnings)
    return f"✅ Ingested {done} from {Path(upload).name}.{warnings}"


@dataclass(frozen=True)
class Controls:
    """The tab's components that its handlers read or fill."""
    refresh: gr.Button
    assets: gr.DataFrame
    asset: gr.Dropdown
    column: gr.Dropdown
    details: list  # what picking an asset fills, in asset_details' order
    distribution: gr.Plot
    stats: gr.Markdown
    pick_issue: gr.Dropdown
    show_rows: gr.Button
    issue_rows: list  # the words and the table of an issue's rows
    correlate: gr.Button
    pairs: gr.DataFrame
    upload: list  # the file, the asset name and the replace box
    ingest: gr.Button
    ingested: gr.Markdown


def build(app: AppContext, tab: gr.Tab) -> None:
    from stocktake.serve.panels import sources

    ui = _layout(app.services.catalog.names())
    _wire_assets(app.services, tab, ui)
    _wire_details(app.services, ui)
    _wire_ingest(app.services, ui)
    sources.build(app.services, tab, ui.refresh, ui.assets, ui.asset)


def _layout(names: list[str]) -> Controls:
    with gr.Row():
        gr.Markdown("Every asset in the workspace. Pick one to see its profile; upload a file to add one.")
        refresh = gr.Button("↻ Refresh", size="sm", scale=0, min_width=100)
    assets = gr.DataFrame(frame([], ASSET_COLUMNS), label="Assets", interactive=False, elem_id="st-assets")
    with gr.Row():
        asset = gr.Dropdown(label="Asset", choices=names, value=None, allow_custom_value=True, scale=1,
                            elem_id="st-asset")
        column = gr.Dropdown(label="Column", choices=[], allow_custom_value=True, scale=1)
    about = gr.Markdown(elem_id="st-asset-about")
    grid = gr.DataFrame(frame([], GRID_COLUMNS), label="Columns at a glance", interactive=False, wrap=True)
    with gr.Row():
        with gr.Column():
            nulls = gr.Plot(label="Missing values", show_label=False)
            no_nulls = gr.Markdown()
        with gr.Column():
            distribution = gr.Plot(label="Distribution", show_label=False)
            stats = gr.Markdown()
    issues = gr.DataFrame(frame([], ISSUE_COLUMNS), label="Quality issues", interactive=False, wrap=True,
                          column_widths=["10%", "13%", "17%", "8%", "32%", "20%"])
    with gr.Row():
        # Custom values, as for the asset picker: the API is called without the choices a session was sent.
        pick_issue = gr.Dropdown(label="Show the rows of an issue", choices=[], value=None, scale=3,
                                 allow_custom_value=True)
        show_rows = gr.Button("Show rows", size="sm", scale=0, min_width=120)
    rows_about = gr.Markdown()
    rows = gr.DataFrame(frame([], ["row"]), label="Rows of the issue", interactive=False, wrap=True,  # not "1 2 3"
                        elem_id="st-issue-rows")
    relations = gr.DataFrame(frame([], RELATION_COLUMNS), label="Relationships", interactive=False)
    with gr.Accordion("Correlations between numeric columns", open=False):
        correlate = gr.Button("Compute (a sample of at most 100,000 rows)", size="sm")
        pairs = gr.DataFrame(frame([], CORRELATION_COLUMNS), label="Strongest pairs", interactive=False)
    upload, ingest, ingested = _upload_form()
    details = [about, grid, nulls, no_nulls, column, distribution, stats, issues, pick_issue, relations]
    return Controls(refresh, assets, asset, column, details, distribution, stats, pick_issue, show_rows,
                    [rows_about, rows], correlate, pairs, upload, ingest, ingested)


def _upload_form() -> tuple[list, gr.Button, gr.Markdown]:
    with gr.Accordion("Add data: upload a file to ingest", open=False):
        with gr.Row():
            upload = gr.File(label="CSV, TSV, JSON, Parquet, Excel or SQLite", file_types=UPLOAD_TYPES,
                             type="filepath", scale=3)
            with gr.Column(scale=2):
                name = gr.Textbox(label="Asset name (optional)", placeholder="default: from the file name")
                replace = gr.Checkbox(label="Replace (add a new version)", value=False,
                                      info="when an asset of that name exists")
                ingest = gr.Button("Ingest and profile", variant="primary")
        ingested = gr.Markdown()
    return [upload, name, replace], ingest, ingested


def _wire_assets(services: Services, tab: gr.Tab, ui: Controls) -> None:
    @readable
    def load_assets(current: str | None, progress=gr.Progress()):
        progress(0.1, desc="Profiling the assets (cached after the first time)")
        table = asset_rows(services)
        return table, choices(list(table["asset"]), current)

    @readable
    def show_asset(name: str | None, progress=gr.Progress()):
        if not name:
            return "", frame([], GRID_COLUMNS), None, "", gr.Dropdown(choices=[], value=None), None, "", \
                frame([], ISSUE_COLUMNS), gr.Dropdown(choices=[], value=None), frame([], RELATION_COLUMNS)
        progress(0.1, desc=f"Profiling {name}")
        return asset_details(services, name, progress)

    def pick_row(table: pd.DataFrame, event: gr.SelectData):
        return gr.Dropdown(value=table.iloc[event.index[0]]["asset"])

    ui.refresh.click(load_assets, [ui.asset], [ui.assets, ui.asset], api_name="inventory")
    tab.select(load_assets, [ui.asset], [ui.assets, ui.asset], api_name=False)
    ui.asset.change(show_asset, [ui.asset], ui.details, api_name="asset_profile")
    ui.assets.select(pick_row, [ui.assets], [ui.asset], api_name=False)


def _wire_details(services: Services, ui: Controls) -> None:
    @readable
    def show_issue_rows(name: str | None, index: int | str | None):
        return issue_examples(services, name, index)

    @readable
    def show_correlations(name: str | None, progress=gr.Progress()):
        if not name:
            return frame([], CORRELATION_COLUMNS)
        progress(0.1, desc=f"Correlating the numeric columns of {name}")
        return correlation_rows(services, profile(services, name))

    @readable
    def show_column(name: str | None, col: str | None):
        if not name or not col:
            return None, ""
        c = next((c for c in profile(services, name).to_dict()["columns"] if c["name"] == col), None)
        return (chart_column(c), column_stats(c)) if c else (None, "")

    ui.column.input(show_column, [ui.asset, ui.column], [ui.distribution, ui.stats], api_name="column_profile")
    ui.show_rows.click(show_issue_rows, [ui.asset, ui.pick_issue], ui.issue_rows, api_name="issue_rows")
    ui.correlate.click(show_correlations, [ui.asset], [ui.pairs], api_name="correlations")


def _wire_ingest(services: Services, ui: Controls) -> None:
    @readable
    def ingest_file(path: str | None, wanted: str, current: str | None, again: bool = False,
                    progress=gr.Progress()):
        # A refused ingest says why in a toast and under the button; a raised error would put an "Error" badge
        # on every output, the assets table and the asset picker included, though neither changed.
        if not path:
            return refused("Choose a file to upload first: drop it on the box, or click the box to pick one.")
        progress(0.05, desc=f"Reading {Path(path).name}")
        try:
            results = ingest_upload(services, path, wanted, again)
        except StocktakeError as exc:
            return refused(web_message(exc))
        for r in results:
            progress(0.5, desc=f"Profiling {r.asset.name}")
            profile(services, r.asset.name)
        table = asset_rows(services)
        return ingested_text(results, path), table, choices(list(table["asset"]), results[0].asset.name)

    def refused(message: str):
        gr.Warning(message)
        return f"⚠️ {message}", gr.skip(), gr.skip()

    upload, name, replace = ui.upload
    ui.ingest.click(ingest_file, [upload, name, ui.asset, replace], [ui.ingested, ui.assets, ui.asset],
                    api_name="ingest")
