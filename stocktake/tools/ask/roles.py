"""The parts of a question, before they become a plan: what is counted or measured, by what it is grouped,
which conditions hold, which record is meant. Each part keeps the token positions it explains, so the reader
can say which words it did not understand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stocktake.tools.ask.cues import Cue, number_at
from stocktake.tools.ask.dates import DateRange
from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.text import Token


@dataclass(frozen=True)
class IdRef:
    """"order 1000517", "customer #100311", "item 7": a record named by its id."""
    start: int
    end: int
    value: object
    nouns: tuple[Mention, ...]  # what the id is of (assets or id columns); empty for a bare id
    text: str = ""  # as typed: "00002" stays "00002" for a text column


@dataclass(frozen=True)
class Comparison:
    """A comparison with a number: "over 100", "at least 3", "between 10 and 20"; ``target`` is the column the
    number is compared with, when the words around it name one."""
    start: int
    end: int
    op: str
    value: object
    target: tuple[Mention, ...] = ()


@dataclass
class Roles:
    tokens: list[Token]
    cues: list[Cue]
    mentions: list[Mention]  # assets and columns
    values: list[Mention]
    ids: list[IdRef] = field(default_factory=list)
    dates: list[DateRange] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    limit: int | None = None
    direction: str | None = None  # desc / asc for top-N and superlatives
    sample: bool = False  # "the first rows": a few rows as stored, not the earliest
    top_end: int | None = None  # the token after "top 5": where the ranked thing is named
    ambiguous: list = field(default_factory=list)  # (chosen, rival) columns a word could equally mean
    used: set[int] = field(default_factory=set)
    unplaced: set[int] = field(default_factory=set)  # words that asked for something nothing fits: unexplained
    notes: tuple[str, ...] = ()  # how the question's shorthand was read ("AOV as average order value")

    def cue(self, kind: str) -> list[Cue]:
        return [c for c in self.cues if c.kind == kind]

    def at(self, i: int, kinds=("asset", "column")) -> list[Mention]:
        """Mentions starting at token ``i``, longest and best first."""
        found = [m for m in self.mentions if m.start == i and m.kind in kinds]
        return sorted(found, key=lambda m: (-m.width, -m.score))

    def within(self, i: int, reach: int = 4) -> list[Mention]:
        """Every asset and column mention starting within ``reach`` tokens after ``i``, up to a "by"/"per"."""
        out = []
        for j in range(i, min(len(self.tokens), i + reach + 1)):
            if any(c.kind == "group" and c.start == j for c in self.cues):
                break
            out += self.at(j)
        return out

    def after(self, i: int, kinds=("asset", "column"), reach: int = 4) -> list[Mention]:
        """Mentions beginning within ``reach`` tokens after ``i`` (skipping function words), nearest first."""
        out = []
        for j in range(i, min(len(self.tokens), i + reach + 1)):
            out += self.at(j, kinds)
            if out:
                return out
        return out

    def mark(self, *spans) -> None:
        """Token positions now accounted for: ranges, lists of positions, or mentions/cues (their span)."""
        for span in spans:
            if isinstance(span, (range, list, tuple, set)):
                self.used.update(span)
            else:
                self.used.update(range(span.start, span.end))

    def unplace(self, positions) -> None:
        """Words that asked for something (a measure, a date order) the catalog has nothing for."""
        found = {i for i in positions if i is not None}
        self.used -= found
        self.unplaced |= found


def find_ids(tokens: list[Token], mentions: list[Mention]) -> list[IdRef]:
    """Ids typed after a noun that names records ("order 1000517", "user id 12", "CustomerID 17850"), and ids
    standing alone that look like one (a long code, a #number)."""
    out = []
    for i, t in enumerate(tokens):
        if t.kind not in ("number", "code", "quoted") and not (t.kind == "word" and len(t.text) >= 20):
            continue
        if t.kind == "number" and ("." in t.text or "%" in t.text):
            continue
        j = i - 1
        while j >= 0 and tokens[j].norm in ("id", "no", "number", "#", "nr", "num", "with", "code", "of"):
            j -= 1
        nouns = tuple(m for m in mentions if m.end == j + 1 and m.kind in ("asset", "column")
                      and (m.kind == "asset" or _id_column(m)))
        if nouns:
            start = min(m.start for m in nouns)
            out.append(IdRef(start, i + 1, _id_value(t), nouns, t.text.replace(",", "")))
        elif t.kind == "code" and any(c.isalpha() for c in t.text) and len(t.text) >= 6:
            out.append(IdRef(i, i + 1, t.text, (), t.text))
    return out


def _id_column(m: Mention) -> bool:
    return m.column is not None and m.how in ("name", "part", "typo")


def _id_value(t: Token):
    if t.kind == "number":
        value = t.text.replace(",", "")
        return int(value) if value.lstrip("-").isdigit() else value
    return t.text


def find_comparisons(roles: Roles) -> list[Comparison]:
    """Numbers after a comparison word ("over 100", "at least 3"), or before "or more" / "or less", with the
    column they compare when it is named right before the comparison ("price over 100") or right after the
    number ("more than 3 items")."""
    tokens, out = roles.tokens, []
    taken = {k for r in roles.ids for k in range(r.start, r.end)} | {k for d in roles.dates for k in range(d.start, d.end)}
    for cue in roles.cue("compare"):
        trailing = tokens[cue.start].norm == "or"
        at = cue.start - 1 if trailing else cue.end
        value = number_at(tokens, at)
        if value is None or at in taken:
            continue
        start, end = (at, cue.end) if trailing else (cue.start, at + 1)
        before = [m for m in roles.mentions if m.end in (start, start - 1) and m.kind == "column"]
        after = roles.at(end) + (roles.at(end + 1) if end + 1 < len(tokens) else [])
        out.append(Comparison(start, end, cue.value, value, tuple(before or after)))
    return out + _betweens(roles, taken) + _equalities(roles, taken)


def _equalities(roles: Roles, taken: set[int]) -> list[Comparison]:
    """"a unit price of zero", "quantity is 0", "score = 5": a numeric column equal to a number."""
    tokens, out = roles.tokens, []
    for m in roles.mentions:
        if m.kind != "column" or m.end + 1 >= len(tokens) or tokens[m.end].norm not in ("of", "is", "equals", "="):
            continue
        value = number_at(tokens, m.end + 1)
        if value is None or m.end + 1 in taken or tokens[m.end + 1].norm in ("a", "an"):
            continue
        out.append(Comparison(m.end, m.end + 2, "=", value, (m,)))
    return out


def _betweens(roles: Roles, taken: set[int]) -> list[Comparison]:
    tokens, out = roles.tokens, []
    for i, t in enumerate(tokens):
        if t.norm not in ("between", "outside", "from") or i + 3 >= len(tokens) or i + 1 in taken:
            continue
        low, high = number_at(tokens, i + 1), number_at(tokens, i + 3)
        if low is None or high is None or tokens[i + 2].norm not in ("and", "to", "-"):
            continue
        before = tuple(m for m in roles.mentions if m.end in (i, i - 1) and m.kind == "column")
        op = "outside" if t.norm == "outside" else "between"  # "ratings outside 0.5 to 5"
        out.append(Comparison(i, i + 4, op, [low, high], before))
    return out
