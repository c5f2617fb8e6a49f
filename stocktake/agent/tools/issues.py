"""A tool that shows the rows behind a quality issue ("show me the duplicate rows in users"), masked as SQL
results are in chat."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext
from stocktake.agent.guard import quote_value
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.usecases import profiling
from stocktake.words import plural

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime

# The words for each kind, most specific first: "duplicate keys" before "duplicates".
_KIND_WORDS = (("duplicate_key", r"\b(duplicat\w*|repeated|reused)\b.*\b(keys?|ids?)\b|\b(keys?|ids?)\b.*\bduplicat"),
               ("duplicates", r"\b(duplicat\w*|dupes?|dups|copies|repeated)\b"),
               ("orphan_foreign_keys", r"\borphan\w*|\b(unmatched|dangling)\b|\bno match"),
               ("outliers", r"\boutliers?\b|\b(extreme|unusual)\b"),
               ("negative_values", r"\bnegative\b"),
               ("missing_values", r"\b(missing|nulls?|empty|blank)\b"))


def issue_arguments(ctx: ToolContext, question: str, asset: str) -> dict:
    """The kind of issue the question names and the column of ``asset`` it names, if any."""
    kind = next((k for k, words in _KIND_WORDS if re.search(words, question, re.I)), "duplicates")
    text = question.lower().replace("_", " ")
    spelled = {c.name: re.escape(c.name.lower().replace("_", " ")) for c in ctx.asset(asset).columns}
    named = [name for name, words in spelled.items() if re.search(rf"\b{words}\b", text)]
    column = max(named, key=len) if named and kind not in ("duplicates", "duplicate_rows") else None
    return {"kind": kind, **({"column": column} if column else {})}


@agent_tool
def show_issue_rows(asset: str, kind: str, column: str | None = None, limit: int = 50, *,
                    runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Example rows that have a quality issue, e.g. the duplicate rows of users, the order_items rows whose
    product_id matches no product, the outliers of products.price (personal values masked).

    Args:
        asset: The asset, e.g. users.
        kind: duplicates (exact copies, else reused keys), duplicate_rows, duplicate_key, orphan_foreign_keys,
            outliers, negative_values, zero_values or missing_values.
        column: The column the issue is in, e.g. price; the first column with that issue when empty.
        limit: At most this many rows (50 at most).
    """
    ctx = runtime.context
    name = ctx.asset(asset).name
    issue = profiling.find_issue(ctx, name, kind, column)
    if issue is None:
        words = kind.replace("_", " ") + (f" in {column}" if column else "")
        return f"No {words} in {name}.", {"columns": [], "rows": [], "total": 0}
    found = profiling.issue_examples(ctx, issue, limit)
    rows = [list(r) for r in found.rows]
    width = ctx.settings.guard.max_value_chars
    shown = lines((" | ".join(quote_value(v, width, False) for v in r) for r in rows), limit=20)
    which = f"the first {plural(len(rows), 'row')}" if found.truncated else f"all {plural(len(rows), 'row')}"
    text = (f"{issue.message.rstrip('.')} in {name}. Showing {which} where {found.condition}:\n"
            f"Columns: {', '.join(found.columns)}\n{shown}")
    return text, {"columns": list(found.columns), "rows": rows, "total": issue.rows,
                  "description": issue.message, "condition": found.condition}


TOOLS = [show_issue_rows]

