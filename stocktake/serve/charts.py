"""Matplotlib figures for the app: profile charts, tool results in the chat, model comparisons; in the style, the
bars and the missing-values chart the report shares (stocktake/tools/charts.py).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from stocktake.tools.charts import SETTINGS, ChartSettings, bar_figure, null_rate_figure, readable_number, round_ticks


def chart_timeline(labels: Sequence[Any], values: Sequence[float], title: str, *, ylabel: str = "",
                   settings: ChartSettings = SETTINGS) -> Figure:
    """A measure over time: time on the x axis, left to right, a few readable ticks."""
    fig = Figure(figsize=(settings.width, 3.2), layout="constrained")
    ax = fig.add_subplot()
    xs = list(range(len(values)))
    ax.plot(xs, list(values), marker="o" if len(values) <= 40 else None, color=settings.colour)
    step = max(1, len(xs) // 8)
    ax.set_xticks(xs[::step], [str(v) for v in list(labels)[::step]], rotation=30, ha="right")
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def chart_plan_result(artifact: dict, settings: ChartSettings = SETTINGS) -> Figure | None:
    """A query plan's result as a chart: a line over a time bucket, bars for three or more groups."""
    labels, measures = artifact.get("labels") or [], artifact.get("measures") or []
    rows, columns = artifact.get("rows") or [], artifact.get("columns") or []
    if len(labels) != 1 or not measures or not rows:
        return None
    at = len(labels)
    values = [r[at] for r in rows]
    if not all(_is_number(v) for v in values):
        return None
    buckets = [g.get("bucket") for g in (artifact.get("plan") or {}).get("group_by", [])]
    title = f"{columns[at]} by {columns[0]}"
    if buckets and buckets[0] and len(rows) >= 2:
        return chart_timeline([r[0] for r in rows], values, title, ylabel=columns[at], settings=settings)
    if 3 <= len(rows) <= settings.max_bars:
        return bar_figure([r[0] for r in rows], values, title, xlabel=columns[at], settings=settings)
    return None


def chart_null_rates(columns: Sequence[dict], settings: ChartSettings = SETTINGS) -> Figure:
    """The share of missing values per column of a profile (``columns`` as in ``TableProfile.to_dict()``); the
    inventory says in words where nothing is missing, rather than draw an empty chart."""
    return null_rate_figure([(c["name"], c.get("null_fraction") or 0.0) for c in columns], settings)


def chart_column(column: dict, settings: ChartSettings = SETTINGS) -> Figure | None:
    """The distribution of one profiled column: rows per calendar bucket for dates, per value for integers
    over a short span, per bin on a numeric axis with round ticks; else its most frequent values."""
    hist = column.get("histogram") or {}
    if hist.get("counts") and hist.get("kind") in ("numeric", "time", "values"):
        fig = Figure(figsize=(settings.width, 3.0), layout="constrained")
        ax = fig.add_subplot()
        title = {"numeric": _numeric_bars, "time": _time_bars, "values": _value_bars}[hist["kind"]](ax, hist, settings)
        ax.set_title(f"{title} {column['name']}", loc="left", fontsize=11)
        ax.set_ylabel("rows")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.yaxis.set_major_formatter(lambda y, _: readable_number(y))
        ax.spines[["top", "right"]].set_visible(False)
        return fig
    top = column.get("top_values") or []
    if hist.get("kind") == "categorical" and hist.get("counts"):
        top = [{"value": v, "count": n} for v, n in zip(hist["labels"], hist["counts"])]
    if not top:
        return None
    return bar_figure([t["value"] for t in top], [t["count"] for t in top],
                      f"Most frequent values of {column['name']}", xlabel="rows", settings=settings)


def _numeric_bars(ax, hist: dict, settings: ChartSettings) -> str:
    """Bins drawn where they lie on a number axis, so the ticks can fall on round values (0, 250, 500)."""
    edges, counts = hist["edges"], hist["counts"]
    ax.bar(edges[:-1], counts, width=[b - a for a, b in zip(edges, edges[1:])], align="edge",
           color=settings.colour, edgecolor="white", linewidth=0.5)
    round_ticks(ax.xaxis, settings.ticks)
    ax.tick_params(axis="x", labelsize=8)
    return "Distribution of"


def _value_bars(ax, hist: dict, settings: ChartSettings) -> str:
    """One bar per value (ratings 1..5), each value a tick."""
    ax.bar(hist["labels"], hist["counts"], width=0.8, color=settings.colour)
    ax.set_xticks(hist["labels"], [readable_number(v) for v in hist["labels"]], fontsize=8)
    return "Rows per value of"


