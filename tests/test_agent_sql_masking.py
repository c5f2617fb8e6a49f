"""What the run_sql tool lets out of personal columns: nothing readable, whatever the query calls them."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.agent.context import ToolContext
from stocktake.agent.tools import build_tools


@pytest.fixture
def run_sql(catalog):
    catalog.register("users", pd.DataFrame({"user_id": [1, 2], "name": ["Wout Moreau", "Ana Silva"],
                                            "city": ["Ghent", "Porto"]}), kind="users", source="t", fmt="csv")
    tool = next(t for t in build_tools(ToolContext(catalog)) if t.name == "run_sql")
    return lambda query: tool.invoke({"name": "run_sql", "args": {"query": query}, "id": "1",
                                      "type": "tool_call"}).artifact["rows"]


@pytest.mark.parametrize("query", [
    "SELECT name FROM users ORDER BY user_id",
    "SELECT name AS n FROM users ORDER BY user_id",
    "SELECT lower(name) AS l FROM users ORDER BY user_id",
    "SELECT name || '' AS city FROM users ORDER BY user_id",
    "SELECT u.name FROM users u ORDER BY user_id",
])
def test_personal_values_are_masked_under_any_alias_or_expression(run_sql, query):
    values = [row[0] for row in run_sql(query)]
    assert "Moreau" not in str(values) and "moreau" not in str(values) and values[0].startswith(("W***", "w***"))


def test_a_query_that_reads_no_personal_column_is_left_as_it_is(run_sql):
    assert run_sql("SELECT city, count(*) AS n FROM users GROUP BY city ORDER BY city") == [["Ghent", 1], ["Porto", 1]]
