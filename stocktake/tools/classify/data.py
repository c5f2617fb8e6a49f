"""Input checks, text assembly, label encoding and stratified splits for classification."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stocktake.errors import Remedy, StocktakeError, UnknownNameError
from stocktake.tools.classify.settings import LabelSettings, SplitSettings

TEXT_SEPARATOR = " | "


@dataclass(frozen=True)
class LabelledTexts:
    texts: list[str]
    labels: np.ndarray  # class index per text
    classes: tuple[str, ...]
    rows: np.ndarray  # row position of each text in the input frame
    dropped: int  # rows left out because their label was missing


@dataclass(frozen=True)
class Split:
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def check_columns(df: pd.DataFrame, columns: list[str], what: str = "column") -> None:
    if not columns:
        raise StocktakeError(fix=Remedy("text-column"))
    for col in columns:
        if col not in df.columns:
            raise UnknownNameError(what, col, [str(c) for c in df.columns])


def assemble_texts(df: pd.DataFrame, text_cols: list[str]) -> list[str]:
    """One string per row: the non-empty text columns joined, so title and description both count."""
    check_columns(df, text_cols)
    parts = [df[c].astype("string").fillna("").str.strip() for c in text_cols]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.str.cat(part, sep=TEXT_SEPARATOR).str.strip(" |")
    return joined.tolist()


def encode_labels(df: pd.DataFrame, text_cols: list[str], label_col: str,
                  max_rows: int | None = None, seed: int = 0,
                  settings: LabelSettings = LabelSettings()) -> LabelledTexts:
    """Texts and integer labels for rows with a label; a label that is not categorical, or has a single
    class, is an error."""
    check_columns(df, text_cols)
    check_columns(df, [label_col])
    labels = _label_values(df[label_col])
    keep = labels.notna()
    if not keep.any():
        raise StocktakeError(f"Label column '{label_col}' is empty: every row's label is missing.")
    check_categorical(df, label_col, text_cols, settings)
    rows = np.flatnonzero(keep.to_numpy())
    if max_rows is not None and len(rows) > max_rows:
        rows = np.sort(_stratified_sample(labels.iloc[rows].to_numpy(), max_rows, seed, rows))
    kept = labels.iloc[rows]
    classes = tuple(sorted(kept.unique()))
    if len(classes) < 2:
        raise StocktakeError(
            f"Label column '{label_col}' has a single class ('{classes[0]}'); a classifier needs at least two."
        )
    texts = assemble_texts(df.iloc[rows], text_cols)
    codes = pd.Categorical(kept, categories=classes).codes.astype(np.int64)
    return LabelledTexts(texts, codes, classes, rows, dropped=int((~keep).sum()))


def check_categorical(df: pd.DataFrame, label_col: str, text_cols: list[str],
                      settings: LabelSettings = LabelSettings()) -> None:
    """Refuse a label whose values barely repeat: a classifier would learn nothing and score 0."""
    counts = _label_values(df[label_col]).value_counts()
    if _is_categorical(counts, settings):
        return
    others = [c for c in df.columns if c != label_col and c not in text_cols
              and _is_categorical(_label_values(df[c]).value_counts(), settings, min_classes=2)]
    hint = f"such as {' or '.join(map(str, others[:2]))}" if others else "whose values repeat"
    raise StocktakeError(
        f"{label_col} has {len(counts):,} distinct values in {int(counts.sum()):,} labelled rows; a label needs "
        f"repeated classes (at most {settings.max_classes:,} distinct, most rows in classes of at least "
        f"{settings.min_class_rows} rows) — pick a categorical column {hint}."
    )


def _is_categorical(counts: pd.Series, settings: LabelSettings, min_classes: int = 1) -> bool:
    if not min_classes <= len(counts) <= settings.max_classes:
        return False
    repeated = counts[counts >= settings.min_class_rows].sum()
    return bool(repeated >= settings.min_repeated_share * counts.sum())


def _label_values(column: pd.Series) -> pd.Series:
    """Labels as trimmed text; blank ones are missing."""
    labels = column.astype("string").str.strip()
    return labels.mask((labels == "").fillna(False))


def _stratified_sample(labels: np.ndarray, n: int, seed: int, rows: np.ndarray) -> np.ndarray:
    from sklearn.model_selection import train_test_split

    counts = pd.Series(labels).value_counts()
    stratify = labels if counts.min() >= 2 else None
    chosen, _ = train_test_split(rows, train_size=n, random_state=seed, stratify=stratify)
    return chosen


def split_stratified(labels: np.ndarray, settings: SplitSettings) -> Split:
    """Train, validation and test positions, stratified where every class has enough rows."""
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(labels))
    holdout = settings.val_fraction + settings.test_fraction
    if len(labels) < 10:
        raise StocktakeError(f"Only {len(labels)} labelled rows: a classifier needs at least 10.")
    strat = labels if np.bincount(labels).min() >= 3 else None
    train, rest = train_test_split(positions, test_size=holdout, random_state=settings.seed, stratify=strat)
    rest_labels = labels[rest]
    strat = rest_labels if np.bincount(rest_labels).min() >= 2 else None
    val, test = train_test_split(rest, test_size=settings.test_fraction / holdout,
                                 random_state=settings.seed, stratify=strat)
    return Split(np.sort(train), np.sort(val), np.sort(test))


def class_weights(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Inverse-frequency weights (mean 1 over rows) so rare classes count as much as common ones."""
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    return len(labels) / (n_classes * np.maximum(counts, 1.0))


def inject_label_noise(labels: pd.Series, fraction: float, seed: int = 0) -> tuple[pd.Series, np.ndarray]:
    """Move ``fraction`` of the labelled rows to a random other class; returns the new labels and the
    positions changed, so an audit's precision and recall can be measured against a known truth."""
    rng = np.random.default_rng(seed)
    labelled = np.flatnonzero(labels.notna().to_numpy())
    classes = np.array(sorted(labels.dropna().unique()))
    chosen = np.sort(rng.choice(labelled, size=int(round(fraction * len(labelled))), replace=False))
    noisy = labels.copy()
    values = noisy.to_numpy(dtype=object)
    for pos in chosen:
        others = classes[classes != values[pos]]
        values[pos] = rng.choice(others)
    return pd.Series(values, index=labels.index, name=labels.name), chosen
