"""TF-IDF + logistic regression: the fast peer for the fine-tuned encoder and the default audit model."""

from __future__ import annotations

from stocktake.tools.classify.settings import BaselineSettings


def build_baseline(settings: BaselineSettings, balanced: bool = True):
    """An unfitted scikit-learn pipeline; ``balanced`` weights classes like the encoder's loss does."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    ngram_min = 2 if settings.analyzer == "char_wb" else 1
    return make_pipeline(
        TfidfVectorizer(analyzer=settings.analyzer, ngram_range=(ngram_min, settings.ngram_max),
                        min_df=settings.min_df, sublinear_tf=True, lowercase=True),
        LogisticRegression(C=settings.c, max_iter=settings.max_iter,
                           class_weight="balanced" if balanced else None),
    )
