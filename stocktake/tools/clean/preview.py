"""What a step does to a table, as a preview: the rows it removes or changes, and a few of them before and after.

Rows keep their row number in the session's base table (the DataFrame index), so a row's before and after sit
side by side, and a removed duplicate can name the row kept in its place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stocktake.tools.profile import is_id_name


@dataclass(frozen=True)
class Preview:
    rows_affected: int
    rows_removed: int
    rows_changed: int
    columns_removed: tuple[str, ...]
    before: list[dict]  # the columns the step changes come first, after ``_row``
    after: list[dict | None]  # None for a row the step removes
    columns_changed: tuple[str, ...] = ()
    # For a step that keeps one row of each group of duplicates: beside each sampled row it removed, the row
    # kept in its place (None for the others), so a preview shows what stays, not only what goes.
    kept: list[dict | None] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "rows_affected": self.rows_affected, "rows_removed": self.rows_removed,
            "rows_changed": self.rows_changed, "columns_removed": list(self.columns_removed),
            "columns_changed": list(self.columns_changed),
            "before": self.before, "after": self.after, "kept": self.kept,
        }


@dataclass(frozen=True)
class PreviewSettings:
    text_chars: int = 60  # a longer changed text is shown as this many characters around its first change
    text_lead: int = 15  # of which this many come before the change, for context


def compare(before: pd.DataFrame, after: pd.DataFrame, n: int = 5,
            settings: PreviewSettings = PreviewSettings(), kept: pd.Series | None = None) -> Preview:
    """What a step did: rows removed, rows whose values changed, and up to ``n`` of them before and after, the
    columns the step changes first, then a key column that names the row, then the rest.

    The sample leads with the notable rows, those removed or with a value that became missing (the dates that
    did not parse), then the merely rewritten ones; a long changed text shows the part around its change.
    ``kept`` (a step's ``kept_rows``) names the row that stays for each removed duplicate."""
    removed = before.index.difference(after.index)
    common = before.index.intersection(after.index)
    changed, lost, touched = _changes(before, after, common)
    gone_columns = tuple(c for c in before.columns if c not in after.columns)
    changed_rows = common if gone_columns else common[changed]
    affected = removed.union(changed_rows)
    notable = removed.union(common[lost])
    sample = notable[:n].append(affected.difference(notable)[:max(0, n - len(notable))])
    order = _column_order(before, [*gone_columns, *touched])
    after_order = [c for c in order if c in after.columns]
    shown_before = records(before.loc[sample, order])
    shown_after = [records(after.loc[[i], after_order])[0] if i in after.index else None for i in sample]
    for row_before, row_after in zip(shown_before, shown_after):
        for col in touched if row_after is not None else ():
            row_before[str(col)], row_after[str(col)] = clip_change(row_before[str(col)], row_after[str(col)],
                                                                    settings)
    shown_kept = [records(after.loc[[kept[i]], after_order])[0] if kept is not None and i in kept.index else None
                  for i in sample]
    return Preview(
        rows_affected=len(affected), rows_removed=len(removed), rows_changed=len(changed_rows),
        columns_removed=gone_columns, columns_changed=tuple(touched), before=shown_before, after=shown_after,
        kept=shown_kept if any(k is not None for k in shown_kept) else [],
    )


def _changes(before: pd.DataFrame, after: pd.DataFrame, common: pd.Index) -> tuple[np.ndarray, np.ndarray, list]:
    """Over the rows both tables have: which changed, which lost a value (it is now missing), and the columns
    with a change."""
    changed = np.zeros(len(common), dtype=bool)
    lost = np.zeros(len(common), dtype=bool)
    touched = []
    for col in [c for c in before.columns if c in after.columns]:
        b, a = before.loc[common, col], after.loc[common, col]
        if b.dtype != a.dtype:  # a new type changes every value, even where 17850.0 == 17850
            differs = (b.notna() | a.notna()).to_numpy()
        else:
            differs = ((b != a) & ~(b.isna() & a.isna())).fillna(True).astype(bool).to_numpy()
        changed |= differs
        lost |= (b.notna() & a.isna()).to_numpy()
        if differs.any():
            touched.append(col)
    return changed, lost, touched


def _column_order(before: pd.DataFrame, first: list) -> list:
    """The changed columns first, then a key column that names the row, then the rest."""
    key = next((c for c in before.columns if c not in first and is_id_name(str(c))), None)
    return [*first, *([key] if key is not None else []), *(c for c in before.columns if c not in first and c != key)]


def clip_change(old, new, settings: PreviewSettings = PreviewSettings()) -> tuple:
    """Two long texts cut to the same window around their first difference, with "…" where text is left out, so
    a change in the middle of a review is in view; anything else as it is."""
    if not (isinstance(old, str) and isinstance(new, str)) or max(len(old), len(new)) <= settings.text_chars:
        return old, new
    at = len(os.path.commonprefix([old, new]))
    start = max(0, min(at - settings.text_lead, max(len(old), len(new)) - settings.text_chars))

    def cut(text: str) -> str:
        end = start + settings.text_chars
        return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")

    return cut(old), cut(new)


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as JSON-friendly dicts with their base row number."""
    out = []
    for idx, row in df.iterrows():
        item = {"_row": int(idx)}
        for col, value in row.items():
            item[str(col)] = None if _is_missing(value) else (value.isoformat() if hasattr(value, "isoformat") else
                                                              value.item() if hasattr(value, "item") else value)
        out.append(item)
    return out


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
