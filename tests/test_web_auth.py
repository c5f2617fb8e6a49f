"""With --auth, nothing about the workspace is visible and nothing answers before login: tried against a real
launched app over HTTP."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import httpx
import pandas as pd
import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.serve.app import build_app, launch_app

gradio_client = pytest.importorskip("gradio_client")

ASSET = "zz_secret_customers"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    catalog = Catalog(Workspace(tmp_path_factory.mktemp("auth") / "workspace"))
    catalog.register(ASSET, pd.DataFrame({"user_id": [1], "city": ["Ghent"]}), kind="users", source="t", fmt="csv")
    # The gate is in front of every panel; no question is asked here, so the assistant only has to say its mode.
    blocks = build_app(catalog, SimpleNamespace(mode="offline", model_name=None), offline=True)
    url = launch_app(blocks, host="127.0.0.1", port=free_port(), auth="admin:s3cret")
    yield url.rstrip("/"), str(catalog.ws.root)
    blocks.close()


def workspace_named(text: str, root: str) -> bool:
    return ASSET in text or root in text or "workspace" in text


def test_the_login_page_names_nothing_of_the_workspace(served):
    url, root = served
    page = httpx.get(url + "/")
    assert page.status_code == 200 and "password" in page.text
    assert not workspace_named(page.text, root) and "dependencies" not in page.text and "respond" not in page.text


@pytest.mark.parametrize("method, path", [
    ("GET", "/config"), ("GET", "/gradio_api/info"), ("GET", "/gradio_api/openapi.json"),
    ("POST", "/gradio_api/reset"), ("POST", "/gradio_api/cancel"), ("GET", "/gradio_api/heartbeat/abc"),
    ("POST", "/gradio_api/queue/join"), ("GET", "/gradio_api/queue/data?session_hash=abc"),
    ("POST", "/gradio_api/upload"), ("POST", "/gradio_api/call/respond"), ("POST", "/gradio_api/stream/abc"),
    ("GET", "/gradio_api/file=/etc/hostname"), ("GET", "/gradio_api/startup-events"), ("GET", "/gradio_api/app_id"),
    ("GET", "/theme.css"), ("GET", "/manifest.json"), ("GET", "/user"), ("GET", "/token"), ("GET", "/monitoring"),
])
def test_every_route_answers_only_after_login(served, method, path):
    url, root = served
    answer = httpx.request(method, url + path, json={"event_id": "x", "session_hash": "x", "data": []}, timeout=10)
    assert answer.status_code == 401 and not workspace_named(answer.text, root)


def test_a_wrong_password_gets_no_session(served):
    url, _ = served
    with httpx.Client(base_url=url) as client:
        assert client.post("/login", data={"username": "admin", "password": "wrong"}).status_code == 400
        assert client.get("/config").status_code == 401


def test_after_login_the_app_answers(served):
    url, _ = served
    with httpx.Client(base_url=url) as client:
        assert client.post("/login", data={"username": "admin", "password": "s3cret"}).status_code == 200
        assert ASSET in client.get("/config").text
        assert client.post("/gradio_api/reset", json={"event_id": "x"}).status_code != 401


def test_the_api_client_logs_in(served, tmp_path):
    url, _ = served
    api = gradio_client.Client(url, auth=("admin", "s3cret"), verbose=False, analytics_enabled=False,
                               download_files=str(tmp_path))
    assert "/respond" in api.view_api(print_info=False, return_format="dict")["named_endpoints"]
