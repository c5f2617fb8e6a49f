"""Grounding: which words of a question name an asset, a column or a value of the catalog.

Every phrase of one to five words is looked up in three dictionaries built from the catalog: asset names (and
the nouns that name one of their rows: "customers" for a users table), column names (whole, without the
asset's own prefix, by their head word, by abbreviation, by meaning: "price" for a money column) and the values
of category columns. A word may have several readings; the planner picks among them by what joins and what
the question asks. Nothing here is a fixed list of the catalog's names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from stocktake.tools.ask.schema import AssetInfo, ColumnInfo, SchemaIndex
from stocktake.tools.ask.text import FUNCTION_WORDS, Token, close_spelling, english_words, fold
from stocktake.tools.ask.vocab import ID_NOUNS, VALUE_SYNONYMS, root

MAX_PHRASE = 5
GAP_WORDS = frozenset({"to", "of", "the", "a", "an", "-"})
# Column words too general to name a column alone ("date" of which table?): they only add to a longer match.
WEAK_HEADS = frozenset(root(w) for w in ("id", "name", "date", "time", "type", "value", "number", "code", "at",
                                         "no", "key", "text", "flag", "count"))
TRIMMABLE = frozenset(root(w) for w in ("name", "id", "code", "no", "number", "key", "value", "date", "time", "at",
                                         "ind", "flag", "indicator", "yn",
                                         "g", "kg", "cm", "mm", "m", "pct", "usd", "eur", "brl", "ms", "s", "lbs"))
SEMANTIC_WORDS = {
    "price": ("price", "cost", "amount", "money", "spend", "value", "paid", "expensive", "cheap"),
    "rating": ("rating", "score", "star", "stars", "rated", "rate", "grade"),
    "quantity": ("quantity", "units", "pieces", "qty"),
    "timestamp": ("date", "time", "when", "day", "timestamp"),
    "date": ("date", "when", "day"),
    "email": ("email", "mail", "e-mail"),
    "phone": ("phone", "telephone", "mobile"),
}


@dataclass(frozen=True)
class Mention:
    kind: str  # asset, column, value
    start: int  # token index
    end: int  # exclusive
    score: float
    asset: str
    column: str | None = None
    value: object = None
    how: str = ""  # name, part, entity, head, meaning, docs, value, typo

    @property
    def width(self) -> int:
        return self.end - self.start


def phrase_roots(words) -> tuple[str, ...]:
    return tuple(root(w) for w in words)


class Grounder:
    def __init__(self, schema: SchemaIndex):
        self.schema = schema

    # ---- dictionaries ------------------------------------------------------------------------------------
    @cached_property
    def asset_phrases(self) -> dict[tuple[str, ...], list[tuple[str, float, str]]]:
        out = defaultdict(list)
        for a in self.schema.assets.values():
            full = phrase_roots(fold(a.name).replace("_", " ").replace("-", " ").replace(".", " ").split())
            out[full].append((a.name, 1.0, "name"))
            if a.words:
                out[phrase_roots(a.words)].append((a.name, 0.95, "name"))
            for entity in a.entity:
                out[tuple(entity.split())].append((a.name, 0.6, "entity"))
            if len(a.words) > 1:  # "payments" for order_payments: the head noun names the rows
                out[(root(a.words[-1]),)].append((a.name, 0.8, "part"))
                for w in a.words[:-1]:
                    out[(root(w),)].append((a.name, 0.45, "part"))
        return _best_per_target(out)

    @cached_property
    def column_phrases(self) -> dict[tuple[str, ...], list[tuple[ColumnInfo, float, str]]]:
        out = defaultdict(list)
        for a in self.schema.assets.values():
            for c in a.columns:
                for phrase, score, how in column_phrases(a, c):
                    out[phrase].append((c, score, how))
        return _best_per_target(out)

    @cached_property
    def _spellings(self) -> dict[str, tuple[str, ...]]:
        """Each name word's root with the forms it is written in ("order" -> order, orders), for typos."""
        out: dict[str, set[str]] = defaultdict(set)
        for a in self.schema.assets.values():
            for w in (*a.words, *(w for c in a.columns for w in c.words)):
                out[root(w)].update({w, root(w)})
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def docs_words(self) -> dict[str, list[tuple[ColumnInfo, float, str]]]:
        """Content words of each column's doc text: a weak reading of a word nothing else explains."""
        out = defaultdict(list)
        for (asset, column), text in self.schema.glossary.items():
            if not column or asset not in self.schema.assets:
                continue
            info = self.schema.assets[asset].column(column)
            if info is None:
                continue
            for word in {root(w) for w in fold(text).replace("_", " ").split() if w.isalpha() and len(w) > 3}:
                if word not in FUNCTION_ROOTS:
                    out[word].append((info, 0.3, "docs"))
        return out

    # ---- lookups ------------------------------------------------------------------------------------------
    def ground(self, tokens: list[Token]) -> list[Mention]:
        mentions = self._identifiers(tokens)
        words = [t for t in tokens]
        for i in range(len(words)):
            if words[i].norm in GAP_WORDS:
                continue
            for j in range(i + 1, min(len(words), i + MAX_PHRASE + 1) + 1):
                span = words[i:j]
                if any(t.kind in ("number", "date") for t in span) or span[-1].norm in GAP_WORDS:
                    if span[-1].kind in ("number", "date"):
                        break
                    continue
                # "delivered to customer date" names order_delivered_customer_date: small words between
                # the words of a name are skipped
                roots = phrase_roots(t.norm for t in span if t.norm not in GAP_WORDS)
                for name, score, how in self.asset_phrases.get(roots, ()):
                    mentions.append(Mention("asset", i, j, score, name, how=how))
                for info, score, how in self.column_phrases.get(roots, ()):
                    mentions.append(Mention("column", i, j, score, info.asset, info.name, how=how))
        mentions += self._typos(tokens, mentions)
        return mentions

    def _identifiers(self, tokens: list[Token]) -> list[Mention]:
        """``orders.status`` and ``order_status`` as typed: exact names win over every other reading."""
        out = []
        for i, t in enumerate(tokens):
            if t.kind not in ("ident", "word", "code", "quoted"):
                continue
            text = t.text.lower()
            asset_part, _, column_part = text.rpartition(".")
            for a in self.schema.assets.values():
                if asset_part and asset_part != a.name.lower():
                    continue
                if not asset_part and text == a.name.lower():
                    out.append(Mention("asset", i, i + 1, 1.2, a.name, how="name"))
                for c in a.columns:
                    if c.name.lower() == (column_part or text) and (asset_part or "_" in text or t.kind == "ident"
                                                                    or len(text) > 3):
                        out.append(Mention("column", i, i + 1, 1.2 if asset_part or "_" in text else 1.0,
                                           a.name, c.name, how="name"))
                if asset_part:
                    out.append(Mention("asset", i, i + 1, 1.1, a.name, how="name"))
        return out

    def _typos(self, tokens: list[Token], found: list[Mention]) -> list[Mention]:
        """Single words a letter or two off an asset or column word ("ordrs", "custmers"), when nothing else
        reads them."""
        covered = {k for m in found for k in range(m.start, m.end)}
        out = []
        singles = [(p[0], v, "asset") for p, v in self.asset_phrases.items() if len(p) == 1]
        singles += [(p[0], v, "column") for p, v in self.column_phrases.items() if len(p) == 1]
        spelled = self._spellings
        known = english_words()
        for i, t in enumerate(tokens):
            if i not in covered and t.kind == "ident":
                out += self._name_typos(i, t.norm)
            if i in covered or t.kind != "word" or len(t.norm) < 5 or t.norm in FUNCTION_WORDS or t.norm in known:
                continue
            r = root(t.norm)
            for phrase, targets, kind in singles:
                forms = spelled.get(phrase, (phrase,))
                if not any(close_spelling(r, f) or close_spelling(t.norm, f) for f in forms):
                    continue
                for target, score, how in targets:
                    if kind == "asset":
                        out.append(Mention("asset", i, i + 1, score * 0.85, target, how="typo"))
                    elif how != "meaning":
                        out.append(Mention("column", i, i + 1, score * 0.8, target.asset, target.name, how="typo"))
        return out

    def _name_typos(self, i: int, text: str) -> list[Mention]:
        """A name typed with a typo ("ordr_staus"): the columns and assets whose whole name is a letter or two
        off."""
        out = [Mention("asset", i, i + 1, 0.85, a.name, how="typo") for a in self.schema.assets.values()
               if close_spelling(text, a.name.lower())]
        return out + [Mention("column", i, i + 1, 0.8, a.name, c.name, how="typo") for a in self.schema.assets.values()
                      for c in a.columns if close_spelling(text, c.name.lower())]

    def values(self, tokens: list[Token]) -> list[Mention]:
        """Phrases equal to a value of a category column ("delivered", "São Paulo", "credit card")."""
        index = self.value_index
        out = []
        for i in range(len(tokens)):
            for j in range(i + 1, min(len(tokens), i + MAX_PHRASE) + 1):
                span = tokens[i:j]
                text = " ".join(t.norm for t in span)
                if j - i == 1 and (span[0].norm in FUNCTION_WORDS and span[0].kind != "quoted"):
                    continue
                found = [*index.get(text, ()), *index.get(_root_key(span), ()),
                         *(index.get(text.replace("_", " "), ()) if "_" in text else ())]  # health_beauty as typed
                if j - i <= 2 and not found:  # "women" for F, "page views" for pv: a coded value by its word
                    found = [(info, value, count, False) for key in VALUE_SYNONYMS.get(text, ())
                             for info, value, count, _ in index.get(key, ())]
                typed = " ".join(t.text for t in span)
                for info, value, count, exact in _commonest(found):
                    # "SP" typed in capitals is the state code SP, not the city written sp
                    cased = 0.01 if typed != typed.lower() and typed == str(value) else 0.0
                    out.append(Mention("value", i, j, (0.9 if exact else 0.75) + 0.02 * (j - i) + cased,
                                       info.asset, info.name, value, how="value"))
        return _dedupe(out)

    @cached_property
    def value_index(self) -> dict[str, list]:
        out: dict[str, list] = defaultdict(list)
        for a in self.schema.assets.values():
            for c in a.columns:
                for folded, (value, count) in self.schema.values(a.name, c.name).items():
                    spaced = " ".join(folded.replace("_", " ").replace("-", " ").split())
                    if not spaced or len(spaced) > 60 or not any(ch.isalpha() for ch in spaced):
                        continue
                    out[spaced].append((c, value, count, True))
                    if len(spaced) >= 4:  # "went" is "go", but no state code GO is meant by it
                        out["~" + " ".join(root(w) for w in spaced.split())].append((c, value, count, False))
        return out

    def docs(self, tokens: list[Token], unexplained: set[int]) -> list[Mention]:
        out = []
        for i in sorted(unexplained):
            for info, score, how in self.docs_words.get(root(tokens[i].norm), ()):
                out.append(Mention("column", i, i + 1, score, info.asset, info.name, how=how))
        return out


