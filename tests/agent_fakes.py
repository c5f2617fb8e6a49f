"""Test doubles for the agent: a scripted chat model that emits tool calls."""

from __future__ import annotations

import itertools

from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult


class ScriptedChatModel(BaseChatModel):
    """Replies with the scripted messages in order (whole, not streamed); tools are accepted and ignored."""

    messages: Any
    seen: list = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.seen.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=next(self.messages))])

    def bind_tools(self, tools, **kwargs):
        return self


def scripted(*steps) -> ScriptedChatModel:
    """Each step is a final text, or a (tool_name, args) pair, or a list of such pairs for one turn."""
    messages, ids = [], itertools.count()
    for step in steps:
        if isinstance(step, str):
            messages.append(AIMessage(step))
            continue
        calls = step if isinstance(step, list) else [step]
        messages.append(AIMessage("", tool_calls=[
            {"name": name, "args": args, "id": f"call_{next(ids)}", "type": "tool_call"} for name, args in calls]))
    return ScriptedChatModel(messages=iter(messages), seen=[])
