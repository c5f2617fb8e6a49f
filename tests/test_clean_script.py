"""The exported script does exactly what ``apply`` does, for every step kind: each case below is accepted in a
session on a generated table, exported, and the script run in a fresh Python process; its output must equal the
session's table. (``apply`` calls pandas directly and ``lines`` writes those calls, so this is what ties them.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.tools.clean import STEP_TYPES, start_session


def generated_orders(n: int = 240, seed: int = 7) -> pd.DataFrame:
    """Every kind of value the steps handle: duplicates, gaps, padded and variant text, contacts in free text,
    unparseable dates, negative and outlying amounts, flags, timestamps, a name with a space."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, n // 2, n)
    price = np.round(rng.normal(40, 15, n), 2)
    price[rng.choice(n, 12, replace=False)] = np.nan
    price[:5] = [-5.0, 9_999.0, -0.5, 0.0, 100.0]  # the bounds themselves too
    statuses = np.array(["paid", " Paid ", "PAID", "shipped", "  shipped  now", "cancelled"], dtype=object)
    status = statuses[rng.integers(0, len(statuses), n)]
    status[rng.choice(n, 10, replace=False)] = None
    notes = np.array(["call +44 20 7946 0958 after 5", "mail ann.lee@example.com", "bought on 10.10.2018",
                      "no contact", "order 2018-08-15 10:00, 3 items"], dtype=object)
    dates = np.array(["2024-01-31", "2021-02-30", "2023-12-01", "15.03.2021", None], dtype=object)
    return pd.DataFrame({
        "order_id": ids, "user_id": rng.integers(1, 60, n).astype(float), "status": status, "price": price,
        "unit price": np.round(rng.uniform(1, 20, n), 2), "note": notes[rng.integers(0, len(notes), n)],
        "email": [f"user{i}@shop.example" for i in rng.integers(0, 50, n)],
        "ordered": dates[rng.integers(0, len(dates), n)],
        "category": np.array(["Books", "books", "Bokos", "Toys"], dtype=object)[rng.integers(0, 4, n)],
        "gift": rng.random(n) < 0.3,
        "created": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 86_400 * 90, n), unit="s"),
        "qty": rng.integers(-2, 9, n),
    })