FUNCTION_ROOTS = frozenset(root(w) for w in FUNCTION_WORDS)


def _commonest(matches: list) -> list:
    """Per column, the most frequent of the spellings a phrase matches ("Electronics" over "electronics"):
    the profiler reports the variants as inconsistent categories."""
    best: dict = {}
    for info, value, count, exact in matches:
        key = (info.asset, info.name)
        if key not in best or (exact, count) > (best[key][3], best[key][2]):
            best[key] = (info, value, count, exact)
    return list(best.values())


def _root_key(span: list[Token]) -> str:
    return "~" + " ".join(root(t.norm) for t in span)


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    best: dict[tuple, Mention] = {}
    for m in mentions:
        key = (m.kind, m.start, m.end, m.asset, m.column, str(m.value))
        if key not in best or best[key].score < m.score:
            best[key] = m
    return list(best.values())


def _best_per_target(table: dict) -> dict:
    """Each phrase keeps one (the best) reading per asset or column."""
    out = {}
    for phrase, targets in table.items():
        best: dict = {}
        for target, score, how in targets:
            key = (target.asset, target.name) if isinstance(target, ColumnInfo) else target
            if key not in best or best[key][1] < score:
                best[key] = (target, score, how)
        out[phrase] = list(best.values())
    return out


# The last word of a date column's name, said in any of these: "purchase date" is order_purchase_timestamp.
TIME_HEADS = frozenset(phrase_roots(("date", "time", "timestamp", "at")))