def _time_bars(ax, hist: dict, settings: ChartSettings) -> str:
    """Rows per calendar bucket, labelled as the bucket reads (2024-03 for a month); a few ticks."""
    counts, unit = hist["counts"], hist.get("unit")
    ax.bar(range(len(counts)), counts, width=0.9 if unit else 0.95, color=settings.colour)
    ticks = _time_ticks([str(e) for e in hist["edges"][:-1]], unit, settings.ticks)
    ax.set_xticks(ticks, [str(hist["edges"][i])[:TIME_LABEL.get(unit, 10)] for i in ticks],
                  rotation=30, ha="right", fontsize=8)
    return f"Rows per {unit} of" if unit else "Distribution of"


TIME_LABEL = {"year": 4, "month": 7}  # characters of an ISO start that name its bucket; days and weeks keep 10
# Months and years are ticked at calendar steps (every quarter, every January, every 5th year), not every 10th bar.
CALENDAR_STEPS = {"month": (1, 2, 3, 6, 12, 24, 60, 120), "year": (1, 2, 5, 10, 20, 50, 100, 200)}


def _time_ticks(starts: list[str], unit: str | None, most: int) -> list[int]:
    """The bars to label: at most ``most``, evenly spaced, on calendar steps for months and years."""
    if unit in CALENDAR_STEPS:
        step = next((s for s in CALENDAR_STEPS[unit] if len(starts) / s <= most), CALENDAR_STEPS[unit][-1])
        ordinal = (lambda iso: int(iso[:4]) * 12 + int(iso[5:7]) - 1) if unit == "month" else \
            (lambda iso: int(iso[:4]))
        return [i for i, iso in enumerate(starts) if ordinal(iso) % step == 0]
    step = max(1, -(-len(starts) // most))
    return list(range(0, len(starts), step))


def chart_artifact(name: str, artifact: Any, settings: ChartSettings = SETTINGS) -> Figure | None:
    """A chart for a tool result where one helps: a SQL result of labels and one number, or issue counts."""
    if not isinstance(artifact, dict) or "error" in artifact:
        return None
    if name == "run_sql":
        rows, columns = artifact.get("rows") or [], artifact.get("columns") or []
        if len(columns) == 2 and 1 < len(rows) <= settings.max_bars and all(_is_number(r[1]) for r in rows):
            return bar_figure([r[0] for r in rows], [r[1] for r in rows], f"{columns[1]} by {columns[0]}",
                              xlabel=columns[1], settings=settings)
    if name == "query_data":
        return chart_plan_result(artifact, settings)
    if name == "quality_issues" and len(artifact.get("issues") or []) > 1:
        totals: dict[str, int] = {}
        for issue in artifact["issues"]:
            totals[issue["kind"]] = totals.get(issue["kind"], 0) + issue["rows"]
        ranked = sorted(totals.items(), key=lambda kv: -kv[1])
        return bar_figure([k for k, _ in ranked], [v for _, v in ranked], "Rows affected per kind of issue",
                          xlabel="rows", settings=settings)
    if name in ("train_recommenders", "compare_recommenders") and len(artifact.get("models") or []) > 1:
        models = [{"label": m.get("algorithm") or m.get("name"), "metrics": m.get("metrics") or {}}
                  for m in artifact["models"]]
        return chart_metrics(models, artifact.get("primary_metric") or "ndcg@10", settings)
    return None


def chart_metrics(models: Sequence[dict], metric: str, settings: ChartSettings = SETTINGS) -> Figure | None:
    """One metric across models (``{"label", "metrics"}`` dicts), best first."""
    scored = sorted(((m["label"], m["metrics"][metric]) for m in models if _is_number(m["metrics"].get(metric))),
                    key=lambda lv: -lv[1])
    if not scored:
        return None
    return bar_figure([label for label, _ in scored], [v for _, v in scored], metric, xlabel=metric,
                      settings=settings)


NO_RECOMMENDER = ("No recommender trained yet —\n"
                  "ask 'train recommenders on events' in the chat, or use the form below.")


def chart_recommenders(models: Sequence[dict], metric: str | None, settings: ChartSettings = SETTINGS) -> Figure:
    """The Models tab's comparison of recommenders on ``metric``, or a message saying why there is none."""
    if not models:
        return chart_message(NO_RECOMMENDER, settings)
    if not metric:
        return chart_message("The recommenders report no metric to compare.", settings)
    return chart_metrics(models, metric, settings) or chart_message(
        f"No recommender reports {metric}; pick another metric.", settings)


def chart_message(text: str, settings: ChartSettings = SETTINGS) -> Figure:
    """A chart box with a message instead of a chart, so an empty box never leaves the user guessing."""
    fig = Figure(figsize=(settings.width, settings.message_height), layout="constrained")
    ax = fig.add_subplot()
    ax.axis("off")
    lines = "\n".join(textwrap.fill(line, settings.message_chars) for line in text.splitlines())
    ax.text(0.5, 0.5, lines, transform=ax.transAxes, ha="center", va="center", color=settings.message_colour,
            fontsize=12)
    return fig


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

