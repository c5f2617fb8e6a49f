"""Report charts as PNG bytes, drawn with matplotlib's Agg canvas (no display, no pyplot global state); and
the readable axis ticks the app's charts (stocktake.serve.charts) share with them."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChartSettings:
    dpi: int = 110
    width_in: float = 7.5
    bar_in: float = 0.28  # height per bar
    max_bars: int = 40  # more columns than this: only the ones with the most nulls are drawn
    warn_fraction: float = 0.05  # null rates above this are drawn amber, above alert_fraction red
    alert_fraction: float = 0.5
    min_axis_percent: float = 5.0
    ticks: int = 6  # at most this many labelled ticks on the value axis


_GREY, _BLUE, _AMBER, _RED = "#94a3b8", "#2563eb", "#f59e0b", "#dc2626"


def chart_null_rates(rates: Sequence[tuple[str, float]], settings: ChartSettings = ChartSettings()) -> bytes:
    """Horizontal bars: the share of missing values per column, in column order."""
    shown = list(rates)
    title = "Missing values per column"
    if len(shown) > settings.max_bars:
        keep = {n for n, _ in sorted(shown, key=lambda nr: -nr[1])[:settings.max_bars]}
        shown = [(n, r) for n, r in shown if n in keep]
        title += f" ({settings.max_bars} of {len(rates)} columns with the most)"
    highest = max((r for _, r in shown), default=0.0)
    if not highest:
        title += " (none missing)"
    colours = [_RED if r > settings.alert_fraction else _AMBER if r > settings.warn_fraction
               else _BLUE if r > 0 else _GREY for _, r in shown]
    labels = [f"{r:.1%}" if r else "0" for _, r in shown]
    # Scaled to the worst column (at least 0-5 %), so that a 0.5 % gap is still a visible bar.
    x_max = min(max(highest * 100 * 1.25, settings.min_axis_percent), 112)
    return _bar_chart([n for n, _ in shown], [r * 100 for _, r in shown], colours, labels, title,
                      "% of rows missing", settings, x_max=x_max)


def chart_rows_per_asset(rows: Sequence[tuple[str, int]], settings: ChartSettings = ChartSettings()) -> bytes:
    """Horizontal bars: rows per asset."""
    values = [n for _, n in rows]
    return _bar_chart([a for a, _ in rows], values, [_BLUE] * len(rows), [f"{n:,}" for n in values],
                      "Rows per asset", "rows", settings, x_max=max(values, default=0) * 1.18 or 1)


def round_ticks(axis, most: int) -> None:
    """At most ``most`` ticks on ``axis``, on round values (multiples of 1, 2, 2.5 or 5 times a power of ten),
    labelled as people write numbers."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=most, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(lambda x, _: readable_number(x))


def readable_number(value: Any) -> str:
    """1,500, 0.25, 2.5M; never 1.6e+03."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.4g}M"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.4g}"


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _bar_chart(names: list[str], values: list[float], colours: list[str], labels: list[str], title: str,
               x_label: str, settings: ChartSettings, x_max: float) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(settings.width_in, 1.1 + settings.bar_in * max(len(names), 1)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = range(len(names))
    ax.barh(list(positions), values, color=colours, height=0.7)
    ax.set_yticks(list(positions), labels=[_shorten(n) for n in names], fontsize=9)
    ax.invert_yaxis()  # first column / asset at the top, as in the tables
    ax.set_xlim(0, x_max)
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_xlabel(x_label, fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    round_ticks(ax.xaxis, settings.ticks)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for y, value, label in zip(positions, values, labels):
        ax.text(value + x_max * 0.01, y, label, va="center", fontsize=8, color="#334155")
    fig.tight_layout()
    buffer = io.BytesIO()
    # No "Software" stamp: the same report data gives byte-identical charts.
    fig.savefig(buffer, format="png", dpi=settings.dpi, metadata={"Software": None})
    return buffer.getvalue()


def _shorten(name: str, limit: int = 28) -> str:
    # Cut in the middle: long column names often differ only at the end (amount_2023_q1, amount_2023_q2).
    if len(name) <= limit:
        return name
    head = (limit - 1) // 2
    return name[:head] + "…" + name[-(limit - 1 - head):]
