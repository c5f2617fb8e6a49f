"""Tools over the recommenders (stocktake.usecases.models): train (with confirmation), recommend for a user,
compare models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext
from stocktake.agent.guard import quote_value
from stocktake.agent.progress import tool_progress
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.numbers import metric_text
from stocktake.usecases import models as usecase
from stocktake.usecases.models import QUICK_MODELS

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime


@agent_tool(action="train_recommenders")
def train_recommenders(asset: str, user_column: str | None = None,
                       item_column: str | None = None, event_column: str | None = None,
                       time_column: str | None = None, models: str = ",".join(QUICK_MODELS), *,
                       runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Train and evaluate recommenders on an interaction log (saves models: needs confirmation).

    Args:
        asset: The interactions asset (events, ratings, order lines).
        user_column: Column with the user id; guessed from the names when empty.
        item_column: Column with the item/product id; guessed when empty.
        event_column: Column with the event type (view, cart, purchase) to weigh; guessed when empty.
        time_column: Timestamp column, for a temporal split; guessed when empty.
        models: Comma-separated models among pop, itemknn, ease, als, bpr, lightgcn.
    """
    columns = usecase.RecommenderColumns(user=user_column, item=item_column, event=event_column, time=time_column)
    plan = usecase.recommender_plan(runtime.context, asset, columns, guess_missing=True,
                                    models=tuple(m.strip() for m in models.split(",") if m.strip()))
    trained = usecase.train_recommenders(runtime.context, plan, progress=tool_progress(runtime.config))
    report, best = trained.report, trained.report.best
    table = lines(f"- {m.name}: ndcg@10 {metric_text(m.metrics.get('ndcg@10', 0.0))}, recall@10 "
                  f"{metric_text(m.metrics.get('recall@10', 0.0))}, {m.train_seconds:.1f}s (model {m.model_id})"
                  for m in report.models)
    d, c = report.diagnostics, plan.columns
    text = (f"Trained on {plan.asset} (user={c.user}, item={c.item}, event={c.event}): {d.users:,} users, "
            f"{d.items:,} items, {d.interactions:,} interactions.\n{table}\nBest: {best.name if best else 'none'}.")
    return text, trained.to_dict()


@agent_tool
def recommend_for_user(user: str, model_id: str | None = None, n: int = 10, *,
                       runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Top-N recommendations for one user, with the user's own items that explain each.

    Args:
        user: The user id as it appears in the data, e.g. "42".
        model_id: A trained recommender's id; the best trained one when empty.
        n: How many items to recommend.
    """
    found = usecase.recommend_for_user(runtime.context, user, model_id, n)
    text = lines(f"{r.rank}. {_named(r.item, found)} (score {metric_text(r.score)})" +
                 (f", because of {', '.join(_named(s.item, found) for s in r.because)}" if r.because else "")
                 for r in found.items)
    return f"Top {len(found.items)} for user {found.user} (model {found.model_id}):\n{text}", found.to_dict()


@agent_tool
def compare_recommenders(asset: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Every trained recommender with its test metrics, best NDCG@10 first.

    Args:
        asset: Only models trained on this asset; all when empty.
    """
    rows = usecase.compare_recommenders(runtime.context, asset).models
    if not rows:
        return "No recommenders are trained yet.", {"models": []}
    text = lines(f"- {r['algorithm']} on {r['asset']}: ndcg@10 {metric_text(r['metrics'].get('ndcg@10', 0.0))}, "
                 f"recall@10 {metric_text(r['metrics'].get('recall@10', 0.0))} ({r['model_id']})" for r in rows)
    return f"Best: {rows[0]['algorithm']} ({rows[0]['model_id']}).\n{text}", {"models": list(rows)}


TOOLS = [train_recommenders, recommend_for_user, compare_recommenders]


def _named(item: str, found: usecase.UserRecommendations) -> str:
    """``item 12 "Blue mug"``: the title a person knows the item by, where the catalog has one."""
    title = found.title(item)
    return f"item {item} {quote_value(title)}" if title else f"item {item}"
