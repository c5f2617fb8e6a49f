"""Correlations between an asset's measures, on demand from its cached profile, over a bounded sample."""

from __future__ import annotations

import pytest

from stocktake.tools.profile import correlations, profile_asset
from stocktake.tools.ingest import ingest_path


@pytest.fixture
def measures(catalog, tmp_path):
    lines = ["item_id,price,weight,discount"] + [f"{i},{10 + i},{2 * i + 1},{100 - 3 * i % 7}" for i in range(1, 201)]
    (tmp_path / "parcels.csv").write_text("\n".join(lines) + "\n")
    ingest_path(catalog, tmp_path / "parcels.csv")
    return profile_asset(catalog, "parcels")


def test_columns_that_move_together_are_the_strongest_pair(catalog, measures):
    got = correlations(catalog, measures)
    assert (got.pairs[0].a, got.pairs[0].b, got.pairs[0].r) == ("price", "weight", 1.0)


def test_keys_are_left_out_of_correlations(catalog, measures):
    assert "item_id" not in correlations(catalog, measures).columns


def test_a_large_asset_is_read_through_a_bounded_sample(catalog, measures):
    got = correlations(catalog, measures, max_rows=50)
    assert (got.rows_used, got.sampled) == (50, True)


def test_the_matrix_has_one_on_its_diagonal_and_is_symmetric(catalog, measures):
    m = correlations(catalog, measures).matrix()
    assert all(m[i][i] == 1.0 for i in range(len(m))) and m[0][1] == m[1][0]
