"""The CLI's step display: an engine's progress(step, done, total) calls drawn as rich tasks on stderr."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.progress import Progress

from stocktake.cli.common import StepDisplay, engine_progress
from stocktake.tools.progress import as_detail, prefixed


@pytest.fixture
def display() -> StepDisplay:
    return StepDisplay(Progress(disable=True), "Training")


def shown(display: StepDisplay) -> list[tuple]:
    return [(t.description, t.completed, t.total, t.fields["count"]) for t in display.bar.tasks]


@pytest.mark.parametrize(("calls", "expected_step"), [
    # the same step moving on: one task, its text and count updated
    ([("a", 0, 4), ("a, epoch 3", 2, 4)], ("a, epoch 3", 2, 4, "2/4")),
    # done going down starts the next step
    ([("a", 4, 4), ("b", 0, 4)], ("b", 0, 4, "0/4")),
    # another total starts the next step, even where done goes up
    ([("a", 1, 4), ("b", 2, 9)], ("b", 2, 9, "2/9")),
    # no total: a step without a count
    ([("a", 1, 4), ("saving", 0, None)], ("saving", 0, None, "")),
    ([("rows", 1200, 5000)], ("rows", 1200, 5000, "1,200/5,000")),
])
def test_the_display_keeps_the_title_and_one_line_for_the_current_step(display, calls, expected_step):
    for call in calls:
        display(*call)
    assert shown(display) == [("Training", 0, None, ""), expected_step]


def test_a_new_step_restarts_the_time_estimate(display):
    display("a", 3, 4)
    first = display.bar.tasks[1].id
    display("b", 0, 4)
    assert [t.id for t in display.bar.tasks][1] != first and display.bar.tasks[1].completed == 0


def test_steps_go_to_stderr_and_nothing_to_stdout(capsys):
    terminal = io.StringIO()
    with engine_progress("Training", console=Console(file=terminal, force_terminal=True, width=120)) as show:
        show("bpr (5/5) · training (epochs)", 30, 75)
    assert "bpr (5/5) · training (epochs)" in terminal.getvalue() and "30/75" in terminal.getvalue()
    assert capsys.readouterr().out == ""


def test_step_text_is_shown_as_written_never_read_as_markup():
    terminal = io.StringIO()
    with engine_progress("Auditing [/bold] labels", console=Console(file=terminal, force_terminal=True)) as show:
        show("profiling [red]x[/] (1/2)", 0, 2)
    assert "profiling [red]x[/] (1/2)" in terminal.getvalue()


def test_nothing_is_drawn_when_stderr_is_not_a_terminal():
    piped = io.StringIO()
    with engine_progress("Training", console=Console(file=piped)) as show:
        show("a", 1, 2)
    assert piped.getvalue() == ""


@pytest.mark.parametrize(("wrap", "call", "expected"), [
    (lambda p: prefixed(p, "bpr (5/5)"), ("training (epochs)", 3, 10), ("bpr (5/5) · training (epochs)", 3, 10)),
    (lambda p: as_detail(p, "tuning (grid)", 1, 3), ("epochs", 35, 100), ("tuning (grid) · epochs 35/100", 1, 3)),
    (lambda p: as_detail(p, "profiling orders", 0, 5), ("scanning", 0, None), ("profiling orders · scanning", 0, 5)),
])
def test_progress_adapters(wrap, call, expected):
    calls = []
    wrap(lambda *a: calls.append(a))(*call)
    assert calls == [expected]
