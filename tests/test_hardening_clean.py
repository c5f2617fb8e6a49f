"""Hardening of cleaning (issue 13, items 1, 2 and 6): a condition or a session file never runs code, a tampered
session file is a one-line error that changes nothing, and a conversation acts only on its own sessions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.agent.events import ConfirmationNeeded, ToolFinished
from stocktake.agent.tools import build_tools, confirm_required
from stocktake.agent.tools import clean as clean_tools
from stocktake.cli.main import app
from stocktake.errors import StocktakeError
from stocktake.tools.clean import get_step, list_sessions, load_session, start_session
from stocktake.tools.clean.store import SessionLimits, read_state, sessions_dir
from tests.agent_fakes import scripted


@pytest.fixture
def orders(catalog):
    catalog.register("orders", pd.DataFrame({
        "order_id": [1, 2, 3, 4], "status": ["paid", "paid", "cancelled", None], "price": [10.0, -3.0, 7.5, 2.0],
    }), kind="orders", source="memory", fmt="csv")
    return catalog


@pytest.fixture
def marker(tmp_path, monkeypatch) -> Path:
    """The file every payload tries to create (also relative to the working folder, which is tmp_path)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path / "pwned"


def attacks(marker: Path) -> list[str]:
    touch = f"touch {marker}"
    return [
        f'@pd.io.common.os.system("{touch}") == 0',
        f"@pd.io.common.os.system('touch pwned') == 0",
        f'__import__("os").system("{touch}") == 0',
        f"price < 0 or @os.system('{touch}')",
        f'pd.io.common.os.system("{touch}") == 0',
        "price.__class__.__mro__[1].__subclasses__() == 0",
        f"(lambda: __import__('os').system('{touch}'))() == 0",
        f"`__import__('os').system('{touch}')` == 0",
        f"`price` < 0 and `@pd.io.common.os.system('{touch}')` == 0",
        f"open('{marker}', 'w') == 0",
        f"status == 'paid'; import os; os.system('{touch}')",
        f"price == 1 + __import__('os').system('{touch}')",
        f"price in [__import__('os').system('{touch}')]",
        f"price > 0 if __import__('os').system('{touch}') else price < 0",
        f"status == f\"{{__import__('os').system('{touch}')}}\"",
        f"status.str.contains('a') == True",
        "__builtins__ == 1",
        f"status == 'paid'\nimport os\nos.system('{touch}')",
        f"price < 0 and exec('import os; os.system(\"{touch}\")')",
        f"price < 0 or eval(\"__import__('os').system('{touch}')\")",
        "(" * 5_000 + "price < 0" + ")" * 5_000,
        "price < 0 or " * 2_000 + "price < 0",
        "price < 1e999999",
        f"price < 0 or `{'x' * 100}` is null",
    ]


def tool_call(tools: dict, name: str, args: dict, thread: str):
    message = tools[name].invoke({"name": name, "args": args, "id": "c1", "type": "tool_call"},
                                 config={"configurable": {"thread_id": thread}})
    return str(message.content), message.artifact


@pytest.fixture
def tools(orders):
    return {t.name: t.bind(ToolContext(orders)) for t in clean_tools.TOOLS}


def session_file(catalog, session_id: str) -> Path:
    return sessions_dir(catalog.ws) / f"{session_id}.json"


# ---- item 1: a condition never runs code ------------------------------------------------------------------------
def test_every_attack_is_refused_by_the_step_itself(orders, marker):
    table = orders.load("orders")
    for where in attacks(marker):
        with pytest.raises(StocktakeError) as caught:
            get_step("drop_rows").apply(table, {"where": where})
        assert "\n" not in str(caught.value) and len(str(caught.value)) < 600
    assert not marker.exists()


def test_every_attack_through_the_agents_add_step_is_a_one_line_error(tools, orders, marker):
    started, _ = tool_call(tools, "start_cleaning", {"asset": "orders"}, "a")
    session_id = started.split()[1]
    before = session_file(orders, session_id).read_bytes()
    for where in attacks(marker):
        content, artifact = tool_call(tools, "add_cleaning_step", {"kind": "drop_rows", "params": {"where": where}},
                                      "a")
        assert content.startswith("Error: ") and "\n" not in content and artifact["error"], where
    assert not marker.exists()
    assert session_file(orders, session_id).read_bytes() == before  # no step was added
    assert [v.version for v in orders.versions("orders")] == [1]


