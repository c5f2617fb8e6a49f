"""Tools over the question planner: a validated query plan instead of free SQL, and where a thing is kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext
from stocktake.agent.guard import quote_value
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.errors import StocktakeError
from stocktake.tools.ask.model import Col, Compare, Filter, Group, Having, Measure, QueryPlan
from stocktake.usecases import questions
from stocktake.words import plural

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime


def run_query_plan(ctx: ToolContext, plan: QueryPlan) -> tuple[str, dict]:
    """Run a plan (its result masked); the short text for the model and the full result."""
    answer = questions.run_plan(ctx, plan)
    guard, result = ctx.settings.guard, answer.result
    rows = [list(r) for r in result.rows]
    shown = lines((" | ".join(quote_value(v, guard.max_value_chars, guard.mask_pii) for v in r) for r in rows[:20]),
                  limit=20)
    more = " (more rows were cut by the row limit)" if result.truncated else ""
    text = f"{answer.reading} {plural(len(rows), 'row')}{more}. Columns: {', '.join(result.columns)}\n{shown}"
    return text, answer.to_dict()


def data_facts(found: questions.Found) -> str:
    """What the data says about a column (type, meaning, values) or an asset, for when no docs do."""
    info, c = found.asset, found.column
    if c is None:
        return f"{info.kind} table with {plural(info.rows, 'row')} and {plural(len(info.columns), 'column')}."
    text = f"{c.type} column, read as {c.semantic.replace('_', ' ')}"
    if c.distinct is not None:
        text += f", {plural(c.distinct, 'distinct value')}"
    if c.top_values:
        shown = ", ".join(f"{quote_value(v, 40)} ({n:,})" for v, n in c.top_values[:8])
        text += f"; most common: {shown}"
    elif c.minimum is not None and c.maximum is not None:
        text += f"; from {quote_value(c.minimum, 40)} to {quote_value(c.maximum, 40)}"
    return text + "."


@agent_tool
def query_data(asset: str, measures: list[Measure] | None = None, filters: list[Filter] | None = None,
               compares: list[Compare] | None = None, group_by: list[Group] | None = None,
               select: list[Col] | None = None, order: str | None = None, order_by: Col | None = None,
               limit: int | None = None, absent: list[str] | None = None,
               present: list[str] | None = None, having: list[Having] | None = None,
               count_groups: bool = False, distinct: bool = False, *,
               runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Answer a question about the data's values with a query plan: counts, totals, averages, shares,
    top N, values per group or per month, or the rows that match. Prefer this to run_sql: the plan is
    checked against the catalog and joins follow the known relationships.

    Args:
        asset: The asset whose rows are counted, measured or listed, e.g. "orders".
        measures: What to compute, e.g. [{"agg": "count"}] or [{"agg": "sum", "column": {"asset":
            "order_items", "column": "price"}}]; revenue as [{"agg": "sum", "derived": {"name": "revenue",
            "op": "*", "left": ..., "right": ...}}]. Empty to list rows.
        filters: Conditions on columns, e.g. [{"column": {"asset": "orders", "column": "status"}, "op": "=",
            "value": "cancelled"}]; op is one of = != < <= > >= in not_in is_null not_null contains between;
            dates as "YYYY-MM-DD", between takes [start, end) .
        compares: Conditions between two columns of a row, e.g. delivered after the estimated date.
        group_by: Groups, e.g. [{"column": {...}}] or [{"column": {...}, "bucket": "month"}].
        select: Columns to list when there are no measures.
        order: "desc" or "asc": sort by the first measure (or by order_by when listing).
        order_by: The column to sort listed rows by.
        limit: Keep the first N groups or rows (ties at the cut are kept).
        absent: Related assets that must have no row, e.g. ["reviews"] for products never reviewed.
        present: Related assets that must have a row, e.g. ["orders"] for customers who ordered.
        having: Conditions on each group's measure, e.g. [{"measure": {"agg": "count"}, "op": ">=",
            "value": 50}] for movies with at least 50 ratings (needs group_by).
        count_groups: Answer with the number of groups that meet the conditions (how many customers have
            more than 5 orders).
        distinct: List each combination of the select columns once (the description of a stock code that
            many rows repeat).
    """
    ctx = runtime.context
    try:
        plan = QueryPlan(asset=asset, measures=tuple(measures or ()), filters=tuple(filters or ()),
                         compares=tuple(compares or ()), group_by=tuple(group_by or ()),
                         select=tuple(select or ()), order=order, order_by=order_by, limit=limit,
                         absent=tuple(absent or ()), present=tuple(present or ()),
                         having=tuple(having or ()), count_groups=count_groups, distinct=distinct)
    except ValueError as exc:
        raise StocktakeError(f"Invalid plan: {str(exc).splitlines()[-1]}") from None
    return run_query_plan(ctx, plan)


@agent_tool
def find_data(question: str, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Where something is kept and what it means: the assets and columns the words name, with what the
    schema docs say about each. Use it for "where is X stored" and "what is X".

    Args:
        question: The user's words, e.g. "where are the click logs?".
    """
    places = questions.find_data(runtime.context, question)
    if not places:
        return "No asset or column matches those words.", {"places": []}
    found = [{"asset": f.place.asset, "column": f.place.column, "score": f.place.score, "doc": f.place.doc,
              "facts": data_facts(f)} for f in places]
    missed = places[0].place.missed
    personal = [p.to_dict() for p in questions.personal_data_for(runtime.context, missed)]
    text = lines(f"- {p['asset']}" + (f".{p['column']}" if p["column"] else "") +
                 f": {quote_value(p['doc'] or p['facts'], 240)}" for p in found)
    if missed:
        text = f"Nothing matches {', '.join(quote_value(w) for w in missed)}.\n{text}"
    text += "".join(f"\nPersonal data in {p['asset']}.{p['column']}: {p['reason']}" for p in personal)
    return f"Best matches:\n{text}", {"places": found, "missed": list(missed), "personal": personal}


TOOLS = [query_data, find_data]
