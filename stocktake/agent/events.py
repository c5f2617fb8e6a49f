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
class TextDelta:
    text: str


@dataclass(frozen=True)
class ConfirmationNeeded:
    """The agent wants to run tools that change data; nothing runs until the user answers."""
    actions: tuple[dict, ...]  # {"name", "args", "description"}


@dataclass(frozen=True)
class Answer:
    text: str
    mode: str  # "llm" or "offline"
    tool_calls: tuple[dict, ...] = field(default=())  # {"name", "args"}
    # The answer for a page that shows the tool's result as a table right above it: the lead, not the rows again.
    brief: str = ""


Event = ToolStarted | ToolFinished | TextDelta | ConfirmationNeeded | Answer
