"""A long tool's progress, carried to the conversation's event stream while the tool runs.

A tool asks ``tool_progress(config)`` for the engines' ``progress(step, done, total)`` callable. In an offline
turn the call runs in a worker thread (``reporting``) and its reports come out as ``ToolProgress`` events; under
the language-model agent they go into LangGraph's custom stream, which the assistant turns into the same events.
Each event redraws a whole chat, so reports are thinned to one every ``every`` seconds (the first at once).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from stocktake.agent.events import ToolProgress
from stocktake.tools.progress import Progress, no_progress

EVERY = 0.5  # seconds between two reports shown


def tool_progress(config: dict | None, every: float = EVERY) -> Progress:
    """Where a tool reports: the offline turn's reporter (in the run's config), else the agent's stream."""
    report = ((config or {}).get("configurable") or {}).get("progress")
    return report if report is not None else _agent_stream(every)


def _agent_stream(every: float) -> Progress:
    try:
        from langgraph.config import get_stream_writer

        write = get_stream_writer()
    except (ImportError, RuntimeError):  # not inside an agent's run: nobody is watching
        return no_progress
    last = [float("-inf")]

    def report(step: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] >= every or total is not None and done >= total:
            last[0] = now
            write({"progress": [step, done, total]})

    return report


def reporting(call: Callable[[Progress], Any], call_id: str, name: str,
              every: float = EVERY) -> Iterator[ToolProgress]:
    """Run ``call(progress)`` in a worker thread, yielding its latest report while it runs; the generator's
    return value is the call's (``result = yield from reporting(...)``), and its exception is raised here."""
    latest: list[tuple | None] = [None]
    changed = threading.Event()
    outcome: dict[str, Any] = {}

    def report(step: str, done: int, total: int | None) -> None:
        latest[0] = (step, done, total)
        changed.set()

    def work() -> None:
        try:
            outcome["result"] = call(report)
        except BaseException as exc:  # handed to the caller's thread, which raises it
            outcome["error"] = exc
        finally:
            changed.set()  # a quick call that reports nothing is not waited on for a report

    worker = threading.Thread(target=work, name=f"tool-{name}", daemon=True)
    worker.start()
    shown = None
    try:
        while worker.is_alive():
            changed.wait(every)
            changed.clear()
            if latest[0] is not None and latest[0] != shown:
                shown = latest[0]
                yield ToolProgress(call_id, name, *shown)
                worker.join(every)  # at most one report per ``every`` reaches the page
        if latest[0] is not None and latest[0] != shown:
            yield ToolProgress(call_id, name, *latest[0])
    finally:
        # A stopped turn still waits for its step to end: the conversation's next turn must not overlap it.
        worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
