"""What a proposal is (a step with its parameters, what it does and why) and the thresholds the rules use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CleanSettings:
    date_min_parsed: float = 0.8  # share of a text column's values that must parse before proposing dates
    numeric_min_parsed: float = 0.95  # same for converting text to numbers
    category_max_distinct: int = 500
    category_max_distinct_share: float = 0.5
    typo_min_length: int = 5  # shorter spellings are merged only when their fingerprints match exactly
    typo_min_ratio: float = 3.0  # a typo is rare: its canonical spelling must be this many times as frequent
    fill_max_missing: float = 0.5  # above this share, a fill would invent most of the column
    drop_max_missing: float = 0.5
    # An outlier price this many times the largest ordinary one is a typo (extra digits); real furniture and
    # postage lines sit well below.
    outlier_gap_multiple: float = 100.0
    orphan_max_share: float = 0.5  # more orphans than this means the key types or the relation are wrong
    audit_min_confidence: float = 0.5
    free_text_min_distinct_share: float = 0.5
    key_max_duplicate_share: float = 0.05  # a "key" repeated more often than this is no key
    id_name: str = r"(^id$|_id$|^id_|id$)"
    code_name: str = r"(id$|_id|^id|no$|num|number|code|zip|postal|phone|sku|invoice)"  # numbers that stay text
    time_name: str = r"(time|timestamp|date|_ts$|^ts$|_at$|created|updated)"
    latest_name: str = r"(updated|modified|changed|_at$|timestamp|time|date)"
    preview_rows: int = 5


@dataclass(frozen=True)
class Proposal:
    kind: str
    params: dict
    what: str
    why: str
    rows: int | None = None
