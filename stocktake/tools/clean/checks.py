"""Small checks on one column that the proposal rules share: spelling clusters, spacing, text, categories, free
text, the key an issue names."""

from __future__ import annotations

import re

import pandas as pd

from stocktake.tools.clean.proposal import CleanSettings
from stocktake.tools.profile import fingerprint, typo_distance_is_one


def cluster_spellings(series: pd.Series, settings: CleanSettings = CleanSettings()) -> dict[str, str]:
    """{variant: canonical} for values equal up to case/spacing/accents/punctuation or one typo.

    The canonical spelling of a cluster is its most frequent one. A one-typo merge also needs the
    canonical spelling to be much more frequent ('itapeva' and 'itapevi' are two towns, each seen twice),
    and fingerprints that differ in their digits are never merged ('casa_conforto' and 'casa_conforto_2').
    """
    counts = series.dropna().astype(str).value_counts()
    groups: dict[str, list[str]] = {}
    for value in counts.index:
        groups.setdefault(fingerprint(value), []).append(value)
    size = {fp: int(sum(counts[v] for v in values)) for fp, values in groups.items()}
    prints = sorted(groups, key=lambda fp: -size[fp])
    parent = {fp: fp for fp in prints}
    for i, a in enumerate(prints):
        if len(a) < settings.typo_min_length:
            continue
        for b in prints[:i]:
            if parent[b] == b and len(b) >= settings.typo_min_length and size[b] >= settings.typo_min_ratio * size[a] \
                    and re.sub(r"\D", "", a) == re.sub(r"\D", "", b) and typo_distance_is_one(a, b):
                parent[a] = b
                break
    clusters: dict[str, list[str]] = {}
    for fp in prints:
        clusters.setdefault(parent[fp], []).extend(groups[fp])
    mapping = {}
    for values in clusters.values():
        if len(values) > 1:
            canonical = max(values, key=lambda v: (counts[v], -values.index(v)))
            mapping.update({v: canonical for v in values if v != canonical})
    return mapping


def mapping_from(clusters: dict) -> dict[str, str]:
    """A profiler's {canonical: [variants]} as {variant: canonical}, also covering trimmed variants.

    Variants whose digits differ from the canonical value are left out: 'casa_conforto_2' is a category of
    its own, not a typo of 'casa_conforto'.
    """
    mapping = {}
    for canonical, variants in clusters.items():
        for v in variants:
            if re.sub(r"\D", "", str(v)) != re.sub(r"\D", "", str(canonical)):
                continue
            for form in {v, " ".join(str(v).split())}:
                if form != canonical:
                    mapping[form] = canonical
    return mapping


def spacing_fixes(series: pd.Series) -> int:
    values = series.dropna()
    if values.empty:
        return 0
    return int((values != values.str.strip().str.replace(r"\s+", " ", regex=True)).sum())


def is_text(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series) and not pd.api.types.is_datetime64_any_dtype(series) and (
        series.dropna().map(type).eq(str).all())


def is_category(series: pd.Series, st: CleanSettings) -> bool:
    values = series.dropna()
    distinct = values.nunique()
    return 1 < distinct <= st.category_max_distinct and distinct <= st.category_max_distinct_share * len(values)


def is_free_text(series: pd.Series, st: CleanSettings) -> bool:
    values = series.dropna()
    return len(values) > 0 and values.nunique() >= st.free_text_min_distinct_share * len(values) and \
        values.str.contains(" ").mean() > 0.5


def key_of(issue) -> list[str] | None:
    key = (issue.details or {}).get("key") or ([issue.column] if issue.column else None)
    return [key] if isinstance(key, str) else list(key) if key else None
