"""The SQL engine's bounds: bound parameters, the files it may read, its temp folder, memory, text and result
size, and the time zone it answers in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from stocktake.errors import StocktakeError
from stocktake.settings import GuardSettings
from stocktake.tools.query import references, run_select


@pytest.fixture
def shop(catalog):
    catalog.register("users", pd.DataFrame({"user_id": [1, 2, 3], "city": ["Ghent", "Porto", "O'Neill"]}),
                     kind="users", source="t", fmt="csv")
    catalog.register("orders", pd.DataFrame({"order_id": [10, 11], "user_id": [1, 3],
                                             "ts": pd.to_datetime(["2020-01-01 23:30", "2020-02-01 00:30"])}),
                     kind="orders", source="t", fmt="csv")
    return catalog


@pytest.mark.parametrize("sql, params, rows", [
    ("SELECT user_id FROM users WHERE city = ?", ["O'Neill"], [(3,)]),
    ("SELECT user_id FROM users WHERE city = $1 OR user_id = $2 ORDER BY 1", ["Ghent", 2], [(1,), (2,)]),
    ("SELECT user_id FROM users WHERE city = ?", ["x' OR '1'='1"], []),
])
def test_values_are_bound_never_pasted(shop, sql, params, rows):
    assert list(run_select(shop, sql, params=params).rows) == rows


def test_answers_are_in_utc(shop):
    result = run_select(shop, "SELECT current_setting('TimeZone'), TIMESTAMPTZ '2020-01-01 00:00:00+02:00'::VARCHAR")
    assert result.rows == (("UTC", "2019-12-31 22:00:00+00"),)


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('.tmp/planted.csv')",
    "SELECT * FROM '.tmp/planted.csv'",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM glob('*')",
    "SELECT * FROM query_table('users')",
    "SELECT * FROM information_schema.tables",
])
def test_nothing_outside_the_assets_is_read(shop, tmp_path, monkeypatch, sql):
    (tmp_path / ".tmp").mkdir()
    (tmp_path / ".tmp" / "planted.csv").write_text("secret\ntopsecret42\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StocktakeError) as err:
        run_select(shop, sql)
    assert "topsecret42" not in str(err.value)


def test_a_snapshot_path_of_an_asset_is_not_readable_directly(shop):
    path = shop.get("users").path
    with pytest.raises(StocktakeError, match="reads outside the assets"):
        run_select(shop, f"SELECT * FROM read_parquet('{path}')")


def test_duckdb_spills_to_a_private_folder_in_the_workspace_and_leaves_nothing(shop):
    folder = run_select(shop, "SELECT current_setting('temp_directory')").rows[0][0]
    spill_root = shop.ws.dir("cache") / "duckdb-tmp"
    assert Path(folder).parent == spill_root and not Path(folder).exists() and list(spill_root.iterdir()) == []


def test_the_memory_limit_is_set(shop):
    limit = run_select(shop, "SELECT current_setting('memory_limit')", settings=GuardSettings(sql_memory_limit="300MB"))
    assert limit.rows[0][0].startswith(("286", "300"))  # DuckDB shows it in MiB


def test_long_text_is_cut_inside_duckdb_with_a_note(shop):
    result = run_select(shop, "SELECT repeat('x', 100000000) AS s FROM range(20)")
    assert len(result.rows) == 20 and {len(r[0]) for r in result.rows} == {GuardSettings().sql_max_cell_chars + 1}
    assert "cut" in result.note


def test_rows_beyond_the_byte_limit_are_left_out(shop):
    result = run_select(shop, "SELECT repeat('y', 1000) AS s FROM range(150)",
                        settings=GuardSettings(sql_max_result_bytes=50_000))
    assert len(result.rows) == 50 and result.truncated and "bytes" in result.note


def test_nested_values_come_back_as_text(shop):
    result = run_select(shop, "SELECT {'a': 1, 'b': [1, 2]} AS s, user_id FROM users ORDER BY user_id LIMIT 1")
    assert result.rows == (("{'a': 1, 'b': [1, 2]}", 1),)


def test_a_result_too_big_for_memory_is_refused_in_a_sentence(shop):
    with pytest.raises(StocktakeError, match="memory limit"):
        run_select(shop, "SELECT list(repeat(i::VARCHAR, 1000000)) FROM range(2000) t(i)",
                   settings=GuardSettings(sql_memory_limit="200MB"))


PEAK = """
import json, resource, sys
from stocktake.catalog import Catalog, Workspace
from stocktake.settings import GuardSettings
from stocktake.tools.query import run_select
result = run_select(Catalog(Workspace(sys.argv[1])), "SELECT repeat('x', 100000000) FROM range(20)",
                    settings=GuardSettings(sql_memory_limit="500MB"))
print(json.dumps({"rows": len(result.rows), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@pytest.mark.slow
def test_a_two_gigabyte_answer_peaks_far_below_it(shop):
    """The issue's 2 GB result peaked at 4.3 GB; with text cut in DuckDB the peak follows the memory limit."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    got = subprocess.run([sys.executable, "-c", textwrap.dedent(PEAK), str(shop.ws.root)], capture_output=True,
                         text=True, env=env, timeout=300)
    assert got.returncode == 0, got.stderr[-2000:]
    measured = json.loads(got.stdout)
    # DuckDB builds one vector of the scalar's values before cutting them (0.6 GB alone, up to 1.8 GB seen on a
    # loaded machine): bounded well below the 4.3 GB of before, though not by the memory limit itself.
    assert measured["rows"] == 20 and measured["peak_mb"] < 2500, measured


def test_only_the_assets_a_statement_names_are_opened(shop):
    shop.get("orders").path.write_bytes(b"not parquet")  # a damaged asset elsewhere
    assert run_select(shop, "SELECT count(*) FROM users").rows == ((3,),)
    with pytest.raises(StocktakeError, match="orders cannot be read"):
        run_select(shop, "SELECT count(*) FROM orders")


@pytest.mark.parametrize("sql, tables, columns, whole", [
    ("SELECT city FROM users", {"users"}, {"city"}, False),
    ("SELECT u.city FROM main.users u JOIN orders o USING (user_id)", {"users", "orders"}, {"u", "city"}, False),
    ("SELECT count(*) FROM users", {"users"}, set(), False),
    ("SELECT * FROM users", {"users"}, set(), True),
    ("SELECT COLUMNS('^ci') FROM users", {"users"}, set(), True),
    ("SELECT u FROM users u", {"users"}, {"u"}, True),
    ("SELECT #1 FROM users", {"users"}, set(), True),
    ("SUMMARIZE users", {"users"}, set(), True),
    ("WITH x AS (SELECT city FROM users) SELECT count(*) FROM x", {"users", "x"}, {"city"}, False),
])
def test_references_come_from_duckdbs_parser(sql, tables, columns, whole):
    refs = references(sql)
    assert (set(refs.tables), set(refs.columns), refs.whole_rows) == (tables, columns, whole)


@pytest.mark.parametrize("sql, says", [
    ("SELECT citty FROM users", "No column named 'citty'. Did you mean: city?"),
    ("SELECT u.user_id FROM users u JOIN orders o USING (user_id) WHERE o.column_2 = 1",
     "No column named 'column_2'. Valid: order_id, user_id, ts, city."),  # the tables by name
])
def test_a_column_no_table_of_the_query_has_is_named_with_the_real_ones(shop, sql, says):
    with pytest.raises(StocktakeError) as refused:
        run_select(shop, sql)
    assert str(refused.value) == says
