"""Shared fixtures: a fresh workspace per test, the shared datasets, and a guard against real network calls."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from stocktake.catalog import Catalog, Workspace

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _own_workspace(tmp_path, monkeypatch):
    """Every test gets its own workspace; nothing leaks between tests or into the checkout."""
    monkeypatch.setenv("STOCKTAKE_HOME", str(tmp_path / "workspace"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    # No LLM endpoint answers in tests unless a test starts one and points here.
    monkeypatch.setenv("STOCKTAKE_LLM_BASE_URL", "http://127.0.0.1:9/v1")


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path / "workspace")


@pytest.fixture
def catalog(ws) -> Catalog:
    return Catalog(ws)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (they sit beside the checkout as ../shared/data)")
    return SHARED_DATA


def _is_local(host) -> bool:
    if isinstance(host, (bytes, bytearray)):
        host = host.decode()
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    """Tests may talk to servers on loopback only; anything else is a bug (no downloads, no telemetry)."""
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