def test_the_attack_from_a_scripted_model_runs_nothing(orders, marker):
    payload = '@pd.io.common.os.system("touch pwned") == 0'
    llm = scripted(("start_cleaning", {"asset": "orders"}), "Started.",
                   ("add_cleaning_step", {"kind": "drop_rows", "params": {"where": payload}}), "Added.")
    assistant = Assistant(ToolContext(orders), llm)
    list(assistant.stream("clean orders", "t"))
    [added] = [e for e in assistant.stream("drop the bad rows", "t") if isinstance(e, ToolFinished)]
    assert not added.ok and "unexpected '@' at character 1" in added.content
    assert not marker.exists()


def plant_accepted_step(catalog, where: str) -> tuple[str, Path]:
    """A session file as someone with write access to the workspace could leave it: an accepted drop_rows."""
    session = start_session(catalog, "orders")
    path = session_file(catalog, session.id)
    state = json.loads(path.read_text())
    state["steps"]["s99"] = {"id": "s99", "kind": "drop_rows", "params": {"where": where}, "what": "drop rows",
                             "why": "planted", "rows": None, "origin": "custom"}
    state["events"].append({"op": "accept", "step": "s99", "params": {}, "at": "2026-01-01T00:00:00+00:00"})
    path.write_text(json.dumps(state))
    return session.id, path


def test_a_planted_session_replayed_by_clean_show_runs_nothing(orders, marker):
    runner = CliRunner()
    for where in attacks(marker):
        session_id, path = plant_accepted_step(orders, where)
        before = path.read_bytes()
        result = runner.invoke(app, ["clean", "show", session_id])
        assert result.exit_code == 1 and result.stdout == "", where
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"Error: Replaying step s99 failed: ") and "internal error" not in line
        assert path.read_bytes() == before
    assert not marker.exists()
    assert [v.version for v in orders.versions("orders")] == [1]
    assert orders.load("orders")["order_id"].tolist() == [1, 2, 3, 4]


def test_a_session_with_a_refused_condition_can_still_be_undone(orders, marker):
    session_id, _ = plant_accepted_step(orders, '@pd.io.common.os.system("touch pwned") == 0')
    session = load_session(orders, session_id)
    undone = session.undo("s99")
    assert undone.status == "proposed" and "unexpected '@'" in undone.problem and undone.code == ""
    assert session.show().applied == () and not marker.exists()


def test_the_attack_through_the_cli_add_command_is_refused(orders, marker):
    session = start_session(orders, "orders")
    result = CliRunner().invoke(app, ["clean", "add", session.id, "drop_rows", "--param",
                                      'where=@pd.io.common.os.system("touch pwned") == 0'])
    assert result.exit_code == 1 and "unexpected '@' at character 1" in result.stderr
    assert not marker.exists() and len(load_session(orders, session.id).state["steps"]) == len(session.state["steps"])


def test_a_planted_drop_orphans_step_reads_only_snapshots_of_the_workspace(orders, tmp_path):
    outside = tmp_path / "elsewhere.parquet"
    pd.DataFrame({"order_id": [1]}).to_parquet(outside)
    session = start_session(orders, "orders")
    view = session.add_custom_step("drop_orphans", {"column": "order_id", "parent_asset": "x", "parent_version": 1,
                                                    "parent_column": "order_id", "parent_path": str(outside)})
    assert "is not a snapshot of this workspace" in view.problem
    with pytest.raises(StocktakeError, match="not a snapshot of this workspace"):
        session.accept(view.id)