CASES = [
    ("drop_duplicates", {}),
    ("drop_duplicates", {"subset": ["order_id"]}),
    ("dedupe_key", {"key": ["order_id"], "order_by": "created"}),
    ("dedupe_key", {"key": ["order_id"], "keep": "first"}),
    ("drop_missing", {"columns": ["price", "status"]}),
    ("fill_missing", {"column": "status", "value": "unknown"}),
    ("fill_missing", {"column": "price", "strategy": "median"}),
    ("fill_missing", {"column": "price", "strategy": "mean"}),
    ("fill_missing", {"column": "status", "strategy": "mode"}),
    ("parse_dates", {"column": "ordered"}),
    ("parse_dates", {"column": "ordered", "format": "mixed", "dayfirst": True, "unparseable": "drop"}),
    ("normalise_text", {"columns": ["status"]}),
    ("normalise_text", {"columns": ["status", "note"], "case": "title"}),
    ("unify_categories", {"column": "category", "mapping": {"books": "Books", "Bokos": "Books"}}),
    ("out_of_range", {"column": "price", "min": 0}),
    ("out_of_range", {"column": "price", "min": 0, "max": 100, "action": "cap"}),
    ("out_of_range", {"column": "price", "max": 100, "action": "null"}),
    ("cast_type", {"column": "user_id", "to": "integer"}),
    ("cast_type", {"column": "qty", "to": "float"}),
    ("cast_type", {"column": "order_id", "to": "string"}),
    ("mask_pii", {"column": "email"}),
    ("mask_pii", {"column": "note", "method": "redact"}),
    ("mask_pii", {"column": "email", "method": "drop_column"}),
    ("relabel", {"column": "category", "changes": {"0": "Toys", "5": "Books", "9999": "Toys"}}),
    ("drop_orphans", {"column": "user_id", "parent_asset": "users", "parent_version": 1,
                      "parent_column": "user_id"}),
    ("drop_columns", {"columns": ["note", "email"]}),
    ("drop_rows", {"where": "qty < 0"}),
    ("drop_rows", {"where": 'status == "paid" and price >= 30.5'}),
    ("drop_rows", {"where": "status in ['paid', 'shipped'] or not (qty != 3)"}),
    ("drop_rows", {"where": "status not in ('cancelled',) and price is not null"}),
    ("drop_rows", {"where": "price is null or status is null"}),
    ("drop_rows", {"where": "note contains '@' or status startswith ' ' or status endswith 'now'"}),
    ("drop_rows", {"where": "gift == true & `unit price` > 10"}),
    ("drop_rows", {"where": "created >= '2024-02-01' and created < '2024-03-01 12:00'"}),
    ("drop_rows", {"where": "~(category = 'Books' | category = 'Toys')"}),
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> list[tuple[pd.DataFrame, Path]]:
    """For each case: the session's table after accepting it, and what its exported script wrote."""
    root = tmp_path_factory.mktemp("scripts")
    catalog = Catalog(Workspace(root / "ws"))
    catalog.register("users", pd.DataFrame({"user_id": np.arange(1, 45, dtype=float)}), kind="users",
                     source="memory", fmt="parquet")
    catalog.register("orders", generated_orders(), kind="orders", source="memory", fmt="parquet")
    session = start_session(catalog, "orders")
    parent = {"parent_path": str(catalog.path("users", 1))}
    results = []
    for n, (kind, params) in enumerate(CASES):
        view = session.add_custom_step(kind, {**params, **(parent if kind == "drop_orphans" else {})})
        assert not view.problem, (kind, params, view.problem)
        session.accept(view.id)
        script = session.export_script(root / f"case{n}.py")
        results.append((session.table().reset_index(drop=True), script))
        session.undo()
    # One interpreter runs every script as ``python SCRIPT OUT`` would (fresh globals, __main__, argv).
    runner = ("import runpy, sys\n"
              "for script, out in zip(sys.argv[1::2], sys.argv[2::2]):\n"
              "    sys.argv = [script, out]\n"
              "    runpy.run_path(script, run_name='__main__')\n")
    args = [a for _, script in results for a in (str(script), str(script.with_suffix(".parquet")))]
    subprocess.run([sys.executable, "-c", runner, *args], check=True, capture_output=True, cwd=root, timeout=300)
    return results


def test_every_step_kind_is_covered():
    assert {kind for kind, _ in CASES} == set(STEP_TYPES)


@pytest.mark.parametrize("n", range(len(CASES)), ids=[f"{k}-{i}" for i, (k, _) in enumerate(CASES)])
def test_the_exported_script_reproduces_apply(exported, tmp_path, n):
    table, script = exported[n]
    assert len(table) > 0
    expected = tmp_path / "expected.parquet"
    table.to_parquet(expected, index=False)  # through Parquet, as the script's output goes
    pd.testing.assert_frame_equal(pd.read_parquet(script.with_suffix(".parquet")), pd.read_parquet(expected))


def test_a_script_runs_as_a_plain_command(exported, tmp_path):
    table, script = exported[-1]
    out = tmp_path / "plain.parquet"
    subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True, cwd=tmp_path, timeout=120)
    assert len(pd.read_parquet(out)) == len(table)


def test_a_condition_reaches_the_script_as_compiled_pandas_code_not_as_text(exported):
    _, script = exported[CASES.index(("drop_rows", {"where": 'status == "paid" and price >= 30.5'}))]
    text = script.read_text()
    assert "drop = (df['status'].eq('paid').fillna(False).astype(bool) & df['price'].ge(30.5)" in text
    assert ".eval(" not in text and ".query(" not in text
