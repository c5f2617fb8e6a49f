"""Measures derived from two columns: an explicit formula ("price minus freight"), the time between two dates
("how long from purchase to delivery"), a duration ("delivery time")."""

from __future__ import annotations

from stocktake.tools.ask.measure_spec import MeasureSpec
from stocktake.tools.ask.model import TIME_UNITS
from stocktake.tools.ask.roles import Roles
from stocktake.tools.ask.text import FUNCTION_WORDS
from stocktake.tools.ask.vocab import MONEY_WORDS, REVENUE_WORDS, root


def names_formula(roles: Roles, start: int, end: int) -> bool:
    """The words between "avg" and a formula name its result ("avg discount in rupees (retail minus discounted
    price)"), when they are few and none is a value, an id, a number or a table that would filter instead."""
    if not 0 < end - start <= 6 or roles.tokens[end - 1].norm in FUNCTION_WORDS and end - start == 1:
        return False
    span = range(start, end)
    if any(roles.tokens[i].kind in ("number", "date", "code", "quoted") for i in span):
        return False
    if any(v.start in span for v in roles.values) or any(r.start in span for r in roles.ids):
        return False
    return not any(m.kind == "asset" and m.start in span and m.how == "name" for m in roles.mentions)


def number_column(roles: Roles) -> MeasureSpec | None:
    """"the median number of installments", "avg no. of items": an aggregate of a column that holds a count,
    not a count of rows."""
    for cue in roles.cue("agg"):
        if cue.value not in ("mean", "median", "min", "max", "sum"):
            continue
        count = next((c for c in roles.cue("count") if c.start == cue.end), None)
        if count is None:
            continue
        here = roles.at(count.end)
        named = [m for m in here if m.kind == "column" and m.how in ("name", "part", "head")]
        if named and not any(m.kind == "asset" for m in here):  # "average number of orders" counts orders
            return MeasureSpec(cue.value, target=tuple(named), tokens=(*cue.covers(), *count.covers()))
    return None


OPS = {"+": "+", "plus": "+", "-": "-", "minus": "-", "*": "*", "x": "*", "×": "*", "times": "*", "/": "/"}


def explicit_derived(roles: Roles) -> MeasureSpec | None:
    """"(price + freight)", "qty x unit price": two columns combined by the operator between them."""
    for k, t in enumerate(roles.tokens):
        op = OPS.get(t.norm)
        # "dollar value divided by number of cds", "price multiplied by quantity": the operator is two words
        wide = k + 1 < len(roles.tokens) and roles.tokens[k + 1].norm == "by" and t.norm in ("divided",
                                                                                            "multiplied")
        if wide:
            op = "/" if t.norm == "divided" else "*"
        if op is None or k == 0:
            continue
        after = k + 2 if wide else k + 1
        left = [m for m in roles.mentions if m.kind == "column" and m.end in (k, k - 1)]
        lead = 2 if [t.norm for t in roles.tokens[after:after + 2]] in (["number", "of"], ["no", "of"]) else int(
            after < len(roles.tokens) and roles.tokens[after].norm in ("the", "a"))  # "by the number of cds"
        right = [m for m in roles.at(after + lead) if m.kind == "column"]
        if left and right:
            start = min(m.start for m in left)
            span = range(start, max(m.end for m in right))
            if start and roles.tokens[start - 1].norm in MONEY_WORDS | REVENUE_WORDS:
                return MeasureSpec("sum", derived=(tuple(left), op, tuple(right)), tokens=(start - 1, *span),
                                   name=roles.tokens[start - 1].norm)
            return MeasureSpec("sum", derived=(tuple(left), op, tuple(right)), tokens=tuple(span))
    return None


DURATION = ("deliver", "arriv", "ship", "receiv")


def duration_between(roles: Roles) -> MeasureSpec | None:
    """"delivery time", "days to deliver", "how long do orders take to arrive": days from the order to its
    delivery."""
    roots = [root(t.norm) for t in roles.tokens]
    for k, r in enumerate(roots):
        if r not in DURATION:
            continue
        near = set(roots[max(0, k - 3):k + 3])
        if near & {"tim", "day", "long", "lead", "durat", "fast", "quick", "slow"}:
            span = [i for i in range(max(0, k - 3), min(len(roots), k + 3))
                    if roots[i] in {"tim", "day", "long", "lead", "durat", r}]
            unit, said = _time_unit(roles)
            return MeasureSpec("mean", concept="duration", tokens=(*span, *said), unit=unit)
    return None


def _time_unit(roles: Roles) -> tuple[str, tuple[int, ...]]:
    """The unit a time between two dates is asked in ("in hours", "how many days"), and its tokens."""
    for i, t in enumerate(roles.tokens):
        if t.norm in TIME_UNITS and (i and roles.tokens[i - 1].norm in ("in", "many", "of", "avg", "average", "mean",
                                                                        "median") or i == 0):
            return TIME_UNITS[t.norm], (i,)
    return "days", ()


GAP_WORDS = frozenset({"time", "long", "gap", "lag", "delay", "elapsed"})  # "time between", "how long from"


def between_times(roles: Roles) -> MeasureSpec | None:
    """"how many hours between purchase and approval", "avg days from order to delivery": the time from the
    first date to the second, in the unit asked."""
    tokens = roles.tokens
    for k, t in enumerate(tokens):
        if t.norm not in ("between", "from"):
            continue
        joint = next((j for j in range(k + 2, min(len(tokens), k + 7)) if tokens[j].norm in ("and", "to", "till",
                                                                                               "until")), None)
        if joint is None or tokens[joint].norm == "and" and t.norm == "from":
            continue
        first = [m for m in roles.mentions if m.kind in ("column", "asset") and k < m.start < joint]
        second = [m for m in roles.mentions if m.kind in ("column", "asset") and joint < m.start <= joint + 3]
        unit, said = _time_unit(roles)
        gap = [i for i in range(max(0, k - 3), k) if tokens[i].norm in GAP_WORDS]
        if first and second and (said or gap):
            span = range(k, max(m.end for m in second))
            return MeasureSpec("mean", concept="duration", derived=(tuple(second), unit, tuple(first)),
                               tokens=(*span, *said, *gap), unit=unit)
    return None
