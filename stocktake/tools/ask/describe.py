"""A plan in words: the one sentence that says how a question was read, and the question that asks exactly
that plan again (offered as a suggestion when the planner is unsure; the planner reads it back to the same plan).
"""

from __future__ import annotations

from stocktake.tools.ask.model import FLIPPED, Compare, Filter, Measure, QueryPlan
from stocktake.tools.ask.text import name_words

AGG_WORDS = {"count": "the number of", "count_distinct": "the number of distinct", "sum": "the total",
             "mean": "the average", "median": "the median", "min": "the lowest", "max": "the highest",
             "share": "the share of"}
ASK_WORDS = {"sum": "total", "mean": "average", "median": "median", "min": "lowest", "max": "highest"}
OPS = {"=": "is", "!=": "is not", "<": "below", "<=": "at most", ">": "over", ">=": "at least", "in": "is one of",
       "not_in": "is none of", "is_null": "is missing", "not_null": "is present", "contains": "contains",
       "startswith": "starts with"}


def _value(v) -> str:
    if isinstance(v, list):
        return ", ".join(_value(x) for x in v)
    return f"'{v}'" if isinstance(v, str) else str(v)


def describe_filter(f: Filter) -> str:
    if f.op == "between":
        low, high = f.value
        return f"{f.column.column} from {low} up to (not including) {high}"
    if f.op in ("is_null", "not_null"):
        return f"{f.column.column} {OPS[f.op]}"
    return f"{f.column.column} {OPS[f.op]} {_value(f.value)}"


def describe_measure(m: Measure, asset: str) -> str:
    if m.agg == "count":
        what = f"{AGG_WORDS['count']} {asset} rows"
    elif m.agg == "share":
        part = " and ".join(describe_filter(f) for f in m.part)
        what = f"the share of {asset} rows" + (f" where {part}" if part else " in each group")
    elif m.derived is not None:
        d = m.derived
        what = f"{AGG_WORDS[m.agg]} {d.name}" + ("" if d.name == d.formula else f" ({d.formula})")
    else:
        what = f"{AGG_WORDS[m.agg]} {m.column.column}" + ("" if m.column.asset == asset else f" of {m.column.asset}")
    if m.per is not None:
        what += f" per {m.per.column}"
    return what


def _compare_word(c: Compare) -> str:
    """"delivered_at after estimated_at", but "product_height_cm greater than product_length_cm"."""
    words = set(name_words(c.left.column)) | set(name_words(c.right.column))
    if words & {"date", "time", "timestamp", "at", "day", "ts", "dt"}:
        return {">": "after", "<": "before", ">=": "on or after", "<=": "on or before"}.get(c.op, c.op)
    return {">": "greater than", "<": "less than", ">=": "at least", "<=": "at most", "=": "equal to",
            "!=": "not equal to"}.get(c.op, c.op)


def describe_compare(c: Compare) -> str:
    """"freight_value greater than 0.5 × price", "review_answer_timestamp more than 7 days after
    review_creation_date"."""
    if c.days:
        op, side = (c.op, "after") if c.days > 0 else (FLIPPED[c.op], "before")
        more = {">": "more than", ">=": "at least", "<": "less than", "<=": "at most"}.get(op, op)
        return f"{c.left.column} {more} {abs(c.days):g} days {side} {c.right.column}"
    right = f"{c.factor:g} × {c.right.column}" if c.factor != 1.0 else c.right.column
    return f"{c.left.column} {_compare_word(c)} {right}"


def reading(plan: QueryPlan) -> str:
    """"I read this as the total revenue (quantity × unit_price) of order_items per category, highest first."""
    where = [describe_filter(f) for f in plan.filters]
    where += [describe_compare(c) for c in plan.compares]
    where += [f"with no {a} rows" for a in plan.absent] + [f"with at least one {a} row" for a in plan.present]
    tail = f" where {' and '.join(where)}" if where else ""
    if plan.measures:
        head = ", ".join(describe_measure(m, plan.asset) for m in plan.measures)
        head += "" if f"{plan.asset} rows" in head else f" in {plan.asset}"  # not "orders rows in orders"
        groups = [f"{g.bucket} of {g.column.column}" if g.bucket else g.column.column for g in plan.group_by]
        by = f", per {' and '.join(groups)}" if groups else ""
        order = ""
        if plan.limit and plan.group_by:
            order = f", the top {plan.limit}" if plan.order != "asc" else f", the bottom {plan.limit}"
        return f"I read this as {head}{tail}{by}{order}."
    cols = ", ".join(c.column for c in plan.select) if plan.select else "all columns"
    sort = ""
    if plan.order_by is not None:
        sort = f", {'highest' if plan.order != 'asc' else 'lowest'} {plan.order_by.column} first"
    count = f" (at most {plan.limit})" if plan.limit else ""
    once = " (each combination once)" if plan.distinct else ""
    return f"I read this as the {plan.asset} rows{tail}{sort}{count}, showing {cols}{once}."


def question_for(plan: QueryPlan) -> str:
    """A question in the planner's own words that reads back to ``plan``."""
    where = " and ".join(_ask_filter(f) for f in plan.filters)
    where = f" where {where}" if where else ""
    groups = "".join(f" per {g.bucket}" if g.bucket else f" by {g.column.column}" for g in plan.group_by)
    if not plan.measures:
        return f"list {plan.asset}{where}"
    m = plan.measures[0]
    if m.agg == "count":
        head = f"how many {plan.asset}"
    elif m.agg == "count_distinct":
        head = f"how many distinct {m.column.column} in {plan.asset}"
    elif m.agg == "share":
        head = f"share of {plan.asset}"
    elif m.derived is not None:
        head = f"{ASK_WORDS[m.agg]} {m.derived.name}"
    else:
        head = f"{ASK_WORDS[m.agg]} {m.column.column} of {plan.asset}"
    if plan.limit and plan.group_by:
        head = f"top {plan.limit} {plan.group_by[0].column.column} by {head}"
        groups = ""
    return f"{head}{where}{groups}"


def _ask_filter(f: Filter) -> str:
    if f.op == "between":
        return f"{f.column.column} between {f.value[0]} and {f.value[1]}"
    if f.op == "is_null":
        return f"no {f.column.column}"
    return f"{f.column.column} {OPS.get(f.op, f.op)} {_value(f.value)}"
