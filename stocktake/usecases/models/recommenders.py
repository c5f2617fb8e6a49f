"""Recommenders: which columns to train on, training, recommendations for a user, and the trained ones compared.

Every face trains the same way: it asks for a plan (``recommender_plan``: the columns, matched or guessed, and the
run's settings, every one checked), may ask the user about it, and trains it (``train_recommenders``). An event
column without weights weighs the event names the engine knows (``DEFAULT_EVENT_WEIGHTS``: a purchase says more
than a view) and counts any other name once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

from stocktake.errors import Option, StocktakeError
from stocktake.tools.progress import Progress, no_progress
from stocktake.usecases.models.columns import first_match
from stocktake.usecases.services import Services, matched_column

if TYPE_CHECKING:
    from stocktake.registry import ModelRecord
    from stocktake.tools.recommend import Recommendation, RecommendReport, RecommendSpec

# Column parts guessed from the names, most specific pattern first. A rating is never guessed: a number column
# is as likely a price or a quantity.
ROLE_PATTERNS = {
    "user": (r"^user_?id$", r"^customer_?id$", r"user", r"customer", r"visitor", r"session"),
    "item": (r"^(product|item|movie)_?id$", r"product", r"item", r"movie", r"sku", r"stock_?code"),
    "event": (r"^event_?type$", r"behavio(u)?r", r"event", r"action"),
    "time": (r"^(event_)?time(stamp)?$", r"timestamp", r"time", r"date"),
}
QUICK_MODELS = ("pop", "itemknn", "ease", "als")  # a minute or less on a CPU; bpr and lightgcn train for longer
PRIMARY_METRIC = "ndcg@10"  # what "best" means when comparing trained recommenders


@dataclass(frozen=True)
class RecommenderColumns:
    """Which column holds what; None where there is none (or, given to a plan, where none was named)."""
    user: str | None = None
    item: str | None = None
    event: str | None = None
    time: str | None = None
    rating: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RecommenderPlan:
    """A training run decided: the asset's version, its columns and everything else the engine is given."""
    asset: str
    asset_version: int
    columns: RecommenderColumns
    spec: RecommendSpec


@dataclass(frozen=True)
class RecommenderTraining:
    plan: RecommenderPlan
    report: RecommendReport

    def to_dict(self) -> dict:
        return {**self.report.to_dict(), "asset": self.plan.asset, "asset_version": self.plan.asset_version,
                "columns": self.plan.columns.to_dict()}


@dataclass(frozen=True)
class UserRecommendations:
    user: str
    model_id: str
    items: tuple[Recommendation, ...]
    titles: dict[str, str]  # item id -> the title a person knows it by, where the catalog has one

    def title(self, item: str) -> str | None:
        return self.titles.get(str(item))

    def to_dict(self) -> dict:
        return {"user": self.user, "model_id": self.model_id,
                "recommendations": [{**r.to_dict(), "title": self.title(r.item)} for r in self.items]}


@dataclass(frozen=True)
class RecommenderComparison:
    metric: str
    models: tuple[dict, ...]  # the engine's rows (model_id, algorithm, asset, metrics ...), best first

    @property
    def best(self) -> dict | None:
        return self.models[0] if self.models else None

    def to_dict(self) -> dict:
        return {"metric": self.metric, "models": list(self.models)}


def guess_recommender_columns(names: list[str], given: RecommenderColumns = RecommenderColumns(),
                              roles: tuple[str, ...] = tuple(ROLE_PATTERNS)) -> RecommenderColumns:
    """``given`` (matched to ``names``), each of ``roles`` it leaves empty guessed from the names, never a column
    another part already has."""
    chosen = {f.name: matched_column(names, v) if (v := getattr(given, f.name)) else None
              for f in fields(RecommenderColumns)}
    for role in roles:
        if chosen[role] is None:
            chosen[role] = first_match(ROLE_PATTERNS[role], names, set(chosen.values()))
    return RecommenderColumns(**chosen)


def recommender_plan(services: Services, asset: str, given: RecommenderColumns = RecommenderColumns(), *,
                     guess_missing: bool = False, version: int | None = None, **options) -> RecommenderPlan:
    """The run that ``train_recommenders`` will make, checked: the columns ``given``, and with ``guess_missing``
    the user, item and event guessed where not given (the time too where the split orders by time: a guessed
    time column that holds no dates would fail a split that never reads it). ``options``: the rest of a
    ``RecommendSpec`` (models, weights, split, ks ...)."""
    from stocktake.tools.recommend import RecommendSpec

    found = services.catalog.get(asset, version)
    names = [c.name for c in found.columns]
    roles = ("user", "item", "event", "time") if options.get("split") == "temporal" else ("user", "item", "event")
    columns = guess_recommender_columns(names, given, roles if guess_missing else ())
    if not columns.user or not columns.item:
        raise StocktakeError((f"Can't tell which columns of {found.name} hold the user and the item; name them with ",
                              Option("user"), " and ", Option("item"), f". Columns: {', '.join(names)}."))
    return RecommenderPlan(found.name, found.version, columns, RecommendSpec(**columns.to_dict(), **options))


def train_recommenders(services: Services, plan: RecommenderPlan,
                       progress: Progress = no_progress) -> RecommenderTraining:
    """Train, tune and evaluate the plan's models on its asset version, and save them in the registry."""
    from stocktake.tools.recommend import train_recommenders as train

    progress(f"loading {plan.asset} v{plan.asset_version}", 0, None)
    df = services.catalog.load(plan.asset, plan.asset_version)
    report = train(df, plan.spec, services.registry, asset=plan.asset, asset_version=plan.asset_version,
                   progress=progress)
    return RecommenderTraining(plan, report)


def compare_recommenders(services: Services, asset: str | None = None,
                         metric: str = PRIMARY_METRIC) -> RecommenderComparison:
    """Every trained recommender (of ``asset``, when given) with its test metrics, best ``metric`` first."""
    from stocktake.tools.recommend import compare_models

    return RecommenderComparison(metric, tuple(compare_models(services.registry, asset, metric)))


def recommend_for_user(services: Services, user: str, model_id: str | None = None,
                       n: int = 10) -> UserRecommendations:
    """The top ``n`` items for ``user`` from ``model_id``, or from the best trained recommender when none is named,
    each with the user's own items that explain it, and the titles of them all."""
    from stocktake.tools.recommend import recommend_for_user as recommend
    from stocktake.tools.recommend.titles import item_titles

    if not model_id:
        best = compare_recommenders(services).best
        if best is None:
            raise StocktakeError("No recommender is trained yet: train one first.")
        model_id = best["model_id"]
    user = str(user).strip()
    recs = tuple(recommend(services.registry, model_id, user, n=n))
    shown = [r.item for r in recs] + [s.item for r in recs for s in r.because]
    titles = item_titles(services.catalog, services.registry.get(model_id).params.get("item"), shown)
    return UserRecommendations(user, model_id, recs, titles)


def list_models(services: Services, task: str | None = None) -> list[ModelRecord]:
    """Every registered model (of ``task``: classifier or recommender, when given), oldest first."""
    return services.registry.list(task=task)
