"""Proposal rules on tiny catalogs: what each problem gets, and the look-alikes that must get nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stocktake.tools.clean import get_step, propose_steps, start_session


def proposals(catalog, name: str, df: pd.DataFrame, kind: str = "other") -> dict[str, list]:
    catalog.register(name, df, kind=kind, source="memory", fmt="csv")
    out: dict[str, list] = {}
    for p in propose_steps(catalog, name):
        out.setdefault(p.kind, []).append(p)
    return out


def prices(n: int = 200, seed: int = 0) -> np.ndarray:
    return np.round(np.exp(np.random.default_rng(seed).uniform(np.log(5), np.log(300), n)), 2)


def test_a_price_typo_far_past_the_fence_is_blanked(catalog):
    p = prices()
    p[7] = 99_999.0
    got = proposals(catalog, "products", pd.DataFrame({"product_id": range(200), "price": p}), "products")
    (step,) = got["out_of_range"]
    assert step.params["action"] == "null" and step.rows == 1 and 3000 <= step.params["max"] < 99_999
    assert step.what == f"set price above {step.params['max']} to missing"
    assert "action=null (proposed) makes them missing" in step.why


@pytest.mark.parametrize("kind, action, rows_left", [("products", "null", 6), ("order_items", "drop", 4)])
def test_negative_amounts_get_a_title_and_why_that_say_what_the_step_does(catalog, kind, action, rows_left):
    df = pd.DataFrame({"product_id": range(6), "price": [5.0, -1.0, 7.5, -2.0, 9.0, 3.0]})
    (step,) = proposals(catalog, kind, df, kind)["out_of_range"]
    done = get_step("out_of_range").apply(df, step.params)
    assert step.params["action"] == action and len(done) == rows_left and not done["price"].lt(0).any()
    assert step.what == get_step("out_of_range").describe(step.params)
    assert step.why.startswith("2 rows have a negative price") and f"action={action} (proposed)" in step.why


def test_a_long_tail_of_real_prices_is_left_alone(catalog):
    p = prices()
    p[:4] = [900.0, 1200.0, 1500.0, 2000.0]  # furniture among gifts: past the fence, not errors
    got = proposals(catalog, "products", pd.DataFrame({"product_id": range(200), "price": p}), "products")
    assert "out_of_range" not in got


def test_categories_that_differ_in_digits_are_not_merged(catalog):
    cats = ["casa_conforto"] * 30 + ["casa_conforto_2"] * 3 + ["Books"] * 30 + ["books"] * 2
    got = proposals(catalog, "products", pd.DataFrame({"product_id": range(len(cats)), "category": cats}))
    assert got["unify_categories"][0].params["mapping"] == {"books": "Books"}


def test_orphans_are_dropped_for_identifiers_but_not_for_lookup_values(catalog):
    catalog.register("users", pd.DataFrame({"user_id": range(100)}), kind="users", source="m", fmt="csv")
    catalog.register("labels", pd.DataFrame({"category": ["a", "b"], "english": ["A", "B"]}), kind="other",
                     source="m", fmt="csv")
    orders = pd.DataFrame({"order_id": range(300), "user_id": [i % 100 for i in range(299)] + [555],
                           "category": ["a", "b"] * 149 + ["c", "c"]})
    got = proposals(catalog, "orders", orders, "orders")
    (orphans,) = got["drop_orphans"]
    assert orphans.params["column"] == "user_id" and orphans.rows == 1


def test_missing_values_get_a_fill_a_drop_or_nothing_by_column(catalog):
    n = 100
    df = pd.DataFrame({
        "order_id": range(n),
        "customer_id": [None if i < 3 else f"c{i % 7}" for i in range(n)],
        "status": [None if i < 5 else ["paid", "sent"][i % 2] for i in range(n)],
        "weight": [np.nan if i < 4 else float(i) for i in range(n)],
        "delivered_at": pd.to_datetime([None if i < 30 else "2024-01-02" for i in range(n)]),
    })
    got = proposals(catalog, "orders", df, "orders")
    fills = {p.params["column"]: p.params for p in got["fill_missing"]}
    assert fills["status"]["value"] == "unknown" and fills["weight"]["strategy"] == "median"
    assert "delivered_at" not in fills  # a missing delivery date means "not delivered yet"
    assert got["drop_missing"][0].params["columns"] == ["customer_id"]


def test_identifiers_stored_as_decimals_become_integers_but_codes_stay_text(catalog):
    df = pd.DataFrame({"CustomerID": [17850.0, 13047.0, np.nan] * 20,
                       "InvoiceNo": ["536365"] * 59 + ["C536379"], "StockCode": ["85123"] * 59 + ["85123A"]})
    got = proposals(catalog, "lines", df)
    assert [p.params for p in got["cast_type"]] == [{"column": "CustomerID", "to": "integer"}]


def test_dates_kept_as_text_are_parsed(catalog):
    df = pd.DataFrame({"user_id": range(50), "signup_date": ["2024-01-05"] * 48 + ["2021-02-30", "yesterday"]})
    (step,) = proposals(catalog, "users", df, "users")["parse_dates"]
    assert step.params["column"] == "signup_date" and "'2021-02-30'" in step.why


@pytest.mark.parametrize("column, method", [("email", "hash"), ("note", "redact")])
def test_personal_data_is_hashed_in_its_own_column_and_redacted_in_text(catalog, column, method):
    df = pd.DataFrame({"user_id": range(40), "email": [f"u{i}@example.com" for i in range(40)],
                       "note": [f"order {i} arrived late, sadly" for i in range(39)] + ["call me on +44 20 7946 0958"]})
    steps = {p.params["column"]: p for p in proposals(catalog, "users", df, "users")["mask_pii"]}
    assert steps[column].params["method"] == method
    assert steps["note"].rows == 1


def test_key_repeats_keep_the_latest_row(catalog):
    df = pd.DataFrame({"order_id": list(range(200)) + [3], "status": ["paid"] * 200 + ["refunded"],
                       "updated_at": pd.to_datetime(["2024-01-01"] * 200 + ["2024-02-01"])})
    (step,) = proposals(catalog, "orders", df, "orders")["dedupe_key"]
    assert step.params == {"key": ["order_id"], "order_by": "updated_at", "keep": "last"} and step.rows == 1


def test_a_clean_table_gets_no_proposals(catalog):
    df = pd.DataFrame({"order_id": range(30), "status": ["paid", "sent", "new"] * 10, "total": np.arange(30) + 1.5})
    assert proposals(catalog, "orders", df, "orders") == {}


def test_relabel_is_proposed_from_a_saved_label_audit(catalog, ws):
    from stocktake.tools.classify.audit import save_audit
    from stocktake.tools.classify.reports import AuditReport, Suspect

    labels = ["Shoes"] * 20 + ["Books"] * 20 + ["books"]
    df = pd.DataFrame({"title": [f"item {i}" for i in range(41)], "category": labels})
    catalog.register("products", df, kind="products", source="mem", fmt="csv")
    suspects = (Suspect(row=1, given="Shoes", suggested="books", confidence=0.9, given_confidence=0.05),
                Suspect(row=40, given="books", suggested="Books", confidence=0.9, given_confidence=0.1),
                Suspect(row=2, given="Shoes", suggested="Books", confidence=0.3, given_confidence=0.2))
    save_audit(ws, AuditReport(asset="products", asset_version=1, text_cols=("title",), label_col="category",
                               method="tfidf", folds=2, rows=41, thresholds={}, suspects=suspects, seconds=0.1))
    session = start_session(catalog, "products")
    relabel = next(v for v in session.proposals() if v.kind == "relabel")
    # The unsure suspect is left alone, the variant spelling is the unify step's, the suggestion is canonical.
    assert relabel.params["changes"] == {"1": "Books"}
    for view in session.proposals():
        session.accept(view.id)
    assert session.table()["category"].tolist() == ["Shoes", "Books"] + ["Shoes"] * 18 + ["Books"] * 21


@pytest.mark.parametrize("copies, said", [
    (1, "1 row is an exact copy of an earlier row; keeping it double-counts."),
    (2, "2 rows are exact copies of an earlier row; keeping them double-counts."),
])
def test_the_reason_counts_its_rows_in_words_that_agree(catalog, copies, said):
    df = pd.DataFrame({"order_id": [1, 2, 3] + [3] * copies, "price": [1.0, 2.0, 3.0] + [3.0] * copies})
    (step,) = proposals(catalog, "orders", df)["drop_duplicates"]
    assert step.why == said
