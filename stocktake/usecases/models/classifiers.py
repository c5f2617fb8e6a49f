"""The text classifier: which columns hold the text and the label, training, labelling an asset, auditing labels.

As for recommenders, a face first asks which columns a run will read (``classifier_columns`` or, to label with a
trained model, ``prediction_columns``), every name checked, may ask the user about it, then runs it. torch and
transformers load only when a run needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stocktake.errors import Option, StocktakeError
from stocktake.tools.progress import Progress, no_progress
from stocktake.usecases.models.columns import first_match
from stocktake.usecases.services import Services, matched_column

if TYPE_CHECKING:
    from stocktake.tools.classify import AuditReport, AuditSettings, ClassifierReport, ClassifySettings
    from stocktake.tools.classify import PredictionResult

TEXT_PATTERNS = (r"^(product_)?title$", r"^(product_)?name$", r"title", r"review_?text", r"text", r"description",
                 r"name")
LABEL_PATTERNS = (r"^category$", r"category_?label", r"category", r"label", r"class", r"genre")


@dataclass(frozen=True)
class TextColumns:
    """What a run reads: the asset's version, its text columns (joined, in this order) and the label column."""
    asset: str
    asset_version: int
    text: tuple[str, ...]
    label: str | None


@dataclass(frozen=True)
class Predictions:
    columns: TextColumns
    version: int  # the asset's new version, with the predictions
    added: tuple[str, ...]  # the columns it adds: the predicted label and its confidence
    result: PredictionResult

    def to_dict(self) -> dict:
        return {**self.result.to_dict(), "asset": self.columns.asset, "version": self.version,
                "columns_added": list(self.added)}


@dataclass(frozen=True)
class LabelAudit:
    report: AuditReport
    saved_to: Path
    texts: dict[int, str]  # each suspect row's text as the audit read it, by row position
    names: dict[int, str]  # what a person knows each suspect row by: its title, else its first text column

    def to_dict(self) -> dict:
        return {**self.report.to_dict(), "saved_to": str(self.saved_to)}


def guess_text_and_label(columns: list[str], label: str | None = None) -> tuple[str | None, str | None]:
    """The likeliest text and label columns, from their names; the text is never the label (``label``, when it
    is known already)."""
    label = label or first_match(LABEL_PATTERNS, columns)
    return first_match(TEXT_PATTERNS, columns, (label,)), label


def classifier_columns(services: Services, asset: str, text: list[str] | tuple[str, ...] | None = None,
                       label: str | None = None, *, need_label: bool = True) -> TextColumns:
    """The columns a run on the asset's latest version reads: those named (matched to its columns), the others
    guessed from the names. The label can't also be a text: the model would read the answer."""
    found = services.asset(asset)
    names = [c.name for c in found.columns]
    label = matched_column(names, label) if label else None
    texts = tuple(matched_column(names, t) for t in text or ())
    guessed_text, guessed_label = guess_text_and_label(names, label)
    texts = texts or ((guessed_text,) if guessed_text else ())
    label = label or (guessed_label if need_label else None)
    if not texts or (need_label and not label):
        named = (" with ", Option("text"), " and ", Option("label")) if need_label else (" with ", Option("text"))
        wanted = "the text and the label" if need_label else "the text"
        raise StocktakeError((f"Can't tell which columns of {found.name} hold {wanted}; name them", *named,
                              f". Columns: {', '.join(names)}."))
    if label in texts:
        raise StocktakeError(f"'{label}' is the label: it can't also be a text column (the model would read the "
                             "answer).")
    return TextColumns(found.name, found.version, texts, label)


def prediction_columns(services: Services, model_id: str, asset: str,
                       text: list[str] | tuple[str, ...] | None = None) -> TextColumns:
    """What ``model_id`` reads of the asset: the text columns named, else those it was trained on where the asset
    has them all, else a guess. That the model is a classifier is checked first."""
    from stocktake.tools.classify.predict import classifier_record

    trained = classifier_record(services.registry, model_id).params.get("text_cols") or []
    if not text and trained:
        names = {c.name for c in services.asset(asset).columns}
        text = trained if set(trained) <= names else None
    return classifier_columns(services, asset, text, need_label=False)


def train_classifier(services: Services, columns: TextColumns, settings: ClassifySettings | None = None,
                     progress: Progress = no_progress) -> ClassifierReport:
    """Fine-tune the encoder on the columns, score it against the TF-IDF baseline and save it in the registry."""
    from stocktake.tools.classify import ClassifySettings, train_classifier as train

    df = services.catalog.load(columns.asset, columns.asset_version)
    return train(df, list(columns.text), columns.label, settings or ClassifySettings(), services.registry,
                 asset=columns.asset, asset_version=columns.asset_version, progress=progress)


def predict_labels(services: Services, model_id: str, columns: TextColumns, batch_tokens: int | None = None,
                   device: str = "auto", progress: Progress = no_progress) -> Predictions:
    """Add the model's predicted label and its confidence to the asset, as a new version."""
    from stocktake.tools.classify import add_predictions, predict_labels as predict

    df = services.catalog.load(columns.asset, columns.asset_version)
    result = predict(services.registry, model_id, df, list(columns.text), batch_tokens=batch_tokens, device=device,
                     progress=progress)
    new, added = add_predictions(services.catalog, columns.asset, df, result, list(columns.text),
                                 version=columns.asset_version)
    return Predictions(columns, new.version, tuple(added), result)


def audit_labels(services: Services, columns: TextColumns, settings: AuditSettings | None = None,
                 progress: Progress = no_progress) -> LabelAudit:
    """The rows whose label is probably wrong, with the label their text suggests; saved for the profiler and
    the cleaning steps."""
    from stocktake.tools.classify import AuditSettings, audit_labels as audit, save_audit
    from stocktake.tools.classify.data import assemble_texts
    from stocktake.tools.recommend.titles import title_column

    df = services.catalog.load(columns.asset, columns.asset_version)
    report = audit(df, list(columns.text), columns.label, settings or AuditSettings(), asset=columns.asset,
                   asset_version=columns.asset_version, progress=progress)
    saved_to = save_audit(services.catalog.ws, report)
    rows = [s.row for s in report.suspects]
    suspects = df.iloc[rows]
    # A row number alone says nothing to a person: each suspect is named by its title (or else its text).
    named = suspects[title_column(list(df.columns)) or columns.text[0]].astype("string").fillna("")
    texts = assemble_texts(suspects, list(columns.text))
    return LabelAudit(report, saved_to, dict(zip(rows, texts)), dict(zip(rows, named.tolist())))
