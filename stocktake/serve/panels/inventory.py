"""The inventory tab: every asset with its quality; one asset's profile, charts, issues and relationships;
and uploading a file to ingest it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr
import pandas as pd

from stocktake.catalog import Catalog, file_hash
from stocktake.errors import StocktakeError
from stocktake.serve.charts import chart_column, chart_null_rates
from stocktake.serve.common import AppContext, choices, frame, kept_upload, readable, web_message

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


def profile(catalog: Catalog, name: str):
    from stocktake.tools.profile import profile_asset

    return profile_asset(catalog, name)


def profiled_at(catalog: Catalog, name: str) -> str:
    """When the cached profile of the asset's current version was written."""
    from stocktake.settings import ProfileSettings
    from stocktake.tools.profile import cache_path

    path = cache_path(catalog, catalog.get(name), ProfileSettings())
    if not path.is_file():
        return ""
    return dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")


def asset_rows(catalog: Catalog) -> pd.DataFrame:
    from stocktake.tools.profile import profile_all
    from stocktake.tools.profile import profiles_read_once

    with profiles_read_once():
        profiles = {p.asset: p for p in profile_all(catalog)}
    rows = [{"asset": a.name, "kind": a.kind, "rows": a.rows, "columns": len(a.columns),
             "quality": round(profiles[a.name].quality_score), "issues": len(profiles[a.name].issues),
             "last profiled": profiled_at(catalog, a.name)} for a in catalog.list_assets()]
    return frame(rows, ASSET_COLUMNS)


def asset_details(catalog: Catalog, name: str, progress=lambda *_, **__: None) -> tuple:
    """What picking an asset shows: its profile and its relationships, which need every asset's profile
    (each read once)."""
    from stocktake.tools.profile import profiles_read_once

    with profiles_read_once():
        full = profile(catalog, name)
        a, p = catalog.get(name), full.to_dict()
        progress(0.6, desc="Finding relationships")
        names = [c["name"] for c in p["columns"]]
        first = first_chartable(p["columns"])
        return (summary(p, a), column_grid(full), *null_chart(p["columns"]),
                choices(names, first["name"] if first else None), chart_column(first) if first else None,
                column_stats(first) if first else "", issue_rows(p),
                gr.Dropdown(choices=issue_labels(p), value=None), relation_rows(catalog, name))


def summary(p: dict, asset) -> str:
    keys = ", ".join("(" + ", ".join(k) + ")" for k in p["candidate_keys"]) or "none found"
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
    """Every column of a profile at a glance; the values of personal columns masked as everywhere else."""
    from stocktake.tools.profile import mask_profile

    rows = [{"column": c["name"], "type": c["type"], "semantic type": c.get("semantic_type") or "?",
             "missing": f"{c['nulls']:,} ({c.get('null_fraction', 0):.1%})",
             "distinct": "" if c.get("distinct") is None else f"{c['distinct']:,}",
             "distribution": sparkline(c), "samples": samples(c)} for c in mask_profile(full).to_dict()["columns"]]
    return frame(rows, GRID_COLUMNS)


def correlation_rows(catalog: Catalog, full: TableProfile, top: int = 15) -> pd.DataFrame:
    from stocktake.tools.profile import correlations

    got = correlations(catalog, full)
    rows = [{"columns": f"{q.a} ~ {q.b}", "r": q.r, "reading": _strength(q.r)} for q in got.pairs[:top]]
    return frame(rows, CORRELATION_COLUMNS)


def _strength(r: float) -> str:
    size = "strong" if abs(r) >= 0.7 else "moderate" if abs(r) >= 0.3 else "weak"
    return f"{size} {'positive' if r > 0 else 'negative'}" if abs(r) >= 0.1 else "none to speak of"


def issue_labels(p: dict) -> list[tuple[str, int]]:
    """Dropdown choices naming each issue, valued by its place in the profile's issues."""
    return [(f"{i['kind'].replace('_', ' ')}: {i.get('column') or 'whole rows'} ({i['rows']:,} rows)", n)
            for n, i in enumerate(p["issues"])]


def issue_examples(catalog: Catalog, name: str, index: int, limit: int = 50) -> tuple[str, pd.DataFrame]:
    from stocktake.tools.profile import issue_rows as rows_of

    got = rows_of(catalog, name, profile(catalog, name).issues[index], limit)
    more = f" (the first {len(got.rows)})" if got.truncated else ""
    return f"Rows where {got.condition}{more}:", pd.DataFrame(list(got.rows), columns=list(got.columns))


def null_chart(columns: list[dict]):
    """The missing-values chart, or one line of text where no column misses a value."""
    if not any(c.get("nulls") for c in columns):
        return None, NO_MISSING
    return chart_null_rates(columns), ""


def relation_rows(catalog: Catalog, name: str) -> pd.DataFrame:
    from stocktake.tools.profile import find_relations, share_text

    rows = [{"from": f"{r.from_asset}.{r.from_column}", "to": f"{r.to_asset}.{r.to_column}",
             "relation": r.reading, "values matched": share_text(r.coverage), "orphan rows": r.orphan_rows}
            for r in find_relations(catalog, involving=[name])]
    return frame(rows, RELATION_COLUMNS)


