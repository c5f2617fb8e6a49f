"""The order of doc hits: the passage on the column a question names first, a table's own passage before its
columns' passages that score about as high, the search's order otherwise."""

from __future__ import annotations

from stocktake.tools.docs import DocHit, RankSettings, rank_hits


def hit(asset: str, column: str | None, score: float) -> DocHit:
    return DocHit(text=f"{asset}.{column}", source="shop.md", location=f"shop.md › {asset}", asset=asset,
                  column=column, score=score)


def test_the_column_a_question_names_goes_first():
    hits = [hit("events", "user_id", 0.9), hit("events", "event_type", 0.5)]
    assert [h.column for h in rank_hits("what does event_type hold?", hits)] == ["event_type", "user_id"]


def test_the_column_named_with_its_table_goes_before_the_same_name_in_another_table():
    hits = [hit("users", "user_id", 0.9), hit("events", "user_id", 0.5)]
    assert [h.asset for h in rank_hits("what is events.user_id?", hits)] == ["events", "users"]


def test_a_table_goes_before_its_column_that_scores_about_as_high():
    hits = [hit("products", "category", 0.80), hit("products", None, 0.77)]
    assert [h.column for h in rank_hits("where is the product catalogue stored?", hits)] == [None, "category"]


def test_a_table_that_scores_clearly_lower_stays_behind_its_column():
    hits = [hit("products", "category", 0.80), hit("products", None, 0.77)]
    ranked = rank_hits("where is the product catalogue stored?", hits, RankSettings(table_margin=0.01))
    assert [h.column for h in ranked] == ["category", None]


def test_otherwise_the_search_order_stays():
    hits = [hit("orders", None, 0.9), hit("users", "city", 0.8), hit("users", None, 0.7)]
    assert rank_hits("who buys?", hits) == hits
