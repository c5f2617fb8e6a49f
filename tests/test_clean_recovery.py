"""Crash consistency of cleaning (issue 13, item 10) and ``stocktake doctor``: a child process is killed with
``os._exit`` at a chosen point of a finish or a save, the way ``kill -9`` would stop it, and what it leaves must be
completed or rolled back, never applied twice, and cleaned up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.cli.main import app
from stocktake.errors import StocktakeError
from stocktake.registry import ModelRegistry
from stocktake.tools.clean import load_session, start_session
from stocktake.tools.clean.store import sessions_dir
from stocktake.tools.doctor import DoctorSettings, examine

ROOT = Path(__file__).resolve().parents[1]
NOW = DoctorSettings(min_age_s=0)

# Each hook stops the process dead (no cleanup, no finally blocks) at one point of the write.
CHILD = """
import os, sys
from stocktake.catalog import Catalog
import stocktake.tools.clean.store as engine
from stocktake.tools.clean import load_session

workspace, session_id, hook, action = sys.argv[1:]
real_add, real_insert, real_write = Catalog.add_version, Catalog._insert_version, engine.write_atomic

def add_then_die(self, *args, **kwargs):
    real_add(self, *args, **kwargs)
    os._exit(9)

def die(*args, **kwargs):
    os._exit(9)

def cache_then_die(path, write):
    real_write(path, write)
    if path.name.startswith("current-"):
        os._exit(9)

hooks = {"after_catalog_write": ("add_version", add_then_die), "before_catalog_row": ("_insert_version", die),
         "before_add_version": ("add_version", die)}
if hook in hooks:
    setattr(Catalog, *hooks[hook])
elif hook == "during_session_write":
    os.replace = die
elif hook == "after_cache_write":
    engine.write_atomic = cache_then_die
session = load_session(Catalog(workspace), session_id)
what, _, arg = action.partition(":")
session.finish(arg or None) if what == "finish" else session.accept(arg)
os._exit(0)
"""


def kill_during(catalog, session_id: str, hook: str, action: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(catalog.ws.root), session_id, hook, action], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr


@pytest.fixture
def session(catalog):
    catalog.register("orders", pd.DataFrame({"order_id": [1, 2, 3, 4], "price": [10.0, -3.0, 7.5, -1.0]}),
                     kind="orders", source="memory", fmt="csv")
    s = start_session(catalog, "orders")
    s.accept(s.add_custom_step("drop_rows", {"where": "price < 0"}).id)
    return s


def versions(catalog, asset: str = "orders") -> list[int]:
    return [v.version for v in catalog.versions(asset)]


def raw_state(catalog, session_id: str) -> dict:
    return json.loads((sessions_dir(catalog.ws) / f"{session_id}.json").read_text())


def cleaned_by(catalog, session_id: str, asset: str = "orders") -> list[int]:
    return [v.version for v in catalog.versions(asset) if v.lineage.get("cleaning_session") == session_id]


def test_a_finish_killed_after_the_catalog_write_is_completed_not_repeated(catalog, session):
    kill_during(catalog, session.id, "after_catalog_write", "finish")
    state = raw_state(catalog, session.id)
    assert versions(catalog) == [1, 2] and state["finished"] is None and state["finishing"]["version"] == 2
    result = CliRunner().invoke(app, ["clean", "finish", session.id, "--rebase"])
    assert result.exit_code == 1
    assert ("is finished (written as orders version 2, completed after the finish was interrupted)"
            in result.stderr)
    assert versions(catalog) == [1, 2] and cleaned_by(catalog, session.id) == [2]
    assert catalog.load("orders")["order_id"].tolist() == [1, 3]
    finished = load_session(catalog, session.id).state["finished"]
    assert (finished["version"], finished["mode"], finished["recovered"]) == (2, "direct", True)


def test_a_rebase_killed_after_the_catalog_write_does_not_clean_twice(catalog, session):
    """The issue's case: the next ``finish --rebase`` used to write the same cleaning again on top."""
    catalog.add_version("orders", pd.DataFrame({"order_id": [1, 2, 3, 4, 5], "price": [10.0, -3.0, 7.5, -1.0, -9.0]}),
                        note="re-ingested")
    kill_during(catalog, session.id, "after_catalog_write", "finish:rebase")
    assert versions(catalog) == [1, 2, 3]
    with pytest.raises(StocktakeError, match="is finished \\(written as orders version 3"):
        load_session(catalog, session.id).finish("rebase")
    assert versions(catalog) == [1, 2, 3] and cleaned_by(catalog, session.id) == [3]
    assert catalog.load("orders")["order_id"].tolist() == [1, 3]


