"""One chart style for the app and the report: its settings, horizontal bars, the missing-values chart, and
readable axis ticks.

Figures are built with ``matplotlib.figure.Figure`` (never pyplot), so concurrent requests never share pyplot's
global state and nothing has to be closed by hand; the app shows a figure as it is, the report as ``png_bytes``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure


@dataclass(frozen=True)
class ChartSettings:
    width: float = 7.5  # inches
    bar_height: float = 0.28  # inches per bar of a horizontal bar chart
    min_height: float = 2.2
    max_bars: int = 25  # more columns than this: the missing-values chart draws the ones with the most nulls
    label_chars: int = 28  # longer labels are cut in the middle
    colour: str = "#4f6bed"
    warn_colour: str = "#f59e0b"  # null rates above warn_fraction; above alert_fraction alert_colour
    alert_colour: str = "#dc2626"
    none_colour: str = "#94a3b8"  # a column with no nulls: a stub of a bar, never a gap
    warn_fraction: float = 0.05
    alert_fraction: float = 0.5
    min_axis_fraction: float = 0.05  # the missing-values axis runs to at least 5 %
    ticks: int = 7  # at most this many labelled ticks on a value axis
    dpi: int = 110  # of a PNG
    message_height: float = 1.6  # a chart box that only says why it is empty
    message_chars: int = 72  # its lines are wrapped at this width
    message_colour: str = "#868e96"


SETTINGS = ChartSettings()


def bar_figure(labels: Sequence[Any], values: Sequence[float], title: str, *, xlabel: str = "",
               colours: Sequence[str] | None = None, x_max: float | None = None, percent: bool = False,
               value_labels: Sequence[str] | None = None, settings: ChartSettings = SETTINGS) -> Figure:
    """Horizontal bars, first label on top, at most ``settings.max_bars``; long labels are shortened. ``percent``:
    the values are shares, ticked as percentages; ``value_labels`` are written at the end of each bar."""
    names = [shorten(str(v), settings.label_chars) for v in labels][: settings.max_bars]
    values = list(values)[: settings.max_bars]
    fig = Figure(figsize=(settings.width, max(settings.min_height, 0.8 + settings.bar_height * len(values))),
                 layout="constrained")
    ax = fig.add_subplot()
    positions = list(range(len(values)))
    ax.barh(positions, values, color=list(colours or [settings.colour] * len(values))[: len(values)], height=0.7)
    ax.set_yticks(positions, names, fontsize=9)
    ax.invert_yaxis()  # the first column, asset or value at the top, as in the tables
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    top = x_max or (max(1.0, max(values, default=0)) if percent else None)
    if top:
        ax.set_xlim(0, top)
    round_ticks(ax.xaxis, settings.ticks, percent=percent)
    for y, value, label in zip(positions, values, value_labels or ()):
        ax.text(value + ax.get_xlim()[1] * 0.01, y, label, va="center", fontsize=8, color="#334155")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def null_rate_figure(rates: Sequence[tuple[str, float]], settings: ChartSettings = SETTINGS) -> Figure:
    """The share of missing values per column, in column order; of a wide table, the columns with the most."""
    shown, title = list(rates), "Missing values per column"
    if len(shown) > settings.max_bars:
        keep = {n for n, _ in sorted(shown, key=lambda nr: -nr[1])[: settings.max_bars]}
        shown = [(n, r) for n, r in shown if n in keep]
        title += f" ({settings.max_bars} of {len(rates)} columns with the most)"
    highest = max((r for _, r in shown), default=0.0)
    if not highest:
        title += " (none missing)"
    colours = [settings.alert_colour if r > settings.alert_fraction else settings.warn_colour
               if r > settings.warn_fraction else settings.colour if r > 0 else settings.none_colour for _, r in shown]
    # Scaled to the worst column (at least 0-5 %), so that a 0.5 % gap is still a visible bar.
    x_max = min(max(highest * 1.25, settings.min_axis_fraction), 1.12)
    return bar_figure([n for n, _ in shown], [r for _, r in shown], title, xlabel="share of rows missing",
                      colours=colours, x_max=x_max, percent=True, settings=settings)


def png_bytes(fig: Figure, settings: ChartSettings = SETTINGS) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    # No "Software" stamp: the same data gives byte-identical charts.
    fig.savefig(buffer, format="png", dpi=settings.dpi, metadata={"Software": None})
    return buffer.getvalue()


def round_ticks(axis, most: int, percent: bool = False) -> None:
    """At most ``most`` ticks on ``axis``, on round values (multiples of 1, 2, 2.5 or 5 times a power of ten),
    labelled as people write numbers (``percent``: shares as percentages)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=most, steps=[1, 2, 2.5, 5, 10]))
    if percent:
        axis.set_major_formatter(lambda x, _: f"{readable_number(round(x * 100, 9))}%")
    else:
        axis.set_major_formatter(lambda x, _: readable_number(x))


def readable_number(value: Any) -> str:
    """1,500, 0.25, 2.5M; never 1.6e+03."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.4g}M"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.4g}"


def shorten(name: str, limit: int) -> str:
    # Cut in the middle: long names often differ only at the end (amount_2023_q1, amount_2023_q2).
    if len(name) <= limit:
        return name
    head = (limit - 1) // 2
    return name[:head] + "…" + name[-(limit - 1 - head):]
