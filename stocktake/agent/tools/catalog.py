"""Tools over the catalog, the profiler, the model registry and SQL: the questions users ask most. Each calls
its use case (stocktake.usecases) and words the result for the model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext
from stocktake.agent.guard import quote_value
from stocktake.agent.progress import tool_progress
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.numbers import metric_text
from stocktake.usecases import catalog, profiling, questions
from stocktake.words import plural

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime


def _quote(ctx: ToolContext, value) -> str:
    guard = ctx.settings.guard
    return quote_value(value, guard.max_value_chars, guard.mask_pii)


def _failures(failed: dict[str, str]) -> str:
    return "".join(f"\n(Not profiled: {name}: {error})" for name, error in failed.items())


def _errors(failed: dict) -> dict[str, str]:
    return {name: exc.for_face("model") for name, exc in failed.items()}


@agent_tool
def list_assets(*, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """List every data asset in the catalog with its kind, row count and column count."""
    assets = catalog.list_assets(runtime.context)
    if not assets:
        return "The catalog is empty. Ingest files with `stocktake ingest PATH`.", {"assets": []}
    text = lines(f"- {a.name} ({a.kind}): {a.rows:,} rows × {len(a.columns)} columns" for a in assets)
    return f"{plural(len(assets), 'asset')}:\n{text}", {"assets": [a.to_dict() for a in assets]}


@agent_tool
def describe_asset(asset: str, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Describe one asset: kind, size, source, versions, time range and every column with its type.

    Args:
        asset: Asset name exactly as in the catalog, e.g. "orders".
    """
    described = catalog.describe_asset(runtime.context, asset)
    a, p = described.asset, described.profile.to_dict()
    by_name = {c["name"]: c for c in p["columns"]}
    cols = lines([f"- {c.name}: {c.type}, {by_name.get(c.name, {}).get('semantic_type', '?')}, "
                  f"{by_name.get(c.name, {}).get('nulls', 0):,} nulls" for c in a.columns], limit=60)
    coverage = p.get("time_coverage") or {}
    time = (f"\nTime range: {coverage.get('first')} to {coverage.get('last')} ({coverage.get('column')})"
            if coverage else "")
    text = (f"{a.name} ({a.kind}): {a.rows:,} rows × {len(a.columns)} columns, version {a.version}, "
            f"from {a.source}. {a.about}{time}\nLineage: {a.origin}\nColumns:\n{cols}")
    return text, {"asset": a.to_dict(), "profile": p}


