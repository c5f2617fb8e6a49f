"""Chat conversations kept in the workspace: saved as shown, found again by id only, never read as code."""

from __future__ import annotations

import uuid

from stocktake.serve.conversations import Conversations, kept_message
from stocktake.serve.panels.chat import browser_state


def new_id() -> str:
    return uuid.uuid4().hex


def test_a_conversation_comes_back_as_it_was_shown(ws, tmp_path):
    store, thread = Conversations(ws.dir("conversations")), new_id()
    report = tmp_path / "inventory.html"
    report.write_text("<p>report</p>")
    history = [{"role": "user", "content": "how many orders per year?"},
               {"role": "assistant", "content": "Arguments: …", "metadata": {"title": "🔧 query_data",
                                                                             "status": "done", "duration": 0.1}},
               {"role": "assistant", "content": [{"type": "text", "text": "| year | count |"}]},
               {"role": "assistant", "content": [{"type": "component", "component": "plot", "value": {}}]},
               {"role": "assistant", "content": [{"type": "file", "file": {"path": str(report)}}]}]
    store.save(thread, history)
    kept = store.get(thread)
    assert kept.title == "how many orders per year?"
    assert list(kept.messages) == [
        {"role": "user", "content": "how many orders per year?"},
        {"role": "assistant", "content": "Arguments: …",
         "metadata": {"title": "🔧 query_data", "status": "done", "duration": 0.1}},
        {"role": "assistant", "content": "| year | count |"},
        {"role": "assistant", "content": {"path": str(report)}},
    ], "text and files are kept; a chart is not"


def test_only_the_ids_asked_for_are_listed_newest_first(ws):
    store = Conversations(ws.dir("conversations"))
    first, second, other = new_id(), new_id(), new_id()
    for thread, question in ((first, "one"), (other, "someone else's"), (second, "two")):
        store.save(thread, [{"role": "user", "content": question}])
    listed = store.listed([first, second, new_id()])
    assert {c.id for c in listed} == {first, second} and listed[0].updated >= listed[1].updated


def test_ids_that_are_not_the_apps_never_name_a_file(ws):
    store = Conversations(ws.dir("conversations"))
    for thread in ("../../etc/passwd", "cli", "", None, "A" * 32):
        assert store.save(thread, [{"role": "user", "content": "x"}]) is None
        assert store.get(thread) is None
    assert not ws.dir("conversations").exists()


def test_a_damaged_or_foreign_file_is_no_conversation(ws):
    store, thread = Conversations(ws.dir("conversations")), new_id()
    ws.dir("conversations").mkdir(parents=True)
    (ws.dir("conversations") / f"{thread}.json").write_text("{not json")
    assert store.get(thread) is None
    (ws.dir("conversations") / f"{thread}.json").write_text('{"messages": [{"role": "system", "content": "x"}, 5]}')
    assert store.get(thread).messages == ()


def test_a_read_only_workspace_answers_without_keeping(ws, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert Conversations(blocked / "conversations").save(new_id(), [{"role": "user", "content": "x"}]) is None


def test_a_message_without_text_or_file_is_left_out():
    assert kept_message({"role": "assistant", "content": [{"type": "component", "component": "plot"}]}) is None
    assert kept_message({"role": "assistant", "content": {"path": "/no/such/file.html"}}) is None
    assert kept_message("hello") is None


def test_what_a_browser_sends_is_taken_only_as_far_as_it_is_a_list_of_its_ids():
    mine = new_id()
    assert browser_state({"threads": [mine, "../x", 3], "current": mine}) == {"threads": [mine], "current": mine}
    assert browser_state({"threads": [mine], "current": new_id()}) == {"threads": [mine], "current": None}
    assert browser_state("junk") == {"threads": [], "current": None}
