"""How sure a reading is: the question's words it leaves unexplained, and whether the question is too vague to
answer from one table."""

from __future__ import annotations

from stocktake.tools.ask.ground import FUNCTION_ROOTS
from stocktake.tools.ask.model import QueryPlan
from stocktake.tools.ask.roles import Roles
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.text import FUNCTION_WORDS, fold
from stocktake.tools.ask.vocab import root


# Words a question about data uses that name nothing in the catalog and change nothing in the answer.
NEUTRAL_WORDS = frozenset("""
shop store platform site website database system company business customer's customers' people anyone anybody
something anything everything thing things stuff item's placed place made make made received receive bought have
happened were was is are been being exist exists existing there recorded stored registered listed kept contain
contains containing hold holds holding present available appear appears appearing occur occurs occurring
ones one kind type sort like per cent actual actually real really currently current overall please
dated sold sell selling did see put paid got come came give gave given take took taken written write wrote left leave
bring brought generate generated earn earned chose choose chosen picked pick selected select used use using went go goes gone star stars starred anyone someone everyone ever map mapping lookup
had has have live lives living based located handed hand added add adding something anything catalog
catalogue ship shipped ships shipping send sent exactly currently today overall entire whole total
""".split())


NEUTRAL = frozenset(root(w) for w in NEUTRAL_WORDS)


PRONOUNS = frozenset({"they", "them", "those", "these", "it", "their", "theirs", "its"})


GENERAL = frozenset(root(w) for w in """total value amount price cost date dates time id ids number count name
type one ones thing things record entry data stuff average sum mean figure figures""".split())


# Cues that shape any reading (how many, list, by); the others (a bucket, a comparison, a date word) change
# the answer, so one the reading did not use is a word it did not understand.
STRUCTURAL_CUES = ("count", "list", "group", "sort", "distinct", "negate", "agg", "share")


def unexplained_words(roles: Roles, used: set[int]) -> tuple[str, ...]:
    """Content words of the question that no part of the reading accounts for."""
    covered = set(used)
    for c in roles.cues:
        if c.kind in STRUCTURAL_CUES:
            covered.update(c.covers())
    covered -= roles.unplaced
    out = []
    for i, t in enumerate(roles.tokens):
        if i in covered or t.norm in FUNCTION_WORDS:
            continue
        if t.kind in ("number", "date", "code", "quoted"):
            out.append(t.text)
            continue
        r = root(t.norm)
        if (r in FUNCTION_ROOTS or r in NEUTRAL or len(t.norm) <= 2) and not _content_cue(roles, i):
            continue
        out.append(t.text)
    return tuple(out)


def _content_cue(roles: Roles, i: int) -> bool:
    return any(c.kind not in STRUCTURAL_CUES and c.start <= i < c.end for c in roles.cues)


def score_for(unexplained: tuple[str, ...]) -> float:
    return max(0.0, 1.0 - 0.3 * len(unexplained))


def mostly_unexplained(roles: Roles, unexplained: tuple[str, ...]) -> bool:
    content = [t for t in roles.tokens if t.norm not in FUNCTION_WORDS and root(t.norm) not in FUNCTION_ROOTS
               and t.kind == "word"]
    return len(unexplained) >= 2 and len(unexplained) * 2 >= len(content)


def is_vague(plan: QueryPlan, roles: Roles, form: str) -> bool:
    """"what's the price", "show me the total": no table named, no condition, and only general words: whose
    price? The question is asked back instead of answered from whichever table has such a column."""
    if {t.norm for t in roles.tokens} & PRONOUNS and not any(
            m.kind in ("asset", "column") and m.how in ("name", "part", "typo") for m in roles.mentions):
        return True  # "how many did they buy", with nothing before it to say who they are
    named = any(m.kind == "asset" and m.asset in plan.assets() and m.how in ("name", "entity", "part", "typo")
                and m.score >= 0.6 for m in roles.mentions)
    if named or plan.filters or plan.compares or roles.ids or plan.absent or plan.present:
        return False
    content = [t for i, t in enumerate(roles.tokens) if t.norm not in FUNCTION_WORDS and root(t.norm) not in
               FUNCTION_ROOTS and not any(c.start <= i < c.end and c.kind in ("count", "list", "agg", "most",
                                                                                 "group", "sort", "bucket")
                                          for c in roles.cues)]
    if form == "rows" and roles.tokens[0].norm in ("what", "whats") and len(content) == 1 and not plan.limit:
        return True  # "what's the status": of which record?
    return all(root(t.norm) in GENERAL for t in content)


def doc_nouns(roles: Roles, schema: SchemaIndex, asset: str) -> None:
    """"offers per category" where the docs of the table say its rows are offers: the word names the rows."""
    text = schema.glossary.get((asset, "")) if schema.catalog is not None else None
    if not text:
        return
    said = {root(w) for w in fold(text).replace("_", " ").split() if w.isalpha() and len(w) > 3}
    roles.mark([i for i, t in enumerate(roles.tokens) if i not in roles.used and t.kind == "word"
                and len(t.norm) > 3 and root(t.norm) in said and not _content_cue(roles, i)])
