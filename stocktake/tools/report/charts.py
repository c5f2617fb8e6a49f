"""Report charts as PNG bytes, in the style the app shares (stocktake/tools/charts.py)."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from stocktake.tools.charts import SETTINGS, ChartSettings, bar_figure, null_rate_figure, png_bytes

__all__ = ["ChartSettings", "chart_null_rates", "chart_rows_per_asset", "png_data_uri"]


def chart_null_rates(rates: Sequence[tuple[str, float]], settings: ChartSettings = SETTINGS) -> bytes:
    """Horizontal bars: the share of missing values per column, in column order."""
    return png_bytes(null_rate_figure(rates, settings), settings)


def chart_rows_per_asset(rows: Sequence[tuple[str, int]], settings: ChartSettings = SETTINGS) -> bytes:
    """Horizontal bars: rows per asset."""
    values = [n for _, n in rows]
    fig = bar_figure([a for a, _ in rows], values, "Rows per asset", xlabel="rows",
                     x_max=max(values, default=0) * 1.18 or 1, value_labels=[f"{n:,}" for n in values],
                     settings=settings)
    return png_bytes(fig, settings)


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
