"""Schema changes between two versions: columns added, removed, retyped, and the pairs that look renamed.

A removed column and an added one look like one column renamed when they have the same type and the same
profile: null rate, distinct count and (numbers) mean or (text) most frequent values within the gaps of
DriftSettings. Where several could pair up, the most similar names pair first.
"""

from __future__ import annotations

import difflib

from stocktake.settings import DriftSettings
from stocktake.tools.drift.model import SchemaChange
from stocktake.tools.profile import ColumnProfile, TableProfile


def schema_changes(before: TableProfile, after: TableProfile,
                   settings: DriftSettings) -> tuple[tuple[SchemaChange, ...], dict[str, str]]:
    """The changes, in the later version's column order (removed columns last), and the renamed columns (new name
    to old name)."""
    old = {c.name: c for c in before.columns}
    new = {c.name: c for c in after.columns}
    removed = [c for c in before.columns if c.name not in new]
    added = [c for c in after.columns if c.name not in old]
    renamed = renames(removed, added, settings)
    changes = []
    for c in after.columns:
        if c.name in renamed:
            changes.append(SchemaChange("renamed", c.name, renamed[c.name], None))
        elif c.name not in old:
            changes.append(SchemaChange("added", c.name, None, c.type))
        elif old[c.name].type != c.type:
            changes.append(SchemaChange("retyped", c.name, old[c.name].type, c.type))
    gone = set(renamed.values())
    changes += [SchemaChange("removed", c.name, c.type, None) for c in removed if c.name not in gone]
    return tuple(changes), renamed


def renames(removed: list[ColumnProfile], added: list[ColumnProfile], settings: DriftSettings) -> dict[str, str]:
    pairs = sorted(((difflib.SequenceMatcher(None, r.name.lower(), a.name.lower()).ratio(), r, a)
                    for r in removed for a in added if looks_alike(r, a, settings)), key=lambda p: -p[0])
    found: dict[str, str] = {}
    for _, r, a in pairs:
        if a.name not in found and r.name not in found.values():
            found[a.name] = r.name
    return found


def looks_alike(old: ColumnProfile, new: ColumnProfile, settings: DriftSettings) -> bool:
    """Two columns whose profiles say they may hold the same values."""
    if old.type != new.type or abs(old.null_fraction - new.null_fraction) > settings.rename_null_gap:
        return False
    if (old.distinct is None) != (new.distinct is None):
        return False
    if old.distinct is not None and abs(old.distinct - new.distinct) > settings.rename_distinct_gap * max(
            old.distinct, new.distinct):
        return False
    if isinstance(old.mean, (int, float)) and isinstance(new.mean, (int, float)):
        return abs(old.mean - new.mean) <= settings.rename_mean_gap * (old.std or 0.0)
    if old.top_values and new.top_values:
        mine, theirs = {v for v, _ in old.top_values}, {v for v, _ in new.top_values}
        return len(mine & theirs) >= len(mine | theirs) / 2
    return True
