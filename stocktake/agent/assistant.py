"""The assistant: one conversation API over the LLM agent or the offline planner.

``stream(question, thread)`` yields events (tool steps, text, confirmation requests, the answer);
``resume(thread, approve)`` answers a confirmation request. Each thread keeps its own memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from functools import partial

from stocktake.agent.context import ToolContext
from stocktake.agent.events import (Answer, ConfirmationNeeded, Event, TextDelta, ToolFinished, ToolProgress,
                                    ToolStarted)
from stocktake.agent.offline_turn import OfflineTurns
from stocktake.agent.tools import build_tools, confirm_required, confirmation_question
from stocktake.agent.tools.base import as_langchain
from stocktake.errors import StocktakeError
from stocktake.usecases import Services


WAITING = "_(The previous answer's step is still running; this one starts when it ends.)_\n\n"


class Assistant:
    def __init__(self, ctx: ToolContext, llm=None, tools: list | None = None, model_name: str = ""):
        self.ctx = ctx
        self.tools = tools if tools is not None else build_tools(ctx)
        self.by_name = {t.name: t for t in self.tools}
        self.gated = set(confirm_required(self.tools))
        self.mode = "llm" if llm is not None else "offline"
        self.model_name = model_name if llm is not None else "offline mode"
        self._agent = None
        if llm is not None:
            from stocktake.agent.build import build_agent

            self._agent = build_agent(llm, [as_langchain(t) for t in self.tools], ctx.catalog, ctx.settings.llm)
        self._offline = OfflineTurns(ctx, self.by_name, self.gated) if llm is None else None
        self._turns: dict[str, threading.Lock] = {}
        self._turns_guard = threading.Lock()

    # ---- public API ----------------------------------------------------------------------
    def stream(self, question: str, thread_id: str = "default") -> Iterator[Event]:
        if self._agent is not None:
            turn = partial(self._stream_agent, {"messages": [{"role": "user", "content": question}]}, thread_id)
        else:
            turn = partial(self._stream_offline, question, thread_id)
        yield from self._one_at_a_time(thread_id, turn)

    def resume(self, thread_id: str, approve: bool, reason: str = "") -> Iterator[Event]:
        """Answer the pending confirmation of a thread: run the change, or tell the agent it was declined."""
        yield from self._one_at_a_time(thread_id, partial(self._resume, thread_id, approve, reason))

    def _resume(self, thread_id: str, approve: bool, reason: str) -> Iterator[Event]:
        if self._agent is not None:
            from langgraph.types import Command

            decision = {"type": "approve"} if approve else {"type": "reject", "message": reason or "The user declined."}
            state = self._agent.get_state(self._config(thread_id))
            count = sum(len(i.value.get("action_requests", [])) for i in state.interrupts) or 1
            last = (state.values.get("messages") or [None])[-1]
            approved = tuple(getattr(last, "tool_calls", None) or ()) if approve else ()
            yield from self._stream_agent(Command(resume={"decisions": [decision] * count}), thread_id, approved)
            return
        yield from self._offline.resume(thread_id, approve)

    def ask(self, question: str, thread_id: str = "default", approve: bool | None = None) -> Answer:
        """Run a turn to the end; a confirmation request is answered with ``approve`` (None: left pending)."""
        answer, pending = None, None
        for event in self.stream(question, thread_id):
            if isinstance(event, ConfirmationNeeded):
                pending = event
            elif isinstance(event, Answer):
                answer = event
        if pending is not None and approve is not None:
            calls = answer.tool_calls if answer else ()
            for event in self.resume(thread_id, approve):
                if isinstance(event, Answer):
                    answer = Answer(event.text, event.mode, calls + event.tool_calls)
        return answer

    def _one_at_a_time(self, thread_id: str, turn: Callable[[], Iterator[Event]]) -> Iterator[Event]:
        """Run a turn once the conversation's previous one has ended.

        A stopped answer's tool may still be running (a step in flight cannot be interrupted), and two runs
        writing one conversation's memory at once could lose the messages of one.
        """
        with self._turns_guard:
            lock = self._turns.setdefault(thread_id, threading.Lock())
        if not lock.acquire(blocking=False):
            yield TextDelta(WAITING)
            lock.acquire()
        try:
            yield from turn()
        finally:
            lock.release()

    # ---- LLM agent -------------------------------------------------------------------------
    def _config(self, thread_id: str) -> dict:
        return {"configurable": {"thread_id": thread_id}, "recursion_limit": 4 * self.ctx.settings.llm.max_steps + 10}

    def _stream_agent(self, payload, thread_id: str, approved: tuple[dict, ...] = ()) -> Iterator[Event]:
        """One run of the agent as events; ``approved``: the tool calls a confirmation lets run now, which the
        run starts without announcing them again (they were, before it paused)."""
        started = {c["id"]: (c["name"], time.perf_counter()) for c in approved}
        running = [c["id"] for c in approved]  # started and not finished: a tool's progress is the latest one's
        calls: list[dict] = []
        final = ""
        for call in approved:
            yield ToolStarted(call["id"], call["name"], call["args"])
        for mode, chunk in self._agent.stream(payload, self._config(thread_id), context=self.ctx,
                                              stream_mode=["updates", "messages", "custom"]):
            if mode == "custom":
                if running and isinstance(chunk, dict) and "progress" in chunk:
                    yield ToolProgress(running[-1], started[running[-1]][0], *chunk["progress"])
                continue
            if mode == "messages":
                message, meta = chunk
                if meta.get("langgraph_node") == "model" and getattr(message, "content", "") and \
                        not getattr(message, "tool_call_chunks", None) and isinstance(message.content, str):
                    yield TextDelta(message.content)
                continue
            for node, update in chunk.items():
                if node == "__interrupt__":
                    actions = tuple(self._asked(a, thread_id) for i in update
                                    for a in i.value.get("action_requests", []))
                    yield ConfirmationNeeded(actions)
                    yield Answer(" ".join(a["description"] for a in actions), "llm", tuple(calls), status="confirm")
                    return
                for message in (update or {}).get("messages", []):
                    if message.type == "ai" and message.tool_calls:
                        for call in message.tool_calls:
                            started[call["id"]] = (call["name"], time.perf_counter())
                            running.append(call["id"])
                            calls.append({"name": call["name"], "args": call["args"]})
                            yield ToolStarted(call["id"], call["name"], call["args"])
                    elif message.type == "ai":
                        final = message.content if isinstance(message.content, str) else str(message.content)
                    elif message.type == "tool":
                        name, t0 = started.get(message.tool_call_id, (message.name, time.perf_counter()))
                        if message.tool_call_id in running:
                            running.remove(message.tool_call_id)
                        content = message.content if isinstance(message.content, str) else str(message.content)
                        yield ToolFinished(message.tool_call_id, name, content, getattr(message, "artifact", None),
                                           round(time.perf_counter() - t0, 3),
                                           ok=message.status != "error")
        yield Answer(final, "llm", tuple(calls))

    def _asked(self, request: dict, thread_id: str) -> dict:
        """An interrupted tool call with the question to put to the user as its description."""
        tool = self.by_name.get(request["name"])
        try:
            asked = confirmation_question(self.ctx, thread_id, getattr(tool, "action", None), request.get("args") or {})
        except StocktakeError as exc:  # the call will fail the same way once approved: say why now
            asked = str(exc)
        return {**request, "description": asked}

    # ---- offline planner -------------------------------------------------------------------
    def _stream_offline(self, question: str, thread_id: str) -> Iterator[Event]:
        yield from self._offline.stream(question, thread_id)


def connect_assistant(services: Services, *, offline: bool = False) -> Assistant:
    """The workspace's assistant, on the configured LLM endpoint, or in offline mode where none answers: what the
    CLI's ``ask`` and ``chat`` and the app's chat talk to."""
    from stocktake.agent.llm import connect_llm

    ctx = services if isinstance(services, ToolContext) else ToolContext(services.catalog, services.settings)
    llm = None if offline else connect_llm(ctx.settings.llm)[0]
    model = getattr(llm, "model_name", "") if llm is not None else ""
    return Assistant(ctx, llm, model_name=model)
