"""Which columns hold personal data, one answer for the report, the cleaner, the docs and the assistant (by the
values' semantic type, the column's name or personal data found in free text; and the quasi-identifiers), and the
masking of stored profiles: both by the rules and the masker of stocktake.tools.profile.pii."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from stocktake.tools.profile.model import ColumnProfile, Issue, TableProfile
from stocktake.tools.profile.names import is_generic_name, tokens
from stocktake.tools.profile.pii import (MaskSettings, PersonalDataSettings, mask_pairs, mask_text, mask_whole,
                                        personal_name)


@dataclass(frozen=True)
class PersonalColumn:
    column: str
    reason: str  # why it counts as personal data, in words
    rows: int | None = None  # rows found holding an address or number in free text; None: the whole column
    kind: str = "direct"  # or "quasi-identifier": personal only together with others, so never masked

    @property
    def direct(self) -> bool:
        return self.kind == "direct"

    def to_dict(self) -> dict:
        return {"column": self.column, "reason": self.reason, "rows": self.rows, "kind": self.kind}


def find_personal_columns(profile: TableProfile,
                          settings: PersonalDataSettings = PersonalDataSettings()) -> tuple[PersonalColumn, ...]:
    """Columns of personal data, in table order: by their values' type, by their name, or by free-text hits;
    then the quasi-identifiers among the rest (kind "quasi-identifier")."""
    hits = {i.column: i.rows for i in profile.issues if i.kind == "pii"}
    found = []
    for c in profile.columns:
        if c.semantic_type in settings.semantic_types:
            found.append(PersonalColumn(c.name, f"{c.semantic_type} values"))
        elif personal_name(c.name, settings):
            found.append(PersonalColumn(c.name, "its name says it holds personal data"))
        elif c.name in hits:
            found.append(PersonalColumn(c.name, "free text with personal data (e-mail, phone, card or id numbers)",
                                        hits[c.name]))
    direct = {p.column for p in found}
    return tuple(found) + quasi_identifiers([c for c in profile.columns if c.name not in direct], settings)


def quasi_identifiers(columns: Sequence[ColumnProfile],
                      settings: PersonalDataSettings = PersonalDataSettings()) -> tuple[PersonalColumn, ...]:
    """Columns that single out a person only together (zip code, age, gender), when the table holds at least
    ``quasi_min_kinds`` kinds of them; each one's reason names the combination."""
    kinds = [(c, kind) for c in columns if (kind := quasi_kind(c, settings))]
    named = [kind for kind, _ in settings.quasi_names if any(k == kind for _, k in kinds)]
    if len(named) < settings.quasi_min_kinds:
        return ()
    together = ", ".join(named[:-1]) + f" and {named[-1]}"
    return tuple(PersonalColumn(c.name, f"quasi-identifier ({kind}): {together} together can single out a person",
                                kind="quasi-identifier") for c, kind in kinds)


def quasi_kind(c: ColumnProfile, settings: PersonalDataSettings = PersonalDataSettings()) -> str | None:
    """"zip code", "age", "gender" or "occupation" by the column's name; for a name that says nothing (col_5),
    by its values: postal codes, a handful of gender codes, ages spread over 0..120 in whole years."""
    words = set(tokens(c.name))
    for kind, names in settings.quasi_names:
        if words & names:
            return kind
    if not is_generic_name(c.name) or not c.top_values:
        return None
    values = [str(v).strip() for v, _ in c.top_values]
    if c.type == "string" and all(re.fullmatch(settings.postal_code_pattern, v) for v in values):
        return "zip code"
    if c.type == "string" and c.distinct and c.distinct <= 3 and {v.lower() for v in values} <= settings.gender_values:
        return "gender"
    low, high = settings.age_range
    if c.type == "integer" and c.semantic_type == "number" and isinstance(c.min, int) and low <= c.min \
            and c.max <= high and (c.distinct or 0) >= settings.age_min_distinct:
        return "age"
    return None


def whole_columns(profile: TableProfile, settings: PersonalDataSettings = PersonalDataSettings()) -> frozenset[str]:
    """The columns whose every value is personal (free text with a few numbers in it is masked by value;
    quasi-identifiers are not personal one by one)."""
    return frozenset(c.column for c in find_personal_columns(profile, settings) if c.rows is None and c.direct)


# ---- stored profiles ----------------------------------------------------------------------------------
def mask_profile(profile: TableProfile, mask: MaskSettings = MaskSettings(),
                 settings: PersonalDataSettings = PersonalDataSettings()) -> TableProfile:
    """The profile as it may be stored and shown: the values of personal columns (top values, min and max,
    histogram labels, examples, values quoted in messages) masked whole, and their numeric statistics left out
    (the quantiles of phone numbers stored as integers are phone numbers); every other string masked by value."""
    personal = whole_columns(profile, settings)
    columns = tuple(_mask_column(c, c.name in personal, mask) for c in profile.columns)
    issues = tuple(_mask_issue(i, personal, mask) for i in profile.issues)
    coverage = profile.time_coverage
    if coverage and coverage.get("column") in personal:
        coverage = {**coverage, "first": mask_whole(coverage["first"], mask),
                    "last": mask_whole(coverage["last"], mask), "gaps": []}
    return replace(profile, columns=columns, issues=issues, time_coverage=coverage)


def _mask_column(c: ColumnProfile, personal: bool, mask: MaskSettings) -> ColumnProfile:
    fn = (lambda v: mask_whole(v, mask)) if personal else (lambda v: mask_text(v, mask) if isinstance(v, str) else v)
    hist = c.histogram
    if hist and hist.get("labels"):
        hist = {**hist, "labels": [fn(v) for v in hist["labels"]]}
    elif personal:
        hist = None
    top = tuple((fn(v), n) for v, n in c.top_values)
    if personal and c.type != "string":
        return replace(c, min=None, max=None, mean=None, std=None, quantiles={}, top_values=top, histogram=hist)
    return replace(c, min=fn(c.min), max=fn(c.max), top_values=top, histogram=hist)


def _mask_issue(i: Issue, personal: frozenset[str], mask: MaskSettings) -> Issue:
    if i.column not in personal:
        return replace(i, message=mask_text(i.message, mask),
                       examples=tuple(mask_pairs(e, personal, mask) for e in i.examples),
                       details=_map_strings(i.details, lambda v: mask_text(v, mask)))
    message = i.message
    quoted = [*i.examples, *([i.details["value"]] if i.details.get("value") is not None else [])]
    for value in sorted({s for v in quoted for s in (str(v), repr(v))}, key=len, reverse=True):
        if len(value) > 1:  # messages quote the values they are about (constant_column)
            message = message.replace(value, str(mask_whole(value, mask)))
    examples = tuple(mask_pairs(e, personal, mask) if e.startswith("row ") else str(mask_whole(e, mask))
                     for e in i.examples)
    details = _map_strings(i.details, lambda v: mask_whole(v, mask))
    if "value" in details:
        details["value"] = mask_whole(details["value"], mask)
    return replace(i, message=mask_text(message, mask), examples=examples, details=details)


def _map_strings(tree: Any, fn: Callable[[Any], Any]) -> Any:
    """Every string in nested dicts and lists (keys included: category clusters are keyed by value) through fn."""
    if isinstance(tree, dict):
        return {fn(k) if isinstance(k, str) else k: _map_strings(v, fn) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [_map_strings(v, fn) for v in tree]
    return fn(tree) if isinstance(tree, str) else tree
