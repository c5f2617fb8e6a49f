"""How the web app answers its other users while one of them sends a hostile request: a real `stocktake serve`
on the sample shop, a few clients asking everyday questions through the app's API, first alone and then with
one hostile request always in flight.

    python bench/web_load_bench.py [--clients 3] [--rounds 6] [--hostile memory|mask|slow] [--keep DIR]

Hostile requests (each answered with a refusal or a bounded answer, never a stall):
  memory  SELECT repeat('x', 100000000) FROM range(20)         (2 GB of text asked for)
  mask    the first rows of an asset whose value is 150 KB of letters and e-mail addresses (masking cost)
  slow    a cross join that runs into the SQL time limit

Prints p50/p95 of the everyday answers without and with the hostile request, their ratio, and how the hostile
requests ended (seconds, first words of the answer). Target: p95 with one hostile in flight within 2x of alone.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

QUESTIONS = ["how many orders were cancelled?", "revenue by category", "which assets exist?",
             "average rating per category", "top 5 products by revenue", "orders per month"]
HOSTILE = {
    "memory": "SELECT repeat('x', 100000000) FROM range(20)",
    "mask": "show the first rows of notes",
    "slow": "SELECT count(*) FROM events a, events b, events c",
}


def prepare(root: Path) -> Path:
    """The sample shop as `stocktake demo` leaves it, plus an asset holding one 150 KB hostile value."""
    from stocktake.catalog import Catalog, Workspace
    from stocktake.cli.demo_cmds import prepare_demo
    from stocktake.tools.ingest import ingest_path

    ws = root / "ws"
    if not (ws / "catalog.sqlite").exists():
        catalog = Catalog(Workspace(ws))
        prepare_demo(catalog)
        notes = root / "notes.csv"
        value = ("a" * 5000 + " someone@example.com ") * 29  # about 150 KB, quadratic for a naive masker
        notes.write_text(f"note_id,text\n1,{value}\n2,short\n", encoding="utf-8")
        ingest_path(catalog, notes, name="notes")
    return ws


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(ws: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([sys.executable, "-m", "stocktake.cli.main", "--workspace", str(ws), "serve",
                               "--offline", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start within 120 s")


def ask(url: str, question: str, folder: str) -> tuple[float, str]:
    import gradio_client

    client = gradio_client.Client(url, verbose=False, analytics_enabled=False, download_files=folder)
    started = time.perf_counter()
    history = client.predict(question, [], api_name="/respond")[0]
    seconds = time.perf_counter() - started
    last = history[-1]["content"] if history else ""
    text = " ".join(c.get("text", "") for c in last) if isinstance(last, list) else str(last)
    return seconds, text


def everyday_load(url: str, clients: int, rounds: int, folder: str) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()

    def one(k: int) -> None:
        for r in range(rounds):
            seconds, _ = ask(url, QUESTIONS[(k + r) % len(QUESTIONS)], folder)
            with lock:
                times.append(seconds)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--hostile", choices=sorted(HOSTILE), default="memory")
    parser.add_argument("--keep", type=Path, help="build (or reuse) the workspace here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="web-load-"))
    root.mkdir(parents=True, exist_ok=True)
    ws = prepare(root)
    port = free_port()
    server = start_server(ws, port)
    url = f"http://127.0.0.1:{port}/"
    folder = tempfile.mkdtemp(prefix="web-load-dl-")
    try:
        ask(url, "which assets exist?", folder)  # warm: profiles and the planner's schema built once
        alone = everyday_load(url, args.clients, args.rounds, folder)
        stop = threading.Event()
        hostile: list[tuple[float, str]] = []

        def attacker() -> None:
            while not stop.is_set():
                hostile.append(ask(url, HOSTILE[args.hostile], folder))

        attack = threading.Thread(target=attacker)
        attack.start()
        time.sleep(1.0)  # the hostile request is in flight before the others start
        loaded = everyday_load(url, args.clients, args.rounds, folder)
        stop.set()
        attack.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    p50a, p95a = percentile(alone, 50), percentile(alone, 95)
    p50b, p95b = percentile(loaded, 50), percentile(loaded, 95)
    print(f"everyday answers, {args.clients} clients x {args.rounds} rounds, offline planner, sample shop")
    print(f"  alone:                  p50 {p50a:.2f} s  p95 {p95a:.2f} s  (n={len(alone)})")
    print(f"  with '{args.hostile}' in flight: p50 {p50b:.2f} s  p95 {p95b:.2f} s  (n={len(loaded)})")
    print(f"  p95 ratio (with / alone): {p95b / p95a:.2f}x   target <= 2x")
    for seconds, text in hostile:
        print(f"  hostile request: {seconds:.2f} s  -> {' '.join(text.split())[:110]}")


if __name__ == "__main__":
    main()