# ---- item 2: a session file is data -----------------------------------------------------------------------------
def tamper(state: dict, change: str) -> dict | str:
    s = json.loads(json.dumps(state))
    first = next(iter(s["steps"]))
    edits = {
        "steps as a list": lambda: s.update(steps=list(s["steps"].values())),
        "base version as text": lambda: s.update(base_version="1"),
        "huge base version": lambda: s.update(base_version=10 ** 40),
        "no events": lambda: s.pop("events"),
        "no id": lambda: s.pop("id"),
        "another session's id": lambda: s.update(id="cs-00000000"),
        "unknown step kind": lambda: s["steps"][first].update(kind="run_python"),
        "params as text": lambda: s["steps"][first].update(params="__import__('os')"),
        "event on an unknown step": lambda: s["events"].append({"op": "accept", "step": "s999", "params": {}}),
        "unknown event": lambda: s["events"].append({"op": "exec", "step": first}),
        "cache outside the session": lambda: s.update(cache="../../../catalog.sqlite"),
        "owner as a number": lambda: s.update(owner=7),
        "finished without a version": lambda: s.update(finished={"asset": "orders"}),
        "a list, not an object": lambda: s.clear(),
    }
    edits[change]()
    return [] if change == "a list, not an object" else s


TAMPERED = ["steps as a list", "base version as text", "huge base version", "no events", "no id",
            "another session's id", "unknown step kind", "params as text", "event on an unknown step",
            "unknown event", "cache outside the session", "owner as a number", "finished without a version",
            "a list, not an object"]


@pytest.mark.parametrize("change", TAMPERED)
def test_a_tampered_session_file_is_a_clear_error_and_changes_nothing(orders, change):
    session = start_session(orders, "orders")
    path = session_file(orders, session.id)
    path.write_text(json.dumps(tamper(json.loads(path.read_text()), change)))
    before = path.read_bytes()
    with pytest.raises(StocktakeError, match=f"Cleaning session file .*{session.id}.json is damaged") as caught:
        load_session(orders, session.id)
    assert "\n" not in str(caught.value)
    result = CliRunner().invoke(app, ["clean", "show", session.id])
    assert result.exit_code == 1 and "is damaged" in result.stderr and "internal error" not in result.stderr
    assert path.read_bytes() == before and session.id not in {s["id"] for s in list_sessions(orders.ws)}


@pytest.mark.parametrize("content", [b"", b"\x80\x81 not text", b"{\"id\": ", b"[" * 100_000 + b"]" * 100_000,
                                     b'{"id": NaN}'])
def test_a_session_file_that_is_not_json_is_a_clear_error(orders, content):
    session = start_session(orders, "orders")
    session_file(orders, session.id).write_bytes(content)
    with pytest.raises(StocktakeError, match="is damaged"):
        load_session(orders, session.id)


def test_a_session_file_over_the_size_limit_is_refused_unread(orders):
    session = start_session(orders, "orders")
    path = session_file(orders, session.id)
    with pytest.raises(StocktakeError, match=r"[\d,]+ bytes, more than the 100 allowed"):
        read_state(path, SessionLimits(max_bytes=100))


def test_a_history_no_decisions_could_write_is_a_clear_error(orders):
    session = start_session(orders, "orders")
    path = session_file(orders, session.id)
    state = json.loads(path.read_text())
    state["events"].append({"op": "undo", "step": next(iter(state["steps"]))})  # undo of a pending step
    path.write_text(json.dumps(state))
    with pytest.raises(StocktakeError, match=r"has a damaged history \(event 1, undo s1\)"):
        load_session(orders, session.id).show()


def test_a_damaged_step_cache_is_replayed_instead(orders):
    session = start_session(orders, "orders")
    session.accept(session.add_custom_step("drop_rows", {"where": "price < 0"}).id)
    cache = sessions_dir(orders.ws) / session.id / session.state["cache"]
    cache.write_bytes(b"PAR1 not parquet PAR1")
    assert load_session(orders, session.id).table()["order_id"].tolist() == [1, 3, 4]


