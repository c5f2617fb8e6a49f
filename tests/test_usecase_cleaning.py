"""The cleaning use case's decisions, made once for the command line, the tab and the chat: which session a
conversation may work on, whether a session is open, what finishing with nothing accepted says in each face's
words, and which preview rows are masked."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.settings import GuardSettings, Settings
from stocktake.tools.clean import start_session
from stocktake.tools.clean.finish import NothingAccepted
from stocktake.usecases import cleaning
from stocktake.usecases.services import Services

ME, OTHER = "tab-me", "tab-other"


class Memory(dict):
    """Which session each conversation works on, kept in memory."""

    def set(self, thread: str, session_id: str | None) -> None:
        if session_id is None:
            self.pop(thread, None)
        else:
            self[thread] = session_id


@pytest.fixture
def services(catalog) -> Services:
    catalog.register("orders", pd.DataFrame({
        "order_id": [1, 2, 2, 3], "status": ["paid", "paid", "paid", " shipped "], "price": [10.0, -3.0, -3.0, 7.5],
    }), kind="orders", source="test", fmt="csv")
    return Services(catalog)


def mine(c, memory):
    s = start_session(c, "orders", owner=ME)
    memory.set(ME, s.id)
    return s


def from_before_owners(c, memory):
    """A session with no owner that the workspace says this conversation works on."""
    s = start_session(c, "orders")
    memory.set(ME, s.id)
    return s


def closed(how):
    def setup(c, memory):
        s = mine(c, memory)
        s.accept("s1")
        s.finish() if how == "finish" else s.discard()
        return s
    return setup


# (what the workspace holds, whether the request names the session, what the conversation gets)
WHICH = {
    "nothing at all": (lambda c, m: None, False, "none_open"),
    "its own open session": (mine, False, "it"),
    "its own session, named": (mine, True, "it"),
    "its own session, finished": (closed("finish"), False, "none_open"),
    "its own session, discarded": (closed("discard"), False, "none_open"),
    "another conversation's, named": (lambda c, m: start_session(c, "orders", owner=OTHER), True, "not_yours"),
    "another conversation's, not named": (lambda c, m: start_session(c, "orders", owner=OTHER), False, "none_open"),
    "one from the command line, named": (lambda c, m: start_session(c, "orders"), True, "outside"),
    "one from the command line, not named": (lambda c, m: start_session(c, "orders"), False, "none_open"),
    "one from before owners, that it works on": (from_before_owners, False, "it"),
}


@pytest.mark.parametrize(("setup", "named", "expected"), WHICH.values(), ids=WHICH.keys())
def test_which_session_a_conversation_gets(services, setup, named, expected):
    memory = Memory()
    session = setup(services.catalog, memory)
    who = cleaning.Conversation(ME, memory)
    def ask():
        return cleaning.conversation_session(services, who, session.id if named else None)

    if expected == "it":
        assert ask().id == session.id
        return
    with pytest.raises(cleaning.SessionUnavailable) as refused:
        ask()
    assert refused.value.reason == expected


def test_no_session_open_names_the_closed_one_and_the_ones_to_pick_up_never_anothers(services):
    memory = Memory()
    own = closed("discard")(services.catalog, memory)
    others = start_session(services.catalog, "orders", owner=OTHER)
    free = start_session(services.catalog, "orders")
    with pytest.raises(cleaning.SessionUnavailable) as refused:
        cleaning.conversation_session(services, cleaning.Conversation(ME, memory))
    message = str(refused.value)
    assert message.startswith(f"Session {own.id} is finished or discarded. No cleaning session is open")
    assert f"pick up {free.id}" in message and others.id not in message


# (what was done to the session, its status)
STATUS = {
    "started": (lambda s: None, cleaning.Status.OPEN),
    "finished": (lambda s: (s.accept("s1"), s.finish()), cleaning.Status.FINISHED),
    "discarded": (lambda s: s.discard(), cleaning.Status.DISCARDED),
}


@pytest.mark.parametrize(("act", "status"), STATUS.values(), ids=STATUS.keys())
def test_a_session_is_open_until_finished_or_discarded_in_the_list_and_in_the_snapshot(services, act, status):
    session = start_session(services.catalog, "orders")
    act(session)
    [record] = cleaning.sessions(services)
    now = cleaning.snapshot(services, session.id)
    assert record.status is now.status is status and record.is_open is (status is cleaning.Status.OPEN)
    assert bool(now.pending) is record.is_open  # a closed session has nothing waiting
    assert (record.finished is not None) is (now.finished is not None) is (status is cleaning.Status.FINISHED)


def test_a_record_lists_as_the_engine_lists_it(services):
    session = start_session(services.catalog, "orders")
    session.accept("s1")
    session.finish()
    [record] = cleaning.sessions(services)
    from stocktake.tools.clean import list_sessions

    assert [record.to_dict()] == list_sessions(services.catalog.ws)


# (the face, words it uses, words it must not use)
NOTHING_ACCEPTED = {
    "cli": ("`stocktake clean accept", "'accept s1'"),
    "model": ("'accept s1'", "stocktake clean"),
    "web": ("Accept a step first", "stocktake clean"),
}


@pytest.mark.parametrize(("face", "says", "never"), [(f, *w) for f, w in NOTHING_ACCEPTED.items()],
                         ids=NOTHING_ACCEPTED.keys())
def test_finishing_with_nothing_accepted_says_how_to_go_on_in_each_faces_words(services, face, says, never):
    session = start_session(services.catalog, "orders")
    with pytest.raises(NothingAccepted) as refused:
        cleaning.finish(services, session.id)
    message = refused.value.for_face(face)
    assert "no accepted steps" in message and says in message and never not in message
    assert [v.version for v in services.catalog.versions("orders")] == [1]


def test_the_question_before_picking_up_anothers_session_is_a_refusal(services):
    session = start_session(services.catalog, "orders", owner=OTHER)
    with pytest.raises(Exception, match="belongs to another conversation"):
        cleaning.question(services, "pick_up_session", session.id, who=cleaning.Conversation(ME, Memory()))


def test_the_question_before_finishing_checks_there_is_something_to_save(services):
    session = start_session(services.catalog, "orders")
    with pytest.raises(NothingAccepted):
        cleaning.question(services, "finish_session", session.id)
    session.accept("s1")
    assert cleaning.question(services, "finish_session", session.id) == (
        "Save orders as version 2 with 1 cleaning step applied?")


def test_accepting_with_no_step_named_takes_the_next_pending_one(services):
    session = start_session(services.catalog, "orders")
    done = cleaning.accept(services, session.id)
    assert done.step.id == "s1" and done.applied == ("s1",) and done.rows == 3


@pytest.mark.parametrize("mask", [True, False], ids=["masked", "shown"])
def test_preview_rows_are_masked_where_the_guard_masks(catalog, mask):
    catalog.register("users", pd.DataFrame({
        "user_id": [1, 2, 2], "email": ["ana@example.com", "bo@example.org", "bo@example.org"],
    }), kind="users", source="test", fmt="csv")
    services = Services(catalog, Settings(guard=GuardSettings(mask_pii=mask)))
    step = start_session(catalog, "users").proposals()[0]
    shown = cleaning.shown_step(services, "users", step)
    emails = {r["email"] for r in shown.preview.before}
    assert (emails <= {"ana@example.com", "bo@example.org"}) is not mask
