"""The classifier and the label audit on real product titles (PriceRunner, ../shared/data)."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.tools.classify.audit import audit_labels
from stocktake.tools.classify.data import inject_label_noise
from stocktake.tools.classify.settings import ClassifySettings

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


@pytest.fixture(scope="module")
def titles() -> pd.DataFrame:
    from tests.conftest import SHARED_DATA

    path = SHARED_DATA / "pricerunner-product-titles" / "pricerunner_aggregate.csv"
    if not path.is_file():
        pytest.skip(f"PriceRunner titles not found at {path} (they sit beside the checkout as ../shared/data)")
    return pd.read_csv(path, usecols=["Product Title", "Category Label"])


def test_audit_flags_injected_label_noise_on_real_titles(titles):
    sample = titles.sample(6000, random_state=0).reset_index(drop=True)
    sample["noisy"], moved = inject_label_noise(sample["Category Label"], 0.05, seed=0)
    report = audit_labels(sample, ["Product Title"], "noisy")
    flagged = {s.row for s in report.suspects}
    hits = len(flagged & set(moved.tolist()))
    assert hits / len(flagged) >= 0.8 and hits / len(moved) >= 0.7
    restored = [s.suggested == sample["Category Label"][s.row] for s in report.suspects if s.row in set(moved)]
    assert sum(restored) / len(restored) >= 0.9  # the suggestion is the label the row had before the noise


def test_one_short_epoch_on_real_titles_learns_the_categories(titles):
    from stocktake.tools.classify.train import train_classifier

    report = train_classifier(titles, ["Product Title"], "Category Label",
                              ClassifySettings(epochs=1, max_rows=800, max_length=24))
    assert len(report.test.labels) == 10 and sum(report.rows.values()) == 800
    assert report.macro_f1 > 0.5  # ten classes: chance is 0.1
    assert report.baseline.macro_f1 > 0.8