# ---- item 6: a conversation acts only on its own sessions ------------------------------------------------------
def test_every_cleaning_tool_refuses_another_conversations_session(tools, orders):
    started, _ = tool_call(tools, "start_cleaning", {"asset": "orders"}, "tab-a")
    session_id = started.split()[1]
    path = session_file(orders, session_id)
    tool_call(tools, "reject_cleaning_step", {"step_id": "s1"}, "tab-a")
    before = path.read_bytes()
    calls = [("next_cleaning_step", {}), ("apply_cleaning_step", {"step_id": "s2"}),
             ("reject_cleaning_step", {"step_id": "s2"}), ("undo_cleaning_step", {}), ("redo_cleaning_step", {}),
             ("add_cleaning_step", {"kind": "drop_duplicates", "params": {}}), ("export_cleaning_script", {}),
             ("finish_cleaning", {}), ("discard_cleaning", {}), ("pick_up_session", {})]
    assert {name for name, _ in calls} | {"start_cleaning"} == set(tools)
    for name, args in calls:
        content, _ = tool_call(tools, name, {**args, "session_id": session_id}, "tab-b")
        assert content.startswith(f"Error: Session {session_id} belongs to another conversation"), name
    assert path.read_bytes() == before and [v.version for v in orders.versions("orders")] == [1]


def test_the_no_session_reply_lists_no_other_conversations_session(tools, orders):
    mine, _ = tool_call(tools, "start_cleaning", {"asset": "orders"}, "tab-a")
    from_cli = start_session(orders, "orders")  # no conversation owns it
    content, _ = tool_call(tools, "next_cleaning_step", {}, "tab-b")
    assert content.startswith("Error: No cleaning session is open in this conversation")
    assert mine.split()[1] not in content and f"pick up {from_cli.id}" in content


def test_a_session_from_the_command_line_is_used_only_once_picked_up(tools, orders):
    session = start_session(orders, "orders")
    refused, _ = tool_call(tools, "reject_cleaning_step", {"step_id": "s1", "session_id": session.id}, "tab-b")
    assert refused.startswith(f"Error: Session {session.id} on orders was started outside this conversation")
    assert "pick_up_session" in confirm_required(list(tools.values()))
    picked, _ = tool_call(tools, "pick_up_session", {"session_id": session.id}, "tab-b")
    assert picked.startswith(f"Picked up session {session.id} on orders")
    assert load_session(orders, session.id).owner == "tab-b"
    rejected, _ = tool_call(tools, "reject_cleaning_step", {"step_id": "s1"}, "tab-b")
    assert rejected.startswith("Rejected s1")
    other, _ = tool_call(tools, "pick_up_session", {"session_id": session.id}, "tab-c")
    assert other.startswith(f"Error: Session {session.id} belongs to another conversation")


def test_a_model_in_another_conversation_cannot_undo_a_decision(orders):
    llm = scripted(("start_cleaning", {"asset": "orders"}), "Started.", ("reject_cleaning_step", {"step_id": "s1"}),
                   "Rejected.")
    assistant = Assistant(ToolContext(orders), llm)
    list(assistant.stream("clean orders", "a"))
    list(assistant.stream("reject s1", "a"))
    [session] = list_sessions(orders.ws)
    rival = Assistant(ToolContext(orders), scripted(("undo_cleaning_step", {"session_id": session["id"]}), "Done."))
    [undo] = [e for e in rival.stream("undo that", "b") if isinstance(e, ToolFinished)]
    assert not undo.ok and "belongs to another conversation" in undo.content
    assert load_session(orders, session["id"]).show().steps[0].status == "rejected"


def test_auditing_labels_waits_for_confirmation(catalog):
    catalog.register("products", pd.DataFrame({"title": [f"mug {i}" for i in range(20)] + [f"lamp {i}" for i in
                                                                                           range(20)],
                                               "category": ["home"] * 20 + ["light"] * 20}),
                     kind="products", source="memory", fmt="csv")
    ctx = ToolContext(catalog)
    assert "audit_labels" in confirm_required(build_tools(ctx))
    assistant = Assistant(ctx, scripted(("audit_labels", {"asset": "products"}), "Audited."))
    events = list(assistant.stream("which categories look wrong?", "t"))
    assert any(isinstance(e, ConfirmationNeeded) for e in events)
    assert not any(isinstance(e, ToolFinished) for e in events)
    assert not (catalog.ws.dir("cache") / "audit" / "products.json").exists()
