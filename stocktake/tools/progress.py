"""How a long-running engine says what it is doing: ``progress(step, done, total)``.

Engines take a ``progress`` callable (default :func:`no_progress`) and call it as work gets done; the caller
draws it: a rich bar on stderr in the CLI, ``gr.Progress`` in the app. ``step`` says in words what is
happening ("bpr (5/5) · tuning (grid), epoch 35"); ``done`` counts the units of the current step finished so
far and ``total`` is how many there are (None when not known in advance). Within a step ``done`` never goes
down and ``total`` stays the same, so a call with a smaller ``done`` or another ``total`` starts a new step
(and a new estimate of the time left). The text may change from call to call inside one step.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, step: str, done: int, total: int | None) -> None: ...


def no_progress(step: str, done: int, total: int | None) -> None:
    """The default: nobody is watching."""


def prefixed(progress: Progress, prefix: str) -> Progress:
    """``progress`` for one part of a larger job: each step's text starts with ``prefix``."""

    def report(step: str, done: int, total: int | None) -> None:
        progress(f"{prefix} · {step}", done, total)

    return report


def as_detail(progress: Progress, step: str, done: int, total: int | None) -> Progress:
    """``progress`` for a sub-task that is one unit of ``step``: its reports become the text of ``step``,
    whose count stays at ``done`` of ``total`` (a model's epochs within one grid entry of its tuning)."""

    def report(inner: str, inner_done: int, inner_total: int | None) -> None:
        count = f" {inner_done:,}/{inner_total:,}" if inner_total is not None else ""
        progress(f"{step} · {inner}{count}", done, total)

    return report
