"""Typos in a question: "avg rating givn by programmers", "how many flims", "aproval time".

A word that is neither a real word nor a word of the catalog is replaced by the closest word that is, one or
two edits away (a swap of two letters counts as one), preferring the catalog's own words, then the words the
planner reads (cues, measures), then plain English. Words are looked up, never scored against every entry, so
a question costs microseconds.
"""

from __future__ import annotations

import string
from dataclasses import replace
from functools import lru_cache

from stocktake.tools.ask.text import Token, english_words, fold, name_words, stem

LETTERS = string.ascii_lowercase


def edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    inserts = {a + c + b for a, b in splits for c in LETTERS}
    return deletes | swaps | replaces | inserts


class Speller:
    def __init__(self, catalog_words: set[str], planner_words: set[str]):
        self.catalog = frozenset(catalog_words)
        self.planner = frozenset(planner_words)
        self.english = english_words()
        self.known = self.catalog | self.planner | self.english

    def is_known(self, word: str) -> bool:
        return word in self.known or stem(word) in self.known or word.rstrip("s") in self.known

    @lru_cache(maxsize=10_000)
    def correct(self, word: str) -> str:
        if len(word) < 4 or not word.isalpha() or self.is_known(word):
            return word
        near = edits1(word)
        found = self._best(near)
        if found is None and len(word) >= 6:
            found = self._best({e2 for e1 in near for e2 in edits1(e1)})
        return found or word

    def _best(self, candidates: set[str]) -> str | None:
        for pool in (self.catalog, self.planner, self.english):
            hits = sorted(c for c in candidates if c in pool or stem(c) in pool)
            if hits:
                return hits[0]
        return None

    def fix(self, tokens: list[Token]) -> list[Token]:
        out = []
        for t in tokens:
            fixed = self.correct(t.norm) if t.kind == "word" else t.norm
            out.append(t if fixed == t.norm else replace(t, norm=fixed, stem=stem(fixed)))
        return out


def catalog_words(schema) -> set[str]:
    """Every word of the catalog's asset and column names, and of its short category values."""
    words: set[str] = set()
    for a in schema.assets.values():
        words.update(w for w in name_words(a.name) if w.isalpha())
        for c in a.columns:
            words.update(w for w in c.words if w.isalpha())
            for v, _ in c.top_values[:20]:
                words.update(w for w in fold(str(v)).split() if w.isalpha())
    return words
