"""One chart style: the app and the report draw the same missing-values chart from the same profile."""

from __future__ import annotations

from stocktake.serve.charts import chart_null_rates as app_chart
from stocktake.tools.charts import ChartSettings, png_bytes
from stocktake.tools.report.charts import chart_null_rates as report_chart

COLUMNS = [{"name": "order_id", "null_fraction": 0.0}, {"name": "coupon", "null_fraction": 0.62},
           {"name": "city", "null_fraction": 0.07}, {"name": "note", "null_fraction": None}]


def test_the_app_and_the_report_draw_the_same_missing_values_chart():
    rates = [(c["name"], c["null_fraction"] or 0.0) for c in COLUMNS]
    assert png_bytes(app_chart(COLUMNS)) == report_chart(rates)


def test_null_rates_are_graded_by_how_much_is_missing():
    from matplotlib.colors import to_rgba

    settings = ChartSettings()
    bars = app_chart(COLUMNS, settings).axes[0].patches
    assert [b.get_facecolor() for b in bars] == [to_rgba(c) for c in (
        settings.none_colour, settings.alert_colour, settings.warn_colour, settings.none_colour)]
