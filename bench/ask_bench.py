"""How fast the offline assistant answers: a cold `stocktake ask --offline` process, and a planner answer inside a
running app, on the medium sample shop.

    python bench/ask_bench.py [--runs 5] [--questions 40] [--keep DIR]

Prints the median wall time of a cold `ask` per question beside the median of `stocktake --help` (the floor
any command pays: the interpreter and the CLI's imports) and their ratio; then the p50/p95 of answers in one
process, as the app gives them (warm: profiles cached, the assistant built once). Targets: cold median <= 3 s,
in-app p95 <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "which assets exist?", "how many orders were cancelled?", "revenue by category", "top 5 products by revenue",
    "orders per month in 2024", "average rating per category", "how many users signed up last month",
    "what does orders.status mean?", "are there duplicates in orders?", "order 1000517",
]


def prepare(root: Path) -> Path:
    """A medium sample shop, ingested, profiled and indexed, as `stocktake demo` leaves it."""
    from stocktake.catalog import Catalog, Workspace
    from stocktake.cli.demo_cmds import index_demo_docs, prepare_demo

    ws = root / "ws"
    if not (ws / "catalog.sqlite").exists():
        catalog = Catalog(Workspace(ws))
        prepare_demo(catalog, scale="medium")
        index_demo_docs(catalog)
    return ws


def cold(ws: Path, args: list[str], runs: int) -> float:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "stocktake", "--workspace", str(ws), *args], check=True,
                       capture_output=True, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def warm(ws: Path, questions: int) -> list[float]:
    from stocktake.agent.assistant import Assistant
    from stocktake.agent.context import ToolContext
    from stocktake.catalog import Catalog, Workspace

    assistant = Assistant(ToolContext(Catalog(Workspace(ws))))
    assistant.ask(QUESTIONS[0], thread_id="warm-up")
    times = []
    for i in range(questions):
        started = time.perf_counter()
        assistant.ask(QUESTIONS[i % len(QUESTIONS)], thread_id=f"t{i}")
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="reuse the prepared workspace in this folder")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="ask-bench-"))
    ws = prepare(root)
    floor = cold(ws, ["--help"], args.runs)
    print(f"`stocktake --help` (the floor): median {floor:.2f} s over {args.runs} runs")
    medians = []
    for question in QUESTIONS[:5]:
        median = cold(ws, ["ask", "--offline", question], args.runs)
        medians.append(median)
        print(f"cold ask {question!r:45} median {median:.2f} s ({median / floor:.1f}x the floor)")
    print(f"cold ask overall median: {statistics.median(medians):.2f} s (target <= 3 s)")
    times = sorted(warm(ws, args.questions))
    p50, p95 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"in-app planner answers: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms over {len(times)} answers "
          "(target p95 <= 1 s)")


if __name__ == "__main__":
    main()
