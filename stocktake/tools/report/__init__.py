"""The inventory report: what every asset is, how big and fresh it is, its quality, PII, keys and models.

    report = build_report(catalog, assets=None)   -> InventoryReport (frozen dataclasses)
    render_markdown(report) -> str;  render_html(report) -> str (one self-contained file)
    write_report(catalog, "inventory.html", assets=None) -> Path

``build`` gathers the data, ``wording`` holds what both renderings say, ``markdown`` and ``page`` render it (the
page draws the diagram with ``er`` and the charts with ``charts``), and ``render`` writes it to a file.
"""

from stocktake.tools.report.build import AssetSection, InventoryReport, ReportSettings, build_report
from stocktake.tools.report.markdown import render_markdown
from stocktake.tools.report.page import render_html
from stocktake.tools.report.render import default_report_path, report_path, write_report

__all__ = [
    "AssetSection", "InventoryReport", "ReportSettings", "build_report", "default_report_path", "render_html",
    "render_markdown", "report_path", "write_report",
]