def upload_target(catalog: Catalog, upload: str | Path) -> Path:
    """Where an upload is kept: ``uploads/<content hash>/<file name>``, so a later upload of another file with
    the same name never overwrites the source of an asset, and the same file uploaded again is stored once."""
    return catalog.ws.dir("uploads") / file_hash(Path(upload))[:16] / Path(upload).name


def ingest_upload(catalog: Catalog, upload: str | Path, name: str = "", replace: bool = False) -> list[IngestResult]:
    """Ingest an uploaded file from its copy in the workspace (the asset's source), not from Gradio's temporary
    file; a failed ingest leaves neither the copy nor an asset behind."""
    from stocktake.tools.ingest import ingest_path

    with kept_upload(upload, upload_target(catalog, upload)) as kept:
        return ingest_path(catalog, kept, name=name.strip() or None, replace=replace)


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


def build(app: AppContext, tab: gr.Tab) -> None:
    catalog = app.catalog
    with gr.Row():
        gr.Markdown("Every asset in the workspace. Pick one to see its profile; upload a file to add one.")
        refresh = gr.Button("↻ Refresh", size="sm", scale=0, min_width=100)
    assets = gr.DataFrame(frame([], ASSET_COLUMNS), label="Assets", interactive=False, elem_id="st-assets")
    with gr.Row():
        asset = gr.Dropdown(label="Asset", choices=catalog.names(), value=None, allow_custom_value=True, scale=1,
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
    rows = gr.DataFrame(frame([], ["row"]), label="Rows of the issue", interactive=False, wrap=True)  # not "1 2 3"
    relations = gr.DataFrame(frame([], RELATION_COLUMNS), label="Relationships", interactive=False)
    with gr.Accordion("Correlations between numeric columns", open=False):
        correlate = gr.Button("Compute (a sample of at most 100,000 rows)", size="sm")
        pairs = gr.DataFrame(frame([], CORRELATION_COLUMNS), label="Strongest pairs", interactive=False)
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

    @readable
    def load_assets(current: str | None, progress=gr.Progress()):
        progress(0.1, desc="Profiling the assets (cached after the first time)")
        table = asset_rows(catalog)
        return table, choices(list(table["asset"]), current)

    @readable
    def show_asset(name: str | None, progress=gr.Progress()):
        if not name:
            return "", frame([], GRID_COLUMNS), None, "", gr.Dropdown(choices=[], value=None), None, "", \
                frame([], ISSUE_COLUMNS), gr.Dropdown(choices=[], value=None), frame([], RELATION_COLUMNS)
        progress(0.1, desc=f"Profiling {name}")
        return asset_details(catalog, name, progress)

    @readable
    def show_issue_rows(name: str | None, index: int | str | None):
        from stocktake.tools.profile import profiles_read_once

        with profiles_read_once():
            count = len(profile(catalog, name).issues) if name else 0
            if not str(index).isdigit() or int(index) >= count:
                return "Pick one of the asset's issues first.", None
            return issue_examples(catalog, name, int(index))

    @readable
    def show_correlations(name: str | None, progress=gr.Progress()):
        if not name:
            return frame([], CORRELATION_COLUMNS)
        progress(0.1, desc=f"Correlating the numeric columns of {name}")
        return correlation_rows(catalog, profile(catalog, name))

    @readable
    def show_column(name: str | None, col: str | None):
        if not name or not col:
            return None, ""
        c = next((c for c in profile(catalog, name).to_dict()["columns"] if c["name"] == col), None)
        return (chart_column(c), column_stats(c)) if c else (None, "")

    def pick_row(table: pd.DataFrame, event: gr.SelectData):
        return gr.Dropdown(value=table.iloc[event.index[0]]["asset"])

    @readable
    def ingest_file(path: str | None, wanted: str, current: str | None, again: bool = False,
                    progress=gr.Progress()):
        # A refused ingest says why in a toast and under the button; a raised error would put an "Error" badge
        # on every output, the assets table and the asset picker included, though neither changed.
        if not path:
            return refused("Choose a file to upload first: drop it on the box, or click the box to pick one.")
        progress(0.05, desc=f"Reading {Path(path).name}")
        try:
            results = ingest_upload(catalog, path, wanted, again)
        except StocktakeError as exc:
            return refused(web_message(exc))
        for r in results:
            progress(0.5, desc=f"Profiling {r.asset.name}")
            profile(catalog, r.asset.name)
        table = asset_rows(catalog)
        return ingested_text(results, path), table, choices(list(table["asset"]), results[0].asset.name)

    def refused(message: str):
        gr.Warning(message)
        return f"⚠️ {message}", gr.skip(), gr.skip()

    details = [about, grid, nulls, no_nulls, column, distribution, stats, issues, pick_issue, relations]
    refresh.click(load_assets, [asset], [assets, asset], api_name="inventory")
    tab.select(load_assets, [asset], [assets, asset], api_name=False)
    asset.change(show_asset, [asset], details, api_name="asset_profile")
    column.input(show_column, [asset, column], [distribution, stats], api_name="column_profile")
    show_rows.click(show_issue_rows, [asset, pick_issue], [rows_about, rows], api_name="issue_rows")
    correlate.click(show_correlations, [asset], [pairs], api_name="correlations")
    assets.select(pick_row, [assets], [asset], api_name=False)
    ingest.click(ingest_file, [upload, name, asset, replace], [ingested, assets, asset], api_name="ingest")
