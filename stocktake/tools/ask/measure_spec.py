"""What a question measures, as read from its words (MeasureSpec), and as placed on the catalog (MeasureChoice);
the word roots that name money, revenue and quantities."""

from __future__ import annotations

from dataclasses import dataclass

from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.model import Measure
from stocktake.tools.ask.vocab import MONEY_WORDS, QUANTITY_WORDS, REVENUE_WORDS, root


MONEY_ROOTS = frozenset(root(w) for w in MONEY_WORDS)


REVENUE_ROOTS = frozenset(root(w) for w in REVENUE_WORDS)


QUANTITY_ROOTS = frozenset(root(w) for w in QUANTITY_WORDS)


FACT_KINDS = ("order_items", "orders", "events", "other", "reviews")


@dataclass(frozen=True)
class MeasureSpec:
    """A measure before it is placed on a table."""
    agg: str  # count, count_distinct, sum, mean, median, min, max, share
    kind: str = "measure"  # measure; sort (order rows by the target); most (group by ``group``, order by measure)
    target: tuple[Mention, ...] = ()  # the column(s) or asset the measure is of, best first
    concept: str | None = None  # money or quantity, when a word for it is the target
    tokens: tuple[int, ...] = ()
    per: tuple[Mention, ...] = ()  # "ratings per user": divided by the distinct count of this
    group: tuple[Mention, ...] = ()  # for "which X has the most Y": X
    direction: str = "desc"
    derived: tuple | None = None  # (left mentions, op, right mentions): "price + freight", "qty x unit price"
    name: str | None = None  # what the question calls a derived value: "revenue (quantity times unit_price)"
    unit: str = "days"  # of a time between two dates: days, hours, minutes or weeks


@dataclass(frozen=True)
class MeasureChoice:
    measure: Measure
    tokens: tuple[int, ...]
    score: float
    notes: tuple[str, ...]
    kind: str = "measure"