@agent_tool
def quality_issues(asset: str | None = None, kind: str | None = None, *,
                   runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Quality issues found by the profiler: missing values, duplicates, PII, orphans and more.

    Args:
        asset: One asset name; leave empty for every asset.
        kind: Only issues of this kind: duplicate_rows, duplicate_key, missing_values, constant_column,
            unparseable_values, future_or_ancient_dates, negative_values, zero_values, outliers,
            inconsistent_categories, pii, mixed_types, orphan_foreign_keys or suspected_mislabel;
            or "duplicates" for both duplicate_rows and duplicate_key.
    """
    ctx = runtime.context
    got = profiling.quality_issues(ctx, asset, kind)
    found, scores, failed = [i.to_dict() for i in got.issues], got.scores, _errors(got.failed)
    if not found:
        where = f"in {asset}" if asset else "in any asset"
        return (f"No {kind or 'quality'} issues found {where}.{_failures(failed)}",
                {"issues": [], "quality_scores": scores, "errors": failed})
    text = lines(
        f"- [{i['severity']}] {i['asset']}.{i['column'] or '*'} {i['kind']}: {i['rows']:,} rows. {i['message']}"
        + (f" e.g. {', '.join(_quote(ctx, e) for e in i['examples'][:2])}" if i.get("examples") else "")
        for i in found)
    # Scores answer "how good is the data"; a question about one kind of issue gets those issues first.
    score = "; ".join(f"{n}: {s:.0f}/100" for n, s in scores.items())
    issues = plural(len(found), "issue")
    head = f"{issues} of kind {kind}:" if kind else f"{issues} (quality scores: {score}):"
    return f"{head}\n{text}{_failures(failed)}", {"issues": found, "quality_scores": scores, "errors": failed}


@agent_tool
def find_personal_data(asset: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Columns holding personal data (PII): by their values' type (email, phone), by their name (name,
    address) or by e-mail addresses and phone numbers found in free text; and quasi-identifiers, columns such
    as zip code, age and gender that single out a person only together (listed, never masked).

    Args:
        asset: One asset name; leave empty for every asset.
    """
    got = profiling.personal_data(runtime.context, asset)
    found, failed = [c.to_dict() for c in got.columns], _errors(got.failed)
    if not found:
        where = f"in {asset}" if asset else "in any asset"
        return f"No personal data found {where}.{_failures(failed)}", {"columns": [], "errors": failed}
    text = lines(f"- {c['asset']}.{c['column']}: {c['reason']}"
                 + (f" ({c['rows']:,} rows)" if c["rows"] is not None else "") for c in found)
    verb = "holds" if len(found) == 1 else "hold"
    return (f"{plural(len(found), 'column')} {verb} personal data:\n{text}{_failures(failed)}",
            {"columns": found, "errors": failed})


@agent_tool
def find_relationships(asset: str | None = None, other: str | None = None, *,
                       runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Foreign-key relationships between assets (how tables join), with coverage and cardinality.

    Args:
        asset: Only relationships that involve this asset; leave empty for all.
        other: With asset, only relationships between asset and this second asset.
    """
    from stocktake.tools.profile import describe_coverage

    rels = profiling.relationships(runtime.context, asset, other)
    if not rels:
        wanted = sorted({n for n in (asset, other) if n})
        return "No relationships found" + (f" involving {' and '.join(wanted)}." if wanted else "."), {"relations": []}
    text = lines(f"- {r.from_asset}.{r.from_column} → {r.to_asset}.{r.to_column} "
                 f"({r.reading}, {describe_coverage(r.coverage, r.orphan_rows)})" for r in rels)
    return f"{plural(len(rels), 'relationship')}:\n{text}", {"relations": [r.to_dict() for r in rels]}


@agent_tool
def list_models(task: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Every registered model (classifiers and recommenders) with its asset and main metric, newest last.

    Args:
        task: Only "classifier" or "recommender" models; all when empty.
    """
    from stocktake.usecases.models import list_models as registered

    models = [m.to_dict() for m in registered(runtime.context, task)]
    if not models:
        return ("No models are trained yet. Train a classifier (train_text_classifier) or recommenders "
                "(train_recommenders)."), {"models": []}
    text = lines(f"- {m['model_id']}: {m['task']} {m['algorithm']} on {m['asset']}"
                 + (f" (v{m['asset_version']})" if m["asset_version"] is not None else "")
                 + "".join(f", {k} {metric_text(v)}" for k, v in list(m["metrics"].items())[:2]
                           if isinstance(v, (int, float)))
                 for m in models)
    return f"{plural(len(models), 'model')}:\n{text}", {"models": models}


@agent_tool
def run_sql(query: str, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Run one read-only SQL SELECT (DuckDB dialect) over the assets; each asset is a table of its name.

    Args:
        query: A single SELECT statement, e.g. "SELECT status, COUNT(*) FROM orders GROUP BY 1".
    """
    ctx = runtime.context
    result = questions.run_sql(ctx, query)
    table = lines((" | ".join(_quote(ctx, v) for v in row) for row in result.rows[:20]), limit=20)
    more = " (more rows were cut by the row limit)" if result.truncated else ""
    note = f" ({result.note})" if result.note else ""
    text = f"{plural(len(result.rows), 'row')}{more}{note}. Columns: {', '.join(result.columns)}\n{table}"
    return text, result.to_dict()


@agent_tool(action="write_report")
def inventory_report(assets: list[str] | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Write the inventory report (every asset's size, freshness, quality, PII, keys, relations, models) as HTML.

    Args:
        assets: Only these assets; every asset when empty.
    """
    from stocktake.usecases.reports import write_inventory_report

    written = write_inventory_report(runtime.context, assets, progress=tool_progress(runtime.config))
    report = written.report
    rows = lines(f"- {a.name} ({a.kind}): {a.rows:,} rows, quality "
                 f"{'n/a' if a.quality_score is None else f'{a.quality_score:.0f}'}, "
                 f"{plural(a.issue_count, 'issue')}, PII: {', '.join(a.pii_columns) or 'none'}, "
                 f"{plural(len(a.models), 'model')}" for a in report.assets)
    text = (f"Inventory of {len(report.assets)} assets, {report.total_rows:,} rows, "
            f"{plural(len(report.relations), 'relationship')}. Full report: {written.path}\n{rows}")
    return text, written.to_dict()


@agent_tool(action="describe_asset")
def describe_asset_purpose(asset: str, description: str, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Record what an asset holds (its description in the catalog). Changes the catalog: needs confirmation.

    Args:
        asset: Asset name exactly as in the catalog.
        description: One or two sentences on what the table holds and who uses it.
    """
    updated = catalog.record_description(runtime.context, asset, description)
    return f"Saved the description of {updated.name}.", {"asset": updated.to_dict()}


TOOLS = [list_assets, describe_asset, quality_issues, find_personal_data, find_relationships, list_models, run_sql,
         inventory_report, describe_asset_purpose]


