"""Tools over the catalog, the profiler, the model registry and SQL: the questions users ask most."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext
from stocktake.agent.guard import quote_value
from stocktake.agent.progress import tool_progress
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.numbers import metric_text
from stocktake.tools.profile import ISSUE_KINDS
from stocktake.words import plural

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime

KIND_GROUPS = {"duplicates": ("duplicate_rows", "duplicate_key")}


def _quote(ctx: ToolContext, value) -> str:
    guard = ctx.settings.guard
    return quote_value(value, guard.max_value_chars, guard.mask_pii)


def _profile(ctx: ToolContext, name: str):
    from stocktake.tools.profile import profile_asset

    return profile_asset(ctx.catalog, ctx.asset(name).name)


def _profiles(ctx: ToolContext, asset: str | None) -> tuple[dict, dict[str, str]]:
    """The profiles of one asset or of all; with all, one that cannot be profiled is reported as its own
    error instead of failing the answer about the others."""
    if asset:
        return {ctx.asset(asset).name: _profile(ctx, asset)}, {}
    found, failed = {}, {}
    for name in ctx.catalog.names():
        try:
            found[name] = _profile(ctx, name)
        except StocktakeError as exc:
            failed[name] = str(exc)
    return found, failed


def _failures(failed: dict[str, str]) -> str:
    return "".join(f"\n(Not profiled: {name}: {error})" for name, error in failed.items())


@agent_tool
def list_assets(*, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """List every data asset in the catalog with its kind, row count and column count."""
    ctx = runtime.context
    assets = ctx.catalog.list_assets()
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
    ctx = runtime.context
    a = ctx.asset(asset)
    p = _profile(ctx, a.name).to_dict()  # stored masked (stocktake.tools.profile.personal.mask_profile)
    by_name = {c["name"]: c for c in p["columns"]}
    cols = lines([f"- {c.name}: {c.type}, {by_name.get(c.name, {}).get('semantic_type', '?')}, "
                  f"{by_name.get(c.name, {}).get('nulls', 0):,} nulls" for c in a.columns], limit=60)
    coverage = p.get("time_coverage") or {}
    time = f"\nTime range: {coverage.get('first')} to {coverage.get('last')} ({coverage.get('column')})" if coverage else ""
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
    if kind and kind not in ISSUE_KINDS and kind not in KIND_GROUPS:
        raise UnknownNameError("issue kind", kind, (*ISSUE_KINDS, *KIND_GROUPS))
    kinds = KIND_GROUPS.get(kind, (kind,)) if kind else None
    got, failed = _profiles(ctx, asset)
    found, scores = [], {}
    for name, prof in got.items():
        scores[name] = prof.quality_score
        found += [d for d in (i.to_dict() for i in prof.issues) if not kinds or d["kind"] in kinds]
    if not found:
        where = f"in {asset}" if asset else "in any asset"
        return (f"No {kind or 'quality'} issues found {where}.{_failures(failed)}",
                {"issues": [], "quality_scores": scores, "errors": failed})
    found.sort(key=lambda i: ({"high": 0, "medium": 1, "low": 2}.get(i["severity"], 3), -i["rows"]))
    text = lines(
        f"- [{i['severity']}] {i['asset']}.{i['column'] or '*'} {i['kind']}: {i['rows']:,} rows. "
        f"{i['message']}" + (f" e.g. {', '.join(_quote(ctx, e) for e in i['examples'][:2])}" if i.get("examples") else "")
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
    from stocktake.tools.profile import find_personal_columns

    ctx = runtime.context
    got, failed = _profiles(ctx, asset)
    found = [{"asset": name, **c.to_dict()} for name, prof in got.items() for c in find_personal_columns(prof)]
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
    from stocktake.tools.profile import describe_coverage, find_relations

    ctx = runtime.context
    for name in (asset, other):
        if name:
            ctx.asset(name)
    wanted = {n for n in (asset, other) if n}
    rels = find_relations(ctx.catalog, involving=wanted)
    if not rels:
        return "No relationships found" + (f" involving {' and '.join(sorted(wanted))}." if wanted else "."), {"relations": []}
    text = lines(f"- {r.from_asset}.{r.from_column} → {r.to_asset}.{r.to_column} "
                 f"({r.reading}, {describe_coverage(r.coverage, r.orphan_rows)})" for r in rels)
    return f"{plural(len(rels), 'relationship')}:\n{text}", {"relations": [r.to_dict() for r in rels]}


@agent_tool
def list_models(task: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Every registered model (classifiers and recommenders) with its asset and main metric, newest last.

    Args:
        task: Only "classifier" or "recommender" models; all when empty.
    """
    ctx = runtime.context
    models = [m.to_dict() for m in ctx.registry.list(task=task)]
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
    from stocktake.tools.profile import select_masked

    ctx = runtime.context
    result = select_masked(ctx.catalog, query, settings=ctx.settings.guard)
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
    ctx = runtime.context
    updated = ctx.catalog.update_info(ctx.asset(asset).name, description=description)
    return f"Saved the description of {updated.name}.", {"asset": updated.to_dict()}


TOOLS = [list_assets, describe_asset, quality_issues, find_personal_data, find_relationships, list_models, run_sql,
         inventory_report, describe_asset_purpose]


