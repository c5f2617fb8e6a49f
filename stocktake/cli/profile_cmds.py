"""``stocktake profile`` and ``stocktake relations``: column statistics, data-quality issues, foreign keys."""

from __future__ import annotations

import typer
from rich.table import Table

from stocktake.cli.common import engine_progress, err, out, print_json, services, warn
from stocktake.errors import StocktakeError
from stocktake.usecases import profiling


def register(app: typer.Typer) -> None:
    app.command("profile")(profile)
    app.command("relations")(relations)


def profile(
    ctx: typer.Context,
    name: str = typer.Argument(None, help="Asset to profile (see `stocktake assets`)."),
    version: int = typer.Option(None, "--version", help="Asset version (default: the latest)."),
    all_assets: bool = typer.Option(False, "--all", help="Profile every asset."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Recompute even if a cached profile exists."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Profile an asset: per-column statistics and semantic types, duplicates, keys and data-quality issues."""
    if all_assets == bool(name):
        raise StocktakeError(
            "Give one asset name, or --all to profile every asset (for example: stocktake profile orders).")
    found = services(ctx)
    if not all_assets:
        with engine_progress(f"Profiling {name}") as show:
            one = profiling.profile(found, name, version, use_cache=not no_cache, progress=show)
        if as_json:
            print_json(one.to_dict())
        else:
            _print_profile(one)
        return
    with engine_progress("Profiling every asset") as show:
        every = profiling.profiles(found, use_cache=not no_cache, progress=show)
    errors = {asset: exc.for_face("cli") for asset, exc in every.failed.items()}
    for asset, message in errors.items():  # the others are profiled all the same
        warn(f"not profiled: {asset}: {message}")
    if as_json:
        print_json({"profiles": [p.to_dict() for p in every.found.values()], "errors": errors})
    else:
        _print_summary(list(every.found.values()))
    if errors:
        raise typer.Exit(1)


def relations(
    ctx: typer.Context,
    asset: str = typer.Option(None, "--asset", help="Only relations from this asset."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Recompute even if cached results exist."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Find foreign-key relationships between assets by value inclusion, ranked by evidence."""
    with engine_progress("Finding relations"):
        found = profiling.relationships(services(ctx), asset, outgoing=True, use_cache=not no_cache)
    if as_json:
        print_json({"relations": [r.to_dict() for r in found]})
        return
    table = Table(title=f"{len(found)} relations")
    for col in ("from", "to", "coverage", "cardinality", "orphan rows", "names"):
        table.add_column(col)
    for r in found:
        table.add_row(f"{r.from_asset}.{r.from_column}", f"{r.to_asset}.{r.to_column}", f"{r.coverage:.2%}",
                      r.reading, f"{r.orphan_rows:,}", "declared" if r.origin == "declared" else r.name_match)
    out.print(table)


def _print_profile(p) -> None:
    table = Table(title=f"{p.asset} v{p.version}: {p.rows:,} rows, quality {p.quality_score}")
    for col in ("column", "type", "semantic", "nulls", "distinct", "min", "max", "mean"):
        table.add_column(col, overflow="fold")
    for c in p.columns:
        distinct = "" if c.distinct is None else f"{c.distinct:,}" + ("" if c.distinct_exact else " (approx)")
        table.add_row(c.name, c.type, c.semantic_type, f"{c.nulls:,}", distinct, _short(c.min), _short(c.max),
                      _short(c.mean))
    out.print(table)
    from stocktake.tools.profile import describe_keys

    keys = ", ".join(describe_keys(p)) or "none"
    out.print(f"Duplicate rows: {p.duplicate_rows:,}   Candidate keys: {keys}", highlight=False)
    if p.time_coverage:
        tc = p.time_coverage
        out.print(f"Time coverage ({tc['column']}): {tc['first']} .. {tc['last']}, {len(tc['gaps'])} gaps",
                  highlight=False)
    if not p.issues:
        out.print("No issues found.")
        return
    issues = Table(title=f"{len(p.issues)} issues")
    for col in ("severity", "kind", "column", "rows", "message"):
        issues.add_column(col, overflow="fold")
    for i in p.issues:
        issues.add_row(i.severity, i.kind, i.column or "(table)", f"{i.rows:,}", i.message)
    out.print(issues)
    err.print(f"Quality score rule: {p.quality_rule}.", highlight=False)


def _print_summary(profiles) -> None:
    table = Table(title=f"{len(profiles)} assets")
    for col in ("asset", "rows", "columns", "duplicate rows", "issues", "quality"):
        table.add_column(col)
    for p in profiles:
        table.add_row(p.asset, f"{p.rows:,}", str(len(p.columns)), f"{p.duplicate_rows:,}", str(len(p.issues)),
                      f"{p.quality_score}")
    out.print(table)


def _short(value, width: int = 24) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Whole numbers (ids read as floats because of a blank) in full; others to 4 significant digits.
        text = f"{value:,.0f}" if value.is_integer() and abs(value) < 1e15 else f"{value:,.4g}"
    else:
        text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
