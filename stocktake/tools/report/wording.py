"""The words both renderings of the inventory report share: an asset's facts line by line (size, freshness,
quality, personal data, keys), relationships, sizes, times and the scope of the report."""

from __future__ import annotations

from stocktake.numbers import metric_text
from stocktake.tools.profile import key_text, share_text
from stocktake.tools.report.build import AssetSection, InventoryReport
from stocktake.words import plural


def empty_message(report: InventoryReport) -> str:
    return (f"The workspace {report.workspace} has no assets yet, so there is nothing to report. "
            "Ingest data with `stocktake ingest PATH` (or generate some first with `stocktake sample-data DIR`).")


def scope_line(report: InventoryReport) -> str:
    shown = len(report.assets)
    scope = f"{shown} of {report.catalog_assets} assets" if shown != report.catalog_assets else f"{shown} assets"
    return f"Workspace `{report.workspace}` · {scope} · generated {when_text(report.generated_at)}"


def size_text(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def when_text(iso: str) -> str:
    """``2026-11-28T16:21:36+00:00`` as ``2026-11-28 16:21:36 UTC``."""
    return iso.replace("T", " ", 1).replace("+00:00", " UTC")


def percent_text(fraction: float | None) -> str:
    return "–" if fraction is None else f"{fraction:.1%}"


def metrics_text(metrics: tuple[tuple[str, float], ...]) -> str:
    return " · ".join(f"{k} {metric_text(v)}" for k, v in metrics) or "no metrics recorded"


def relation_text(r) -> str:
    return (f"{r.from_asset}.{r.from_column} → {r.to_asset}.{r.to_column} "
            f"({r.cardinality}, {share_text(r.coverage)} of values match)")


def keys_text(a: AssetSection) -> str:
    """The keys the profiler found (an asset's own key may repeat: said so), and any column other tables
    reference that is not unique (marked PK all the same)."""
    distinct = {c.name: c.distinct for c in a.columns}
    keys = " · ".join(key_text(k, distinct.get(k[0]) if len(k) == 1 else None, a.rows, a.duplicate_rows or 0)
                      for k in a.candidate_keys) or "none unique"
    repeated = [c for c in a.columns if "PK" in c.key and (c.name,) not in a.candidate_keys]
    if repeated:
        keys += "; referenced but repeating: " + ", ".join(
            f"{c.name} ({c.distinct:,} distinct in {plural(a.rows, 'row')})" if c.distinct is not None else c.name
            for c in repeated)
    return keys


def pii_text(a: AssetSection) -> str:
    """Direct personal data, then the quasi-identifiers with why they are personal only together."""
    text = ", ".join(a.pii_columns) or "none found"
    quasi = [c for c in a.columns if c.quasi_identifier]
    if quasi:
        why = quasi[0].quasi_identifier.split(": ", 1)[-1]
        text += f"; quasi-identifiers: {', '.join(c.name for c in quasi)} ({why})"
    return text


def facts(a: AssetSection) -> list[tuple[str, str]]:
    """The one-line facts of an asset, in reading order: size, freshness, quality, PII, keys."""
    cov = a.time_coverage
    quality = "not profiled" if a.quality_score is None else (
        f"{a.quality_score:.0f}/100 · {plural(a.issue_count, 'issue')}"
        + (f" · {plural(a.duplicate_rows, 'duplicate row')}" if a.duplicate_rows else ""))
    return [
        ("Size", f"{plural(a.rows, 'row')} × {plural(a.n_columns, 'column')} · {size_text(a.bytes)} Parquet "
                 f"(version {a.version})"),
        ("Last updated", when_text(a.updated_at)),
        ("Lineage", a.origin),
        ("Time coverage", f"{cov.column} from {when_text(cov.first)} to {when_text(cov.last)}" if cov
         else "no date or timestamp column"),
        ("Quality", quality),
        ("PII columns", pii_text(a)),
        ("Candidate keys", keys_text(a)),
        ("Source", a.source),
    ]
