"""Write an :class:`InventoryReport` to a file: Markdown (``markdown``) or one self-contained HTML page
(``page``), by the file's suffix."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.files import write_atomic
from stocktake.tools.progress import Progress, no_progress
from stocktake.tools.report.build import InventoryReport, build_report
from stocktake.tools.report.markdown import render_markdown
from stocktake.tools.report.page import render_html

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def report_path(catalog: Catalog, out_path: str | Path | None = None) -> Path:
    """Where a report is written: ``out_path``, which must name a Markdown or HTML file, or by default
    ``<workspace>/reports/inventory-<timestamp>.html``. Checked before any work, so a wrong name fails at once."""
    path = Path(out_path) if out_path else default_report_path(catalog)
    if path.suffix.lower() not in FORMATS:
        raise StocktakeError(f"Cannot write a report as '{path.name}': use a .md or .html file name.")
    if path.is_dir():
        raise StocktakeError(f"'{path}' is a folder: give a file name such as {path / 'inventory.html'}.")
    return path


def write_report(catalog: Catalog, out_path: str | Path | None = None, assets: Sequence[str] | None = None,
                 report: InventoryReport | None = None, progress: Progress = no_progress) -> Path:
    """Build the report (unless given one) and write it to :func:`report_path`; returns the path."""
    path = report_path(catalog, out_path)
    report = report or build_report(catalog, assets, progress=progress)
    progress(f"writing {path.name}", 0, None)
    text = render_markdown(report) if FORMATS[path.suffix.lower()] == "markdown" else render_html(report)
    write_atomic(path, text, mode=0o666)  # a half-written report never replaces a good one; it is for sharing
    return path


def default_report_path(catalog: Catalog) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return catalog.ws.dir("reports") / f"inventory-{stamp}.html"
