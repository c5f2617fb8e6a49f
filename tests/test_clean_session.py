"""Cleaning sessions: decisions as an event log, replay, persistence, crash safety, concurrent finishes, export."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from stocktake.catalog import file_hash
from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.tools.clean import load_session, start_session
from stocktake.tools.clean.store import list_sessions, sessions_dir


@pytest.fixture
def orders_csv(tmp_path) -> Path:
    path = tmp_path / "orders.csv"
    pd.DataFrame({
        "order_id": [1, 2, 2, 3, 4, 5, 5],
        "status": ["paid", "paid", "paid", " shipped ", "paid", None, None],
        "price": [10.0, -3.0, -3.0, 7.5, 2.0, 4.0, 4.0],
    }).to_csv(path, index=False)
    return path


@pytest.fixture
def session(catalog, orders_csv):
    catalog.register("orders", pd.read_csv(orders_csv), kind="orders", source=str(orders_csv), fmt="csv")
    return start_session(catalog, "orders")


def kinds(session) -> dict[str, str]:
    return {v.kind: v.id for v in session.proposals()}


def test_start_proposes_ordered_steps_with_what_why_rows_preview_and_code(session):
    views = session.proposals()
    assert [v.kind for v in views] == ["drop_duplicates", "normalise_text", "out_of_range", "fill_missing"]
    first = views[0]
    assert first.what and first.why and "drop_duplicates" in first.code
    assert first.preview.rows_affected == 2 and first.preview.rows_removed == 2


def test_accept_replays_onto_the_current_table(session):
    ids = kinds(session)
    session.accept(ids["drop_duplicates"])
    session.accept(ids["out_of_range"])
    table = session.table()
    assert table["order_id"].tolist() == [1, 3, 4, 5] and (table["price"] >= 0).all()


def test_accept_with_changed_parameters(session):
    session.accept(kinds(session)["fill_missing"], {"value": "n/a"})
    assert session.table()["status"].tolist()[-1] == "n/a"


def test_undo_any_step_replays_the_later_ones(session):
    ids = kinds(session)
    for kind in ("drop_duplicates", "normalise_text", "out_of_range"):
        session.accept(ids[kind])
    session.undo(ids["drop_duplicates"])
    assert session.show().applied == (ids["normalise_text"], ids["out_of_range"])
    assert session.table()["order_id"].tolist() == [1, 3, 4, 5, 5]  # negatives dropped, duplicates back
    assert session.table()["status"].tolist()[1] == "shipped"


def test_redo_puts_the_step_back_where_it_was(session):
    ids = kinds(session)
    session.accept(ids["drop_duplicates"])
    session.accept(ids["out_of_range"])
    before = session.table()
    session.undo(ids["drop_duplicates"])
    session.redo()
    assert session.show().applied == (ids["drop_duplicates"], ids["out_of_range"])
    pd.testing.assert_frame_equal(session.table(), before)


@pytest.mark.parametrize("action, message", [
    (lambda s, ids: s.undo(), "Nothing to undo"),
    (lambda s, ids: s.redo(), "Nothing to redo"),
    (lambda s, ids: s.undo(ids["drop_duplicates"]), "s1 is pending, so there is no decision on it to undo"),
    (lambda s, ids: s.accept("s99"), "No step in session"),
])
def test_impossible_decisions_get_a_clear_error(session, action, message):
    with pytest.raises(StocktakeError, match=message):
        action(session, kinds(session))


@pytest.mark.parametrize("first", ["accept", "reject"])
@pytest.mark.parametrize("then", ["accept", "reject"])
def test_a_decided_step_is_not_decided_again_until_undone(session, first, then):
    sid = kinds(session)["drop_duplicates"]
    getattr(session, first)(sid)
    with pytest.raises(StocktakeError, match=rf"Step {sid} is already (applied|rejected); `stocktake clean undo "
                                             rf"{session.id} {sid}` takes that back"):
        getattr(session, then)(sid)


def test_rejected_step_leaves_the_proposals(session):
    sid = kinds(session)["drop_duplicates"]
    session.reject(sid)
    assert sid not in {v.id for v in session.proposals()} and session.show().steps[0].status == "rejected"


def test_an_undone_step_is_proposed_again_with_a_fresh_preview_and_can_be_accepted_again(session):
    ids = kinds(session)
    session.accept(ids["drop_duplicates"])
    session.reject(ids["normalise_text"])
    session.accept(ids["out_of_range"])
    session.undo()  # the latest decision: out_of_range
    assert [v.id for v in session.proposals()] == [ids["out_of_range"], ids["fill_missing"]]
    again = {v.id: v for v in session.proposals()}[ids["out_of_range"]]
    assert again.status == "proposed" and again.preview.rows_affected == 1  # on the de-duplicated table: one -3.0
    session.accept(ids["out_of_range"])
    assert session.show().applied == (ids["drop_duplicates"], ids["out_of_range"])
    assert (session.table()["price"] >= 0).all()


def test_undo_after_a_reject_reopens_the_rejected_step(session):
    ids = kinds(session)
    session.accept(ids["drop_duplicates"])
    session.reject(ids["normalise_text"])
    reopened = session.undo()
    assert (reopened.id, reopened.status) == (ids["normalise_text"], "proposed") and reopened.preview
    assert session.show().applied == (ids["drop_duplicates"],)  # the accepted step is untouched
    session.accept(ids["normalise_text"])
    assert session.table()["status"].tolist()[2] == "shipped"


def test_undo_takes_decisions_back_latest_first(session):
    ids = kinds(session)
    session.accept(ids["drop_duplicates"])
    session.reject(ids["normalise_text"])
    session.accept(ids["out_of_range"])
    undone = [session.undo().id for _ in range(3)]
    assert undone == [ids["out_of_range"], ids["normalise_text"], ids["drop_duplicates"]]
    assert [v.id for v in session.proposals()] == list(ids.values()) and session.show().applied == ()
    with pytest.raises(StocktakeError, match="Nothing to undo .* no step is accepted or rejected"):
        session.undo()


def test_the_history_keeps_every_decision_and_its_reversal(session, ws):
    sid = kinds(session)["drop_duplicates"]
    session.accept(sid)
    session.undo()
    session.accept(sid)
    assert session.explain_step(sid).trail == ("accepted", "undone", "accepted")
    assert load_session(ws, session.id).show().to_dict()["steps"][0]["trail"] == ["accepted", "undone", "accepted"]
    assert [e["op"] for e in load_session(ws, session.id).state["events"]] == ["accept", "undo", "accept"]


def test_redo_makes_an_undone_reject_again(session):
    sid = kinds(session)["normalise_text"]
    session.reject(sid)
    session.undo()
    assert session.redo().status == "rejected" and sid not in {v.id for v in session.proposals()}


def test_a_new_decision_clears_what_there_is_to_redo(session):
    ids = kinds(session)
    session.accept(ids["drop_duplicates"])
    session.undo()
    session.reject(ids["normalise_text"])
    with pytest.raises(StocktakeError, match="Nothing to redo"):
        session.redo()


def test_undo_that_breaks_a_later_step_changes_nothing(session):
    as_text = session.add_custom_step("cast_type", {"column": "price", "to": "string"})
    session.accept(as_text.id)
    trim = session.add_custom_step("normalise_text", {"columns": ["price"]})  # needs text
    session.accept(trim.id)
    with pytest.raises(StocktakeError, match=f"Changing step {as_text.id} breaks a later step"):
        session.undo(as_text.id)
    assert session.show().applied == (as_text.id, trim.id)


def test_custom_step_on_a_dropped_column_is_refused(session):
    session.accept(session.add_custom_step("drop_columns", {"columns": ["status"]}).id)
    with pytest.raises(UnknownNameError, match="No column named 'status'"):
        session.add_custom_step("fill_missing", {"column": "status", "value": "x"})


EDITS_ADD_WOULD_REFUSE = [
    ({"column": "nope"}, "No column named 'nope'"),
    ({"colour": "red"}, "has no parameter colour"),
    ({"action": "erase"}, "use one of: drop, cap, null"),
]


@pytest.mark.parametrize("applied", [False, True], ids=["proposed", "applied"])
@pytest.mark.parametrize("params, message", EDITS_ADD_WOULD_REFUSE, ids=[m for _, m in EDITS_ADD_WOULD_REFUSE])
def test_edit_refuses_what_add_refuses_and_changes_nothing(session, ws, applied, params, message):
    sid = kinds(session)["out_of_range"]
    if applied:
        session.accept(sid)
    saved = (sessions_dir(ws) / f"{session.id}.json").read_text()
    with pytest.raises(StocktakeError, match=message):
        session.edit_step(sid, params)
    assert (sessions_dir(ws) / f"{session.id}.json").read_text() == saved
    with pytest.raises(StocktakeError, match=message):
        session.add_custom_step("out_of_range", {"column": "price", "min": 0, **params})


def test_edit_checks_columns_against_the_table_the_step_runs_on(session):
    ids = kinds(session)
    session.accept(session.add_custom_step("drop_columns", {"columns": ["status"]}).id)
    with pytest.raises(UnknownNameError, match="No column named 'status'"):
        session.edit_step(ids["fill_missing"], {"value": "n/a"})  # its column is gone from the current table
    with pytest.raises(UnknownNameError, match="No column named 'nope'"):
        session.edit_step(ids["out_of_range"], {"column": "nope"})


def test_accept_all_takes_what_runs_and_reports_what_it_skipped(session):
    ids = kinds(session)
    session.accept(session.add_custom_step("drop_columns", {"columns": ["status"]}).id)
    accepted, skipped = session.accept_all()
    assert [v.id for v in accepted] == [ids["drop_duplicates"], ids["out_of_range"]]
    assert [(v.id, v.status) for v in skipped] == [(ids["normalise_text"], "proposed"),
                                                    (ids["fill_missing"], "proposed")]
    assert all("No column named 'status'" in v.problem for v in skipped)
    assert {v.id for v in session.proposals()} == {ids["normalise_text"], ids["fill_missing"]}


def test_finish_with_nothing_accepted_names_commands_that_exist(session, catalog):
    from stocktake.cli.main import app

    with pytest.raises(StocktakeError, match="no accepted steps, so there is nothing to save and nothing was written") as caught:
        session.finish()
    named = re.findall(r"`stocktake clean (\w+) ", str(caught.value))
    assert named == ["accept", "discard"]
    for command in named:
        assert CliRunner().invoke(app, ["clean", command, "--help"]).exit_code == 0
    assert [v.version for v in catalog.versions("orders")] == [1]


def test_discard_closes_the_session_keeps_its_files_and_writes_nothing(session, catalog, ws):
    session.accept(kinds(session)["drop_duplicates"])
    files = sorted(p.name for p in sessions_dir(ws).rglob("*") if p.is_file())
    session.discard()
    reloaded = load_session(ws, session.id)
    assert reloaded.show().discarded["at"] and reloaded.show().applied == session.show().applied
    assert [(s["id"], bool(s["discarded"]), s["finished"]) for s in list_sessions(ws)] == [(session.id, True, None)]
    assert sorted(p.name for p in sessions_dir(ws).rglob("*") if p.is_file()) == files
    assert [v.version for v in catalog.versions("orders")] == [1]


@pytest.mark.parametrize("action", [
    lambda s, sid: s.accept(sid), lambda s, sid: s.reject(sid), lambda s, sid: s.undo(), lambda s, sid: s.finish(),
    lambda s, sid: s.add_custom_step("drop_rows", {"where": "price < 0"}), lambda s, sid: s.edit_step(sid, {}),
    lambda s, sid: s.discard(),
], ids=["accept", "reject", "undo", "finish", "add", "edit", "discard"])
def test_discarded_session_refuses_more_changes(session, ws, action):
    session.discard()
    with pytest.raises(StocktakeError, match=f"Session {session.id} was discarded at .*; start a new session"):
        action(load_session(ws, session.id), kinds(session)["drop_duplicates"])


def test_custom_step_and_edit_of_an_applied_step(session):
    view = session.add_custom_step("drop_rows", {"where": "price < 5"})
    assert view.status == "proposed" and view.origin == "custom" and view.preview.rows_removed == 5
    session.accept(view.id)
    session.edit_step(view.id, {"where": "price < 0"})
    assert len(session.table()) == 5 and session.explain_step(view.id).params["where"] == "price < 0"


def test_session_resumes_after_a_restart(session, ws):
    ids = kinds(session)
    session.accept(ids["drop_duplicates"])
    session.accept(ids["out_of_range"])
    resumed = load_session(ws, session.id)
    pd.testing.assert_frame_equal(resumed.table(), session.table())
    assert resumed.show().applied == session.show().applied


def test_lost_cache_is_rebuilt_by_replay(session, ws):
    session.accept(kinds(session)["drop_duplicates"])
    for cache in (sessions_dir(ws) / session.id).glob("*.parquet"):
        cache.unlink()
    assert load_session(ws, session.id).table()["order_id"].tolist() == [1, 2, 3, 4, 5]


def test_crash_mid_write_keeps_the_last_good_state(session, ws, monkeypatch):
    ids = kinds(session)
    session.accept(ids["drop_duplicates"])
    good = session.table()
    real_write = pq.write_table

    def crash_after_partial_bytes(table, where, **kw):
        Path(where).write_bytes(b"PAR1 partial")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", crash_after_partial_bytes)
    with pytest.raises(OSError, match="disk full"):
        session.accept(ids["out_of_range"])
    monkeypatch.setattr(pq, "write_table", real_write)
    resumed = load_session(ws, session.id)
    pd.testing.assert_frame_equal(resumed.table(), good)
    assert resumed.show().applied == (ids["drop_duplicates"],)
    assert not list(sessions_dir(ws).rglob("*.tmp"))
    resumed.accept(ids["out_of_range"])  # and the session goes on
    assert (resumed.table()["price"] >= 0).all()


def test_finish_writes_a_new_version_with_lineage_and_loses_nothing(session, catalog, orders_csv):
    source_hash, v1_hash = file_hash(orders_csv), file_hash(catalog.path("orders", 1))
    session.accept(kinds(session)["drop_duplicates"])
    done = session.finish()
    v2 = catalog.versions("orders")[-1]
    assert done["version"] == 2 and v2.parent == 1
    assert v2.lineage["cleaning_session"] == session.id and v2.lineage["steps"][0]["kind"] == "drop_duplicates"
    assert catalog.load("orders")["order_id"].tolist() == [1, 2, 3, 4, 5]
    assert file_hash(orders_csv) == source_hash and file_hash(catalog.path("orders", 1)) == v1_hash


def test_lineage_describes_each_step_with_its_final_parameters(session, catalog):
    sid = kinds(session)["out_of_range"]
    session.accept(sid)
    session.edit_step(sid, {"action": "cap"})
    session.finish()
    (step,) = catalog.versions("orders")[-1].lineage["steps"]
    assert (step["params"]["action"], step["what"]) == ("cap", "set price below 0 to 0")
    assert catalog.load("orders")["price"].tolist() == [10.0, 0.0, 0.0, 7.5, 2.0, 4.0, 4.0]


@pytest.mark.parametrize("action", [
    lambda s, sid: s.undo(sid), lambda s, sid: s.undo(), lambda s, sid: s.redo(), lambda s, sid: s.finish(),
    lambda s, sid: s.add_custom_step("drop_rows", {"where": "price < 0"}), lambda s, sid: s.edit_step(sid, {}),
])
def test_finished_session_refuses_more_changes(session, action):
    sid = kinds(session)["drop_duplicates"]
    session.accept(sid)
    session.finish()
    with pytest.raises(StocktakeError, match="is finished"):
        action(session, sid)


def test_second_finish_on_a_changed_asset_is_told_and_writes_nothing(catalog, session):
    other = start_session(catalog, "orders")
    other.accept(kinds(other)["out_of_range"])
    session.accept(kinds(session)["drop_duplicates"])
    session.finish()
    with pytest.raises(StocktakeError, match=r"changed since session .* --rebase .* --branch"):
        other.finish()
    assert [v.version for v in catalog.versions("orders")] == [1, 2]


def test_rebase_replays_the_steps_onto_the_latest_version(catalog, session):
    other = start_session(catalog, "orders")
    other.accept(kinds(other)["out_of_range"])
    session.accept(kinds(session)["drop_duplicates"])
    session.finish()
    done = other.finish("rebase")
    latest = catalog.versions("orders")[-1]
    assert done == {**done, "version": 3, "mode": "rebase"} and latest.parent == 2
    assert catalog.load("orders")["order_id"].tolist() == [1, 3, 4, 5]  # both sessions' work


def test_branch_saves_a_new_asset_whose_parent_is_the_base(catalog, session):
    other = start_session(catalog, "orders")
    other.accept(kinds(other)["out_of_range"])
    session.accept(kinds(session)["drop_duplicates"])
    session.finish()
    done = other.finish("branch")
    assert done["asset"] == f"orders__branch_{other.id}" and done["version"] == 2
    branch = catalog.versions(done["asset"])
    pd.testing.assert_frame_equal(catalog.load(done["asset"], 1), catalog.load("orders", 1))
    assert branch[1].lineage["branched_from"] == {"asset": "orders", "version": 1}
    assert [v.version for v in catalog.versions("orders")] == [1, 2]


@pytest.mark.parametrize("wrong", [lambda sid: sid[:-1], lambda sid: "../" + sid])
def test_unknown_session_suggests_real_ones(session, ws, wrong):
    with pytest.raises(UnknownNameError, match=session.id):
        load_session(ws, wrong(session.id))


@pytest.mark.parametrize("typed", [False, True])
def test_exported_script_reproduces_the_session(session, catalog, tmp_path, typed):
    if typed:  # a base that plain read_csv cannot reproduce: the script must read the base snapshot
        base = catalog.load("orders").assign(order_id=lambda d: d["order_id"].astype("int32"))
        catalog.add_version("orders", base, note="typed")
        session = start_session(catalog, "orders")
    for view in session.proposals():
        session.accept(view.id)
    script = session.export_script(tmp_path / "clean.py")
    assert ("read_parquet(INPUT)" in script.read_text()) == typed
    out = tmp_path / "result.parquet"
    subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True, cwd=tmp_path)
    done = session.finish()
    pd.testing.assert_frame_equal(pd.read_parquet(out), catalog.load(done["asset"], done["version"]))


# ---- two processes on one session ---------------------------------------------------------------------------
CONFLICT = r"session {} was changed by another process \(now revision {}, this copy has revision {}\); nothing " \
           r"was saved\. Reload the session and try again\."


@pytest.mark.parametrize("action", [
    lambda s, ids: s.accept(ids["out_of_range"]), lambda s, ids: s.reject(ids["out_of_range"]),
    lambda s, ids: s.add_custom_step("drop_rows", {"where": "price < 0"}),
    lambda s, ids: s.edit_step(ids["fill_missing"], {"value": "n/a"}), lambda s, ids: s.finish(),
    lambda s, ids: s.discard(),
], ids=["accept", "reject", "custom-step", "edit", "finish", "discard"])
def test_a_copy_loaded_before_another_process_saved_cannot_overwrite_it(session, catalog, ws, action):
    ids = kinds(session)
    first, second = load_session(ws, session.id), load_session(ws, session.id)
    first.accept(ids["drop_duplicates"])
    with pytest.raises(StocktakeError, match=CONFLICT.format(session.id, 2, 1)):
        action(second, ids)
    kept = load_session(ws, session.id)
    assert kept.show().applied == (ids["drop_duplicates"],) and kept.state["revision"] == 2
    assert kept.table()["order_id"].tolist() == [1, 2, 3, 4, 5]
    assert [v.version for v in catalog.versions("orders")] == [1]  # a refused finish wrote no version


def test_after_a_reload_the_refused_step_goes_through(session, ws):
    ids = kinds(session)
    first, second = load_session(ws, session.id), load_session(ws, session.id)
    first.accept(ids["drop_duplicates"])
    with pytest.raises(StocktakeError, match="changed by another process"):
        second.accept(ids["out_of_range"])
    load_session(ws, session.id).accept(ids["out_of_range"])
    assert load_session(ws, session.id).show().applied == (ids["drop_duplicates"], ids["out_of_range"])


def test_sequential_use_from_one_copy_or_fresh_loads_is_unaffected(session, ws):
    ids = kinds(session)
    session.accept(ids["drop_duplicates"])
    session.accept(ids["normalise_text"])
    session.undo()
    load_session(ws, session.id).redo()  # another process, after this one's saves
    session = load_session(ws, session.id)
    session.accept(ids["out_of_range"])
    session.reject(ids["fill_missing"])
    assert session.show().applied == (ids["drop_duplicates"], ids["normalise_text"], ids["out_of_range"])
    assert session.state["revision"] == load_session(ws, session.id).state["revision"] == 7  # start + 6 saves


def test_racing_saves_from_copies_of_one_revision_let_exactly_one_win(session, ws, monkeypatch):
    """Each save checks and writes under the session's lock, so two can never both pass the check."""
    import time
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    import stocktake.tools.clean.store as engine

    real_write = engine.write_atomic

    def slow_disk(*args):  # widens the window between the check and the write
        time.sleep(0.05)
        real_write(*args)

    monkeypatch.setattr(engine, "write_atomic", slow_disk)
    steps = [v.id for v in session.proposals()]
    copies = [load_session(ws, session.id) for _ in steps]
    barrier = Barrier(len(copies))

    def reject(copy, step):
        copy.table()  # the slow part (a replay) before the race, so the saves really overlap
        barrier.wait()
        try:
            copy.reject(step)
            return step
        except StocktakeError:
            return None

    with ThreadPoolExecutor(len(copies)) as pool:
        won = [s for s in pool.map(reject, copies, steps) if s]
    assert len(won) == 1
    assert [v.id for v in load_session(ws, session.id).show().steps if v.status == "rejected"] == won


