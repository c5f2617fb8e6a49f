"""One rule for what asks the user first (stocktake.actions), given the same answer by the chat agent, the
cleaning tab and the cleaning commands, and questions in plain words."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.actions import ACTIONS, needs_confirmation, session_question
from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.agent.events import Answer, ConfirmationNeeded
from stocktake.agent.tools import build_tools, confirm_required
from stocktake.cli.main import app
from stocktake.serve.panels.cleaning import Handlers
from stocktake.tools.clean import load_session, start_session
from stocktake.usecases.services import Services
from tests.agent_fakes import scripted

RULE = {  # the table the issue asks for: each action, and whether it asks first
    "start_session": False, "preview_step": False, "accept_step": False, "reject_step": False, "undo_step": False,
    "redo_step": False, "edit_step": False, "add_step": False, "export_script": False, "write_report": False,
    "finish_session": True, "discard_session": True, "pick_up_session": True, "train_classifier": True,
    "predict_labels": True, "audit_labels": True, "train_recommenders": True, "describe_asset": True,
    "sync_source": True, "remove_source": True,
}


@pytest.fixture
def orders(catalog):
    catalog.register("orders", pd.DataFrame({
        "order_id": [1, 2, 2, 3], "status": ["paid", "paid", "paid", " shipped "], "price": [10.0, -3.0, -3.0, 7.5],
    }), kind="orders", source="test", fmt="csv")
    return catalog


@pytest.fixture
def session(orders):
    """s1 (drop duplicates) accepted, so there is something to finish and to undo; s2 and s3 pending."""
    s = start_session(orders, "orders")
    s.accept("s1")
    return s


def test_the_rule_in_a_table():
    assert {action: needs_confirmation(action) for action in ACTIONS} == RULE


def test_an_action_the_rule_does_not_know_is_an_error_not_a_silent_no():
    with pytest.raises(KeyError, match="No action named 'delete_everything'"):
        needs_confirmation("delete_everything")


def test_every_agent_tool_that_acts_is_gated_exactly_by_the_rule(catalog):
    tools = build_tools(ToolContext(catalog))
    gated = set(confirm_required(tools))
    acting = [t for t in tools if t.action is not None]
    assert {t.action for t in acting} <= set(ACTIONS)
    assert {t.name for t in acting if RULE[t.action]} == gated
    assert {"apply_cleaning_step", "reject_cleaning_step"}.isdisjoint(gated)  # the inconsistency of issue 15
    assert {"finish_cleaning", "discard_cleaning", "train_recommenders", "audit_labels"} <= gated


# Each cleaning action as the tab presses it and as the command line runs it.
CLEANING = {
    "accept_step": (dict(chosen="s2"), ["accept", "{sid}", "s2"]),
    "reject_step": (dict(chosen="s2"), ["reject", "{sid}", "s2"]),
    "undo_step": ({}, ["undo", "{sid}"]),
    "edit_step": (dict(chosen="s2", edited="case=lower"), ["edit", "{sid}", "s2", "-p", "case=lower"]),
    "add_step": (dict(kind="drop_columns", added='columns=["status"]'),
                 ["add", "{sid}", "drop_columns", "-p", 'columns=["status"]']),
    "finish_session": ({}, ["finish", "{sid}"]),
    "discard_session": ({}, ["discard", "{sid}"]),
}


def asked_in_the_tab(catalog, sid: str, action: str) -> bool:
    form, _ = CLEANING[action]
    before = load_session(catalog, sid).state["revision"]
    out = Handlers(Services(catalog)).press(action, sid, **form)
    asked = out[9].visible
    assert asked == bool(out[10]) and (out[11] == action) == asked
    assert (load_session(catalog, sid).state["revision"] == before) == asked  # asking changes nothing
    return asked


def asked_on_the_command_line(catalog, sid: str, action: str) -> bool:
    _, args = CLEANING[action]
    result = CliRunner().invoke(app, ["--workspace", str(catalog.ws.root), "clean",
                                      *[a.format(sid=sid) for a in args]], input="n\n")
    asked = "Cancelled; nothing was written." in result.stderr
    assert result.exit_code == (1 if asked else 0), result.output
    return asked


def agent_gates(catalog, action: str) -> dict[str, bool]:
    """Whether the agent pauses before its tool for ``action`` (the chat edits a step as it accepts it, so
    edit_step has no tool of its own)."""
    tools = [t for t in build_tools(ToolContext(catalog)) if t.action == action]
    return {"agent": bool(confirm_required(tools))} if tools else {}


@pytest.mark.parametrize("action", CLEANING)
def test_the_agent_the_tab_and_the_command_line_give_the_rules_answer(orders, action):
    answers = {**agent_gates(orders, action),
               "tab": asked_in_the_tab(orders, start_and_accept(orders), action),
               "cli": asked_on_the_command_line(orders, start_and_accept(orders), action)}
    assert answers == dict.fromkeys(answers, RULE[action]) and len(answers) >= 2


def start_and_accept(catalog) -> str:
    s = start_session(catalog, "orders")
    s.accept("s1")
    return s.id


# ---- the questions -----------------------------------------------------------------------------------------
def test_finishing_asks_in_plain_words(session):
    assert session_question("finish_session", session) == "Save orders as version 2 with 1 cleaning step applied?"


def test_finishing_after_the_asset_moved_on_asks_about_the_rebase_or_the_branch(session, orders):
    orders.add_version("orders", orders.load("orders").head(3), note="someone else")
    assert session_question("finish_session", session, "rebase") == (
        "Save orders as version 3 with 1 cleaning step applied, replayed onto its latest version 2?")
    assert session_question("finish_session", session, "branch") == (
        f"Save the cleaned table as the new asset orders__branch_{session.id} (version 2) with 1 cleaning step "
        "applied?")


def test_discarding_says_what_is_dropped_and_that_the_asset_stays(session):
    assert session_question("discard_session", session) == (
        f"Discard cleaning session {session.id} on orders? Its 1 accepted step will be dropped; orders stays as it is.")


def test_a_closed_session_has_no_question_only_the_reason(session):
    session.discard()
    with pytest.raises(Exception, match="was discarded"):
        session_question("finish_session", session)


def test_the_command_line_asks_the_same_question_and_saves_on_yes(session, orders):
    result = CliRunner().invoke(app, ["--workspace", str(orders.ws.root), "clean", "finish", session.id],
                                input="y\n")
    assert result.exit_code == 0, result.output
    assert "Save orders as version 2 with 1 cleaning step applied? [y/N]" in result.stderr
    assert orders.get("orders").version == 2


def test_the_command_line_without_an_answer_writes_nothing_and_says_how_to_skip_the_question(session, orders):
    result = CliRunner().invoke(app, ["--workspace", str(orders.ws.root), "clean", "discard", session.id])
    assert result.exit_code == 1 and "No answer, so nothing was written. Pass --yes" in result.stderr
    assert not load_session(orders, session.id).state.get("discarded")


def test_the_language_model_agent_asks_in_the_same_words_not_in_code(orders):
    thread = "t1"
    mine = start_session(orders, "orders", owner=thread)
    mine.accept("s1")
    assistant = Assistant(ToolContext(orders), scripted(("finish_cleaning", {"session_id": mine.id}), "Saved."))
    events = list(assistant.stream("save it", thread))
    [waiting] = [e for e in events if isinstance(e, ConfirmationNeeded)]
    [answer] = [e for e in events if isinstance(e, Answer)]
    assert waiting.actions[0]["description"] == "Save orders as version 2 with 1 cleaning step applied?"
    assert answer.text == waiting.actions[0]["description"] and "finish_cleaning" not in answer.text
    assert answer.status == "confirm" and orders.get("orders").version == 1
