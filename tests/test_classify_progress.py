"""Classify engines: the audit's progress, and the new head's weights said once in our words, not transformers'."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from stocktake.tools.classify.audit import audit_labels
from stocktake.tools.classify.settings import AuditSettings


def test_the_tfidf_audit_counts_its_folds():
    df = pd.DataFrame({"title": [f"red shoe {i}" for i in range(20)] + [f"blue lamp {i}" for i in range(20)],
                       "category": ["shoes"] * 20 + ["lamps"] * 20})
    calls = []
    audit_labels(df, ["title"], "category", AuditSettings(folds=4),
                 progress=lambda step, done, total: calls.append((step, done, total)))
    assert calls == [("cross-validating (folds)", i, 4) for i in range(5)]


@pytest.fixture(scope="module")
def base_model() -> str:
    from stocktake.tools.classify.encoder import base_model_path

    return base_model_path(None)


class Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def transformers_log():
    """What transformers' loader logs, at its default verbosity (warnings), whatever an earlier test turned down."""
    from transformers.utils import logging as hf_logging

    before, kept = hf_logging.get_verbosity(), Kept()
    hf_logging.set_verbosity_warning()
    logger = logging.getLogger("transformers.modeling_utils")
    logger.addHandler(kept)
    yield kept.messages
    logger.removeHandler(kept)
    hf_logging.set_verbosity(before)


def test_transformers_own_load_report_would_list_the_new_head_as_missing(base_model, transformers_log):
    """The control for the test below: without our loader, transformers logs its report."""
    from transformers import AutoModelForSequenceClassification

    AutoModelForSequenceClassification.from_pretrained(base_model, num_labels=2)
    assert any("LOAD REPORT" in m and "MISSING" in m for m in transformers_log)


def test_a_new_head_is_said_once_at_debug_level_and_the_load_report_is_dropped(base_model, transformers_log, caplog):
    from stocktake.tools.classify.encoder import load_with_new_head

    with caplog.at_level(logging.DEBUG, logger="stocktake.tools.classify.encoder"):
        model = load_with_new_head(base_model, ["lamps", "shoes"])
    assert not [m for m in transformers_log if "LOAD REPORT" in m]
    ours = [r for r in caplog.records if r.name == "stocktake.tools.classify.encoder"]
    assert [r.levelno for r in ours] == [logging.DEBUG]
    assert "classifier.bias, classifier.weight start from random weights" in ours[0].getMessage()
    assert model.config.id2label == {0: "lamps", 1: "shoes"}