# ---- from the command line -----------------------------------------------------------------------------------
def clean(*args):
    from stocktake.cli.main import app

    return CliRunner().invoke(app, ["clean", *args])


def test_cli_edit_with_an_unknown_column_is_a_one_line_error_like_add(session, ws):
    sid = kinds(session)["out_of_range"]
    saved = (sessions_dir(ws) / f"{session.id}.json").read_text()
    for args in (["edit", session.id, sid, "-p", "column=nope"],
                 ["add", session.id, "out_of_range", "-p", "column=nope", "-p", "min=0"]):
        result = clean(*args)
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.strip().splitlines() == [
            "Error: No column named 'nope'. Valid: order_id, status, price."]
    assert (sessions_dir(ws) / f"{session.id}.json").read_text() == saved


def test_cli_accept_all_lists_the_skipped_steps(session):
    ids = kinds(session)
    session.accept(session.add_custom_step("drop_columns", {"columns": ["status"]}).id)
    result = clean("accept", session.id, "all")
    assert result.exit_code == 0
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped")]
    assert skipped == [f"skipped {ids['normalise_text']} normalise_text: No column named 'status'. Valid: "
                       "order_id, price.",
                       f"skipped {ids['fill_missing']} fill_missing: No column named 'status'. Valid: order_id, price."]
    again = json.loads(clean("accept", session.id, "all", "--json").stdout)
    assert again["steps"] == [] and [v["id"] for v in again["skipped"]] == [ids["normalise_text"], ids["fill_missing"]]


