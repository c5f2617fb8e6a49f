"""Which connector a source's location calls for, and the options each kind takes (no server needed)."""

import pytest

from stocktake.errors import StocktakeError
from stocktake.tools.sources.connectors import check_options, for_location, scheme


@pytest.mark.parametrize("text, expected", [
    ("postgresql://u@h/db", "postgresql"), ("POSTGRES://u@h/db", "postgres"), ("logs/nginx", "file"),
    ("/var/log/app.jsonl", "file"), ("ftp://h/x", "ftp"),
])
def test_scheme_of_a_location(text, expected):
    assert scheme(text) == expected


def test_postgres_urls_go_to_the_postgres_connector():
    assert for_location("postgres://u@h/db", "shop").module == "postgres"


def test_an_unknown_kind_of_location_names_the_ones_read_and_never_the_rest_of_the_url():
    with pytest.raises(StocktakeError, match=r"Source 'x': ftp:// is not a kind of source .*postgresql://") as err:
        for_location("ftp://me:hunter2@h/x", "x")
    assert "hunter2" not in str(err.value)


def test_options_of_another_kind_of_source_are_refused_not_ignored():
    with pytest.raises(StocktakeError, match=r"--json-path does not apply to a database source"):
        check_options(for_location("postgresql://u@h/db", "shop"), {"json_path": "data", "pattern": None}, "shop")
