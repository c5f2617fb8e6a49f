"""A long tool's step and count reach the chat while it runs: from the offline turn's worker thread, from the
language-model agent's stream (also for a tool that runs once a confirmation lets it), onto the running step."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.agent.events import ToolFinished, ToolProgress, ToolStarted
from stocktake.agent.progress import reporting
from stocktake.serve.chat import chat_messages
from tests.agent_fakes import scripted


@pytest.fixture
def shop(catalog):
    catalog.register("products", pd.DataFrame({"product_id": [1, 2], "title": ["Mug", "Cup"]}),
                     kind="products", source="test", fmt="csv")
    catalog.register("events", pd.DataFrame([(u, i, "view") for u in range(12) for i in range(u % 5, u % 5 + 4)],
                                             columns=["user_id", "product_id", "event_type"]),
                     kind="events", source="test", fmt="csv")
    return catalog


def drained(gen):
    """The events a ``reporting`` generator yields, and the value it returns."""
    events = []
    while True:
        try:
            events.append(next(gen))
        except StopIteration as stop:
            return events, stop.value


def test_reports_come_out_while_the_call_runs_and_its_result_comes_back():
    proceed = threading.Event()

    def work(progress):
        progress("epoch 1", 1, 3)
        proceed.wait(10)  # the first report is out before the call can go on
        progress("epoch 3", 3, 3)
        return "trained"

    gen = reporting(work, "c1", "train", every=0.01)
    assert next(gen) == ToolProgress("c1", "train", "epoch 1", 1, 3)
    proceed.set()
    events, result = drained(gen)
    assert events[-1] == ToolProgress("c1", "train", "epoch 3", 3, 3) and result == "trained"


def test_a_call_that_fails_raises_in_the_callers_thread():
    def work(progress):
        raise ValueError("no rows")

    with pytest.raises(ValueError, match="no rows"):
        drained(reporting(work, "c1", "train"))


def in_order(events, call_name):
    kinds = [type(e).__name__ for e in events if getattr(e, "name", None) == call_name]
    return kinds[0] == "ToolStarted" and kinds[-1] == "ToolFinished" and "ToolProgress" in kinds[1:-1]


def test_an_offline_report_shows_its_steps_between_start_and_finish(shop):
    events = list(Assistant(ToolContext(shop)).stream("give me an inventory report", "t"))
    assert in_order(events, "inventory_report")
    steps = [e.step for e in events if isinstance(e, ToolProgress)]  # thinned, but the last one always shows
    assert steps[-1].startswith("writing inventory-") and steps[-1].endswith(".html")


def test_the_agents_tool_reports_through_its_stream(shop):
    assistant = Assistant(ToolContext(shop), scripted(("inventory_report", {}), "Written."))
    events = list(assistant.stream("write the inventory report", "t"))
    assert in_order(events, "inventory_report")
    [started] = [e for e in events if isinstance(e, ToolStarted)]
    assert {e.id for e in events if isinstance(e, ToolProgress)} == {started.id}


def test_training_confirmed_in_the_agent_shows_its_step_and_progress(shop):
    call = ("train_recommenders", {"asset": "events", "models": "pop"})
    assistant = Assistant(ToolContext(shop), scripted(call, "Trained."))
    before = list(assistant.stream("train a recommender on events", "t"))
    assert not any(isinstance(e, ToolProgress) for e in before)
    after = list(assistant.resume("t", approve=True))
    assert in_order(after, "train_recommenders")
    [finished] = [e for e in after if isinstance(e, ToolFinished)]
    assert finished.ok and {e.id for e in after if isinstance(e, ToolProgress)} == {finished.id}


def test_progress_shows_on_the_running_step_and_is_gone_once_it_finishes():
    events = [ToolStarted("c1", "train_text_classifier", {}),
              ToolProgress("c1", "train_text_classifier", "epoch 2", 40, 120),
              ToolProgress("c1", "train_text_classifier", "loading the model", 0, None),
              ToolFinished("c1", "train_text_classifier", "Trained.", {}, 3.0)]
    turns = list(chat_messages(events, lambda name, artifact: []))
    logs = [t.messages[0]["metadata"].get("log") for t in turns]
    assert logs == [None, "epoch 2 · 40/120 (33%)", "loading the model", None]
    assert turns[1].messages[0]["metadata"]["status"] == "pending" and len(turns[-1].messages) == 1


def test_progress_of_a_step_the_chat_never_saw_start_is_ignored():
    turns = list(chat_messages([ToolProgress("gone", "x", "step", 1, 2)], lambda name, artifact: []))
    assert turns[-1].messages == []
