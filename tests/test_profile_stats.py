"""The profiler on tiny edge-case tables, and its statistics against a plain pandas computation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from stocktake.tools.profile import profile_asset
from stocktake.tools.profile.pii import pii_excerpt
from stocktake.tools.profile.semantic import category_clusters, fingerprint, typo_distance_is_one
from stocktake.settings import ProfileSettings

BIG = 2**63 - 1


def date_table(days: list) -> pa.Table:
    return pa.table({"day": pa.array(days, type=pa.date32())})


EDGE_CASES = {
    "empty": pa.table({"n": pa.array([], type=pa.int64()), "s": pa.array([], type=pa.string())}),
    "all_null": pa.table({"id": [1, 2, 3], "s": pa.array([None, None, None], type=pa.string())}),
    "single_row": pa.table({"id": [7], "price": [9.5], "s": ["only"]}),
    "constant": pa.table({"id": [1, 2, 3, 4], "country": ["DE", "DE", "DE", "DE"]}),
    "huge_integers": pa.table({"n": pa.array([BIG, -BIG - 1, 0, BIG - 1], type=pa.int64())}),
    "unicode": pa.table({"s": ["Ünïcödé", "日本語テキスト", "emoji 🎉", "plain"]}),
    "mixed_types": pa.table({"code": ["1", "x", "2", "y", "3", "z", "4", "w", "5", "q"]}),
    "before_1970": date_table([dt.date(1950, 5, 1), dt.date(1965, 1, 31), dt.date(1969, 12, 31)]),
    "ancient_and_future": date_table([dt.date(1850, 1, 1), dt.date(2020, 1, 1), dt.date(2999, 1, 1)]),
    "nan_floats": pa.table({"x": pa.array([1.5, float("nan"), None, 2.5, float("inf")], from_pandas=False)}),
}
EXPECTED_ISSUES = {
    "empty": set(), "all_null": {("missing_values", "s", 3)}, "single_row": set(),
    "constant": {("constant_column", "country", 4)}, "huge_integers": set(), "unicode": set(),
    "mixed_types": {("mixed_types", "code", 5)}, "before_1970": set(),
    "ancient_and_future": {("future_or_ancient_dates", "day", 2)},
    "nan_floats": {("missing_values", "x", 2), ("duplicate_rows", None, 1)},  # NaN and null are both missing
}


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_edge_case_issues(catalog, case):
    catalog.register(case, EDGE_CASES[case], kind="other", source="test", fmt="test")
    p = profile_asset(catalog, case)
    assert {(i.kind, i.column, i.rows) for i in p.issues} == EXPECTED_ISSUES[case]
    assert p.rows == EDGE_CASES[case].num_rows


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_edge_case_statistics_equal_pandas(catalog, case):
    catalog.register(case, EDGE_CASES[case], kind="other", source="test", fmt="test")
    assert_matches_pandas(profile_asset(catalog, case), catalog.load(case))


def assert_matches_pandas(profile, frame: pd.DataFrame) -> None:
    """Rows, nulls, distinct, min, max and mean of every column equal a plain pandas computation."""
    assert profile.rows == len(frame)
    for col in profile.columns:
        s = frame[col.name]
        assert col.nulls == int(s.isna().sum()), col.name
        if col.distinct_exact and col.type != "other":
            assert col.distinct == s.nunique(dropna=True), col.name
        present = s.dropna()
        if present.empty or col.type in ("other", "binary"):
            assert col.min is None or col.type in ("other", "binary")
            continue
        if col.type in ("integer", "float", "boolean", "string", "date", "timestamp"):
            assert col.min == as_json(present.min()), col.name
            assert col.max == as_json(present.max()), col.name
        if col.type in ("integer", "float", "boolean"):
            assert col.mean == pytest.approx(float(present.astype("float64").mean()), rel=1e-9), col.name


def as_json(value):
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def test_empty_table_has_a_perfect_score_and_no_keys(catalog):
    catalog.register("empty", EDGE_CASES["empty"], kind="other", source="test", fmt="test")
    p = profile_asset(catalog, "empty")
    assert p.quality_score == 100.0 and p.duplicate_rows == 0 and p.candidate_keys == ()


def test_unicode_lengths_count_characters_not_bytes(catalog):
    catalog.register("u", EDGE_CASES["unicode"], kind="other", source="test", fmt="test")
    chars = [len(v) for v in EDGE_CASES["unicode"]["s"].to_pylist()]
    assert max(len(v.encode()) for v in EDGE_CASES["unicode"]["s"].to_pylist()) > max(chars)
    assert profile_asset(catalog, "u").column("s").length == {"min": min(chars), "max": max(chars),
                                                              "mean": sum(chars) / len(chars)}


def test_candidate_key_pairs_when_no_single_column_is_unique(catalog):
    frame = pd.DataFrame({"order": [1, 1, 2, 2, 3], "line": [1, 2, 1, 2, 1], "qty": [1, 1, 1, 1, 1]})
    catalog.register("lines", frame, kind="other", source="test", fmt="test")
    assert profile_asset(catalog, "lines").candidate_keys == (("order", "line"),)


def test_duplicate_rows_and_keys_are_told_apart(catalog):
    frame = pd.DataFrame({"id": [1, 2, 2, 3, 3, 4], "v": ["a", "b", "b", "c", "X", "d"]})
    catalog.register("things", frame, kind="other", source="test", fmt="test")
    p = profile_asset(catalog, "things", settings=ProfileSettings(key_min_unique_ratio=0.5))
    assert p.duplicate_rows == 1
    assert {(i.kind, i.rows) for i in p.issues} == {("duplicate_rows", 1), ("duplicate_key", 1)}


@pytest.mark.parametrize("a, b, expected", [
    ("books", "bokos", True), ("grocery", "grocey", True), ("clothing", "clothng", True),
    ("beauty", "beuaty", True), ("shoes", "shoe", True), ("paris", "lyon", False), ("books", "looks!", False),
])
def test_one_typo_apart(a, b, expected):
    assert typo_distance_is_one(a, b) is expected


def test_category_clusters_pick_the_most_frequent_spelling():
    counts = [("Home & Kitchen", 50), ("home & kitchen", 3), ("Home&Kitchen", 2), ("Electronics", 40),
              ("Electroncs", 2), ("Books", 30), ("Boots", 25)]
    clusters = category_clusters(counts, ProfileSettings())
    assert clusters == {"Home & Kitchen": ["home & kitchen", "Home&Kitchen"], "Electronics": ["Electroncs"]}
    assert fingerprint("  Électronics ") == "electronics"


def test_pii_masking_hides_the_values():
    masked = pii_excerpt("write to anna.k12@example.com or call +44 20 7946 0958")
    assert "anna" not in masked and "7946" not in masked and "a***@e***.com" in masked


NOT_TABLES = ("README", "PROVENANCE", "DATA_DICTIONARY", "INDEX")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_folders() -> list[str]:
    if not SHARED_DATA.is_dir():
        return ["(absent)"]
    folders = [p for p in sorted(SHARED_DATA.iterdir()) if p.is_dir()]
    return [str(p.relative_to(SHARED_DATA)) for f in folders for p in [f, *[s for s in f.iterdir() if s.is_dir()]]]


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.parametrize("folder", shared_folders())
def test_statistics_equal_pandas_on_every_shared_table(catalog, shared_data, folder):
    from stocktake.tools.ingest import ingest_path
    from stocktake.tools.profile import profile_all

    files = [p for p in sorted((shared_data / folder).iterdir()) if p.is_file() and not p.name.startswith(NOT_TABLES)]
    for path in files:
        ingest_path(catalog, path)
    profiles = profile_all(catalog)
    assert len(profiles) == len(files)
    for p in profiles:
        assert_matches_pandas(p, catalog.load(p.asset))