def test_cli_discard_then_list_and_show_it(session, catalog):
    result = clean("discard", session.id, "--yes")
    assert result.exit_code == 0 and "orders is unchanged" in result.stderr
    listed = json.loads(clean("sessions", "--json").stdout)["sessions"]
    assert [(s["id"], bool(s["discarded"])) for s in listed] == [(session.id, True)]
    assert "discarded" in clean("sessions").stdout and "nothing was written" in clean("show", session.id).stdout
    assert "discard" in clean("--help").stdout
    assert [v.version for v in catalog.versions("orders")] == [1]


def test_cli_undo_puts_the_step_back_among_the_pending_ones_and_show_keeps_its_history(session):
    sid = kinds(session)["drop_duplicates"]
    clean("accept", session.id, sid)
    undone = clean("undo", session.id)
    assert undone.exit_code == 0 and "applied: none" in undone.stderr
    assert f"{sid} [proposed; history: accepted → undone]" in clean("show", session.id).stdout
    assert json.loads(clean("accept", session.id, sid, "--json").stdout)["applied"] == [sid]


def test_cli_help_states_the_rule_for_reconsidering_a_decision():
    text = " ".join(clean("--help").stdout.split())
    assert "A decision stays until undo takes it back" in text and "a rejected one is reopened" in text
