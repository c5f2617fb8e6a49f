"""Models: recommenders trained on interactions and text classifiers trained on labelled text.

Recommenders (``recommenders``): ``guess_recommender_columns`` (what the app's form starts from),
``recommender_plan`` then ``train_recommenders``, ``recommend_for_user`` (the best model when none is named),
``compare_recommenders`` and ``list_models``. Classifiers (``classifiers``): ``guess_text_and_label``,
``classifier_columns`` then ``train_classifier`` or ``audit_labels``, ``prediction_columns`` then
``predict_labels``.
"""

from stocktake.usecases.models.classifiers import (
    LabelAudit, Predictions, TextColumns, audit_labels, classifier_columns, guess_text_and_label, predict_labels,
    prediction_columns, train_classifier,
)
from stocktake.usecases.models.recommenders import (
    PRIMARY_METRIC, QUICK_MODELS, RecommenderColumns, RecommenderComparison, RecommenderPlan, RecommenderTraining,
    UserRecommendations, compare_recommenders, guess_recommender_columns, list_models, recommend_for_user,
    recommender_plan, train_recommenders,
)

__all__ = [
    "PRIMARY_METRIC", "QUICK_MODELS", "LabelAudit", "Predictions", "RecommenderColumns", "RecommenderComparison",
    "RecommenderPlan", "RecommenderTraining", "TextColumns", "UserRecommendations", "audit_labels",
    "classifier_columns", "compare_recommenders", "guess_recommender_columns", "guess_text_and_label",
    "list_models", "predict_labels", "prediction_columns", "recommend_for_user", "recommender_plan",
    "train_classifier", "train_recommenders",
]
