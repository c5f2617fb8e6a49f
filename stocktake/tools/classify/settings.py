"""Typed settings for the text classifier and the label audit."""

from __future__ import annotations

from dataclasses import dataclass


# Padded tokens per inference batch by default: a CPU runs small batches faster (they stay in its caches), while
# a GPU, whose steps cost the host the same whatever their size, needs large ones to keep busy.
BATCH_TOKENS = {"cpu": 1024, "cuda": 16384}


def batch_tokens(device_type: str, wanted: int | None = None) -> int:
    return wanted or BATCH_TOKENS.get(device_type, BATCH_TOKENS["cpu"])


@dataclass(frozen=True)
class SplitSettings:
    val_fraction: float = 0.1
    test_fraction: float = 0.2
    seed: int = 0


@dataclass(frozen=True)
class LabelSettings:
    """What makes a column a label: classes that repeat, not one value per row (a price, an id)."""

    max_classes: int = 500
    min_class_rows: int = 2  # a class seen fewer times can be neither learnt nor tested
    min_repeated_share: float = 0.5  # of the labelled rows, at least this share must be in such classes


@dataclass(frozen=True)
class BaselineSettings:
    """TF-IDF + logistic regression: the peer every fine-tuned model is compared with."""

    analyzer: str = "word"  # "word" or "char_wb"
    ngram_max: int = 2
    min_df: int = 1
    c: float = 10.0
    max_iter: int = 1000


@dataclass(frozen=True)
class ClassifySettings:
    base_model: str | None = None  # a local Hugging Face checkpoint; None = the packaged all-MiniLM-L6-v2
    epochs: int = 3
    batch_size: int = 32
    eval_batch_tokens: int | None = None  # padded tokens per inference batch; None: see batch_tokens()
    learning_rate: float = 1e-4
    weight_decay: float = 0.01
    warmup_fraction: float = 0.06
    max_length: int = 32
    max_rows: int | None = None
    patience: int = 1  # epochs without a better validation macro-F1 before stopping
    class_weights: bool = True
    group_by_length: bool = True  # batches of similar length: less padding, fewer masks
    device: str = "auto"  # auto, cpu or cuda
    split: SplitSettings = SplitSettings()
    baseline: BaselineSettings = BaselineSettings()
    labels: LabelSettings = LabelSettings()


@dataclass(frozen=True)
class AuditSettings:
    """Confident learning on out-of-fold probabilities.

    method "tfidf" (default) fits the TF-IDF + LR baseline per fold: seconds on a CPU for 35k titles.
    "embeddings" fits LR on mean-pooled encoder embeddings, computed once (minutes on a CPU).
    """

    method: str = "tfidf"
    folds: int = 5
    seed: int = 0
    min_margin: float = 0.0  # the suggested label's probability must beat the given one's by this much
    max_suspects: int | None = None
    base_model: str | None = None
    max_length: int = 64
    batch_tokens: int | None = None  # padded tokens per embedding batch; None: see batch_tokens()
    device: str = "auto"
    baseline: BaselineSettings = BaselineSettings()
    labels: LabelSettings = LabelSettings()
