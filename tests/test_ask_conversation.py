"""Conversations: a follow-up refines or re-targets the last answer's plan, in the CLI's threads and the app's;
each answer says how it read the question, shows its SQL and the table it rests on."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.catalog import Catalog, Workspace
from stocktake.cli.main import app
from stocktake.tools.ingest import ingest_path
from stocktake.tools.sample_data import TABLES, write_sample_data


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("conversation")
    write_sample_data(root / "data", seed=3)
    catalog = Catalog(Workspace(root / "ws"))
    for table in TABLES:
        ingest_path(catalog, root / "data" / f"{table}.csv", name=table)
    return catalog


@pytest.fixture()
def assistant(shop):
    return Assistant(ToolContext(shop))


def frame(shop, name):
    return shop.load(name)


def test_a_follow_up_adds_a_condition_to_the_last_question(shop, assistant):
    orders = frame(shop, "orders")
    assistant.ask("how many orders per payment method?", thread_id="t1")
    answer = assistant.ask("and only the cancelled ones?", thread_id="t1")
    expected = orders[orders["status"] == "cancelled"]["payment_method"].value_counts()
    got = {r[0]: r[1] for r in answer.table["rows"] if r[0] is not None}
    assert got == expected.to_dict() and "Following on" in answer.text


def test_a_follow_up_changes_the_time_bucket(shop, assistant):
    assistant.ask("orders per month", thread_id="t2")
    answer = assistant.ask("split that by week", thread_id="t2")
    assert answer.table["columns"][0] == "week starting" and answer.status == "answered"


def test_list_a_few_shows_the_rows_behind_the_last_count(shop, assistant):
    assistant.ask("how many orders were returned?", thread_id="t3")
    answer = assistant.ask("list a few", thread_id="t3")
    status = answer.table["columns"].index("status")
    assert 0 < len(answer.table["rows"]) <= 5 and {r[status] for r in answer.table["rows"]} == {"returned"}


def test_same_for_another_column_regroups(shop, assistant):
    products = frame(shop, "products")
    assistant.ask("number of products per category", thread_id="t4")
    answer = assistant.ask("same for brands", thread_id="t4")
    assert {r[0]: r[1] for r in answer.table["rows"]} == products["brand"].value_counts().to_dict()


def test_threads_do_not_share_their_last_question(shop, assistant):
    assistant.ask("how many orders per payment method?", thread_id="a")
    answer = assistant.ask("and only the cancelled ones?", thread_id="b")
    assert "Following on" not in answer.text and (answer.table is None or "count" not in answer.table["columns"])


def test_the_cli_thread_carries_a_follow_up_between_processes(shop):
    runner = CliRunner()
    base = ["--workspace", str(shop.ws.root), "ask", "--offline", "--thread", "cli-t"]
    runner.invoke(app, [*base, "how many users per country?"])
    result = runner.invoke(app, [*base, "--json", "only gold ones"])
    assert result.exit_code == 0 and '"loyalty_tier"' in result.stdout or "gold" in result.stdout


def test_every_answer_says_how_it_read_the_question_and_a_data_answer_shows_its_query(assistant):
    for question in ("which assets exist?", "revenue by category", "where are the click logs?", "delete users"):
        answer = assistant.ask(question, thread_id="r")
        assert answer.reading
    data = assistant.ask("revenue by category", thread_id="q")
    assert data.sql.startswith("SELECT") and "```sql" in data.text and data.table["rows"]


def test_a_change_waiting_for_confirmation_is_not_dropped_silently(shop, assistant):
    assistant.ask("train a recommender on events", thread_id="c")  # waits for confirmation
    answer = assistant.ask("how many orders are there?", thread_id="c")
    assert "was not made" in answer.text


def test_a_follow_up_asking_for_an_average_changes_the_measure_and_keeps_the_condition(shop, assistant):
    reviews = frame(shop, "reviews")
    user = int(reviews["user_id"].value_counts().index[0])
    assistant.ask(f"how many reviews has user {user} written", thread_id="t9")
    answer = assistant.ask("whats their average", thread_id="t9")
    expected = reviews.loc[reviews["user_id"] == user, "rating"].mean()
    assert answer.status == "answered" and answer.table["rows"][0][0] == pytest.approx(expected)


def test_a_follow_up_asking_for_a_measure_nothing_fits_is_asked_back(shop, assistant):
    assistant.ask("how many users are there", thread_id="t10")
    answer = assistant.ask("and the average for those?", thread_id="t10")  # users have no measure to average
    assert answer.status == "clarify"


def test_each_part_of_a_compound_question_follows_on_from_the_one_before(shop, assistant):
    orders = frame(shop, "orders")
    answer = assistant.ask("how many orders were paid by paypal, and how many by klarna", thread_id="t11")
    by_method = orders["payment_method"].value_counts()
    got = [part.table["rows"][0][0] for part in answer.parts]
    assert got == [by_method["paypal"], by_method["klarna"]]


def test_a_correction_after_actually_changes_the_question_it_corrects(shop, assistant):
    orders = frame(shop, "orders")
    answer = assistant.ask("orders per quarter... actually just per month in 2024", thread_id="t12")
    dates = pd.to_datetime(orders["order_date"])
    expected = dates[dates.dt.year == 2024].dt.strftime("%Y-%m").value_counts().sort_index()
    got = {r[0]: r[1] for r in answer.table["rows"]}
    assert answer.status == "answered" and got == expected.to_dict() and "correction" in answer.text


def test_what_share_is_that_puts_the_last_answer_over_all_rows(shop, assistant):
    orders = frame(shop, "orders")
    answer = assistant.ask("how many orders were cancelled and what share of all orders is that", thread_id="t13")
    share = 100 * (orders["status"] == "cancelled").mean()
    assert answer.parts[1].table["rows"][0][0] == pytest.approx(share, rel=1e-3)


def test_they_with_nothing_before_it_is_asked_back(assistant):
    assert assistant.ask("how many did they buy", thread_id="t14").status == "clarify"


def test_per_day_after_a_month_splits_that_month_by_day(shop, assistant):
    orders = frame(shop, "orders")
    dates = pd.to_datetime(orders["order_date"])
    assistant.ask("how many orders in may 2024", thread_id="t15")
    answer = assistant.ask("per day pls", thread_id="t15")
    expected = dates[(dates.dt.year == 2024) & (dates.dt.month == 5)].dt.strftime("%Y-%m-%d").value_counts()
    assert {r[0]: r[1] for r in answer.table["rows"]} == expected.to_dict()


def test_which_values_did_those_use_counts_the_last_rows_per_value(shop, assistant):
    orders = frame(shop, "orders")
    assistant.ask("cancelled orders, how many", thread_id="t16")
    answer = assistant.ask("which payment methods did those use", thread_id="t16")
    expected = orders.loc[orders["status"] == "cancelled", "payment_method"].value_counts()
    assert {r[0]: r[1] for r in answer.table["rows"] if r[0] is not None} == expected.to_dict()


def test_their_refers_to_the_rows_of_the_last_answer(shop, assistant):
    assistant.ask("how many 5 star reviews", thread_id="t17")
    answer = assistant.ask("what's their average rating", thread_id="t17")
    assert answer.table["rows"][0][0] == pytest.approx(5.0)  # all reviews together average less


def test_what_about_another_table_counts_its_rows_of_the_last_answers_rows(catalog):
    orders = pd.DataFrame({"order_id": [f"o{i}" for i in range(10)],
                           "order_status": ["canceled", "delivered"] * 5,
                           "order_purchase_timestamp": pd.to_datetime(["2017-03-01", "2017-05-02", "2018-01-03",
                                                                       "2017-07-04", "2017-11-05"] * 2)})
    reviews = pd.DataFrame({"review_id": [f"r{i}" for i in range(12)],
                            "order_id": [f"o{i % 10}" for i in range(12)], "review_score": [5, 1, 4] * 4})
    for name, data in (("shop_orders_dataset", orders), ("shop_order_reviews_dataset", reviews)):
        catalog.register(name, data, kind="other", source="t", fmt="csv")
    assistant = Assistant(ToolContext(catalog))
    assistant.ask("how many orders were cancelled in 2017?", thread_id="t")
    answer = assistant.ask("what about reviews?", thread_id="t")
    picked = orders[(orders["order_status"] == "canceled") & (orders["order_purchase_timestamp"].dt.year == 2017)]
    assert answer.table["rows"] == [[int(reviews["order_id"].isin(picked["order_id"]).sum())]]
    assert "The same question about shop_order_reviews_dataset" in answer.text