def _part_phrases(trimmed: tuple[str, ...], own: set[str], id_like: bool):
    """Parts of a column's name that name it more weakly: without its weak head ("customer" for customer_id),
    one word, its tail or head, two of its words in order ("zip prefix" for geolocation_zip_code_prefix)."""
    if len(trimmed) > 1 and trimmed[-1] in WEAK_HEADS:
        yield trimmed[:-1], 0.8 if id_like else 0.7, "part"
    for word in trimmed:  # "carrier" for order_delivered_carrier_date, weakly
        if word not in WEAK_HEADS and len(word) > 3:
            yield (word,), 0.45, "part"
    for k in range(1, len(trimmed)):
        tail = trimmed[k:]
        if tail and not (len(tail) == 1 and tail[0] in WEAK_HEADS):
            yield tail, 0.55 if len(tail) == 1 else 0.65, "head"
        head = trimmed[:k]
        if len(head) == 1 and head[0] not in WEAK_HEADS and head[0] not in own:
            yield head, 0.5, "part"
    if 2 < len(trimmed) <= 5:  # "zip prefix" for geolocation_zip_code_prefix: two of its words, in order
        for a in range(len(trimmed)):
            for b in range(a + 2, len(trimmed)):
                if len({trimmed[a], trimmed[b]} & WEAK_HEADS) < 2:
                    yield (trimmed[a], trimmed[b]), 0.6, "part"


