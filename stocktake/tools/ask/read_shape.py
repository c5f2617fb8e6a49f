"""The shape of answer a question asks for: a few sample rows, the top N, a count, a listing or a lookup;
and the words that tie a follow-up to the last answer."""

from __future__ import annotations

from stocktake.tools.ask.cues import Cue, number_at
from stocktake.tools.ask.dates import DateRange
from stocktake.tools.ask.followup import ANAPHORA, FEW, STARTERS
from stocktake.tools.ask.measure_spec import MeasureChoice, MeasureSpec
from stocktake.tools.ask.roles import IdRef, Roles
from stocktake.tools.ask.vocab import root


def overlaps_ids(d: DateRange, ids: list[IdRef]) -> bool:
    return any(r.start < d.end and d.start < r.end for r in ids)


SAMPLE_NOUNS = frozenset({"row", "rows", "record", "records", "entry", "entries", "line", "lines", "example",
                          "examples"})


SAMPLE_WORDS = frozenset({"preview", "sample", "head", "peek"})


def asks_sample_rows(roles: Roles) -> bool:
    """"the first rows of notes", "show 10 records of orders", "preview users": a few rows as they are stored,
    in no order of their values (which "the first 5 orders" by date would impose)."""
    tokens, norms = roles.tokens, [t.norm for t in roles.tokens]
    if roles.cue("count") or roles.cue("share"):
        return False
    asked: list[int] = []
    for i, n in enumerate(norms):
        named = any(m.kind in ("asset", "column") and m.how == "name" for m in roles.at(i))
        if n in SAMPLE_WORDS and not named:
            asked.append(i)
        elif n in SAMPLE_NOUNS and i > 0 and (norms[i - 1] in ("first", "some", "few", "sample", "example")
                                              or isinstance(number_at(tokens, i - 1), int)):
            asked += [i - 1, i] + ([i - 2] if i > 1 and norms[i - 2] in ("first", "a") else [])
    if not asked:
        return False
    n = next((number_at(tokens, i) for i in asked if isinstance(number_at(tokens, i), int)), None)
    roles.limit, roles.direction, roles.sample = (n if n and n > 0 else roles.limit) or FEW, None, True
    roles.mark([*asked, *(i for i, t in enumerate(norms) if t in ("of", "from", "in") and i - 1 in asked)])
    return True


RANK_WORDS = ("top", "first", "last", "best", "worst", "bottom", "latest", "newest", "earliest", "oldest")


def read_top_n(roles: Roles) -> None:
    """"top 5", "5 most", "the three cheapest", "first 10", "best 3": a limit and a direction."""
    tokens = roles.tokens
    for cue in roles.cues:
        if cue.kind not in ("agg", "most"):
            continue
        word = tokens[cue.start].norm
        after, before = number_at(tokens, cue.end), number_at(tokens, cue.start - 1)
        if word in RANK_WORDS and isinstance(after, int) and after > 0 \
                and not _date_unit(tokens, cue.end + 1):
            roles.limit, roles.direction, roles.top_end = after, _direction(cue, word), cue.end + 1
            roles.mark(range(cue.start, cue.end + 1))
            return
        if isinstance(before, int) and before > 0 and tokens[cue.start - 1].kind in ("number", "word") \
                and not _is_year(tokens[cue.start - 1]):
            roles.limit, roles.direction, roles.top_end = before, _direction(cue, word), cue.end
            # "5 best selling products": the number is the limit; "best selling" still says what ranks them
            plain = word in RANK_WORDS
            roles.mark(range(cue.start - 1, cue.end) if plain and cue.kind == "agg" else range(cue.start - 1, cue.start))
            return
    if _counted_top(roles):
        return
    bottom = next((i for i, t in enumerate(tokens) if t.norm == "bottom"), None)
    if bottom is not None and isinstance(number_at(tokens, bottom + 1), int):
        roles.limit, roles.direction, roles.top_end = number_at(tokens, bottom + 1), "asc", bottom + 2
        roles.mark(range(bottom, bottom + 2))


def _counted_top(roles: Roles) -> bool:
    """"which 3 categories sell the most", "5 cities with the most sellers": N things, then a superlative."""
    tokens = roles.tokens
    superlative = next((c for c in roles.cues if c.kind == "most" or c.kind == "agg" and c.value in ("min", "max")),
                       None)
    if superlative is None:
        return False
    for i, t in enumerate(tokens[: superlative.start]):
        n = number_at(tokens, i)
        lead = i == 0 or tokens[i - 1].norm in ("which", "what", "the", "show", "list", "give", "me", "find", "name",
                                                 "our", "my", "are", "were")
        if isinstance(n, int) and n > 0 and not _is_year(t) and lead and roles.at(i + 1):
            roles.limit, roles.top_end = n, i + 1
            roles.direction = _direction(superlative, tokens[superlative.start].norm)
            roles.mark(range(i, i + 1))
            return True
    return False


def _direction(cue: Cue, word: str) -> str:
    if cue.kind == "most":
        return cue.value
    return "asc" if cue.value == "min" or word in ("bottom", "worst") else "desc"


def _date_unit(tokens, i: int) -> bool:
    return i < len(tokens) and tokens[i].norm in ("day", "days", "week", "weeks", "month", "months", "year",
                                                   "years", "quarter", "quarters")


def _is_year(t) -> bool:
    return t.kind == "number" and t.text.isdigit() and 1950 <= int(t.text) <= 2100


def _listing(roles: Roles) -> bool:
    return bool(roles.cue("list"))


def _counted(roles: Roles) -> bool:
    return bool(roles.cue("count") or roles.cue("share"))


def answer_form(roles: Roles, spec: MeasureSpec | None, choice: MeasureChoice | None) -> str:
    """aggregate (a measure, or rows counted per group), lookup (records by id) or rows (a listing)."""
    if spec is not None and spec.kind != "sort" and not (choice is not None and choice.kind == "sort"):
        return "aggregate"
    if spec is None and roles.cue("group") and not roles.ids and not _listing(roles):
        return "aggregate"
    return "lookup" if roles.ids else "rows"


def asks_best_sellers(roles: Roles) -> bool:
    return any(root(roles.tokens[k].norm) in ("sell", "seller") for c in roles.cue("most") for k in c.covers())


def explain_connectives(roles: Roles) -> None:
    """"and", "what about", "those": the words that tie a follow-up to the last answer."""
    norms = tuple(t.norm for t in roles.tokens)
    for starter in STARTERS:
        # "per day", "by week", "in 2018": the first word starts a follow-up and still groups or dates
        if norms[:len(starter)] == starter and starter not in (("per",), ("by",), ("for",), ("in",)):
            roles.mark(range(len(starter)))
    roles.mark([i for i, n in enumerate(norms) if n in ANAPHORA or n in ("instead", "same", "split", "break",
                                                                           "down", "only", "just", "about")])


def unplaced_comparisons(roles: Roles) -> None:
    """"sold at exactly the list price" that no comparison came of: the word compared with a column, and
    leaving it out would answer another question."""
    for cue in roles.cue("compare"):
        if any(k in roles.used for k in cue.covers()) or number_at(roles.tokens, cue.end) is not None:
            continue
        if roles.after(cue.end, kinds=("column",), reach=5):
            roles.unplace(cue.covers())
