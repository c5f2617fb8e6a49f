"""What a conversation turn produces, as a stream the CLI and the Gradio app render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolStarted:
    id: str
    name: str
    args: dict


@dataclass(frozen=True)
class ToolFinished:
    id: str
    name: str
    content: str
    artifact: Any
    seconds: float
    ok: bool = True


@dataclass(frozen=True)
class ToolProgress:
    """How far a running tool is: its step in words and its count (see stocktake.tools.progress)."""
    id: str
    name: str
    step: str
    done: int
    total: int | None


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ConfirmationNeeded:
    """The agent wants to run tools that change data; nothing runs until the user answers."""
    actions: tuple[dict, ...]  # {"name", "args", "description"}


ANSWER_STATUSES = ("answered", "clarify", "refused", "unknown", "error", "confirm")


@dataclass(frozen=True)
class Answer:
    """One turn's answer. ``text`` is what a person reads; the other fields say the same in a form that a page,
    a test or an evaluation can check without parsing prose.

    status: ``answered`` (a result the assistant stands by), ``clarify`` (not sure: says what it understood and
    offers ``suggestions``), ``refused`` (a request it will not carry out, with what can be done instead),
    ``unknown`` (nothing it can map the question to), ``error`` (a tool failed; the text says why) or
    ``confirm`` (a change waits for the user's confirmation).
    """
    text: str
    mode: str  # "llm" or "offline"
    tool_calls: tuple[dict, ...] = field(default=())  # {"name", "args"}
    # The answer for a page that shows the tool's result as a table right above it: the lead, not the rows again.
    brief: str = ""
    status: str = "answered"
    reading: str = ""  # one plain sentence: how the question was read
    sql: str | None = None  # the query the answer ran, if any
    table: dict | None = None  # {"columns": [...], "rows": [[...], ...]}: the result the answer rests on
    suggestions: tuple[str, ...] = field(default=())  # closest readings, as questions the assistant answers
    parts: tuple[Answer, ...] = field(default=())  # a compound question's answers, one per part


Event = ToolStarted | ToolProgress | ToolFinished | TextDelta | ConfirmationNeeded | Answer