def column_phrases(asset: AssetInfo, c: ColumnInfo):
    """The phrases that name a column, with how strongly: its whole name, the name without the asset's own
    noun ("order_status" in orders is "status"), the name without a trailing id/name word, its head word, and
    the words of its meaning (money, rating, date...)."""
    words = phrase_roots(c.words)
    if not words:
        return
    yield words, 1.0, "name"
    if c.temporal and len(words) > 1 and words[-1] in TIME_HEADS:
        for head in TIME_HEADS - {words[-1]}:  # "purchase date" for order_purchase_timestamp, "approval time"
            yield (*words[:-1], head), 0.9, "name"
        for head in TIME_HEADS if len(words) > 2 else ():
            yield (words[-2], head), 0.85, "part"
    if len(words) > 1 and words[-1] in TRIMMABLE:  # "product category" for product_category_name
        yield words[:-1], 0.85, "part"
    for entity in asset.entity[:3]:  # "order status", "customer city", "product category": the row's noun first
        if " " not in entity and words[0] != entity:
            yield (entity, *words), 0.95, "name"
    own = {root(w) for w in asset.words} | {e for e in asset.entity if " " not in e}
    trimmed = words
    while len(trimmed) > 1 and trimmed[0] in own:
        trimmed = trimmed[1:]
    if trimmed != words:
        yield trimmed, 0.9, "part"
        if c.temporal and len(trimmed) > 1 and trimmed[-1] in TIME_HEADS:
            for head in TIME_HEADS - {trimmed[-1]}:
                yield (*trimmed[:-1], head), 0.85, "part"
    yield from _part_phrases(trimmed, own, c.id_like)
    if c.id_like and len(words) > 1:
        for noun in ID_NOUNS.get(c.words[0], ()):  # "products" in a lines table keyed by StockCode
            yield (root(noun),), 0.6, "entity"
    for word in SEMANTIC_WORDS.get(c.semantic, ()):
        yield (root(word),), 0.4, "meaning"
    if c.temporal:
        yield (root("date"),), 0.35, "meaning"
        yield (root("time"),), 0.3, "meaning"