def test_a_finish_killed_before_the_catalog_row_is_rolled_back_and_can_run_again(catalog, session):
    kill_during(catalog, session.id, "before_catalog_row", "finish")
    assert versions(catalog) == [1] and raw_state(catalog, session.id)["finishing"]
    orphans = [p for p in (catalog.ws.dir("snapshots") / "orders").glob("*.parquet") if p != catalog.path("orders", 1)]
    assert len(orphans) == 1  # the snapshot was written, its catalog row never was
    reopened = load_session(catalog, session.id)
    assert reopened.state["finishing"] is None and reopened.state["finished"] is None
    done = reopened.finish()
    assert done["version"] == 2 and versions(catalog) == [1, 2] and cleaned_by(catalog, session.id) == [2]


def test_doctor_rolls_back_the_interrupted_finish_and_removes_its_orphan_snapshot(catalog, session):
    kill_during(catalog, session.id, "before_catalog_row", "finish")
    dry = examine(catalog, NOW, dry_run=True)
    assert [(f.kind, f.action) for f in dry.findings] == [
        ("interrupted_finish", "would be rolled back: the session is open again"),
        ("orphan_snapshot", "would remove")]
    assert raw_state(catalog, session.id)["finishing"]
    assert len(list(catalog.ws.dir("snapshots").rglob("*.parquet"))) == 2
    done = examine(catalog, NOW)
    assert [(f.kind, f.action) for f in done.findings] == [
        ("interrupted_finish", "rolled back: the session is open again"), ("orphan_snapshot", "removed")]
    assert list(catalog.ws.dir("snapshots").rglob("*.parquet")) == [catalog.path("orders", 1)]
    assert examine(catalog, NOW).findings == ()
    assert load_session(catalog, session.id).finish()["version"] == 2


def test_a_branch_left_half_made_is_removed_and_the_branch_written_again(catalog, session):
    kill_during(catalog, session.id, "before_add_version", "finish:branch")
    branch = f"orders__branch_{session.id}"
    assert versions(catalog, branch) == [1]
    reopened = load_session(catalog, session.id)
    assert not catalog.exists(branch) and reopened.state["finished"] is None
    assert reopened.finish("branch") == {**reopened.state["finished"], "asset": branch, "version": 2, "mode": "branch"}
    assert versions(catalog, branch) == [1, 2] and versions(catalog) == [1]


def test_a_kill_while_saving_the_intent_leaves_the_session_as_it_was(catalog, session):
    before = raw_state(catalog, session.id)
    kill_during(catalog, session.id, "during_session_write", "finish")
    assert raw_state(catalog, session.id) == before and versions(catalog) == [1]
    [temp] = [f for f in examine(catalog, NOW, dry_run=True).findings]
    assert temp.kind == "temp_file" and temp.path.startswith("sessions/cleaning/.")
    examine(catalog, NOW)
    assert not list(sessions_dir(catalog.ws).glob("*.tmp"))
    assert load_session(catalog, session.id).finish()["version"] == 2


def test_a_kill_after_caching_a_step_leaves_the_decision_unmade_and_a_stale_cache(catalog, session):
    step = session.add_custom_step("drop_duplicates", {}).id
    kill_during(catalog, session.id, "after_cache_write", f"accept:{step}")
    reopened = load_session(catalog, session.id)
    assert step not in reopened.show().applied and reopened.table()["order_id"].tolist() == [1, 3]
    [stale] = examine(catalog, NOW).findings
    assert (stale.kind, stale.action) == ("stale_cache", "removed")
    assert reopened.accept(step).status == "accepted"


