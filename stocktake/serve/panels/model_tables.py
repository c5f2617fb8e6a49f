"""What the models tab shows, as tables, a summary and a chart: trained models, recommenders side by side,
recommendations, a classifier's scores against its baseline, its confusion matrix and the audit's suspects.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from stocktake.numbers import metric_text
from stocktake.serve.charts import SETTINGS as CHARTS
from stocktake.tools.charts import shorten
from stocktake.serve.common import frame

MODEL_COLUMNS = ["model", "task", "algorithm", "asset", "version", "key metrics", "trained"]
# Wide enough for each header on one line and a whole "YYYY-MM-DD HH:MM"; the metrics wrap at their spaces.
MODEL_WIDTHS = ["18%", "10%", "10%", "8%", "8%", "32%", "14%"]
RECOMMENDATION_COLUMNS = ["rank", "item", "title", "score", "because the user had"]
KEY_METRICS = 4  # metrics shown per model in the list; the comparison shows them all
PER_CLASS_COLUMNS = ["class", "precision", "recall", "f1", "support", "baseline f1"]
SUSPECT_COLUMNS = ["row", "text", "given", "suggested", "confidence"]


@dataclass(frozen=True)
class ClassifierForm:
    """The classifier form's defaults: small enough that one run takes a minute or two on a CPU."""
    epochs: int = 1
    max_rows: int = 2000
    max_length: int = 32
    max_epochs: int = 20
    max_max_length: int = 512  # the encoder's position limit
    cell_inches: float = 0.32  # per class, for the confusion matrix
    min_inches: float = 3.5


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def model_rows(records) -> pd.DataFrame:
    rows = []
    for r in records:
        shown = [f"{k} {metric_text(v)}" for k, v in r.metrics.items() if _number(v)][:KEY_METRICS]
        rows.append({"model": r.id, "task": r.task, "algorithm": r.algorithm, "asset": r.asset,
                     "version": r.asset_version, "key metrics": ", ".join(shown),
                     "trained": r.created_at[:16].replace("T", " ")})
    return frame(rows, MODEL_COLUMNS)


def comparison(records) -> tuple[pd.DataFrame, list[str]]:
    """Recommenders side by side: one row each, one column per metric they report."""
    recs = [r for r in records if r.task == "recommender"]
    metrics = sorted({k for r in recs for k, v in r.metrics.items() if _number(v)}, key=_metric_order)
    rows = [{"model": f"{r.algorithm} ({r.id[-8:]})", "asset": r.asset,
             **{m: _rounded(r.metrics.get(m)) for m in metrics}} for r in recs]
    return frame(rows, ["model", "asset", *metrics]), metrics


def _rounded(value):
    return round(value, 4) if _number(value) else value


def _metric_order(name: str) -> tuple:
    base, _, k = name.partition("@")
    return (base == "train_seconds", int(k) if k.isdigit() else 0, base)


def recommendation_rows(recs, titles: dict[str, str] | None = None) -> pd.DataFrame:
    titles = titles or {}
    rows = [{"rank": r.rank, "item": r.item, "title": titles.get(str(r.item), ""), "score": round(r.score, 4),
             "because the user had": ", ".join(titles.get(str(s.item), str(s.item)) for s in r.because)}
            for r in recs]
    return frame(rows, RECOMMENDATION_COLUMNS)


def per_class_rows(report: dict) -> pd.DataFrame:
    """Precision, recall and F1 per class on the test rows, next to the baseline's F1; classes the test rows
    lack are left out (every score of theirs is 0 and says nothing)."""
    baseline = report.get("baseline_per_class") or {}
    rows = [{"class": label, **{k: round(m[k], 3) for k in ("precision", "recall", "f1")}, "support": m["support"],
             "baseline f1": _rounded3((baseline.get(label) or {}).get("f1"))}
            for label, m in report["per_class"].items() if m["support"]]
    return frame(rows, PER_CLASS_COLUMNS)


def classifier_summary(report: dict) -> str:
    rows = report["rows"]
    return (f"✅ Trained `{report['model_id']}` on **{report['asset']}** ({', '.join(report['text_cols'])} → "
            f"{report['label_col']}, {len(report['labels'])} classes; {rows['train']:,} training, {rows['val']:,} "
            f"validation and {rows['test']:,} test rows) in {report['train_seconds']:.0f} s on "
            f"{report['device']}.\n\n"
            "| on the test rows | fine-tuned encoder | TF-IDF baseline |\n|---|---|---|\n"
            f"| accuracy | {_higher_in_bold(report['accuracy'], report['baseline_accuracy'])} |\n"
            f"| macro-F1 | {_higher_in_bold(report['macro_f1'], report['baseline_macro_f1'])} |")


def _higher_in_bold(ours: float, baseline: float) -> str:
    mark = ("**", "") if ours > baseline else ("", "**") if baseline > ours else ("", "")
    return f"{mark[0]}{ours:.3f}{mark[0]} | {mark[1]}{baseline:.3f}{mark[1]}"


def _rounded3(value):
    return round(value, 3) if _number(value) else value


def chart_confusion(labels: list[str], matrix: list[list[int]], form: ClassifierForm = ClassifierForm()) -> Figure:
    """True class down, predicted class across; shaded by the share of each true class, so small classes show
    their mistakes as clearly as big ones. Classes with no test rows and no predictions are left out."""
    import numpy as np

    counts = np.asarray(matrix, dtype=float)
    keep = np.flatnonzero((counts.sum(axis=1) + counts.sum(axis=0)) > 0)
    counts = counts[np.ix_(keep, keep)]
    names = [shorten(labels[i], CHARTS.label_chars) for i in keep]
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    side = max(form.min_inches, 1.8 + form.cell_inches * len(keep))
    fig = Figure(figsize=(side + 1.0, side), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix on the test rows", loc="left", fontsize=11)
    for (i, j), n in np.ndenumerate(counts):
        if n:
            ax.text(j, i, f"{n:.0f}", ha="center", va="center", fontsize=7,
                    color="white" if shares[i, j] > 0.5 else "#222")
    fig.colorbar(image, ax=ax, shrink=0.6, label="share of the true class")
    return fig


def suspect_rows(report: dict, texts) -> pd.DataFrame:
    """The audit's suspects, each with its text (``texts[row]``, by row position) so a person can judge it."""
    rows = [{"row": s["row"], "text": texts[s["row"]], "given": s["given"], "suggested": s["suggested"],
             "confidence": round(s["confidence"], 3)} for s in report["suspects"]]
    return frame(rows, SUSPECT_COLUMNS)
