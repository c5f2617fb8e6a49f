"""Recommenders: build a user-item matrix from an interactions table, train and evaluate models, serve them.

One-line entry points (the faces reach them through stocktake.usecases.models)::

    report = train_recommenders(df, RecommendSpec(user="user_id", item="product_id"), registry)  # None: not saved
    recs = recommend_for_user(registry, report.best.model_id, "42", n=10)
    table = compare_models(registry, asset="events")
"""

from stocktake.tools.recommend.data import Diagnostics, build_interactions, diagnose_interactions, split_interactions
from stocktake.tools.recommend.serve import Recommendation, compare_models, recommend_for_user
from stocktake.tools.recommend.spec import ALL_MODELS, RecommendSettings, RecommendSpec
from stocktake.tools.recommend.train import ModelResult, RecommendReport, train_recommenders

__all__ = [
    "ALL_MODELS", "Diagnostics", "ModelResult", "RecommendReport", "RecommendSettings", "RecommendSpec",
    "Recommendation", "build_interactions", "compare_models", "diagnose_interactions", "recommend_for_user",
    "split_interactions", "train_recommenders",
]
