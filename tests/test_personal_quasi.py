"""Quasi-identifiers: columns that single out a person only together (zip code, age, gender) are named as such
by the personal-data finder, listed by the report and in PII answers, and never masked (issue 15, point 10)."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.tools.ingest import ReadOptions, ingest_path
from stocktake.tools.profile import find_personal_columns, select_masked, whole_columns
from stocktake.tools.profile import profile_asset
from stocktake.tools.report import build_report, render_markdown
from stocktake.tools.report.wording import facts

U_USER = "movielens-100k/u.user"
NAMED = ("user_id", "age", "gender", "occupation", "zip_code")
WHY = "zip code, age and gender together can single out a person"


@pytest.fixture
def u_user(catalog, shared_data):
    """u.user as it ingests by itself: no header, so its columns are col_1 .. col_5."""
    ingest_path(catalog, shared_data / U_USER, name="u_user")
    return catalog


def quasi(catalog, asset: str) -> dict[str, str]:
    return {p.column: p.reason for p in find_personal_columns(profile_asset(catalog, asset)) if not p.direct}


@pytest.mark.shared_data
def test_movielens_users_zip_age_and_gender_are_quasi_identifiers_by_their_values(u_user):
    found = quasi(u_user, "u_user")
    assert set(found) == {"col_2", "col_3", "col_5"}  # age, gender, zip code; col_1 is the id, col_4 occupation
    assert found["col_5"].startswith("quasi-identifier (zip code)") and all(WHY in r for r in found.values())


@pytest.mark.shared_data
def test_named_columns_are_quasi_identifiers_by_their_names_occupation_too(catalog, shared_data):
    ingest_path(catalog, shared_data / U_USER, name="u_user", options=ReadOptions(header=False, columns=NAMED))
    found = quasi(catalog, "u_user")
    assert set(found) == {"age", "gender", "occupation", "zip_code"}
    assert "zip code, age, gender and occupation together can single out a person" in found["age"]


@pytest.mark.shared_data
def test_quasi_identifiers_are_not_masked_in_answers(u_user):
    assert whole_columns(profile_asset(u_user, "u_user")) == frozenset()
    result = select_masked(u_user, "SELECT col_2, col_3, col_5 FROM u_user ORDER BY col_1 LIMIT 3")
    raw = pd.read_csv(u_user.get("u_user").source, sep="|", header=None, dtype=str).head(3)
    assert [tuple(map(str, r)) for r in result.rows] == list(zip(raw[1], raw[2], raw[4]))


@pytest.mark.shared_data
def test_a_pii_question_lists_quasi_identifiers_marked_as_such(u_user):
    answer = Assistant(ToolContext(u_user)).ask("which columns hold personal data in u_user?")
    assert all(f"u_user.{c}: quasi-identifier" in answer.text for c in ("col_2", "col_3", "col_5"))
    assert WHY in answer.text


@pytest.mark.shared_data
def test_the_reports_pii_section_lists_quasi_identifiers_apart_from_direct_pii(u_user):
    [section] = build_report(u_user).assets
    assert section.pii_columns == () and section.quasi_identifiers == ("col_2", "col_3", "col_5")
    assert dict(facts(section))["PII columns"] == f"none found; quasi-identifiers: col_2, col_3, col_5 ({WHY})"
    row = next(line for line in render_markdown(build_report(u_user)).splitlines() if line.startswith("| col_5 |"))
    assert row.endswith("| quasi-identifier |")


def test_one_kind_alone_is_no_quasi_identifier(catalog):
    frame = pd.DataFrame({"customer_id": range(40), "customer_zip_code": [f"{10000 + i * 37}" for i in range(40)],
                          "city": ["Lyon", "Porto"] * 20})
    catalog.register("customers", frame, kind="users", source="test", fmt="test")
    assert quasi(catalog, "customers") == {}


def test_direct_personal_data_stays_direct_beside_quasi_identifiers(catalog):
    frame = pd.DataFrame({"email": [f"user{i}@example.com" for i in range(40)], "age": [18 + i for i in range(40)],
                          "sex": ["F", "M"] * 20})
    catalog.register("people", frame, kind="users", source="test", fmt="test")
    found = {p.column: p.kind for p in find_personal_columns(profile_asset(catalog, "people"))}
    assert found == {"email": "direct", "age": "quasi-identifier", "sex": "quasi-identifier"}
    assert whole_columns(profile_asset(catalog, "people")) == frozenset({"email"})
