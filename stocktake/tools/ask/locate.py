"""Where something is kept and what it means: the assets and columns a question's words name, ranked, with
what the schema docs say about each ("where are the click logs" -> events; "which column holds the delivery
date" -> orders.order_delivered_customer_date)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from stocktake.tools.ask.ground import Grounder, Mention
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.text import FUNCTION_WORDS, tokenize
from stocktake.tools.ask.vocab import root

# Words that ask where or what, and name nothing.
ASKING = frozenset(root(w) for w in """where stored store kept keep keeps find located location live lives sit sits
table tables column columns field fields file files dataset datasets asset assets hold holds record records
track tracks contain contains mean means meaning definition explain documentation doc docs look would could
should might data info information value values""".split())


@dataclass(frozen=True)
class Place:
    asset: str
    column: str | None
    score: float
    doc: str = ""  # what the schema docs say about it, if anything
    missed: tuple[str, ...] = ()  # the question's words that name something this place is not (the best one only)

    def label(self) -> str:
        return f"{self.asset}.{self.column}" if self.column else self.asset


def locate(question: str, schema: SchemaIndex, grounder: Grounder | None = None, n: int = 3) -> list[Place]:
    grounder = grounder or Grounder(schema)
    tokens = tokenize(question)
    mentions = [m for m in grounder.ground(tokens) if not _asking(tokens, m)]
    content = {i for i, t in enumerate(tokens) if t.norm not in FUNCTION_WORDS and root(t.norm) not in ASKING}
    covered = {k for m in mentions if m.how not in ("meaning",) for k in range(m.start, m.end)}
    mentions += grounder.docs(tokens, content - covered)
    mentions += [v for v in grounder.values(tokens) if not _asking(tokens, v)]
    assets = {m.asset: m.score for m in mentions if m.kind == "asset"}
    scores: dict[tuple[str, str | None], float] = {}
    words: dict[tuple[str, str | None], set[int]] = {}  # the tokens that point at each place
    for m in mentions:
        key = (m.asset, m.column if m.kind == "column" else None)
        gain = m.score * m.width + (0.3 if m.kind == "column" and m.asset in assets else 0.0)
        if m.kind == "value":  # a value named points at its column, more weakly
            key, gain = (m.asset, m.column), m.score * 0.6
        scores[key] = scores.get(key, 0.0) + gain
        words.setdefault(key, set()).update(range(m.start, m.end))
    for (asset, column), score in list(scores.items()):
        if column is not None and (asset, None) in scores:
            scores[(asset, column)] = score + 0.5 * scores[(asset, None)]
            words[(asset, column)] |= words[(asset, None)]
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    glossary = schema.glossary if ranked else {}
    places = [Place(asset, column, round(score, 3), glossary.get((asset, column or ""), ""))
              for (asset, column), score in ranked[:n]]
    if places:  # "where are the customer emails": customers, but nothing for "emails" -- said, not hidden
        best = (places[0].asset, places[0].column)
        named = {k for m in mentions for k in range(m.start, m.end)}
        places[0] = replace(places[0], missed=tuple(tokens[i].text for i in sorted(content - words[best] - named)))
    return places


def _asking(tokens, m: Mention) -> bool:
    return all(root(tokens[k].norm) in ASKING for k in range(m.start, m.end))