# ---- doctor on a workspace with leftovers ---------------------------------------------------------------------
def plant_leftovers(catalog) -> dict[str, Path]:
    snapshots = catalog.ws.dir("snapshots") / "orders"
    planted = {
        "orphan_snapshot": snapshots / "0123456789abcdef.parquet",
        "temp_file": snapshots / "tmpab12cd.parquet.tmp",
        "profile_temp": catalog.ws.dir("cache") / "profiles" / "orders-x.4242.tmp",
        "chat_temp": catalog.ws.dir("cache") / ".chat-cleaning-sessions.json.k3j2h1",
        "orphan_model": catalog.ws.dir("models") / "cla-minilm-0badc0de" / "config.json",
    }
    for path in planted.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left by a killed process")
    return planted


def test_doctor_finds_what_kills_leave_and_a_dry_run_changes_nothing(catalog, session):
    planted = plant_leftovers(catalog)
    report = examine(catalog, NOW, dry_run=True)
    assert sorted(f.kind for f in report.findings) == ["orphan_model", "orphan_snapshot", "temp_file", "temp_file",
                                                       "temp_file"]
    assert {f.action for f in report.findings} == {"would remove"} and all(p.exists() for p in planted.values())
    examine(catalog, NOW)
    assert not any(p.exists() for p in planted.values())
    assert catalog.load("orders")["order_id"].tolist() == [1, 2, 3, 4]
    assert load_session(catalog, session.id).table()["order_id"].tolist() == [1, 3]


def test_doctor_leaves_recent_files_alone(catalog, session):
    planted = plant_leftovers(catalog)
    report = examine(catalog)  # default: younger than ten minutes may be a write in progress
    assert {f.action for f in report.findings} == {"left alone: too recent, a write may be in progress"}
    assert all(p.exists() for p in planted.values())


def test_doctor_keeps_recorded_models_and_reports_damaged_files(catalog, session):
    registry = ModelRegistry(catalog.ws)
    model_id, folder = registry.new_dir("recommender", "pop")
    registry.record(model_id, task="recommender", algorithm="pop", asset="orders", asset_version=1, metrics={},
                    params={})
    with catalog.ws.connect() as db:
        db.execute("INSERT INTO models VALUES ('rec-pop-deadbeef', 'recommender', 'pop', 'orders', 1, "
                   "'../../etc', '{}', '{}', '2026-01-01')")
    damaged = start_session(catalog, "orders")
    (sessions_dir(catalog.ws) / f"{damaged.id}.json").write_text("{not json")
    report = examine(catalog, NOW)
    assert sorted((f.kind, f.action.split(":")[0]) for f in report.findings) == [
        ("damaged_model_entry", "left alone"), ("damaged_session", "left alone")]
    assert folder.is_dir() and (sessions_dir(catalog.ws) / f"{damaged.id}.json").is_file()


def test_doctor_reports_a_version_whose_snapshot_is_gone(catalog, session):
    catalog.path("orders", 1).unlink()
    [missing] = [f for f in examine(catalog, NOW).findings if f.kind == "missing_snapshot"]
    assert missing.detail == "orders version 1 has no snapshot" and missing.action.startswith("left alone")


def test_doctor_on_the_command_line(catalog, session):
    plant_leftovers(catalog)
    runner = CliRunner()
    dry = runner.invoke(app, ["doctor", "--dry-run", "--min-age", "0", "--json"])
    assert dry.exit_code == 0 and json.loads(dry.stdout)["dry_run"] is True
    assert len(json.loads(dry.stdout)["findings"]) == 5
    shown = runner.invoke(app, ["doctor", "--min-age", "0"])
    assert shown.exit_code == 0 and "orphan snapshot" in shown.stdout and "removed" in shown.stdout
    again = runner.invoke(app, ["doctor", "--min-age", "0"])
    assert again.exit_code == 0 and "nothing to put right" in again.stderr
