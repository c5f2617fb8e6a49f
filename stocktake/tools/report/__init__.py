"""The inventory report: what every asset is, how big and fresh it is, its quality, PII, keys and models.

    report = build_report(catalog, assets=None)   -> InventoryReport (frozen dataclasses)
    render_markdown(report) -> str;  render_html(report) -> str (one self-contained file)
    write_report(catalog, "inventory.html", assets=None) -> Path
"""

from stocktake.tools.report.build import AssetSection, InventoryReport, ReportSettings, build_report
from stocktake.tools.report.render import default_report_path, render_html, render_markdown, write_report

__all__ = [
    "AssetSection", "InventoryReport", "ReportSettings", "build_report", "default_report_path", "render_html",
    "render_markdown", "write_report",
]
