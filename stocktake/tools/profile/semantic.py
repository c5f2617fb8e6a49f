"""What a column means: semantic types from names, storage types and statistics; category spelling clusters.

E-mail and phone columns are recognised by the patterns of stocktake.tools.profile.pii, the ones that mask them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from stocktake.settings import ProfileSettings
from stocktake.tools.profile.names import is_generic_name, is_id_name, tokens
from stocktake.tools.profile.pii import EMAIL, PHONE
from stocktake.tools.profile.scan import NUMERIC, ColumnScan

_URL_RE = re.compile(r"(https?://|www\.)[^ ]+")

_GEO = {"lat", "lng", "lon", "long", "latitude", "longitude", "zip", "postcode", "postal", "city", "state", "country",
        "region", "province", "geo", "geolocation"}
_RATING = {"rating", "score", "stars", "star", "grade"}
_PRICE = {"price", "amount", "total", "cost", "value", "revenue", "payment", "freight", "fee", "spend", "sales",
          "paid", "subtotal", "discount", "tax", "balance", "income"}
_QUANTITY = {"qty", "quantity", "count", "units", "stock", "inventory", "items", "pieces", "installments"}
_CATEGORY = {"category", "categories", "type", "status", "tier", "class", "genre", "brand", "device", "method",
             "segment", "channel", "gender", "kind", "group", "level", "occupation", "source", "medium", "event"}
_TEXTUAL = {"name", "title", "description", "comment", "message", "text", "body", "summary", "note", "notes",
            "address", "review", "content"}


@dataclass(frozen=True)
class TextShape:
    """Exact parse counts of a text column (from the DuckDB text pass)."""
    non_null: int
    as_number: int
    as_timestamp: int
    at_midnight: int  # parsed values without a time of day
    future: int
    ancient: int
    first: str | None = None  # the earliest and latest parsed moments (ISO), when the timestamp cast ran
    last: str | None = None

    def dates(self, settings: ProfileSettings) -> bool:
        """Whether the column holds dates written as text: enough of its values parse."""
        return self.as_timestamp > 0 and self.as_timestamp >= settings.parse_min_fraction * self.non_null


def semantic_type(s: ColumnScan, shape: TextShape | None, first_column: bool, settings: ProfileSettings) -> str:
    toks = set(tokens(s.name))
    if s.type == "boolean" or (s.type == "integer" and s.distinct == 2 and {s.min, s.max} == {0, 1}):
        return "boolean"
    if s.type in ("date", "timestamp"):
        return s.type
    if s.type in NUMERIC:
        return _numeric_semantic(s, toks, first_column)
    if s.type != "string" or not s.non_null:
        return "other"
    return _text_semantic(s, toks, shape, first_column, settings)


def _numeric_semantic(s: ColumnScan, toks: set[str], first_column: bool) -> str:
    if is_id_name(s.name) or (s.type == "integer" and first_column and s.distinct == s.non_null and s.non_null > 1
                              and is_generic_name(s.name)):
        return "identifier"
    if toks & _GEO:
        return "geo"
    if toks & _RATING and s.min is not None and 0 <= s.min and s.max <= 10:
        return "rating"
    if toks & _PRICE:
        return "price"
    if toks & _QUANTITY:
        return "quantity"
    return "number"


def _text_semantic(s: ColumnScan, toks: set[str], shape: TextShape | None, first_column: bool,
                   settings: ProfileSettings) -> str:
    if shape and shape.dates(settings):
        return "date" if shape.at_midnight == shape.as_timestamp else "timestamp"
    sample = list(map(str, s.sample))
    if _mostly(EMAIL.regex, sample, 0.9):
        return "email"
    if _mostly(_URL_RE, sample, 0.9):
        return "url"
    if _mostly(PHONE.regex, sample, 0.9):
        return "phone"
    if is_id_name(s.name) or (first_column and s.distinct == s.non_null and is_generic_name(s.name)):
        return "identifier"
    if toks & _GEO:
        return "geo"
    if shape and shape.as_number >= settings.parse_min_fraction * s.non_null:
        return "number"
    if sample and sum(map(len, sample)) / len(sample) >= settings.free_text_min_chars \
            and sum(map(len, map(str.split, sample))) / len(sample) >= settings.free_text_min_words:
        return "free_text"
    if is_category(s, toks, settings):
        return "category"
    return "text"


def _mostly(rx: re.Pattern, sample: list[str], share: float) -> bool:
    """Whether at least ``share`` of the sample fully matches ``rx`` (stripped); stops as soon as the misses
    rule that out, so a column of other values costs a tenth of its sample, not three passes over it."""
    n = len(sample)
    misses = 0
    for v in sample:
        if not rx.fullmatch(v.strip()):
            misses += 1
            if (n - misses) / n < share:
                return False
    return n > 0 and (n - misses) / n >= share


def is_category(s: ColumnScan, toks: set[str], settings: ProfileSettings) -> bool:
    if not s.distinct or s.distinct > settings.category_max_distinct:
        return False
    if toks & _TEXTUAL and not toks & _CATEGORY:
        return False
    return s.non_null / s.distinct >= settings.category_min_mean_count or bool(toks & _CATEGORY)


# ---- category spellings ------------------------------------------------------------------------------
def fingerprint(value: str) -> str:
    """Lowercase, accents stripped, spacing and punctuation removed: 'Home  & Kitchen' == 'home&kitchen'."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def typo_distance_is_one(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns ``a`` into ``b``."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


def category_clusters(counts: list[tuple[str, int]], settings: ProfileSettings) -> dict[str, list[str]]:
    """``{canonical: [variants]}`` for spellings of one value that differ in case, spacing, accents,
    punctuation or one typo; the canonical spelling is the most frequent one of its cluster."""
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for value, n in counts:
        groups[fingerprint(str(value))].append((str(value), n))
    total = {fp: sum(n for _, n in vals) for fp, vals in groups.items()}
    bigger: dict[str, str] = {}  # a rare typo spelling -> the most frequent spelling one typo away
    def uneven(a: str, b: str) -> bool:  # the test below can pass for one of the two orders
        return min(total[a], total[b]) <= settings.typo_max_ratio * max(total[a], total[b])

    for a, b in _typo_pairs([fp for fp in groups if len(fp) >= settings.typo_min_length], uneven):
        for small, big in ((a, b), (b, a)):
            if total[small] <= settings.typo_max_ratio * total[big] and (
                    small not in bigger or total[big] > total[bigger[small]]):
                bigger[small] = big
    merged: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for fp, vals in groups.items():
        root = fp
        while root in bigger:  # totals grow strictly along the chain, so this ends
            root = bigger[root]
        merged[root] += vals
    clusters = {}
    for vals in merged.values():
        if len(vals) > 1:
            ranked = sorted(vals, key=lambda v: (-v[1], v[0]))
            clusters[ranked[0][0]] = [v for v, _ in ranked[1:]]
    return clusters


def _typo_pairs(fps: list[str], keep: Callable[[str, str], bool]):
    """Pairs one typo apart that ``keep`` accepts (checked first, being cheaper), found through shared
    one-deletion keys (symmetric delete) instead of all pairs."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for fp in fps:
        by_key[fp].add(fp)
        for i in range(len(fp)):
            by_key[fp[:i] + fp[i + 1:]].add(fp)
    seen = set()
    for bucket in by_key.values():
        for a in bucket:
            for b in bucket:
                if a < b and (a, b) not in seen and keep(a, b) and typo_distance_is_one(a, b):
                    seen.add((a, b))
                    yield a, b
