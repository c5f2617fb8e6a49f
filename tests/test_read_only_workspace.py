"""A workspace the user may not write to (a colleague's, a read-only mount): commands that write say so in one
line and change nothing; commands that only read, ``docs search`` included, work (issue 13, item 11)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ingest_fixtures import folder_state

REPO = Path(__file__).resolve().parents[1]
# Root ignores file modes; without these capabilities it meets them like any other user.
DROP_ROOT_POWERS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
DRIVER = """
import json, sys
from typer.testing import CliRunner
from stocktake.cli.main import app
runner, results = CliRunner(), {}
for label, args in json.loads(sys.argv[2]).items():
    result = runner.invoke(app, ["--workspace", sys.argv[1], *args])
    results[label] = [result.exit_code, result.stdout, result.stderr]
print(json.dumps(results))
"""

pytestmark = pytest.mark.slow


def _as_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("running as root, and setpriv (to drop root's file-permission override) is not installed")
    return DROP_ROOT_POWERS + command


@pytest.fixture(scope="module")
def read_only_run(tmp_path_factory):
    """One workspace with an asset and an indexed doc, made read-only, and what each command does on it."""
    from stocktake.catalog import Catalog
    from stocktake.tools.docs import index_docs
    from stocktake.tools.ingest import ingest_path
    from stocktake.vectorstore.store import DocStore

    root = tmp_path_factory.mktemp("read_only")
    (root / "orders.csv").write_text("order_id,status\n1,paid\n2,sent\n")
    (root / "new.csv").write_text("a\n1\n")
    (root / "doc.md").write_text("# Orders\n\nThe order status is paid or sent.\n")
    catalog = Catalog(root / "ws")
    ingest_path(catalog, root / "orders.csv")
    index_docs(DocStore(catalog.ws), [root / "doc.md"], catalog)
    commands = {"ingest": ["ingest", str(root / "new.csv")], "remove": ["remove", "orders", "--yes"],
                "docs add": ["docs", "add", str(root / "doc.md")], "docs search": ["docs", "search", "order status"],
                "assets": ["assets", "--json"], "profile": ["profile", "orders"]}
    subprocess.run(["chmod", "-R", "a-w", str(root / "ws")], check=True)
    before = folder_state(root / "ws")
    try:
        env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
               "ANONYMIZED_TELEMETRY": "False", "STOCKTAKE_LLM_BASE_URL": "http://127.0.0.1:9/v1"}
        proc = subprocess.run(_as_user([sys.executable, "-c", DRIVER, str(root / "ws"), json.dumps(commands)]),
                              capture_output=True, text=True, env=env, timeout=300)
        after = folder_state(root / "ws")
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(root / "ws")], check=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), before, after


def _result(run, command: str):
    return run[0][command]


@pytest.mark.parametrize("command", ["ingest", "remove", "docs add", "profile"])
def test_a_command_that_writes_says_the_workspace_is_read_only_in_one_line(read_only_run, command):
    code, stdout, stderr = _result(read_only_run, command)
    assert code == 1 and stderr.count("\n") == 1 and "internal error" not in stderr
    assert stderr.startswith("Error: Cannot write to the workspace ") and "so nothing was changed" in stderr


def test_docs_search_works_in_a_read_only_workspace(read_only_run):
    code, stdout, stderr = _result(read_only_run, "docs search")
    assert code == 0, stderr
    assert "The order status is paid or sent." in stdout


def test_listing_assets_works_in_a_read_only_workspace(read_only_run):
    code, stdout, _ = _result(read_only_run, "assets")
    assert code == 0 and [a["name"] for a in json.loads(stdout)["assets"]] == ["orders"]


def test_nothing_in_a_read_only_workspace_changes(read_only_run):
    _, before, after = read_only_run
    assert after == before
