"""Tools over the recommender engine: train (with confirmation), recommend for a user, compare models."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext
from stocktake.agent.progress import tool_progress
from stocktake.agent.guard import quote_value
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.errors import StocktakeError
from stocktake.numbers import metric_text

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime

# Column roles guessed from names when the caller gives none, most specific first.
_ROLE_PATTERNS = {
    "user": (r"^user_?id$", r"^customer_?id$", r"user", r"customer", r"visitor", r"session"),
    "item": (r"^(product|item|movie)_?id$", r"product", r"item", r"movie", r"sku", r"stock_?code"),
    "event": (r"^event_?type$", r"behavio(u)?r", r"event", r"action"),
    "time": (r"^(event_)?time(stamp)?$", r"timestamp", r"time", r"date"),
}


def guess_columns(columns: list[str]) -> dict[str, str | None]:
    """Which columns hold the user, item, event type and time, from their names."""
    chosen: dict[str, str | None] = {}
    for role, patterns in _ROLE_PATTERNS.items():
        taken = set(chosen.values())
        chosen[role] = next((c for p in patterns for c in columns
                             if c not in taken and re.search(p, c, re.I)), None)
    return chosen


@agent_tool(action="train_recommenders")
def train_recommenders(asset: str, user_column: str | None = None,
                       item_column: str | None = None, event_column: str | None = None,
                       time_column: str | None = None, models: str = "pop,itemknn,ease,als", *,
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
    from stocktake.tools import recommend as engine

    ctx = runtime.context
    a = ctx.asset(asset)
    names = [c.name for c in a.columns]
    guess = guess_columns(names)
    user = ctx.column(a.name, user_column) if user_column else guess["user"]
    item = ctx.column(a.name, item_column) if item_column else guess["item"]
    if not user or not item:
        raise StocktakeError(f"Can't tell which columns of {a.name} hold the user and the item; "
                             f"pass user_column and item_column. Columns: {', '.join(names)}.")
    event = ctx.column(a.name, event_column) if event_column else guess["event"]
    df = ctx.catalog.load(a.name)
    weights = _default_weights(df[event]) if event else None
    spec = engine.RecommendSpec(user=user, item=item, event=event if weights else None, weights=weights,
                         models=tuple(m.strip() for m in models.split(",") if m.strip()))
    report = engine.train_recommenders(df, spec, ctx.registry, asset=a.name, asset_version=a.version,
                                       progress=tool_progress(runtime.config))
    best = report.best
    table = lines(f"- {m.name}: ndcg@10 {metric_text(m.metrics.get('ndcg@10', 0.0))}, recall@10 "
                  f"{metric_text(m.metrics.get('recall@10', 0.0))}, {m.train_seconds:.1f}s (model {m.model_id})"
                  for m in report.models)
    d = report.diagnostics.to_dict()
    text = (f"Trained on {a.name} (user={user}, item={item}, event={spec.event}): "
            f"{d.get('users', '?'):,} users, {d.get('items', '?'):,} items, "
            f"{d.get('interactions', '?'):,} interactions.\n{table}\nBest: {best.name if best else 'none'}.")
    return text, report.to_dict()


@agent_tool
def recommend_for_user(user: str, model_id: str | None = None, n: int = 10, *,
                       runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Top-N recommendations for one user, with the user's own items that explain each.

    Args:
        user: The user id as it appears in the data, e.g. "42".
        model_id: A trained recommender's id; the best trained one when empty.
        n: How many items to recommend.
    """
    from stocktake.tools import recommend as engine
    from stocktake.tools.recommend import titles

    ctx = runtime.context
    if not model_id:
        ranked = engine.compare_models(ctx.registry)
        if not ranked:
            raise StocktakeError("No recommender is trained yet. Train one first (train_recommenders).")
        model_id = ranked[0]["model_id"]
    recs = engine.recommend_for_user(ctx.registry, model_id, str(user), n=n)
    items = [str(r.item) for r in recs] + [str(s.item) for r in recs for s in r.because]
    names = titles.item_titles(ctx.catalog, ctx.registry.get(model_id).params.get("item"), items)
    text = lines(f"{r.rank}. {_named(r.item, names)} (score {metric_text(r.score)})" +
                 (f", because of {', '.join(_named(s.item, names) for s in r.because)}" if r.because else "")
                 for r in recs)
    return f"Top {len(recs)} for user {user} (model {model_id}):\n{text}", {
        "user": str(user), "model_id": model_id,
        "recommendations": [{**r.to_dict(), "title": names.get(str(r.item))} for r in recs]}


@agent_tool
def compare_recommenders(asset: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Every trained recommender with its test metrics, best NDCG@10 first.

    Args:
        asset: Only models trained on this asset; all when empty.
    """
    from stocktake.tools import recommend as engine

    ctx = runtime.context
    rows = engine.compare_models(ctx.registry, asset=asset)
    if not rows:
        return "No recommenders are trained yet.", {"models": []}
    text = lines(f"- {r['algorithm']} on {r['asset']}: ndcg@10 {metric_text(r['metrics'].get('ndcg@10', 0.0))}, "
                 f"recall@10 {metric_text(r['metrics'].get('recall@10', 0.0))} ({r['model_id']})" for r in rows)
    return f"Best: {rows[0]['algorithm']} ({rows[0]['model_id']}).\n{text}", {"models": rows}


TOOLS = [train_recommenders, recommend_for_user, compare_recommenders]


def _named(item, names: dict[str, str]) -> str:
    """``item 12 "Blue mug"``: the title a person knows the item by, where the catalog has one."""
    title = names.get(str(item))
    return f"item {item} {quote_value(title)}" if title else f"item {item}"


def _default_weights(events) -> dict[str, float] | None:
    """Stronger signals weigh more: a purchase says more than a view. None where the values aren't known."""
    scale = {"view": 1, "pv": 1, "click": 1, "fav": 2, "wishlist": 2, "cart": 3, "add_to_cart": 3,
             "purchase": 5, "buy": 5, "order": 5}
    values = {str(v).lower() for v in events.dropna().unique()[:50]}
    known = {v: float(scale[v]) for v in values if v in scale}
    return known if known and len(known) == len(values) else None
