"""The inventory report: build it for some assets or all, and write it as one self-contained HTML page (or as
Markdown, by the file's name)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stocktake.tools.progress import Progress, no_progress
from stocktake.usecases.services import Services

if TYPE_CHECKING:
    from stocktake.tools.report import InventoryReport


@dataclass(frozen=True)
class WrittenReport:
    report: InventoryReport
    path: Path

    def markdown(self) -> str:
        """The report as Markdown, whatever the file's format: the app previews it so."""
        from stocktake.tools.report import render_markdown

        return render_markdown(self.report)

    def to_dict(self) -> dict:
        return {"path": str(self.path), "assets": [a.name for a in self.report.assets]}


def write_inventory_report(services: Services, assets: Sequence[str] | None = None,
                           out_path: str | Path | None = None, progress: Progress = no_progress) -> WrittenReport:
    """Build the report of ``assets`` (every asset when empty) and write it to ``out_path``, a ``.html`` or
    ``.md`` file (by default ``<workspace>/reports/inventory-<timestamp>.html``).

    A wrong file name or an unknown asset fails before any profiling, and nothing is written.
    """
    from stocktake.tools.report import build_report, report_path, write_report

    path = report_path(services.catalog, out_path)
    with services.reading_profiles():
        report = build_report(services.catalog, assets or None, progress=progress)
    write_report(services.catalog, path, report=report, progress=progress)
    return WrittenReport(report, path)
